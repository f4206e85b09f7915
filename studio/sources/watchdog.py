"""What "alive" means for one platform link, judged on a clock of its own.

A link is alive while the platform keeps talking: any frame counts, and a probe (a heartbeat that wants a reply, an
IRC PING) must be answered within `probe_timeout`. Each adapter sets the figures of its protocol:
- `link_timeout`: the longest silence the protocol allows (Bilibili: a heartbeat reply every 30 s; EventSub: the
  keepalive window); None where the protocol has no such promise.
- `idle_probe_after`: probe a link that has said nothing for this long (IRC PINGs after a quiet spell).
The adapter's watchdog thread also probes when a busy room goes silent, so a frozen link is replaced in seconds
rather than at the next scheduled heartbeat."""
from __future__ import annotations

import threading
import time


class Liveness:
    def __init__(self, link_timeout: float | None = None, probe_timeout: float = 5.0,
                 idle_probe_after: float | None = None):
        self.link_timeout, self.probe_timeout, self.idle_probe_after = link_timeout, probe_timeout, idle_probe_after
        self._last = time.monotonic()
        self._probe_at: float | None = None
        self._lock = threading.Lock()

    def reset(self) -> None:
        """A new link: its clock starts now."""
        self.traffic()

    def traffic(self) -> None:
        """Something arrived: the link is alive, and any probe is answered."""
        with self._lock:
            self._last, self._probe_at = time.monotonic(), None

    def probed(self) -> None:
        """A probe went out: an answer is due within `probe_timeout`."""
        with self._lock:
            if self._probe_at is None:
                self._probe_at = time.monotonic()

    @property
    def probe_pending(self) -> bool:
        with self._lock:
            return self._probe_at is not None

    def wants_probe(self, now: float | None = None) -> bool:
        now = time.monotonic() if now is None else now
        with self._lock:
            return self.idle_probe_after is not None and self._probe_at is None \
                and now - self._last >= self.idle_probe_after

    def verdict(self, now: float | None = None) -> str | None:
        """Why the link is dead, or None while it is alive."""
        now = time.monotonic() if now is None else now
        with self._lock:
            if self._probe_at is not None and now - self._probe_at > self.probe_timeout:
                return f"link frozen: no answer to a keepalive probe within {self.probe_timeout:g} s"
            if self.link_timeout is not None and now - self._last > self.link_timeout:
                return f"link frozen: nothing from the platform in {self.link_timeout:g} s"
        return None
