"""Run an adapter on a thread against a fake and watch what it delivers."""
from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable

from studio.sources.base import Adapter, Comment
from studio.sources.settings import resolve, schema
from tests.support.comment_client import stats
from tests.support.waiting import wait_for

# Test timings: retries within tens of milliseconds so a reconnect test takes well under a second.
FAST = {"backoff_base": 0.05, "backoff_cap": 0.2, "stable_after": 0.5, "health_interval": 0.2,
        "batch_interval": 0.05}

# The frozen-link tests keep each platform's timings (silence threshold, keepalive, probe and poll timeouts) and the
# bounds they are held to (silent within 15 s, replaced within 35 s) in proportion, at this fraction of the real
# figures; STUDIO_SLOW_TESTS=1 runs them at the platforms' own.
PACE = 1.0 if os.environ.get("STUDIO_SLOW_TESTS") else 0.3


def paced(seconds: float, pace: float = PACE) -> float:
    """A platform's figure in `seconds`, at the pace the tests run it."""
    return seconds * pace


class Running:
    """An adapter running on a daemon thread; `comments` is everything it delivered, in order."""

    def __init__(self, cls: type[Adapter], room: str, **settings):
        self.comments: list[Comment] = []
        self._lock = threading.Lock()
        values = resolve(cls.platform, schema(cls.SETTINGS), overrides={**FAST, **settings}, environ={})
        self.adapter = cls(room, values, self._collect)
        self.result: str | None = None
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _collect(self, comments: list[Comment]) -> None:
        with self._lock:
            self.comments.extend(comments)

    def _run(self) -> None:
        self.result = self.adapter.run()

    @property
    def texts(self) -> list[str]:
        with self._lock:
            return [c.text for c in self.comments]

    def wait_count(self, n: int, timeout: float = 5.0) -> None:
        wait_for(lambda: len(self.comments) >= n, timeout, f"{n} comments (have {len(self.comments)})")

    def wait_state(self, state: str, timeout: float = 5.0) -> None:
        wait_for(lambda: self.adapter.status.state == state, timeout,
                 f"state {state} (is {self.adapter.status.state}: {self.adapter.status.last_error})")

    def wait_done(self, timeout: float = 5.0) -> str:
        self.thread.join(timeout)
        assert not self.thread.is_alive(), f"adapter still running in state {self.adapter.status.state}"
        return self.result

    def stop(self, timeout: float = 5.0) -> str:
        self.adapter.stop()
        return self.wait_done(timeout)


def wait_stored(server, show_id: str, n: int, timeout: float = 10.0) -> dict:
    wait_for(lambda: stats(server, show_id)["comments_stored"] >= n, timeout, f"{n} stored comments", interval=0.05)
    return stats(server, show_id)


def as_role(server, role: str):
    """An API session with the role's token: logins are rate-limited per address, tokens are not."""
    return server.session(server.tokens[role])


def under_faults(send: Callable[[int], None], fault: Callable[[], None], every: float, total: float,
                 rate: float = 20.0) -> int:
    """Call `send(i)` at `rate` per second and `fault()` every `every` seconds for `total` seconds (both on threads
    of their own, as a platform and a flaky network would); returns how many were sent."""
    stop, sent = threading.Event(), [0]

    def sender() -> None:
        start = time.monotonic()
        while not stop.is_set():
            send(sent[0])
            sent[0] += 1
            time.sleep(max(0.0, start + sent[0] / rate - time.monotonic()))

    def faults() -> None:
        while not stop.wait(every):
            fault()

    threads = [threading.Thread(target=sender, daemon=True), threading.Thread(target=faults, daemon=True)]
    for t in threads:
        t.start()
    time.sleep(total)
    stop.set()
    for t in threads:
        t.join()
    return sent[0]


def assert_each_once(run: Running, delivered, timeout: float = 10.0) -> None:
    """Every id the fake wrote to a working link was delivered by the adapter, and nothing twice."""
    wanted = set(delivered)
    wait_for(lambda: wanted <= {c.msg_id for c in run.comments}, timeout,
             f"every comment sent while a link was up ({len(wanted - {c.msg_id for c in run.comments})} missing)")
    ids = [c.msg_id for c in run.comments]
    assert len(ids) == len(set(ids)), "nothing delivered twice"


def busy_then(run: Running, send: Callable[[int], None], n: int = 40, gap: float = 0.1) -> None:
    """A busy room: `n` comments `gap` seconds apart, all delivered, so the room has a usual pace."""
    before = len(run.comments)
    for i in range(n):
        send(i)
        time.sleep(gap)
    run.wait_count(before + n)


def frozen_timings(run: Running, freeze: Callable[[], None], silent_within: float | None = None,
                   replaced_within: float | None = None) -> tuple[float, float]:
    """Freeze the link of a busy room; returns the seconds until health said "silent" and until the link was
    replaced (a reconnect or a restart), each checked against its bound (15 s and 35 s, paced)."""
    silent_within = paced(15.0) if silent_within is None else silent_within
    replaced_within = paced(35.0) if replaced_within is None else replaced_within
    status = run.adapter.status
    changes = status.reconnects + status.restarts
    wall = time.time()
    freeze()
    frozen_at = time.monotonic()
    wait_for(lambda: status.state == "silent" or any(e["kind"] == "silent" and e["at"] >= wall
                                                     for e in list(status.events)),
             timeout=silent_within, what="health 'silent'", interval=0.05)
    silent_after = time.monotonic() - frozen_at
    wait_for(lambda: status.reconnects + status.restarts > changes, timeout=replaced_within - silent_after,
             what="the link replaced", interval=0.05)
    replaced_after = time.monotonic() - frozen_at
    print(f"silent after {silent_after:.1f} s, replaced after {replaced_after:.1f} s")
    return silent_after, replaced_after
