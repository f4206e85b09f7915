"""The live demand board of one show: which FAQ items the room is asking about right now.

Per item it keeps
- demand: a time-decayed count of asking comments (half-life `half_life`). Forward decay: each comment adds
  e^{k(t-L)} to a sum against a landmark L, so an arrival costs O(1) and nothing decays eagerly; the landmark
  moves forward now and then, before e^{k(t-L)} can overflow on a long stream.
- per-second counts over the last `window` seconds: count_1m and the trend (last minute against the minutes
  before it), bounded at `window` buckets per item.
- askers: viewers seen asking in the last `window` seconds, one entry per viewer however often they repeat.
  A viewer's repeats also add less demand (`REPEAT_WEIGHT`), so one insistent viewer cannot top the board.
  Comments whose platform gives no viewer id (user_quality "absent") raise demand like any other comment but
  are never counted as askers: we cannot tell them apart, and guessing would let a few loud anonymous
  accounts pose as a crowd.
- a cooldown after the item was answered on air: its score is scaled by elapsed/`cooldown`, so a
  just-answered question sinks to the bottom and climbs back over the next few minutes if people keep asking.
- a producer boost, added to the score until changed or until the item goes on air.
- the last few comments, raw: clients escape them when they render.

Plain Python, no clock of its own (every call may pass `now`), so it is tested and benchmarked on its own.
"""
from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

# A viewer repeating a question within the window adds this much demand instead of a whole comment.
REPEAT_WEIGHT = 0.25
# Move the landmark once arrivals are this many half-lives past it (2^64 is far from float overflow).
RENORMALISE_HALF_LIVES = 64
# Per-item cap on remembered askers: beyond it the oldest are forgotten and `askers` saturates.
MAX_ASKERS = 5000
# Below this score an item with nothing in its window is dropped from the board.
FORGET_SCORE = 0.01

# One comment for the board: (slug, ts, user_hash, user_quality, raw text).
DemandRow = tuple[str, float, str, str, str]


@dataclass
class _ItemDemand:
    mass: float = 0.0  # forward-decayed sum against the board's landmark
    seconds: deque = field(default_factory=deque)  # [epoch second, count], oldest first
    askers: dict = field(default_factory=dict)  # user_hash -> last ask ts, oldest first
    samples: deque = field(default_factory=lambda: deque(maxlen=3))
    boost: float = 0.0
    on_air_at: float | None = None


class DemandBoard:
    def __init__(self, half_life: float = 60.0, window: float = 300.0, cooldown: float = 180.0,
                 samples: int = 3, clock: Callable[[], float] = time.time):
        if half_life <= 0 or window < 60 or cooldown < 0:
            raise ValueError("half_life must be > 0, window ≥ 60 s, cooldown ≥ 0")
        self.half_life = half_life
        self.window = window
        self.cooldown = cooldown
        self._k = math.log(2) / half_life
        self._landmark = clock()
        self._clock = clock
        self._n_samples = samples
        self._items: dict[str, _ItemDemand] = {}

    def __len__(self) -> int:
        return len(self._items)

    def _item(self, slug: str) -> _ItemDemand:
        it = self._items.get(slug)
        if it is None:
            it = self._items[slug] = _ItemDemand(samples=deque(maxlen=self._n_samples))
        return it

    def add(self, slug: str, ts: float, user_hash: str = "", user_quality: str = "stable", text: str = "") -> None:
        self.add_many(((slug, ts, user_hash, user_quality, text),))

    def add_many(self, rows: Iterable[DemandRow]) -> None:
        """Count matched comments. Rows should come roughly in time order; a late one counts in its own
        decay weight but in the newest per-second bucket."""
        now = self._clock()
        k, items, window = self._k, self._items, self.window
        for slug, ts, user_hash, quality, text in rows:
            if ts > now:
                ts = now
            if ts - self._landmark > RENORMALISE_HALF_LIVES * self.half_life:
                self._renormalise(ts)
            it = items.get(slug) or self._item(slug)
            weight = 1.0
            if user_hash and quality != "absent":
                askers = it.askers
                last = askers.pop(user_hash, None)
                if last is not None and ts - last < window:
                    weight = REPEAT_WEIGHT
                askers[user_hash] = ts
                if len(askers) > MAX_ASKERS:
                    del askers[next(iter(askers))]
            it.mass += weight * math.exp(k * (ts - self._landmark))
            sec = int(ts)
            secs = it.seconds
            if secs and secs[-1][0] >= sec:
                secs[-1][1] += 1
            else:
                secs.append([sec, 1])
            if text:
                it.samples.append({"text": text, "ts": ts})

    def withdraw(self, slug: str, ts: float, user_hash: str = "", text: str = "") -> None:
        """Take back one comment counted for `slug` (the crew decided it asks something else): its decayed weight,
        its per-second count, its sample, and its viewer if this was the viewer's last ask of the item."""
        it = self._items.get(slug)
        if it is None:
            return
        it.mass = max(0.0, it.mass - math.exp(self._k * (min(ts, self._clock()) - self._landmark)))
        sec = int(ts)
        for bucket in it.seconds:
            if bucket[0] == sec:
                bucket[1] -= 1
                if bucket[1] <= 0:
                    it.seconds.remove(bucket)
                break
        if user_hash and it.askers.get(user_hash) == ts:
            del it.askers[user_hash]
        for sample in it.samples:
            if sample["ts"] == ts and sample["text"] == text:
                it.samples.remove(sample)
                break

    def _renormalise(self, landmark: float) -> None:
        scale = math.exp(-self._k * (landmark - self._landmark))
        for it in self._items.values():
            it.mass *= scale
        self._landmark = landmark

    def note_on_air(self, slug: str, ts: float | None = None) -> None:
        """The item is being answered from `ts`: it cools down, and a boost that asked for it is spent."""
        it = self._item(slug)
        it.on_air_at = self._clock() if ts is None else ts
        it.boost = 0.0

    def boost(self, slug: str, amount: float) -> None:
        """Set (not add) the producer's boost, in comment units; 0 removes it."""
        self._item(slug).boost = float(amount)

    def slugs(self) -> list[str]:
        return list(self._items)

    def forget(self, slug: str) -> None:
        self._items.pop(slug, None)

    def demand(self, slug: str, now: float | None = None) -> float:
        it = self._items.get(slug)
        if it is None:
            return 0.0
        now = self._clock() if now is None else now
        return it.mass * math.exp(-self._k * (now - self._landmark))

    def _cooldown_left(self, it: _ItemDemand, now: float) -> float:
        if it.on_air_at is None or self.cooldown == 0:
            return 0.0
        return max(0.0, self.cooldown - (now - it.on_air_at))

    def _score(self, it: _ItemDemand, decay: float, now: float) -> float:
        left = self._cooldown_left(it, now)
        factor = 1.0 - left / self.cooldown if left else 1.0
        return it.mass * decay * factor + it.boost

    def top(self, n: int = 20, now: float | None = None) -> list[dict]:
        """The n items with the highest score, each with its demand figures and recent samples."""
        now = self._clock() if now is None else now
        decay = math.exp(-self._k * (now - self._landmark))
        self._prune(now, decay)
        ranked = sorted(self._items.items(), key=lambda kv: (-self._score(kv[1], decay, now), kv[0]))
        return [self._describe(slug, it, decay, now) for slug, it in ranked[:n]]

    def _prune(self, now: float, decay: float) -> None:
        horizon = now - self.window
        for slug in list(self._items):
            it = self._items[slug]
            secs = it.seconds
            while secs and secs[0][0] < horizon:
                secs.popleft()
            askers = it.askers
            while askers:
                first = next(iter(askers))
                if askers[first] >= horizon:
                    break
                del askers[first]
            if (not secs and not it.boost and it.mass * decay < FORGET_SCORE
                    and not self._cooldown_left(it, now)):
                del self._items[slug]

    def _describe(self, slug: str, it: _ItemDemand, decay: float, now: float) -> dict:
        minute_ago = now - 60
        count_1m = sum(c for s, c in it.seconds if s >= minute_ago)
        before = sum(c for s, c in it.seconds if s < minute_ago)
        return {
            "slug": slug,
            "score": round(self._score(it, decay, now), 3),
            "demand": round(it.mass * decay, 3),
            "count_1m": count_1m,
            "askers": len(it.askers),
            "trend": _trend(count_1m, before / max(1.0, (self.window - 60) / 60)),
            "cooldown": math.ceil(self._cooldown_left(it, now)),
            "boost": it.boost,
            "samples": list(reversed(it.samples)),
        }


def _trend(last_minute: int, earlier_per_minute: float) -> str:
    """Rising when the last minute clearly beats the minutes before it, falling when clearly below;
    a few comments either way are noise."""
    if last_minute >= 3 and last_minute > 1.5 * earlier_per_minute + 1:
        return "rising"
    if earlier_per_minute >= 1 and last_minute < 0.5 * earlier_per_minute:
        return "falling"
    return "steady"
