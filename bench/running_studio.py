"""A seeded `studio run` in a temporary folder (SQLite), for benchmarks that drive the real server."""
from __future__ import annotations

import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import socketio

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
from tests.support.harness import seeded_server  # noqa: E402
from tests.support.liveserver import LiveServer  # noqa: E402

# Throughput benchmarks measure the studio, not its per-token comment budget (bench_ingest_isolation measures that).
UNLIMITED = {"STUDIO_RATE_LIMIT_SCALE": "100000"}


@contextmanager
def running_studio(prefix: str, extra_env: dict | None = None) -> Iterator[LiveServer]:
    """The demo catalog and show `demo`, a token per role in `.tokens`; stopped (SIGTERM) on exit."""
    with tempfile.TemporaryDirectory(prefix=prefix) as tmp:
        srv = seeded_server(Path(tmp) / "studio", extra_env=extra_env)
        srv.start()
        try:
            yield srv
        finally:
            srv.stop()


def ranking_listener(url: str, show: str, slug: str, clock: Callable[[], float],
                     on_push: Callable[[float], None] | None = None,
                     token: str | None = None) -> tuple[socketio.Client, dict[str, float]]:
    """A /live client (not yet subscribed) for `show`'s ranking: maps each sample text of `slug` to the `clock()`
    time it first arrived, which is how the latency benchmarks see their probe comments; `on_push(t)` is called
    for every ranking push. Samples are staff data: pass a host (or producer) `token`, as the console has."""
    seen: dict[str, float] = {}

    def on_state(msg: dict) -> None:
        if msg.get("topic") != "ranking" or msg.get("show") != show:
            return
        now = clock()
        if on_push is not None:
            on_push(now)
        for item in msg["data"]["items"]:
            if item["slug"] == slug:
                for sample in item.get("samples", ()):
                    seen.setdefault(sample["text"], now)

    client = socketio.Client(reconnection=False)
    client.on("state", on_state, namespace="/live")
    client.connect(url, namespaces=["/live"], transports=["websocket"], wait_timeout=10,
                   auth={"token": token} if token else None)
    return client, seen
