"""The comment engine: one path from any comment source to the stored comments, the demand ranking and the
emerging questions of a show.

ingest(show, items) → validate → match the batch (one call; the matcher caches by normalized text) →
the single writer commits → only the newly stored comments feed the show's DemandBoard and
EmergingQuestions → the live topics "ranking" and "emerging" are marked dirty (LiveChannels coalesces
pushes; a comment never becomes a message of its own).

A show's board is built on first use by replaying what is stored (the last minutes of matched comments,
the last half hour of unmatched questions, on-air segments still cooling down), so a restart mid-show
picks up where it was. The matcher is a snapshot of the catalog: a catalog change builds a new one in the
background and swaps the reference, so ingestion never waits for a rebuild.
"""
from __future__ import annotations

import logging
import math
import threading
import time
from collections import Counter, deque
from dataclasses import dataclass, field

from sqlalchemy import case, func, or_, select

from faq_catalog.matcher import Matcher

from .catalog_store import NotFound
from .emerging import EmergingQuestions
from .ingest import CommentWriter, ViewerPseudonyms, off_loop, validate
from .models import Comment, CommentCount, Segment, Show
from .ranking import DemandBoard
from .shows import shelf

log = logging.getLogger(__name__)

COOLDOWN = 180.0  # seconds for an answered item to climb back to its full demand
ASKER_WINDOW = 300.0  # distinct askers and trends look this far back
EMERGING_WINDOW = 1800.0  # an emerging question nobody repeats for this long is forgotten
REPLAY_LIMIT = 200_000  # newest stored comments replayed into a board after a restart
TICK = 1.0  # pushes of a show's ranking while it is active, so decay and cooldowns show without comments
ACTIVE_FOR = 900.0
IDLE_EVICT = 3600.0  # a show idle this long leaves memory; its next use replays it from the database
MAX_BOOST = 1000.0
SHELF_TTL = 5.0


class InputRates:
    """Comments per source and platform: when the last arrived and how many in the last minute."""

    def __init__(self):
        self._inputs: dict[tuple[str, str], dict] = {}

    def note(self, source: str, platforms: Counter, now: float) -> None:
        sec = int(now)
        for platform, n in platforms.items():
            rec = self._inputs.get((source, platform))
            if rec is None:
                rec = self._inputs[(source, platform)] = {"seconds": deque(), "total": 0, "last_at": now}
            secs = rec["seconds"]
            if secs and secs[-1][0] == sec:
                secs[-1][1] += n
            else:
                secs.append([sec, n])
            while secs[0][0] < sec - 60:
                secs.popleft()
            rec["total"] += n
            rec["last_at"] = now

    def report(self, now: float) -> list[dict]:
        out = []
        for (source, platform), rec in sorted(self._inputs.items()):
            per_minute = sum(n for s, n in rec["seconds"] if s >= now - 60)
            out.append({"source": source, "platform": platform, "last_at": rec["last_at"],
                        "per_minute": per_minute, "total": rec["total"]})
        return out


@dataclass
class ShowDemand:
    board: DemandBoard
    emerging: EmergingQuestions
    inputs: InputRates = field(default_factory=InputRates)
    active_at: float = 0.0


class CommentEngine:
    def __init__(self, studio):
        self.studio = studio
        self.db = studio.db
        self.half_life = float(studio.config.get("RANKING_HALF_LIFE", 60.0))
        self.writer = CommentWriter(studio.db)
        self._viewer = ViewerPseudonyms(studio.pseudonym)
        self._shows: dict[str, ShowDemand] = {}
        self._shows_lock = threading.Lock()
        self._known_shows: set[str] = set()
        self._matcher: Matcher | None = None
        self._questions: dict[str, str] = {}
        self._catalog_version = 0
        self._rebuilding = False
        self._running = False
        self._shelves: dict[str, tuple[float, dict[str, int]]] = {}
        studio.catalog.on_change(self._catalog_changed)
        studio.on_start(self.start)
        studio.on_stop(self.stop)
        studio.live.provide("ranking", self._ranking_snapshot)
        studio.live.provide("emerging", self._emerging_snapshot)

    # -- lifecycle -------------------------------------------------------------------------------------

    def start(self) -> None:
        spawn = self.studio.socketio.start_background_task
        self._running = True
        self.writer.start(spawn)
        spawn(self._rebuild_matcher)
        spawn(self._tick)

    def stop(self) -> None:
        self._running = False
        self.writer.flush()

    # -- the matcher -------------------------------------------------------------------------------------

    @property
    def matcher(self) -> Matcher:
        if self._matcher is None:
            self._swap_in_new_matcher()
        return self._matcher

    def _catalog_questions(self) -> dict[str, str]:
        """slug → question of the items the current matcher knows."""
        if self._matcher is None:
            self._swap_in_new_matcher()
        return self._questions

    def _swap_in_new_matcher(self) -> Matcher:
        """Build from the catalog as it is now (archived items excluded), then swap matcher and questions."""
        items = [i for i in self.studio.catalog.all() if i.status != "archived"]
        matcher = off_loop(Matcher.from_items, items)
        self._matcher, self._questions = matcher, {i.slug: i.question for i in items}
        return matcher

    def _catalog_changed(self) -> None:
        self._catalog_version += 1
        self._shelves.clear()
        if not self._running:
            self._matcher = None  # built again on next use
        elif not self._rebuilding:
            self.studio.socketio.start_background_task(self._rebuild_matcher)

    def _rebuild_matcher(self) -> None:
        """Build until the catalog holds still, swapping in each result; the old matcher serves meanwhile."""
        self._rebuilding = True
        try:
            while True:
                version = self._catalog_version
                self._after_swap(self._swap_in_new_matcher())
                if version == self._catalog_version:
                    return
        except Exception:
            log.exception("rebuilding the matcher failed; the previous one stays")
        finally:
            self._rebuilding = False

    def _after_swap(self, matcher: Matcher) -> None:
        """Items that left the catalog leave the boards; questions the catalog now answers stop emerging."""
        def covered(text: str) -> bool:
            return matcher.match(text).slug is not None

        for show_id, st in list(self._shows.items()):
            for slug in st.board.slugs():
                if slug not in self._questions:
                    st.board.forget(slug)
            if st.emerging.drop_covered(covered):
                self.studio.live.touch(show_id, "emerging")
            self.studio.live.touch(show_id, "ranking")

    # -- shows -------------------------------------------------------------------------------------------

    def show_exists(self, show_id: str) -> bool:
        if show_id in self._known_shows:
            return True
        if not show_id or len(show_id) > 32:
            return False
        with self.db.session() as s:
            if s.get(Show, show_id) is None:
                return False
        self._known_shows.add(show_id)
        return True

    def _state(self, show_id: str) -> ShowDemand:
        st = self._shows.get(show_id)
        if st is None:
            with self._shows_lock:
                st = self._shows.get(show_id)
                if st is None:
                    st = ShowDemand(DemandBoard(self.half_life, ASKER_WINDOW, COOLDOWN),
                                    EmergingQuestions(idle_expiry=EMERGING_WINDOW), active_at=time.time())
                    self._replay(show_id, st)
                    self._shows[show_id] = st
        return st

    def _replay(self, show_id: str, st: ShowDemand) -> None:
        """Rebuild a board from the database: matched comments of the ranking window, unmatched questions
        of the emerging window, answers still cooling down."""
        now = time.time()
        rank_since = now - max(ASKER_WINDOW, 10 * self.half_life)
        with self.db.session() as s:
            rows = s.execute(
                select(Comment.slug, Comment.ts, Comment.user_hash, Comment.user_quality, Comment.text)
                .where(Comment.show_id == show_id, Comment.ts >= now - EMERGING_WINDOW,
                       or_(Comment.slug.is_not(None), Comment.is_question.is_(True)))
                .order_by(Comment.ts.desc()).limit(REPLAY_LIMIT)).all()
            segments = s.execute(select(Segment.slug, Segment.started_at).where(
                Segment.show_id == show_id, Segment.started_at >= now - COOLDOWN)).all()
        rows.reverse()
        st.board.add_many(tuple(r) for r in rows if r.slug is not None and r.ts >= rank_since)
        open_questions = [r for r in rows if r.slug is None]
        for r, m in zip(open_questions, self.matcher.match_many([r.text for r in open_questions])):
            if m.slug is None:
                st.emerging.add(m.normalized, r.text, r.user_hash, r.user_quality, r.ts)
        for slug, started_at in segments:
            st.board.note_on_air(slug, started_at)

    # -- ingestion -------------------------------------------------------------------------------------

    def ingest(self, show_id: str, items: list, source: str = "http") -> dict:
        """Validate, match and durably store a batch; returns {"accepted", "duplicate", "rejected", "errors"}.
        Raises ingest.StoreFailed when the database refused the batch (nothing of it was stored)."""
        st = self._state(show_id)  # before writing: a replay must not see these rows and count them twice
        now = time.time()
        checked = validate(show_id, items, source, now, self._viewer)
        rows = checked.rows
        matches = self.matcher.match_many([r["text"] for r in rows]) if rows else []
        for r, m in zip(rows, matches):
            r["slug"], r["score"], r["is_question"] = m.slug, m.score, m.is_question
        inserted = self.writer.write(rows)
        demand, emerging = [], False
        for r, m, new in zip(rows, matches, inserted):
            if not new:
                continue
            if m.slug is not None:
                demand.append((m.slug, r["ts"], r["user_hash"], r["user_quality"], r["text"]))
            elif m.is_question:
                st.emerging.add(m.normalized, r["text"], r["user_hash"], r["user_quality"], r["ts"])
                emerging = True
        accepted = sum(inserted)
        if demand:
            st.board.add_many(demand)
        st.inputs.note(source, Counter(r["platform"] for r in rows), now)
        if accepted:
            st.active_at = now
            self.studio.live.touch(show_id, *(("ranking", "emerging") if emerging else ("ranking",)))
        return {"accepted": accepted, "duplicate": checked.duplicate + len(rows) - accepted,
                "rejected": len(checked.errors), "errors": checked.errors}

    # -- host and producer actions ------------------------------------------------------------------------

    def note_on_air(self, show_id: str, slug: str, ts: float | None = None) -> None:
        """An answer to `slug` started: it cools down in the ranking."""
        st = self._state(show_id)
        st.board.note_on_air(slug, ts)
        st.active_at = time.time()
        self.studio.live.touch(show_id, "ranking")

    def boost(self, show_id: str, slug: str, amount: float) -> None:
        """Set the producer's boost for an item (comment units, ±1000; 0 removes it)."""
        if isinstance(amount, bool) or not isinstance(amount, (int, float)) or not math.isfinite(amount):
            raise ValueError("amount must be a number")
        if slug not in self._catalog_questions():
            raise ValueError(f"unknown item '{slug}'")
        st = self._state(show_id)
        st.board.boost(slug, max(-MAX_BOOST, min(MAX_BOOST, float(amount))))
        st.active_at = time.time()
        self.studio.live.touch(show_id, "ranking")

    # -- reading ---------------------------------------------------------------------------------------------

    def ranking(self, show_id: str, n: int = 20) -> list[dict]:
        """Top items with score, demand, count_1m, askers, trend, cooldown (s left), boost, samples, and the
        item's question and shelf number for display."""
        questions = self._catalog_questions()
        numbers = self._shelf_numbers(show_id)
        rows = self._state(show_id).board.top(n)
        for row in rows:
            row["question"] = questions.get(row["slug"], "")
            row["number"] = numbers.get(row["slug"])
        return rows

    def emerging(self, show_id: str, limit: int = 20) -> list[dict]:
        return self._state(show_id).emerging.surfaced(limit=limit)

    def input_health(self, show_id: str) -> list[dict]:
        st = self._shows.get(show_id)
        return st.inputs.report(time.time()) if st else []

    def stats(self, show_id: str) -> dict:
        """Counts from the database (what is stored, not what is in memory) plus the live inputs."""
        with self.db.session() as s:
            stored, questions, last_at = s.execute(
                select(func.count(), func.sum(case((Comment.is_question, 1), else_=0)), func.max(Comment.ts))
                .where(Comment.show_id == show_id)).one()
            per_item = dict(s.execute(select(CommentCount.slug, func.sum(CommentCount.count))
                                      .where(CommentCount.show_id == show_id).group_by(CommentCount.slug)).all())
        matched = sum(per_item.values())
        return {"comments_stored": stored, "comments_matched": matched, "comments_questions": questions or 0,
                "matched_share": round(matched / stored, 4) if stored else 0.0, "last_comment_at": last_at,
                "per_item": {k: int(v) for k, v in sorted(per_item.items(), key=lambda kv: -kv[1])},
                "inputs": self.input_health(show_id)}

    def _shelf_numbers(self, show_id: str) -> dict[str, int]:
        cached = self._shelves.get(show_id)
        now = time.monotonic()
        if cached is None or now - cached[0] > SHELF_TTL:
            try:
                numbers = {e["slug"]: e["number"] for e in shelf(self.db, show_id)}
            except NotFound:
                numbers = {}
            cached = self._shelves[show_id] = (now, numbers)
        return cached[1]

    def _ranking_snapshot(self, show_id: str) -> dict:
        if not self.show_exists(show_id):  # subscribers name any show; only real ones get a board
            return {"items": [], "at": time.time()}
        return {"items": self.ranking(show_id), "at": time.time(), "half_life": self.half_life}

    def _emerging_snapshot(self, show_id: str) -> dict:
        items = self.emerging(show_id) if self.show_exists(show_id) else []
        return {"items": items, "at": time.time()}

    def _tick(self) -> None:
        while self._running:
            time.sleep(TICK)
            now = time.time()
            for show_id, st in list(self._shows.items()):
                if now - st.active_at < ACTIVE_FOR:
                    self.studio.live.touch(show_id, "ranking")
                elif now - st.active_at > IDLE_EVICT:
                    del self._shows[show_id]

