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
from dataclasses import dataclass

from sqlalchemy import bindparam, delete

from studio.blocks.group_commit import GroupCommitWriter
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
    """Every request waits until its event is in a committed transaction (an answered event is never lost, even to
    kill -9), while one transaction carries all the events that arrived meanwhile."""

    def __init__(self, db):
        self.db = db
        self._group = GroupCommitWriter(self._commit, MAX_BATCH, gather=GATHER, wait_timeout=30)

    def record(self, event: ViewerEventIn) -> None:
        """Returns once the event is stored; raises if the database refused it."""
        self._group.write([event])

    def start(self, spawn) -> None:
        self._group.start(spawn)

    def stop(self) -> None:
        self._group.flush()

    def _commit(self, events: list[ViewerEventIn]) -> list[None]:
        try:
            self.write(events)
        except Exception:  # the waiting requests answer 503; nothing is acknowledged unstored
            log.exception("could not store %d viewer events", len(events))
            raise
        return [None] * len(events)

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
