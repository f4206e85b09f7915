"""Run an adapter on a thread against a fake and watch what it delivers."""
from __future__ import annotations

import threading

from studio.sources.base import Adapter, Comment
from studio.sources.settings import resolve, schema
from tests.support.comment_client import stats
from tests.support.waiting import wait_for

# Test timings: retries within tens of milliseconds so a reconnect test takes well under a second.
FAST = {"backoff_base": 0.05, "backoff_cap": 0.2, "stable_after": 0.5, "health_interval": 0.2,
        "batch_interval": 0.05}


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
