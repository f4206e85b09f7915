"""Viewer events (shelf views, page views, votes, escalations), deduplicated per anonymous viewer.

When the host says "点3号链接", thousands of phones report a page view within seconds. Each event is tiny, so
the events of the same few milliseconds share one transaction (group commit) instead of one commit each; every
request still answers only after its own event is committed. Without the background writer (CLI, tests on the
app object) they are written at once.

Storage keeps one row per (show, item, type, viewer): repeats are ignored by the unique constraint. A viewer's
vote counts once: helpful and not_helpful exclude each other, and the latest one wins.
"""
from __future__ import annotations

import logging
import re
import secrets
import threading
from dataclasses import dataclass

from sqlalchemy import bindparam, delete

from studio.store.db import dialect_insert
from studio.store.models import ViewerEvent

log = logging.getLogger(__name__)

EVENT_TYPES = ("shelf_view", "page_view", "helpful", "not_helpful", "escalate")
VOTES = {"helpful": "not_helpful", "not_helpful": "helpful"}
VIEWER_COOKIE = "fls_vid"
VIEWER_COOKIE_AGE = 2 * 365 * 86400
_VIEWER_ID = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
GATHER = 0.01  # seconds a commit waits for company: ~100 transactions/s at most, each answer ≤ ~10 ms later
MAX_BATCH = 5000


def new_viewer_id() -> str:
    return secrets.token_urlsafe(16)


def valid_viewer_id(value: str | None) -> bool:
    return bool(value) and _VIEWER_ID.match(value) is not None


@dataclass(frozen=True)
class ViewerEventIn:
    show_id: str
    slug: str
    type: str
    viewer_hash: str
    ts: float

    @property
    def key(self) -> tuple:
        # Both votes share one key, so the later one replaces the earlier in a batch.
        return self.show_id, self.slug, "vote" if self.type in VOTES else self.type, self.viewer_hash


class EventWriter:
    """Group commit: every request waits until its event is in a committed transaction (an answered event is
    never lost, even to kill -9), while one transaction carries all the events that arrived meanwhile."""

    def __init__(self, db, socketio=None):
        self.db = db
        self._socketio = socketio
        self._buffer: list[ViewerEventIn] = []
        self._batch_done = threading.Event()
        self._batch_error: list[BaseException] = []
        self._wake = threading.Event()
        self._running = False

    def record(self, event: ViewerEventIn) -> None:
        """Returns once the event is stored; raises if the database refused it."""
        if not self._running:
            self.write([event])
            return
        done, errors = self._batch_done, self._batch_error
        self._buffer.append(event)
        self._wake.set()
        if not done.wait(timeout=30):
            raise TimeoutError("the database did not commit in 30 s")
        if errors:
            raise errors[0]

    def start(self) -> None:
        if self._running or self._socketio is None:
            return
        self._running = True
        self._socketio.start_background_task(self._run)

    def stop(self) -> None:
        self._running = False
        self._wake.set()
        self.flush()

    def flush(self) -> None:
        batch, done, errors = self._buffer, self._batch_done, self._batch_error
        self._buffer, self._batch_done, self._batch_error = [], threading.Event(), []
        if batch:
            try:
                for i in range(0, len(batch), MAX_BATCH):
                    self.write(batch[i:i + MAX_BATCH])
            except Exception as e:  # the waiting requests answer 503; nothing is acknowledged unstored
                log.exception("could not store %d viewer events", len(batch))
                errors.append(e)
        done.set()

    def _run(self) -> None:
        while self._running:
            self._wake.wait(timeout=1.0)
            self._wake.clear()
            if self._buffer:
                self._socketio.sleep(GATHER)  # let the requests of the same moment join this transaction
                self.flush()

    def write(self, events: list[ViewerEventIn]) -> None:
        latest = {e.key: e for e in events}  # dict keeps the last event per key
        rows = [{"show_id": e.show_id, "slug": e.slug, "type": e.type, "viewer_hash": e.viewer_hash, "ts": e.ts}
                for e in latest.values()]
        retracted = [{"s": e.show_id, "g": e.slug, "v": e.viewer_hash, "t": VOTES[e.type]}
                     for e in latest.values() if e.type in VOTES]
        with self.db.session() as s:
            if retracted:
                t = ViewerEvent.__table__.c
                s.execute(delete(ViewerEvent.__table__).where(
                    t.show_id == bindparam("s"), t.slug == bindparam("g"), t.viewer_hash == bindparam("v"),
                    t.type == bindparam("t")), retracted)
            insert = dialect_insert(s.get_bind().dialect.name)
            s.execute(insert(ViewerEvent.__table__).on_conflict_do_nothing(), rows)
