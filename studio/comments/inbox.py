"""Where the receivers in this process hand their comments to the engine.

Capture-tool hooks ingest synchronously: the forwarder learns how many comments were stored. Douyin's push must
be answered within 2 s (10 slow or failed answers trip its circuit breaker), so its comments are queued and the
push is answered at once; one background worker writes the queue through the engine in batches."""
from __future__ import annotations

import logging
import queue
import threading
from collections import defaultdict

from studio.comments.receivers import ReceiverHealth
from studio.sources.base import Comment, RecentIds

log = logging.getLogger(__name__)

MAX_QUEUED = 100_000  # comments waiting for the worker; beyond it a push is refused (503) and the platform retries
BATCH = 2000


class Inbox:
    def __init__(self, engine, spawn, receivers: ReceiverHealth):
        self.engine = engine
        self.receivers = receivers
        self._spawn = spawn
        self._queue: queue.Queue[tuple[str, str, list[dict]]] = queue.Queue()
        self._queued = 0
        self._seen: dict[tuple[str, str], RecentIds] = defaultdict(lambda: RecentIds(50_000))
        self._lock = threading.Lock()
        self._worker_started = False

    def fresh(self, show_id: str, receiver: str, comments: list[Comment]) -> list[Comment]:
        """Drop comments this receiver got recently (forwarders and Douyin both deliver twice at times)."""
        seen = self._seen[(show_id, receiver)]
        fresh = [c for c in comments if seen.add(f"{c.platform}\x1f{c.msg_id}")]
        self.receivers.note_received(show_id, receiver, len(fresh), len(comments) - len(fresh))
        return fresh

    def ingest_now(self, show_id: str, source: str, comments: list[Comment]) -> dict:
        if not comments:
            return {"accepted": 0, "duplicate": 0, "rejected": 0, "errors": []}
        return self.engine.ingest(show_id, [c.to_item() for c in comments], source)

    def submit(self, show_id: str, source: str, comments: list[Comment]) -> bool:
        """Queue for the worker; False if the queue is full (answer 503 so the platform retries)."""
        with self._lock:
            if self._queued + len(comments) > MAX_QUEUED:
                return False
            self._queued += len(comments)
            if not self._worker_started:
                self._worker_started = True
                self._spawn(self._run)
        self._queue.put((show_id, source, [c.to_item() for c in comments]))
        return True

    def _take(self, block: bool) -> dict[tuple[str, str], list[dict]]:
        """Everything queued now (waiting for the first entry if `block`), grouped by show and source."""
        groups: dict[tuple[str, str], list[dict]] = defaultdict(list)
        taken = 0
        try:
            entry = self._queue.get(timeout=1.0) if block else self._queue.get_nowait()
            while True:
                show_id, source, items = entry
                groups[(show_id, source)].extend(items)
                taken += len(items)
                if taken >= BATCH:
                    break
                entry = self._queue.get_nowait()
        except queue.Empty:
            pass
        with self._lock:
            self._queued -= taken
        return groups

    def _write(self, groups: dict[tuple[str, str], list[dict]]) -> None:
        for (show_id, source), items in groups.items():
            try:
                self.engine.ingest(show_id, items, source)
            except Exception as e:  # noqa: BLE001 - keep the worker alive; the console shows the error
                log.exception("ingesting %d queued comments for %s failed", len(items), show_id)
                self.receivers.note_error(show_id, source.partition(":")[2] or source, f"ingest failed: {e}")

    def _run(self) -> None:
        while True:
            self._write(self._take(block=True))

    def flush(self) -> None:
        """On shutdown: write what is still queued."""
        while groups := self._take(block=False):
            self._write(groups)
