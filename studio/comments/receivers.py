"""How the capture receivers of this process are doing, per (show, kind): a receiver is alive while its
forwarder keeps sending, and "silent" when a busy one goes quiet longer than its usual gaps. Adapter processes
report to the database instead (intake_health.py)."""
from __future__ import annotations

import threading
import time

from studio.sources.health import SourceStatus


class ReceiverHealth:
    def __init__(self, silent_min: float = 10.0) -> None:
        self.silent_min = silent_min  # a busy receiver quiet this long at least (and past its usual gaps) is silent
        self._receivers: dict[str, dict[str, SourceStatus]] = {}
        self._lock = threading.Lock()

    def note_received(self, show_id: str, platform: str, new: int, duplicates: int) -> None:
        with self._lock:
            status = self._receivers.setdefault(show_id, {}).get(platform)
            if status is None:
                status = self._receivers[show_id][platform] = SourceStatus(platform, "", self.silent_min)
                status.set("receiving")
        status.count(new, duplicates)
        if new:
            status.set("receiving")

    def note_error(self, show_id: str, platform: str, error: str) -> None:
        with self._lock:
            status = self._receivers.get(show_id, {}).get(platform)
        if status is not None:
            status.set(status.state, error)

    def list(self, show_id: str) -> list[dict]:
        with self._lock:
            statuses = list(self._receivers.get(show_id, {}).values())
        out = []
        for status in statuses:
            status.check_silent()
            view = status.snapshot()
            view.update(kind="receiver", stale=False, reported_at=time.time())
            out.append(view)
        return sorted(out, key=lambda e: e["platform"])

