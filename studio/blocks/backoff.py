"""Capped exponential backoff with jitter, so many clients dropped at once do not come back in lockstep.

The n-th retry's ceiling is min(cap, base·2ⁿ). "full" jitter waits U(0, ceiling): the spread that relieves a
platform best (adapters). "equal" jitter waits U(ceiling/2, ceiling): never near zero, so a refused local port is
not retried in a tight loop (the OBS driver)."""
from __future__ import annotations

import random
from collections.abc import Callable
from typing import Literal


class Backoff:
    def __init__(self, base: float = 1.0, cap: float = 60.0, jitter: Literal["full", "equal"] = "full",
                 rng: Callable[[], float] = random.random) -> None:
        if base <= 0 or cap < base:
            raise ValueError("need 0 < base <= cap")
        self.base, self.cap, self.jitter, self.rng = base, cap, jitter, rng
        self.attempt = 0

    def next_delay(self) -> float:
        ceiling = min(self.cap, self.base * 2 ** self.attempt)
        self.attempt = min(self.attempt + 1, 32)  # bounded exponent: no float overflow on a long outage
        if self.jitter == "full":
            return ceiling * self.rng()
        return ceiling / 2 + self.rng() * ceiling / 2

    def reset(self) -> None:
        self.attempt = 0
