"""How one source is doing, told truthfully: its state, the room's normal pace, and every reconnect and restart.

States: connecting → connected (the platform accepted us) → receiving (comments arrive) → silent (a normally busy
room has been quiet longer than its usual gaps) ; backoff (waiting to reconnect), failed (needs a person: the reason
says what to do), stopped (on request). "silent" is about comments, not the link: the adapter's watchdog probes the
link when the room goes quiet, and replaces it if the probe is not answered."""
from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable
from typing import Any

STATES = ("connecting", "connected", "receiving", "silent", "backoff", "failed", "stopped")
LINK_UP = ("connected", "receiving", "silent")
WINDOW = 300.0  # seconds of history behind "the room's normal rate"


class SourceStatus:
    """Written by the adapter's threads, read by the health reporter; `on_change` runs after every state change so
    the reporter can tell the studio at once (a sub-second reconnect is still seen)."""

    STATES = STATES

    def __init__(self, platform: str, room: str, silent_min: float = 10.0, silent_factor: float = 6.0,
                 busy_min: int = 10):
        self.platform, self.room = platform, room
        self.silent_min, self.silent_factor, self.busy_min = silent_min, silent_factor, busy_min
        self.state, self.since, self.last_error = "stopped", time.time(), ""
        self.last_message_at: float | None = None
        self.link_up_at: float | None = None
        self.received = self.duplicates = self.reconnects = self.restarts = 0
        self.extra: dict[str, Any] = {}  # per-platform figures (quota used, game id…)
        self.events: deque[dict] = deque(maxlen=30)
        self.on_change: Callable[[], None] = lambda: None
        self._arrivals: deque[tuple[float, int]] = deque()  # (time, new comments) of each delivery, last WINDOW s
        self._lock = threading.Lock()

    # --- written by the adapter ---------------------------------------------------------------------------
    def set(self, state: str, error: str | None = None) -> None:
        changed = False
        with self._lock:
            if self.state == "failed":
                return  # final: whatever the dying connection reports afterwards, the reason stays on the console
            if state != self.state:
                self.state, self.since, changed = state, time.time(), True
                if state == "connected":
                    self.link_up_at = self.since
            if error is not None:
                self.last_error = error[:500]
        if changed:
            self.on_change()

    def event(self, kind: str, reason: str) -> None:
        """A reconnect (same platform session, new link), a restart (new platform session or process) or a
        silence, with its reason; counted and listed."""
        with self._lock:
            if kind == "reconnect":
                self.reconnects += 1
            elif kind == "restart":
                self.restarts += 1
            self.events.append({"at": round(time.time(), 3), "kind": kind, "reason": reason[:300]})
        self.on_change()

    def note(self, **figures: Any) -> None:
        with self._lock:
            self.extra.update(figures)

    def count(self, new: int, duplicates: int) -> None:
        now = time.time()
        with self._lock:
            self.received += new
            self.duplicates += duplicates
            if not new:
                return
            self.last_message_at = now
            self._arrivals.append((now, new))
            self._trim(now)
            wake = self.state in ("connected", "silent")
        if wake:
            self.set("receiving")

    # --- the room's pace ---------------------------------------------------------------------------------
    def _trim(self, now: float) -> None:
        while self._arrivals and self._arrivals[0][0] <= now - WINDOW:
            self._arrivals.popleft()

    def _usual_gap(self) -> float | None:
        """The 95th percentile of the gaps between deliveries over the window; None for a room not busy enough
        to have a usual gap."""
        times = [t for t, _ in self._arrivals]
        if len(times) < self.busy_min:
            return None
        gaps = sorted(b - a for a, b in zip(times, times[1:]))
        return gaps[min(len(gaps) - 1, int(len(gaps) * 0.95))]

    def silent_after(self) -> float | None:
        with self._lock:
            self._trim(time.time())
            gap = self._usual_gap()
        return None if gap is None else max(self.silent_min, self.silent_factor * gap)

    def check_silent(self, now: float | None = None) -> bool:
        """Turn "silent" when a busy room has gone quiet for longer than its usual gaps; True on that turn."""
        now = time.time() if now is None else now
        limit = self.silent_after()
        with self._lock:
            quiet_since = max(self.last_message_at or 0.0, self.link_up_at or 0.0)
            turn = limit is not None and self.state in ("connected", "receiving") and now - quiet_since > limit
        if turn:
            self.set("silent")
            self.event("silent", f"no comments for {now - quiet_since:.0f} s in a room that usually has one every "
                                 f"{limit / self.silent_factor:.1f} s")
        return turn

    def per_minute(self, now: float | None = None) -> int:
        now = time.time() if now is None else now
        with self._lock:
            return int(sum(n for t, n in self._arrivals if t > now - 60))

    def normal_per_minute(self, now: float | None = None) -> float | None:
        """Comments per minute over the last five minutes (or since the first comment, if more recent)."""
        now = time.time() if now is None else now
        with self._lock:
            self._trim(now)
            if not self._arrivals:
                return None
            span = max(60.0, now - self._arrivals[0][0])
            return round(sum(n for _, n in self._arrivals) * 60.0 / span, 1)

    def snapshot(self) -> dict:
        now = time.time()
        per_minute, normal, silent_after = self.per_minute(now), self.normal_per_minute(now), self.silent_after()
        with self._lock:
            last = self.last_message_at
            return {"platform": self.platform, "room": self.room, "state": self.state,
                    "connected": self.state in LINK_UP, "since": self.since, "last_error": self.last_error,
                    "last_message_at": last, "last_message_ago": round(now - last, 1) if last else None,
                    "per_minute": per_minute, "normal_per_minute": normal, "silent_after": silent_after,
                    "received": self.received, "duplicates": self.duplicates, "reconnects": self.reconnects,
                    "restarts": self.restarts, "events": list(self.events), "extra": dict(self.extra)}
