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

Scaled out, a show's board lives in its owner process only (studio/ownership.py). Every process ingests and
commits; what the board needs then travels as events (comments, input counts, host actions): applied here when
this process owns the show, forwarded to the owner's stream otherwise (studio/show_bus.py). Processes that do not
own a show read its ranking from the snapshot the owner stores with every push. One process owns every show, and
nothing of this costs it more than building the events.
"""
from __future__ import annotations

import logging
import math
import threading
import time
from collections import Counter
from operator import itemgetter
from typing import NamedTuple

from sqlalchemy import case, func, or_, select

from faq_catalog.matcher import GUESS_CONFIDENCE, REVIEW_BELOW, Match, Matcher
from faq_catalog.normalize import normalize_many
from faq_catalog.replies import answerable
from faq_catalog.triage import Triage
from studio.blocks.off_loop import off_loop
from studio.blocks.slices import Slices
from studio.comments.board import (
    BoardEvent,
    Boosted,
    CommentSeen,
    InputBatch,
    Recounted,
    ShowDemand,
    WentOnAir,
    comment_key,
    from_wire,
    to_wire,
)
from studio.comments.emerging import EmergingQuestions
from studio.comments.ingest import CommentWriter, ViewerPseudonyms, validate
from studio.comments.ranking import DemandBoard
from studio.comments.recount import recount
from studio.errors import NotFound
from studio.scale.ownership import Ownership
from studio.scale.show_bus import LocalBus, ShowBus
from studio.store.models import Comment, CommentCount, Segment, Show
from studio.store.shows import shelf

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
PUSHED_ITEMS = 20  # ranking rows in a live push
STORED_ITEMS = 200  # ranking rows in the snapshot stored for other processes (GET /ranking?n= goes up to 200)
# A new owner skips forwarded comments it already replayed from the database: those committed just before its read
# whose events were still on the way. Such comments are recent, and their events arrive within seconds.
# How much of a comment the matcher reads. Live comments are short (Bilibili danmaku 20-40 characters, Douyin and
# Kuaishou a line on a phone) and the question comes first; a longer one is a paste or a flood. Matching costs up to
# ~6 ms per 60 characters of the hardest text (random Han characters, every one a sound-alike candidate) and grows
# with the length (37 ms at 500), so reading the first 60 bounds one comment's cost; the whole text is stored.
MATCH_CHARS = 60
_PLATFORM = itemgetter("platform")
APPLY_CHUNK = 16  # events per board update between two slice checks (an open question is clustered)
DEDUPE_LOOKBACK = 120.0
DEDUPE_FOR = 30.0


class CommentEngine:
    def __init__(self, studio, owner: Ownership, bus: ShowBus | LocalBus):
        self.studio = studio
        self.owner = owner
        self.bus = bus
        self.db = studio.db
        self.half_life = float(studio.config.get("RANKING_HALF_LIFE", 60.0))
        self.writer = CommentWriter(studio.db)
        self._viewer = ViewerPseudonyms(studio.pseudonym)
        self._heavy = threading.Lock()  # validating and matching a batch (a gevent lock when serving)
        self._shows: dict[str, ShowDemand] = {}
        self._shows_lock = threading.Lock()
        self._known_shows: set[str] = set()
        self._matcher: Matcher | None = None
        self._questions: dict[str, str] = {}
        self._decided: frozenset[str] = frozenset()  # normalized texts the crew decided (in the current matcher)
        # Decisions made in this process that the matcher serving now may not know yet: normalized text → (item or
        # None, catalog version after the decision). The identical comment counts right at once; a rebuilt matcher
        # (which also generalizes the decision) takes over.
        self._just_taught: dict[str, tuple[str | None, int]] = {}
        self._catalog_version = 0
        self._rebuilding = False
        self._recounting = self._recount_again = False
        self._running = False
        self._shelves: dict[str, tuple[float, dict[str, int]]] = {}
        # Tier 3: comments that need a person are routed after they are stored (faq_catalog.triage).
        self.triage = Triage()
        self._routed: list = []
        self._answerable: list = []
        self.owner.on_gain(self._gained)
        self.owner.on_lose(self._lost)
        bus.on_events(self._forwarded)

    # -- lifecycle -------------------------------------------------------------------------------------

    def start(self) -> None:
        spawn = self.studio.socketio.start_background_task
        self._running = True
        self.writer.start(spawn)
        spawn(self._rebuild_matcher)
        spawn(self._tick)
        self.owner.start(spawn)
        self.bus.start(spawn)

    def stop(self) -> None:
        self._running = False
        self.writer.flush()
        self.bus.stop()  # forwarded events leave before the process does
        self.owner.stop()  # leases released: other processes take the shows over at once

    # -- the matcher -------------------------------------------------------------------------------------

    @property
    def matcher(self) -> Matcher:
        if self._matcher is None:
            self._swap_in_new_matcher()
            self._just_taught.clear()  # built from the database as it is now: it knows every decision
        return self._matcher

    def just_taught(self, normalized: str, slug: str | None) -> None:
        """A decision this process stored: identical comments follow it before the rebuilt matcher is in."""
        self._just_taught[normalized] = (slug, self._catalog_version)

    def just_taught_undone(self, normalized: str) -> None:
        """Undone here: the rebuilt matcher says what holds now (an earlier decision, or its own judgement)."""
        self._just_taught.pop(normalized, None)

    def _follow_just_taught(self, matches: list) -> list:
        taught = self._just_taught
        if taught:
            for i, m in enumerate(matches):
                hit = taught.get(m.normalized)
                if hit is not None:
                    slug = hit[0]
                    matches[i] = Match(slug, 1.0 if slug else 0.0, m.normalized, m.is_question or slug is not None)
        return matches

    def _catalog_questions(self) -> dict[str, str]:
        """slug → question of the items the current matcher knows."""
        if self._matcher is None:
            self._swap_in_new_matcher()
        return self._questions

    def _swap_in_new_matcher(self) -> Matcher:
        """Build from the catalog and the crew's decisions as they are now (archived items excluded), then swap
        matcher and questions."""
        items = [i for i in self.studio.catalog.all() if i.status != "archived"]
        feedback = self.studio.decisions.feedback()

        def build() -> tuple[Matcher, frozenset[str]]:
            return Matcher(items, feedback), frozenset(normalize_many([f.text for f in feedback]))

        matcher, decided = off_loop(build)
        self._matcher, self._questions, self._decided = matcher, {i.slug: i.question for i in items}, decided
        return matcher

    def catalog_changed(self) -> None:
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
                matcher = self._swap_in_new_matcher()
                for text, (_, added) in list(self._just_taught.items()):
                    if added <= version:
                        self._just_taught.pop(text, None)
                self._after_swap(matcher)
                if version == self._catalog_version:
                    return
        except Exception:
            log.exception("rebuilding the matcher failed; the previous one stays")
        finally:
            self._rebuilding = False

    def _after_swap(self, matcher: Matcher) -> None:
        """Items that left the catalog leave the boards; questions the catalog now answers stop emerging."""
        def covered(text: str) -> bool:
            return matcher.match(text[:MATCH_CHARS]).slug is not None

        def unsure(normalized: str) -> bool:
            return normalized not in self._decided and matcher.match(normalized).review

        for show_id, st in list(self._shows.items()):
            for slug in st.board.slugs():
                if slug not in self._questions and not self.studio.products.is_ask(slug):
                    st.board.forget(slug)
            if st.emerging.drop_covered(covered):
                self.studio.live.touch(show_id, "emerging")
            st.review.drop(unsure)
            self.studio.live.touch(show_id, "ranking", "review")
        self._recount_soon()

    def _recount_soon(self) -> None:
        """Recount the active shows in the background with the newest matcher, so the next decision is not held up
        behind them; swaps meanwhile make one more pass, not one each."""
        if self._recounting:
            self._recount_again = True
            return
        self._recounting = True
        self.studio.socketio.start_background_task(self._recount_active)

    def _recount_active(self) -> None:
        try:
            while True:
                self._recount_again = False
                matcher, now = self._matcher, time.time()
                for show_id, st in list(self._shows.items()):
                    if matcher is not None and now - st.active_at < ACTIVE_FOR:  # an idle show has nothing recent
                        self._recount(show_id, st, matcher)
                if not self._recount_again:
                    return
        finally:
            self._recounting = False

    def _recount(self, show_id: str, st: ShowDemand, matcher: Matcher) -> None:
        """Recent stored comments the rebuilt matcher reads otherwise move to their new item, in the database and on
        the board (studio/comments/recount.py). The owner does it, once for every process."""
        if not self.owner.owns(show_id):
            return
        since = time.time() - max(ASKER_WINDOW, 10 * self.half_life)
        try:
            moves = recount(self.db, show_id, matcher.match_many, since, REVIEW_BELOW, MATCH_CHARS)
        except Exception:
            log.exception("recounting show %s after the matcher changed", show_id)
            return
        if moves:
            # a comment routed to a person counts for its item but is never a sample for the host (as at ingest)
            classify = self.triage.classify
            for move, n in zip(moves, normalize_many([m[5] for m in moves])):
                if classify(move[5], n) is not None:
                    move[5] = ""
            if self._shows.get(show_id) is st:
                self._apply(show_id, st, [Recounted(moves)])

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

    def _board(self, show_id: str) -> ShowDemand | None:
        """The show's state when this process owns it (built on first use); None when another process does."""
        return self._state(show_id) if self.owner.watch(show_id) else None

    def _state(self, show_id: str) -> ShowDemand:
        st = self._shows.get(show_id)
        if st is None:
            with self._shows_lock:
                st = self._shows.get(show_id)
                if st is None:
                    # The stream position first: events after it are not in the replay, or are skipped as replayed.
                    position = self.bus.position(show_id)
                    st = ShowDemand(DemandBoard(self.half_life, ASKER_WINDOW, COOLDOWN),
                                    EmergingQuestions(idle_expiry=EMERGING_WINDOW), active_at=time.time())
                    self._replay(show_id, st)
                    self._shows[show_id] = st
                    self.bus.follow(show_id, position)
        return st

    def _gained(self, show_id: str) -> None:
        """Taken over (or first taken): the board is rebuilt from the database and pushed, without waiting for
        the next comment or subscriber."""
        def build() -> None:
            try:
                self._state(show_id)
            except Exception:
                log.exception("rebuilding show %s after taking it over", show_id)
            self.studio.live.touch(show_id, "ranking", "emerging")
        self.studio.socketio.start_background_task(build)

    def _lost(self, show_id: str) -> None:
        """Another process owns the show now (or nobody can tell, Redis being away): the board goes; it is rebuilt
        from the database if the show comes back. In its own greenlet: it waits for a replay under way."""
        def drop() -> None:
            with self._shows_lock:
                self._shows.pop(show_id, None)
                self.bus.unfollow(show_id)
        self.studio.socketio.start_background_task(drop)

    def _replay(self, show_id: str, st: ShowDemand) -> None:
        """Rebuild a board from the database: matched comments of the ranking window, unmatched questions
        of the emerging window, answers still cooling down."""
        now = time.time()
        rank_since = now - max(ASKER_WINDOW, 10 * self.half_life)
        with self.db.session() as s:
            rows = s.execute(
                select(Comment.slug, Comment.ts, Comment.user_hash, Comment.user_quality, Comment.text, Comment.score)
                .where(Comment.show_id == show_id, Comment.ts >= now - EMERGING_WINDOW,
                       or_(Comment.slug.is_not(None), Comment.is_question.is_(True)))
                .order_by(Comment.ts.desc()).limit(REPLAY_LIMIT)).all()
            segments = s.execute(select(Segment.slug, Segment.started_at).where(
                Segment.show_id == show_id, Segment.started_at >= now - COOLDOWN)).all()
        rows.reverse()
        # A routed comment counts as demand but is never a sample for the host, nor an emerging question.
        classify = self.triage.classify
        rows = [r if classify(r.text, n) is None else _Stored(*r)._replace(text="")
                for r, n in zip(rows, normalize_many([r.text for r in rows]))]
        if self.bus.shared:
            st.replayed = {comment_key(r.ts, r.user_hash, r.text) for r in rows if r.ts >= now - DEDUPE_LOOKBACK}
            st.replayed_until = time.monotonic() + DEDUPE_FOR
        guessed = self._guessed
        st.board.add_many((r.slug, r.ts, r.user_hash, r.user_quality, "" if guessed(r.slug, r.score) else r.text)
                          for r in rows if r.slug is not None and r.ts >= rank_since)
        # Open questions and unsure matches, read again by the matcher as it is now (the crew may have decided).
        again = [r for r in rows if r.slug is None or (r.score or 0.0) < REVIEW_BELOW]
        for r, m in zip(again, off_loop(self.matcher.match_many, [r.text[:MATCH_CHARS] for r in again])):
            if m.slug is None and r.slug is None and r.text:
                st.emerging.add(m.normalized, r.text, r.user_hash, r.user_quality, r.ts)
            if m.review and r.text:
                st.review.add(m.normalized, r.text, r.user_hash, r.user_quality, r.ts)
        for slug, started_at in segments:
            st.board.note_on_air(slug, started_at)

    def _guessed(self, slug: str, score: float | None) -> bool:
        """A stored match the matcher only guessed (a near miss, a resemblance): it counts, never as a sample."""
        return score == GUESS_CONFIDENCE and not self.studio.products.is_ask(slug)

    # -- ingestion -------------------------------------------------------------------------------------

    def ingest(self, show_id: str, items: list, source: str = "http") -> dict:
        """Validate, match and durably store a batch; returns {"accepted", "duplicate", "rejected", "errors"}.
        Raises ingest.StoreFailed when the database refused the batch (nothing of it was stored)."""
        st = self._board(show_id)  # before writing: a replay must not see these rows and count them twice
        now = time.time()
        slices = Slices()
        with self._heavy:  # one batch's CPU work at a time: two would double every other request's wait
            checked = validate(show_id, items, source, now, self._viewer, slices.tick)
            rows = checked.rows
            matches = self._match(rows)
        for r, m in zip(rows, matches):
            r["slug"], r["score"], r["is_question"] = m.slug, m.score, m.is_question
        # Questions about the run sheet's products rank beside the FAQ items.
        asks = self.studio.products.mark_asks(show_id, rows, matches) if rows else {}
        routing: dict[int, object] = {}
        inserted = self.writer.write(rows, lambda new: self._route(show_id, rows, matches, new, now, routing))
        accepted = sum(inserted)
        routed = routing.get(0, {})
        if routed:
            for listener in self._routed:
                listener(show_id, routing[1])
        platforms = Counter(map(_PLATFORM, rows))
        if accepted:
            self._answer(show_id, items, checked.indices, rows, _answered_as(rows, matches, asks), inserted, routed,
                         platforms)
        # What the board needs of each new comment: matched ones count as demand, open questions may emerge.
        # A routed one (a personal case, an angry viewer) still counts for its item, but never as a sample for the
        # host to answer on air, nor as an emerging question.
        events: list[BoardEvent] = []
        for i, (r, m, new) in enumerate(zip(rows, matches, inserted)):
            slug = r["slug"]  # an FAQ item's, or a run-sheet product question's (product-<n>-<fact>)
            if not new or not (slug is not None or (r["is_question"] and i not in routed)):
                continue
            review = m.review and slug == m.slug
            events.append(CommentSeen(slug, r["ts"], r["user_hash"], r["user_quality"], "", None) if i in routed
                          else CommentSeen(slug, r["ts"], r["user_hash"], r["user_quality"], r["text"],
                                           m.normalized if slug is None or review else None, review,
                                           not (review and m.guessed)))
        if rows:
            events.append(InputBatch(source, dict(platforms), now, accepted))
        self._deliver(show_id, st, events)
        return {"accepted": accepted, "duplicate": checked.duplicate + len(rows) - accepted,
                "rejected": len(checked.errors), "errors": checked.errors}

    def on_routed(self, listener) -> None:
        """listener(show_id, cases): the cases a batch's comments were routed to, once stored with them."""
        self._routed.append(listener)

    def _route(self, show_id: str, rows: list[dict], matches: list, inserted: list[bool], now: float,
               out: dict) -> list[dict]:
        """The triage of the new comments of a batch, in the transaction that stores them (CommentWriter): returns
        the case rows to store with them, and leaves {row index: verdict} in out[0] and the case rows in out[1]."""
        askers = [r["user_hash"] if (m.slug is not None or m.is_question) and r["user_quality"] != "absent" else ""
                  for r, m in zip(rows, matches)]
        if not all(inserted):  # a stored duplicate asks nothing again
            askers = [a if new else "" for a, new in zip(askers, inserted)]
        # Read as the matcher reads (the first MATCH_CHARS characters: a bounded cost per comment).
        routed = self.triage.route_batch(show_id, [r["text"][:MATCH_CHARS] for r in rows],
                                         lambda i: matches[i].normalized, askers, now)
        if not all(inserted):  # a stored duplicate is not routed twice
            routed = {i: v for i, v in routed.items() if inserted[i]}
        cases = []
        for i, verdict in routed.items():
            r, m = rows[i], matches[i]
            cases.append({"show_id": show_id, "platform": r["platform"], "user_hash": r["user_hash"],
                          "text": r["text"], "normalized": m.normalized[:500], "slug": m.slug,
                          "kind": verdict.kind, "reason": verdict.reason, "reasons": list(verdict.reasons),
                          "urgency": verdict.urgency, "comment_ts": r["ts"], "created_at": now})
        out[0], out[1] = routed, cases
        return cases

    def on_answerable(self, listener, wants) -> None:
        """listener(show_id, rows, openings): new comments of a batch matched with high confidence and not routed to
        a person, each {platform, user_hash, name, text, slug, score, ts} (an iterable, built as the listener reads
        it): candidates for an answer in chat. The slug is an FAQ item's, or a product question's
        (product-<n>-<fact>) when the comment named its product alone or meant the one on air.
        wants(show_id, platforms) → faq_catalog.replies.Openings or None: what the listener takes for this show now
        (answers in chat are off by default: then nothing is looked at)."""
        self._answerable.append((listener, wants))

    def _answer(self, show_id: str, items: list, indices: list[int], rows: list[dict], matches: list,
                inserted: list[bool], routed: dict, platforms: Counter) -> None:
        for listener, wants in self._answerable:
            openings = wants(show_id, platforms)
            if openings is None:
                continue
            skip = routed if all(inserted) else {*routed, *(i for i, new in enumerate(inserted) if not new)}
            found = answerable(matches, map(_PLATFORM, rows), openings, skip)
            listener(show_id, (_candidate(rows[i], items[indices[i]], matches[i]) for i in found), openings)

    def _match(self, rows: list[dict]) -> list:
        """Each comment is read up to MATCH_CHARS characters, so its cost is bounded whatever its text (the stored
        text stays whole). Matching is CPU work in pure Python: it runs in a native thread, where the interpreter
        hands the event loop its turn every few milliseconds (the switch interval) however long a comment takes."""
        texts = [r["text"][:MATCH_CHARS] for r in rows]
        return self._follow_just_taught(off_loop(self.matcher.match_many, texts)) if texts else []

    # -- host and producer actions ------------------------------------------------------------------------

    def note_on_air(self, show_id: str, slug: str, ts: float | None = None) -> None:
        """An answer to `slug` started: it cools down in the ranking."""
        self._deliver(show_id, self._board(show_id), [WentOnAir(slug, time.time() if ts is None else ts)])

    def boost(self, show_id: str, slug: str, amount: float) -> None:
        """Set the producer's boost for an item (comment units, ±1000; 0 removes it)."""
        if isinstance(amount, bool) or not isinstance(amount, (int, float)) or not math.isfinite(amount):
            raise ValueError("amount must be a number")
        if slug not in self._catalog_questions():
            raise ValueError(f"unknown item '{slug}'")
        amount = max(-MAX_BOOST, min(MAX_BOOST, float(amount)))
        self._deliver(show_id, self._board(show_id), [Boosted(slug, amount)])

    # -- feeding the board ---------------------------------------------------------------------------------

    def _deliver(self, show_id: str, st: ShowDemand | None, events: list[BoardEvent]) -> None:
        """Apply here when this process owns the show and `st` (taken before the comments were written) is still
        its board; otherwise hand the events to the owner. When in doubt forwarding is safe: if this process is
        the owner after all, it reads them back from the stream."""
        if not events:
            return
        if st is not None and self._shows.get(show_id) is st and self.owner.owns(show_id):
            self._apply(show_id, st, events)
        else:
            self.bus.forward(show_id, [to_wire(e) for e in events])

    def _forwarded(self, show_id: str, events: list) -> None:
        """Events another process (or this one, in doubt) sent through the show's stream."""
        st = self._shows.get(show_id)
        if st is not None:
            self._apply(show_id, st, [from_wire(e) for e in events], forwarded=True)

    def _apply(self, show_id: str, st: ShowDemand, events: list[BoardEvent], forwarded: bool = False) -> None:
        touched: set[str] = set()
        slices = Slices()
        for i in range(0, len(events), APPLY_CHUNK):  # a batch's events in slices too (emerging clusters cost)
            touched |= st.apply(events[i:i + APPLY_CHUNK], forwarded)
            slices.tick()
        if touched:
            self.studio.live.touch(show_id, *touched)

    # -- reading ---------------------------------------------------------------------------------------------

    def ranking(self, show_id: str, n: int = 20) -> list[dict]:
        """Top items with score, demand, count_1m, askers, trend, cooldown (s left), boost, samples, and the
        item's question and shelf number for display."""
        st = self._board(show_id)
        if st is None:
            return self._owners_items(show_id, "ranking")[:n]
        return self._ranked(show_id, st, n)

    def _ranked(self, show_id: str, st: ShowDemand, n: int) -> list[dict]:
        questions = self._catalog_questions()
        numbers = self._shelf_numbers(show_id)
        rows = st.board.top(n)
        for row in rows:
            row["question"] = questions.get(row["slug"], "")
            row["number"] = numbers.get(row["slug"])
            label = self.studio.products.label(show_id, row["slug"])
            if label is not None:
                row["question"], row["number"], row["product"] = label[0], label[1], True
        return rows

    def emerging(self, show_id: str, limit: int = 20) -> list[dict]:
        st = self._board(show_id)
        return st.emerging.surfaced(limit=limit) if st is not None else self._owners_items(show_id, "emerging")[:limit]

    def review(self, show_id: str, limit: int = 30) -> list[dict]:
        """The crew's review queue: unsure comments grouped by normalized text and the emerging clusters, most
        distinct viewers first, each with samples and the matcher's current guess."""
        st = self._board(show_id)
        if st is None:
            return self._owners_items(show_id, "review")[:limit]
        return self._review_items(show_id, st, limit)

    def _review_items(self, show_id: str, st: ShowDemand, limit: int) -> list[dict]:
        matcher, decided = self.matcher, self._decided
        questions, numbers = self._catalog_questions(), self._shelf_numbers(show_id)

        slices = Slices()  # every entry is matched again: give way between them

        def guess(text: str) -> dict | None:
            slices.tick()
            text = text[:MATCH_CHARS]  # read as ingest read it
            m = matcher.match(text)
            slug, score = m.slug, m.score
            if slug is None:  # unmatched: the item with the most evidence, if any
                evidence = matcher.explain(text)[1]
                slug, score = (evidence[0][0], 0.0) if evidence and evidence[0][1] > 0 else (None, 0.0)
            if slug is None or slug not in questions:
                return None
            return {"slug": slug, "question": questions[slug], "number": numbers.get(slug), "score": score}

        out: list[dict] = []
        clustered: set[str] = set()
        for c in st.emerging.surfaced(limit=10):
            texts = list(dict.fromkeys(x["text"] for x in c["samples"]))
            forms = [m.normalized for m in matcher.match_many([t[:MATCH_CHARS] for t in texts])]
            slices.tick()
            clustered.update(forms)
            if not texts or all(f in decided for f in forms):
                continue
            out.append({"key": f"c{c['id']}", "kind": "cluster", "text": texts[0], "normalized": forms[0],
                        "question": c["question"], "askers": c["askers"], "count": c["count"],
                        "last_at": c["last_at"], "samples": texts, "guess": guess(texts[0])})
        for g in st.review.top(limit=limit + len(out)):
            n = g["normalized"]
            slices.tick()
            if n in decided or n in clustered or not matcher.match(n).review:
                continue
            texts = [x["text"] for x in g["samples"]]
            out.append({"key": "t" + n, "kind": "comment", "text": texts[0], "normalized": n, "question": None,
                        "askers": g["askers"], "count": g["count"], "last_at": g["last_at"], "samples": texts,
                        "guess": guess(texts[0])})
        out.sort(key=lambda e: (-e["askers"], -e["count"], -e["last_at"]))
        return out[:limit]

    def review_snapshot(self, show_id: str) -> dict:
        now = time.time()
        if not self.show_exists(show_id):
            return {"items": [], "at": now}
        st = self._board(show_id)
        if st is None:
            return self.bus.snapshot(show_id, "review") or {"items": [], "at": now}
        data = {"items": self._review_items(show_id, st, PUSHED_ITEMS), "at": now}
        if self.bus.shared:
            self.bus.store_snapshot(show_id, "review", data)
        return data

    def input_health(self, show_id: str) -> list[dict]:
        st = self._shows.get(show_id)
        if st is not None and self.owner.owns(show_id):
            return st.inputs.report(time.time())
        return self._owners_items(show_id, "inputs")

    def _owners_items(self, show_id: str, topic: str) -> list[dict]:
        """Items of the snapshot the show's owner process stored last (scaled out; none yet: empty)."""
        data = self.bus.snapshot(show_id, topic)
        return data["items"] if data else []

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

    def ranking_snapshot(self, show_id: str) -> dict:
        now = time.time()
        if not self.show_exists(show_id):  # subscribers name any show; only real ones get a board
            return {"items": [], "at": now}
        st = self._board(show_id)
        if st is None:  # another process owns the show: the snapshot it stored last
            data = self.bus.snapshot(show_id, "ranking") or {"items": [], "at": now, "half_life": self.half_life}
            return {**data, "items": data["items"][:PUSHED_ITEMS]}
        rows = self._ranked(show_id, st, STORED_ITEMS if self.bus.shared else PUSHED_ITEMS)
        data = {"items": rows, "at": now, "half_life": self.half_life}
        if self.bus.shared:  # for the processes that answer without owning the show
            self.bus.store_snapshot(show_id, "ranking", data)
            self.bus.store_snapshot(show_id, "inputs", {"items": st.inputs.report(now)})
        return {**data, "items": rows[:PUSHED_ITEMS]}

    def emerging_snapshot(self, show_id: str) -> dict:
        now = time.time()
        if not self.show_exists(show_id):
            return {"items": [], "at": now}
        st = self._board(show_id)
        if st is None:
            return self.bus.snapshot(show_id, "emerging") or {"items": [], "at": now}
        data = {"items": st.emerging.surfaced(limit=PUSHED_ITEMS), "at": now}
        self.bus.store_snapshot(show_id, "emerging", data)
        return data

    def _tick(self) -> None:
        while self._running:
            time.sleep(TICK)
            now = time.time()
            for show_id, st in list(self._shows.items()):
                if st.replayed is not None and time.monotonic() > st.replayed_until:
                    st.replayed = None
                if now - st.active_at < ACTIVE_FOR:
                    self.studio.live.touch(show_id, "ranking")
                elif now - st.active_at > IDLE_EVICT:
                    self._shows.pop(show_id, None)
                    self.owner.release(show_id)
                    self.bus.unfollow(show_id)


class _Stored(NamedTuple):
    """A stored comment as the replay reads it (a database row cannot be changed, this can)."""
    slug: str | None
    ts: float
    user_hash: str
    user_quality: str
    text: str
    score: float | None


def _answered_as(rows: list[dict], matches: list, asks: dict) -> list:
    """What an answer in chat reads of each comment: its FAQ match, or for a product question the product ask (sure
    of its product, or nothing: a word several products share answers none), never the FAQ item the words also fit."""
    if not asks:
        return matches
    out = list(matches)
    for i, ask in asks.items():
        m = matches[i]
        out[i] = Match(rows[i]["slug"] if ask.sure else None, 1.0 if ask.sure else 0.0, m.normalized, True)
    return out


def _candidate(r: dict, item: dict, m: Match) -> dict:
    name = item.get("name")
    return {"platform": r["platform"], "user_hash": r["user_hash"], "text": r["text"],
            "name": name[:64] if isinstance(name, str) else None, "slug": m.slug, "score": m.score, "ts": r["ts"]}
