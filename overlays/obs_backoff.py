"""Reconnect delays for the OBS driver: capped exponential backoff with jitter."""
from __future__ import annotations

import random
from typing import Callable


class Backoff:
    """Delays base, 2*base, 4*base ... up to cap, each jittered into [d/2, d].

    Jitter keeps several studio processes from hammering a restarting OBS in lockstep; the lower half-bound keeps
    the delay from collapsing to zero so a refused port is not retried in a tight loop.
    """

    def __init__(self, base: float = 0.2, cap: float = 5.0, rng: Callable[[], float] = random.random) -> None:
        if base <= 0 or cap < base:
            raise ValueError("need 0 < base <= cap")
        self._base, self._cap, self._rng = base, cap, rng
        self._attempt = 0

    def next_delay(self) -> float:
        delay = min(self._cap, self._base * 2 ** self._attempt)
        self._attempt = min(self._attempt + 1, 32)  # bounded exponent: no float overflow on a long outage
        return delay / 2 + self._rng() * delay / 2

    def reset(self) -> None:
        self._attempt = 0
