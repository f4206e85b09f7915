"""Run a studio's configured adapter sources, each under its own supervisor (`studio source run`), for `studio
demo` and `studio cluster --sources`: enabled adapter configs of the shows that are not over. Capture-tool receivers
need no process (their tools post to the studio)."""
from __future__ import annotations

import subprocess
import sys

from sqlalchemy import select

from studio.sources.registry import ADAPTERS
from studio.store.models import Show, SourceConfig


def configured(db, show_ids: list[str] | None = None) -> list[tuple[str, str, str]]:
    """(show, platform, room) of every enabled adapter config of a planned or live show."""
    with db.session() as s:
        query = (select(SourceConfig.show_id, SourceConfig.platform, SourceConfig.room)
                 .join(Show, Show.id == SourceConfig.show_id)
                 .where(SourceConfig.enabled.is_(True), SourceConfig.platform.in_(list(ADAPTERS)),
                        Show.status != "ended"))
        if show_ids is not None:
            query = query.where(SourceConfig.show_id.in_(show_ids))
        return [tuple(row) for row in s.execute(query.order_by(SourceConfig.show_id, SourceConfig.platform))]


def start_configured(db, base_url: str, ingest_token: str, env: dict | None = None,
                     show_ids: list[str] | None = None, log=None) -> list[subprocess.Popen]:
    """One supervised `studio source run` per configured source; the caller SIGTERMs them when it stops."""
    procs = []
    for show_id, platform, room in configured(db, show_ids):
        argv = [sys.executable, "-m", "studio.commands.cli", "source", "run", "--platform", platform,
                "--show", show_id, "--url", base_url, "--token", ingest_token]
        if room:
            argv += ["--room", room]
        procs.append(subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=log or subprocess.DEVNULL))
    return procs


def stop_all(procs: list[subprocess.Popen], timeout: float = 15.0) -> None:
    for p in procs:
        if p.poll() is None:
            p.terminate()
    for p in procs:
        try:
            p.wait(timeout)
        except subprocess.TimeoutExpired:
            p.kill()
