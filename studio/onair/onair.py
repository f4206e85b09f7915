"""A show on air: start and end it, the item being answered now (segments) and the producer's rundown.

Every change runs under a per-show lock (one process) inside a transaction whose first statement bumps the show's
revision: that UPDATE takes the row (PostgreSQL) or database (SQLite) write lock before anything is read, so
processes serialize too, and whatever the change reads is current. Two people acting at once are applied one after
the other; an action that carries an expectation (`revision`, `if_current`) the first one made stale is refused
with `Conflict` instead of silently overwriting it.
"""
from __future__ import annotations

import logging
import threading
import time
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from studio.errors import Conflict, NotFound
from studio.store.models import FaqRecord, RundownEntry, Segment, ShelfEntry, Show
from studio.store.shows import get_show, no_show, show_dict

log = logging.getLogger(__name__)

ANY = object()  # `if_current` not given: act whatever is on air
MAX_RUNDOWN = 100
RECENT_SEGMENTS = 10
UP_NEXT = 3
Listener = Callable[[str, "dict | None"], None]


class UnknownItem(NotFound):
    """No such item in the catalog (or it is archived)."""

    def __init__(self, slug: str):
        super().__init__(f"no item '{slug[:64]}'")


class _Unchanged(Exception):
    """Nothing to do: roll the revision bump back."""


class OnAir:
    def __init__(self, db, push: Callable[[str], None] | None = None):
        self.db = db
        self._push = push
        # weak: a lock lives while someone holds it, so ids of shows that do not exist cannot pile up
        self._locks: weakref.WeakValueDictionary[str, threading.RLock] = weakref.WeakValueDictionary()
        self._locks_guard = threading.Lock()
        self._listeners: list[Listener] = []
        self._kept: dict[str, dict] = {}  # show → snapshot at its revision

    def on_change(self, fn: Listener) -> None:
        """fn(show_id, current) after every committed change of what is on air (current None: nothing).
        Called in commit order, under the show's lock: keep it quick (the OBS driver only records the state)."""
        self._listeners.append(fn)

    def lock(self, show_id: str) -> threading.RLock:
        with self._locks_guard:
            return self._locks.setdefault(show_id, threading.RLock())

    # ------------------------------------------------------------------ reads
    def state(self, show_id: str) -> dict:
        """The "onair" snapshot: show, current item, up next, rundown, recent segments. Raises NotFound.

        Every change of these bumps the show's revision (catalog edits call `forget`), so one small read
        tells whether the snapshot kept from the last change is still the truth."""
        with self.lock(show_id), self.db.session() as s:
            revision = s.scalar(select(Show.revision).where(Show.id == show_id)) if len(show_id) <= 32 else None
            if revision is None:
                raise no_show(show_id)
            kept = self._kept.get(show_id)
            if kept is None or kept["revision"] != revision:
                kept = self._kept[show_id] = _state(s, get_show(s, show_id))
            return {**kept, "now": time.time()}

    def forget(self) -> None:
        """Drop the kept snapshots (an item's question or answer may have changed)."""
        self._kept.clear()

    def live_shows(self) -> list[str]:
        with self.db.session() as s:
            return list(s.scalars(select(Show.id).where(Show.status == "live")))

    # ------------------------------------------------------------------ actions
    def start_show(self, show_id: str) -> dict:
        def change(s: Session, show: Show, now: float) -> None:
            if show.status == "live":
                raise _Unchanged
            show.status, show.ended_at = "live", None
            show.started_at = show.started_at or now
        return self._act(show_id, change, on_air_changes=False)

    def end_show(self, show_id: str) -> dict:
        def change(s: Session, show: Show, now: float) -> None:
            if show.status == "ended":
                raise _Unchanged
            _end_current(s, show_id, now)
            show.status, show.ended_at = "ended", now
        return self._act(show_id, change)

    def put_on_air(self, show_id: str, slug: str | None, if_current: Any = ANY) -> dict:
        """Answer `slug` now (None: end the current answer). Starts a planned show; the item leaves the rundown."""
        def change(s: Session, show: Show, now: float) -> None:
            current = _current_segment(s, show_id)
            _check_current(current, if_current)
            if slug is None:
                if current is None:
                    raise _Unchanged
                current.ended_at = now
                return
            if current is not None and current.slug == slug:
                raise _Unchanged
            rec = _item(s, slug)
            if show.status == "ended":
                raise Conflict("the show has ended: start it again to go on air")
            if show.status == "planned":
                show.status, show.started_at = "live", now
            if current is not None:
                current.ended_at = now
            s.add(Segment(show_id=show_id, item_id=rec.id, slug=rec.slug, started_at=now))
            s.execute(delete(RundownEntry).where(RundownEntry.show_id == show_id, RundownEntry.item_id == rec.id))
        return self._act(show_id, change)

    def next_in_queue(self, show_id: str, if_current: Any = ANY) -> dict:
        """Put the first rundown item that is not already on air on air."""
        with self.lock(show_id):
            with self.db.session() as s:
                current = _current_segment(s, show_id)
                _check_current(current, if_current)
                queue = s.scalars(select(FaqRecord.slug).join(RundownEntry, RundownEntry.item_id == FaqRecord.id)
                                  .where(RundownEntry.show_id == show_id).order_by(RundownEntry.position)).all()
            upcoming = [x for x in queue if current is None or x != current.slug]
            if not upcoming:
                raise Conflict("the queue is empty")
            return self.put_on_air(show_id, upcoming[0], if_current)

    def set_rundown(self, show_id: str, slugs: list[str], revision: int | None = None) -> dict:
        """Replace the queue with `slugs` in order; with `revision`, only if nobody changed the show since."""
        if not isinstance(slugs, list) or len(slugs) > MAX_RUNDOWN:
            raise ValueError(f"the rundown must be a list of at most {MAX_RUNDOWN} items")
        if any(not isinstance(x, str) for x in slugs):
            raise ValueError("each rundown entry must be an item slug")
        if len(set(slugs)) != len(slugs):
            raise ValueError("an item can be in the rundown only once")

        def change(s: Session, show: Show, now: float) -> None:
            if revision is not None and show.revision - 1 != revision:
                raise Conflict(f"the rundown changed (now revision {show.revision - 1}, yours {revision}): reload")
            recs = {x: _item(s, x) for x in slugs}
            old = {e.item_id: e for e in s.scalars(select(RundownEntry).where(RundownEntry.show_id == show_id))}
            if sorted(old, key=lambda k: old[k].position) == [r.id for r in recs.values()]:
                raise _Unchanged
            s.execute(delete(RundownEntry).where(RundownEntry.show_id == show_id))
            for pos, rec in enumerate(recs.values()):
                added = old[rec.id].added_at if rec.id in old else now
                s.add(RundownEntry(show_id=show_id, item_id=rec.id, position=pos, added_at=added))
        return self._act(show_id, change, on_air_changes=False)

    # ------------------------------------------------------------------ machinery
    def _act(self, show_id: str, change: Callable[[Session, Show, float], None], on_air_changes: bool = True) -> dict:
        with self.lock(show_id):
            try:
                with self._transaction(show_id) as (s, show):
                    change(s, show, time.time())
                    s.flush()
                    state = _state(s, show)
                self._kept[show_id] = state
            except _Unchanged:
                return self.state(show_id)
            if on_air_changes:
                for fn in self._listeners:
                    try:
                        fn(show_id, state["current"])
                    except Exception:  # a listener's failure must not undo or block the show
                        log.exception("on-air listener failed")
            if self._push is not None:
                self._push(show_id)
            return state

    @contextmanager
    def _transaction(self, show_id: str) -> Iterator[tuple[Session, Show]]:
        with self.db.session() as s:
            # Write first: the lock is taken before any read, so what follows sees the latest committed state.
            bumped = s.execute(update(Show).where(Show.id == show_id).values(revision=Show.revision + 1)).rowcount
            if not bumped:
                raise no_show(show_id)
            yield s, get_show(s, show_id)


def _check_current(current: Segment | None, if_current: Any) -> None:
    if if_current is ANY:
        return
    now_slug = current.slug if current is not None else None
    if now_slug != if_current:
        raise Conflict(f"someone else changed what is on air (now: {now_slug or 'nothing'})")


def _item(s: Session, slug: str) -> FaqRecord:
    rec = s.scalar(select(FaqRecord).where(FaqRecord.slug == slug)) if len(slug) <= 64 else None
    if rec is None or rec.status == "archived":
        raise UnknownItem(slug)
    return rec


def _current_segment(s: Session, show_id: str) -> Segment | None:
    return s.scalar(select(Segment).where(Segment.show_id == show_id, Segment.ended_at.is_(None))
                    .order_by(Segment.started_at.desc(), Segment.id.desc()).limit(1))


def _end_current(s: Session, show_id: str, now: float) -> None:
    s.execute(update(Segment).where(Segment.show_id == show_id, Segment.ended_at.is_(None)).values(ended_at=now))


def _state(s: Session, show: Show) -> dict:
    numbers = dict(s.execute(select(ShelfEntry.item_id, ShelfEntry.number).where(ShelfEntry.show_id == show.id)).all())

    def brief(rec: FaqRecord | None, slug: str) -> dict:
        if rec is None:  # deleted since: history keeps the slug
            return {"slug": slug, "number": None, "question": slug, "answer": ""}
        return {"slug": rec.slug, "number": numbers.get(rec.id), "question": rec.question, "answer": rec.answer}

    current = _current_segment(s, show.id)
    on_air = None
    if current is not None:
        on_air = brief(s.get(FaqRecord, current.item_id) if current.item_id else None, current.slug)
        on_air.update(started_at=current.started_at, segment_id=current.id)
    queue = [{**brief(rec, rec.slug), "added_at": e.added_at} for e, rec in s.execute(
        select(RundownEntry, FaqRecord).join(FaqRecord, FaqRecord.id == RundownEntry.item_id)
        .where(RundownEntry.show_id == show.id).order_by(RundownEntry.position)).all()]
    recent = s.execute(select(Segment, FaqRecord).outerjoin(FaqRecord, FaqRecord.id == Segment.item_id)
                       .where(Segment.show_id == show.id)
                       .order_by(Segment.started_at.desc(), Segment.id.desc()).limit(RECENT_SEGMENTS)).all()
    segments = [{**brief(rec, seg.slug), "id": seg.id, "started_at": seg.started_at, "ended_at": seg.ended_at}
                for seg, rec in recent]
    return {"show": show_dict(show), "revision": show.revision, "current": on_air,
            "up_next": [q for q in queue if on_air is None or q["slug"] != on_air["slug"]][:UP_NEXT],
            "rundown": queue, "segments": segments, "now": time.time()}
