"""Live state pushed as revisioned snapshots (the NodeCG replicant model).

Each (show, topic) has one snapshot provider. Writers only mark a topic dirty; a flusher emits at most one
snapshot per topic per interval, so a comment flood never turns into a message flood. A client that connects,
reconnects or missed messages asks for the snapshot and is right again at once.
"""
from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

log = logging.getLogger(__name__)

NAMESPACE = "/live"
Provider = Callable[[str], Any]


def room(show_id: str, topic: str) -> str:
    return f"{show_id}:{topic}"


class LiveChannels:
    def __init__(self, socketio, interval: float = 0.25):
        self.socketio = socketio
        self.interval = interval
        self._providers: dict[str, Provider] = {}
        self._dirty: set[tuple[str, str]] = set()
        self._lock = threading.Lock()
        # Revisions follow the clock in µs: they keep rising across restarts, and snapshots of one topic pushed by
        # different processes (scaled out) order by when they were taken, so clients never drop the newer one.
        self._rev = 0
        self._wake = None
        self._started = False

    @property
    def topics(self) -> tuple[str, ...]:
        return tuple(self._providers)

    def provide(self, topic: str, provider: Provider) -> None:
        self._providers[topic] = provider

    def snapshot(self, show_id: str, topic: str) -> dict:
        with self._lock:
            self._rev = rev = max(self._rev + 1, int(time.time() * 1_000_000))
        return {"show": show_id, "topic": topic, "rev": rev, "ts": time.time(),
                "data": self._providers[topic](show_id)}

    def touch(self, show_id: str, *topics: str) -> None:
        """Mark topics changed; the flusher pushes them within one interval."""
        with self._lock:
            for t in topics:
                self._dirty.add((show_id, t))
        if self._wake is not None:
            self._wake.set()

    def push_now(self, show_id: str, *topics: str) -> None:
        """For host actions: the screens should change at once, not at the next tick."""
        for t in topics:
            with self._lock:
                self._dirty.discard((show_id, t))
            self._emit(show_id, t)

    def _emit(self, show_id: str, topic: str) -> None:
        try:
            snap = self.snapshot(show_id, topic)
        except Exception:  # a broken provider must not stop the other topics
            log.exception("snapshot %s/%s failed", show_id, topic)
            return
        self.socketio.emit("state", snap, namespace=NAMESPACE, to=room(show_id, topic))

    def start(self) -> None:
        if self._started:
            return
        self._started = True
        self.socketio.start_background_task(self._run)

    def _run(self) -> None:
        from gevent.event import Event  # the flusher lives in the gevent server
        self._wake = Event()
        while True:
            self._wake.wait(timeout=5)
            self._wake.clear()
            with self._lock:
                batch, self._dirty = self._dirty, set()
            for show_id, topic in batch:
                self._emit(show_id, topic)
            time.sleep(self.interval)
