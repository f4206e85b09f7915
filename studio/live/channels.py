"""Live state pushed as revisioned snapshots (the NodeCG replicant model).

Each (show, topic) has one snapshot provider. Writers only mark a topic dirty; a flusher emits at most one
snapshot per topic per interval, so a comment flood never turns into a message flood. A client that connects,
reconnects or missed messages asks for the snapshot and is right again at once.

The flusher keeps its cadence whatever a round costs (the next round starts `interval` after the last one started,
not after it ended), and a round's snapshots are taken side by side: one that waits on the database (the specialist
queue) does not hold back the ranking of every show behind it. A topic that is a person's working list (the review
queue, emerging questions, cases) may ask for a slower pace of its own: its snapshot is a few milliseconds of
matching or a query, and its reader needs it once a second, not four times.
"""
from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

log = logging.getLogger(__name__)

NAMESPACE = "/live"
Provider = Callable[[str], Any]
PublicView = Callable[[str, Any], Any]
STAFF_ROOM = "#staff"


@dataclass(frozen=True)
class Audience:
    """Who may read a topic. Public (no roles): what an OBS browser source or a viewer page needs, served to any
    connection. Staff: only to a connection authenticated (staff session cookie or API token) with one of `roles`,
    the same roles as the matching HTTP route; admin always. A public topic may have a `public_view`: anonymous
    subscribers get `public_view(show, data)` and staff ones the whole snapshot."""
    roles: tuple[str, ...] = ()
    public_view: PublicView | None = None

    @property
    def public(self) -> bool:
        return not self.roles

    def describe(self) -> dict:
        return {"audience": "public" if self.public else "staff", "roles": list(self.roles),
                "staff_sees_more": self.public_view is not None}


PUBLIC = Audience()


def staff(*roles: str) -> Audience:
    if not roles:
        raise ValueError("a staff topic names the roles that may read it")
    return Audience(roles=tuple(roles))


def user_room(name: str) -> str:
    """The room of one staff account's connections (a show id never starts with '@')."""
    return f"@{name}"


def room(show_id: str, topic: str, full: bool = False) -> str:
    """The room of a (show, topic); `full`: the staff room of a public topic that has a public view."""
    return f"{show_id}:{topic}{STAFF_ROOM if full else ''}"


class LiveChannels:
    def __init__(self, socketio, interval: float = 0.25):
        self.socketio = socketio
        self.interval = interval
        self._providers: dict[str, Provider] = {}
        self._audiences: dict[str, Audience] = {}
        self._every: dict[str, float] = {}  # a topic's own minimum seconds between two pushes of one show
        self._dirty: set[tuple[str, str]] = set()
        self._pushed: dict[tuple[str, str], float] = {}  # (show, topic) → monotonic time of its last push
        self._pace: dict[tuple[str, str], float] = {}  # dirty (show, topic) → seconds it may wait (touch `every`)
        self._lock = threading.Lock()
        # Revisions follow the clock in µs: they keep rising across restarts, and snapshots of one topic pushed by
        # different processes (scaled out) order by when they were taken, so clients never drop the newer one.
        self._rev = 0
        self._wake = None
        self._started = False

    @property
    def topics(self) -> tuple[str, ...]:
        return tuple(self._providers)

    def provide(self, topic: str, provider: Provider, audience: Audience, every: float | None = None) -> None:
        """Every topic says who may read it: there is no default, so a new topic cannot leak by omission. `every`:
        at most one push of a show's topic per that many seconds (the channel's interval when None or shorter)."""
        if not isinstance(audience, Audience):
            raise TypeError(f"topic {topic!r} needs an Audience (PUBLIC or staff(roles...))")
        self._providers[topic] = provider
        self._audiences[topic] = audience
        if every is not None and every > self.interval:
            self._every[topic] = every

    def audience(self, topic: str) -> Audience:
        return self._audiences[topic]

    def snapshot(self, show_id: str, topic: str, full: bool = True) -> dict:
        """The topic's current state; `full=False` gives what an anonymous subscriber of a public topic sees."""
        with self._lock:
            self._rev = rev = max(self._rev + 1, int(time.time() * 1_000_000))
        data = self._providers[topic](show_id)
        view = self._audiences[topic].public_view
        if not full and view is not None:
            data = view(show_id, data)
        return {"show": show_id, "topic": topic, "rev": rev, "ts": time.time(), "data": data}

    def touch(self, show_id: str, *topics: str, every: float = 0.0) -> None:
        """Mark topics changed; the flusher pushes them within one interval. `every`: this change may wait until
        the topic's last push of the show is that old (a flood of small ones, like demand counts), unless another
        change of the topic wants it sooner; it is pushed then, never dropped."""
        with self._lock:
            for t in topics:
                k = (show_id, t)
                if not every:
                    self._pace.pop(k, None)
                elif k not in self._dirty or k in self._pace:
                    self._pace[k] = max(every, self._pace.get(k, 0.0))
                self._dirty.add(k)
        if self._wake is not None:
            self._wake.set()

    def push_now(self, show_id: str, *topics: str) -> None:
        """For host actions: the screens should change at once, not at the next tick."""
        for t in topics:
            with self._lock:
                self._dirty.discard((show_id, t))
            self._emit(show_id, t)

    def tell(self, user: str, event: str, data: dict) -> None:
        """An event for one staff account's open pages (every process's, through the message queue when scaled)."""
        self.socketio.emit(event, data, namespace=NAMESPACE, to=user_room(user))

    def _emit(self, show_id: str, topic: str) -> None:
        self._pushed[(show_id, topic)] = time.monotonic()
        try:
            snap = self.snapshot(show_id, topic)
            view = self._audiences[topic].public_view
            if view is not None:  # staff subscribers get it whole, everyone else the public view
                self.socketio.emit("state", snap, namespace=NAMESPACE, to=room(show_id, topic, full=True))
                snap = {**snap, "data": view(show_id, snap["data"])}
        except Exception:  # a broken provider must not stop the other topics
            log.exception("snapshot %s/%s failed", show_id, topic)
            return
        self.socketio.emit("state", snap, namespace=NAMESPACE, to=room(show_id, topic))

    def start(self) -> None:
        if self._started:
            return
        self._started = True
        self.socketio.start_background_task(self._run)

    def _due(self, now: float) -> tuple[list[tuple[str, str]], bool]:
        """Take the dirty (show, topic) pairs whose pace allows a push now, quick topics first (the round's
        greenlets start in this order); the others stay dirty, and the second value says whether any did."""
        with self._lock:
            due = [k for k in self._dirty
                   if now - self._pushed.get(k, -1e9) >= max(self._every.get(k[1], 0.0), self._pace.get(k, 0.0))]
            self._dirty.difference_update(due)
            for k in due:
                self._pace.pop(k, None)
            waiting = bool(self._dirty)
        if len(self._pushed) > 50_000:  # shows long gone: their pace is forgotten, nothing else
            self._pushed = {k: t for k, t in self._pushed.items() if now - t < 60}
        due.sort(key=lambda k: k[1] in self._every)
        return due, waiting

    def _run(self) -> None:
        from gevent.event import Event  # the flusher lives in the gevent server
        from gevent.pool import Group
        self._wake = Event()
        waiting = False
        while True:
            if not waiting:
                self._wake.wait(timeout=5)
            self._wake.clear()
            started = time.monotonic()
            due, waiting = self._due(started)
            round_ = Group()
            for show_id, topic in due:
                round_.spawn(self._emit, show_id, topic)
            round_.join()
            time.sleep(max(0.0, self.interval - (time.monotonic() - started)))
