"""CPU-heavy loops in bounded slices: after each `budget` seconds of work the loop yields to the other greenlets.

Under gevent (the server) the pause is a sleep of PAUSE: a timer, so the event loop goes round once and polls for
I/O before the loop continues (gevent's sleep(0) only runs greenlets already runnable: a request waiting on its
socket would not get in). Elsewhere (CLI, threads) it costs a tenth of a millisecond per slice.
A request that matches 5,000 comments then holds the loop for one slice at a time instead of for the whole batch:
every other request, push and ping runs between two slices."""
from __future__ import annotations

import time

SLICE = 0.005  # seconds of work between two yields: a 100 ms p95 elsewhere leaves room for many turns
PAUSE = 0.0001


class Slices:
    def __init__(self, budget: float = SLICE):
        self.budget = budget
        self.yields = 0
        self._since = time.perf_counter()

    def tick(self) -> None:
        """Call between two units of work: yields when this slice is used up."""
        if time.perf_counter() - self._since >= self.budget:
            time.sleep(PAUSE)
            self.yields += 1
            self._since = time.perf_counter()
