"""How many in the last minute (or any window): per-second buckets, so a count costs O(window) memory at most."""
from __future__ import annotations

from collections import deque


class RollingCount:
    def __init__(self, window: float = 60.0):
        self.window = window
        self._seconds: deque[list[int]] = deque()  # [second, count], oldest first
        self.total = 0  # since the start, never decays
        self.last_at: float | None = None

    def add(self, n: int, now: float) -> None:
        sec = int(now)
        if self._seconds and self._seconds[-1][0] == sec:
            self._seconds[-1][1] += n
        else:
            self._seconds.append([sec, n])
        self._trim(sec)
        self.total += n
        self.last_at = now

    def count(self, now: float) -> int:
        """Items added in the last `window` seconds."""
        return sum(n for s, n in self._seconds if s >= now - self.window)

    def _trim(self, sec: int) -> None:
        while self._seconds and self._seconds[0][0] < sec - self.window:
            self._seconds.popleft()
