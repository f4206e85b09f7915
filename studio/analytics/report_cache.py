"""Deflection reports kept for a few seconds: several leads refreshing every few seconds share one computation."""
from __future__ import annotations

import threading
from dataclasses import replace

from studio.analytics.report import Params, deflection_report
from studio.blocks.off_loop import off_loop

CACHE_SECONDS = 3.0
MAX_REPORTS = 64


class ReportCache:
    def __init__(self, db):
        self.db = db
        self._reports: dict[tuple, tuple[float, dict]] = {}
        self._lock = threading.Lock()

    def get(self, show_id: str, params: Params) -> dict:
        key = (show_id, replace(params, now=0.0))  # every parameter but the clock
        with self._lock:
            hit = self._reports.get(key)
            if hit and hit[0] > params.now:
                return hit[1]
        # Seconds of queries and arithmetic on a long show: in a native thread, so the event loop keeps serving.
        result = off_loop(deflection_report, self.db, show_id, params)
        with self._lock:
            if len(self._reports) >= MAX_REPORTS:
                self._reports.clear()
            self._reports[key] = (params.now + CACHE_SECONDS, result)
        return result

    def clear(self) -> None:
        with self._lock:
            self._reports.clear()
