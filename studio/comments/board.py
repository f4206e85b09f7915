"""A show's live state in the process that owns it, and the events that feed it.

Every change of a board is an event, whichever process ingested the comment or took the host's action; the owner
applies them in `ShowDemand.apply`, whether they come from its own requests or from another process through the
show's stream (as JSON lists: `to_wire` / `from_wire`, used only at that boundary).
"""
from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import astuple, dataclass, field

from studio.blocks.rolling_count import RollingCount
from studio.comments.emerging import EmergingQuestions
from studio.comments.ranking import DemandBoard
from studio.comments.review import ReviewQueue


@dataclass(slots=True)
class CommentSeen:
    """A new comment worth the board's time: matched (demand for `slug`) or an open question (`normalized` text,
    for the emerging clusters); `review`: the matcher is unsure, the crew's review queue shows it (`normalized` is
    then given for matched comments too); `sample`: its text may stand under the item on the host's ranking (not
    when the matcher only guessed the item: the crew confirms those in the review queue, the host sees none)."""
    slug: str | None
    ts: float
    user_hash: str
    quality: float
    text: str
    normalized: str | None
    review: bool = False
    sample: bool = True  # the host may see the text under the item: not when the matcher only guessed it


@dataclass(slots=True)
class InputBatch:
    """A batch arrived from an input: comments per platform, how many were new."""
    source: str
    platforms: dict[str, int]
    at: float
    accepted: int


@dataclass(slots=True)
class WentOnAir:
    """An answer started: the item cools down."""
    slug: str
    ts: float


@dataclass(slots=True)
class Boosted:
    """The producer's boost for an item (0 removes it)."""
    slug: str
    amount: float


@dataclass(slots=True)
class Recounted:
    """Stored comments the matcher now reads otherwise (the crew taught it): each move is [item counted before or
    None, item now or None, ts, user_hash, quality, text]."""
    moves: list


BoardEvent = CommentSeen | InputBatch | WentOnAir | Boosted | Recounted
_WIRE_TAGS: dict[type, str] = {CommentSeen: "c", InputBatch: "in", WentOnAir: "air", Boosted: "boost",
                               Recounted: "recount"}
_FROM_TAG = {tag: cls for cls, tag in _WIRE_TAGS.items()}


def to_wire(event: BoardEvent) -> list:
    return [_WIRE_TAGS[type(event)], *astuple(event)]


def from_wire(data: list) -> BoardEvent:
    return _FROM_TAG[data[0]](*data[1:])


class InputRates:
    """Comments per source and platform: when the last arrived and how many in the last minute."""

    def __init__(self):
        self._inputs: dict[tuple[str, str], RollingCount] = {}

    def note(self, source: str, platforms: Mapping[str, int], now: float) -> None:
        for platform, n in platforms.items():
            rate = self._inputs.get((source, platform))
            if rate is None:
                rate = self._inputs[(source, platform)] = RollingCount(60.0)
            rate.add(n, now)

    def report(self, now: float) -> list[dict]:
        return [{"source": source, "platform": platform, "last_at": rate.last_at, "per_minute": rate.count(now),
                 "total": rate.total} for (source, platform), rate in sorted(self._inputs.items())]


@dataclass
class ShowDemand:
    board: DemandBoard
    emerging: EmergingQuestions
    inputs: InputRates = field(default_factory=InputRates)
    review: ReviewQueue = field(default_factory=ReviewQueue)
    active_at: float = 0.0
    # Scaled out: keys of recent comments the replay counted. Their events may still arrive through the stream
    # (committed just before the new owner read the database, forwarded just after), until `replayed_until`.
    replayed: set[int] | None = None
    replayed_until: float = 0.0

    def apply(self, events: list[BoardEvent], forwarded: bool = False) -> set[str]:
        """Feed the events in; returns the live topics that changed. Forwarded comments the replay already counted
        (see `replayed`) are skipped once each."""
        skip = self.replayed if forwarded and self.replayed and time.monotonic() < self.replayed_until else None
        demand, touched = [], set()
        for event in events:
            match event:
                case CommentSeen(slug, ts, user_hash, quality, text, normalized, review, sample):
                    if skip is not None:
                        key = comment_key(ts, user_hash, text)
                        if key in skip:
                            skip.discard(key)
                            continue
                    if slug is not None:
                        demand.append((slug, ts, user_hash, quality, text if sample else ""))
                    else:
                        self.emerging.add(normalized, text, user_hash, quality, ts)
                        touched.update(("emerging", "review"))
                    if review and normalized:
                        self.review.add(normalized, text, user_hash, quality, ts)
                        touched.add("review")
                    touched.add("ranking")
                case InputBatch(source, platforms, at, accepted):
                    self.inputs.note(source, platforms, at)
                    if accepted:
                        touched.add("ranking")
                case WentOnAir(slug, ts):
                    self.board.note_on_air(slug, ts)
                    touched.add("ranking")
                case Boosted(slug, amount):
                    self.board.boost(slug, amount)
                    touched.add("ranking")
                case Recounted(moves):
                    demand += self._withdraw(moves)
                    touched.add("ranking")
        if demand:
            self.board.add_many(demand)
        if touched:
            self.active_at = time.time()
        return touched


    def _withdraw(self, moves: list) -> list[tuple]:
        """Take the moved comments off the items they were counted for; returns them as demand for their new items."""
        demand = []
        for before, now_slug, ts, user_hash, quality, text in moves:
            if before is not None:
                self.board.withdraw(before, ts, user_hash, text)
            if now_slug is not None:
                demand.append((now_slug, ts, user_hash, quality, text))
        return demand


def comment_key(ts: float, user_hash: str, text: str) -> int:
    return hash((ts, user_hash, text))
