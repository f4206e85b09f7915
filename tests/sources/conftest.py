"""A studio of the sources tests' own, for the silences a capture receiver must notice: its receivers turn silent
at the paced figure (see tests/support/fakes/harness.py) rather than the studio's 10 s."""
from __future__ import annotations

import pytest

from tests.support.fakes.harness import paced
from tests.support.harness import seeded_server


@pytest.fixture(scope="session")
def paced_server(tmp_path_factory):
    srv = seeded_server(tmp_path_factory.mktemp("paced"),
                        extra_env={"STUDIO_RECEIVER_SILENT_MIN": str(paced(10.0)), "STUDIO_RATE_LIMIT_SCALE": "100"})
    srv.start()
    yield srv
    srv.stop()
