"""A seeded `studio run` in a temporary folder (SQLite), for benchmarks that drive the real server."""
from __future__ import annotations

import sys
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))
from harness import seeded_server  # noqa: E402
from liveserver import LiveServer  # noqa: E402


@contextmanager
def running_studio(prefix: str) -> Iterator[LiveServer]:
    """The demo catalog and show `demo`, a token per role in `.tokens`; stopped (SIGTERM) on exit."""
    with tempfile.TemporaryDirectory(prefix=prefix) as tmp:
        srv = seeded_server(Path(tmp) / "studio")
        srv.start()
        try:
            yield srv
        finally:
            srv.stop()
