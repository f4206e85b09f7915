"""The crew's review queue of a show: comments the matcher is unsure about (`Match.review`), grouped by
normalized text, most distinct viewers first, with sample comments.

Fed in the show's owner process with the board's events; memory is bounded (at most `max_groups` texts, idle ones
expire, the weakest go first when full). What the matcher says about a text now (its guess, or that the crew has
decided it) is asked when the queue is read, so a decision takes a text out of the queue as soon as the matcher
that knows it is swapped in.
"""
from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

MAX_ASKERS = 1000


@dataclass
class _Group:
    normalized: str
    first_at: float
    last_at: float
    count: int = 0
    askers: dict = field(default_factory=dict)  # user_hash -> True
    samples: deque = field(default_factory=lambda: deque(maxlen=5))


class ReviewQueue:
    def __init__(self, max_groups: int = 500, idle_expiry: float = 1800.0, clock: Callable[[], float] = time.time):
        self.max_groups = max_groups
        self.idle_expiry = idle_expiry
        self._clock = clock
        self._groups: dict[str, _Group] = {}

    def __len__(self) -> int:
        return len(self._groups)

    def add(self, normalized: str, text: str, user_hash: str = "", user_quality: str = "stable",
            ts: float | None = None) -> None:
        if not normalized:
            return
        ts = self._clock() if ts is None else ts
        g = self._groups.get(normalized)
        if g is None:
            if len(self._groups) >= self.max_groups:
                self._evict(ts)
            g = self._groups[normalized] = _Group(normalized, ts, ts)
        g.count += 1
        g.last_at = max(g.last_at, ts)
        if user_hash and user_quality != "absent" and len(g.askers) < MAX_ASKERS:
            g.askers[user_hash] = True
        if not any(s["text"] == text for s in g.samples):
            g.samples.append({"text": text, "ts": ts})

    def _evict(self, now: float) -> None:
        doomed = [k for k, g in self._groups.items() if now - g.last_at > self.idle_expiry]
        if len(self._groups) - len(doomed) >= self.max_groups:
            ranked = sorted(self._groups.values(), key=lambda g: (len(g.askers), g.count, g.last_at))
            doomed = [g.normalized for g in ranked[:max(1, self.max_groups // 5)]]
        for k in doomed:
            self._groups.pop(k, None)

    def drop(self, keep: Callable[[str], bool]) -> int:
        """Forget the texts `keep` says no longer need a look (decided by the crew, or now sure)."""
        gone = [k for k in self._groups if not keep(k)]
        for k in gone:
            del self._groups[k]
        return len(gone)

    def top(self, now: float | None = None, limit: int = 50) -> list[dict]:
        """Most distinct viewers first, then most comments, then most recent."""
        now = self._clock() if now is None else now
        live = [g for g in self._groups.values() if now - g.last_at <= self.idle_expiry]
        live.sort(key=lambda g: (-len(g.askers), -g.count, -g.last_at))
        return [{"normalized": g.normalized, "askers": len(g.askers), "count": g.count, "first_at": g.first_at,
                 "last_at": g.last_at, "samples": list(reversed(g.samples))} for g in live[:limit]]
