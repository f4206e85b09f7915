"""CPU-heavy loops in bounded slices: after each `budget` seconds of work the loop gives way to everything else.

Under gevent (the server) the pause is `gevent.idle()`: the loop continues only once the event loop has nothing
else to do, so every request, push and ping that is ready (its socket readable, its timer due) runs first. gevent's
`sleep(0)` would not do: it only runs greenlets already runnable, and a request still waiting on its socket would
not get in until the heavy work ends. Outside gevent (CLI, tests without a server) the pause costs nothing."""
from __future__ import annotations

import time

SLICE = 0.003  # seconds of work between two pauses


def _pause() -> None:
    from gevent import monkey
    if monkey.is_module_patched("threading"):
        import gevent
        gevent.idle()


class Slices:
    def __init__(self, budget: float = SLICE):
        self.budget = budget
        self.pauses = 0
        self._since = time.perf_counter()

    def tick(self) -> None:
        """Call between two units of work: pauses when this slice is used up."""
        if time.perf_counter() - self._since >= self.budget:
            _pause()
            self.pauses += 1
            self._since = time.perf_counter()
