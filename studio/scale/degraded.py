"""Is this studio process degraded? The services it leans on (the database; Redis when scaled out), checked in the
background every few seconds so that asking never waits on a service that hangs.

While the database is away, comments are refused with 503 (the sources send them again) and viewer pages come from
memory; while Redis is away, pushes reach only the consoles connected to the same process and rate limits count per
process. Both come back by themselves; this status is what the host console and a load balancer show meanwhile.
GET /healthz/deps (studio/http/api/health.py) answers 200 when all is well and 503 with the problems when not."""
from __future__ import annotations

import logging
import time

from sqlalchemy import text

log = logging.getLogger(__name__)

INTERVAL = 2.0  # seconds between checks
TIMEOUT = 1.5  # a check slower than this counts as a failure
DATABASE_DOWN = "database unreachable: comments are refused (sources retry); pages come from memory"
REDIS_DOWN = "Redis unreachable: pushes reach only this process's consoles"


class DegradedProbe:
    def __init__(self, db, redis_url: str | None, socketio):
        self.db = db
        self.redis_url = redis_url
        self.socketio = socketio
        self._redis = None
        self._last: dict | None = None
        self._running = False

    def status(self) -> dict:
        """{"degraded": bool, "problems": [{"part", "message", "since"}], "checked_at"}; the last background
        result while serving, a fresh check otherwise (CLI, app-only tests)."""
        return self._last if self._running and self._last is not None else self.check()

    def start(self) -> None:
        if not self._running:
            self._running = True
            self.socketio.start_background_task(self._run)

    def _run(self) -> None:
        while self._running:
            self.check()
            self.socketio.sleep(INTERVAL)

    def check(self) -> dict:
        since = {p["part"]: p["since"] for p in (self._last or {}).get("problems", [])}
        now = time.time()
        problems = [{"part": part, "message": message, "since": since.get(part, now)}
                    for part, probe, message in self._probes() if not self._passes(probe)]
        if {p["part"] for p in problems} != set(since):
            log.warning("degraded: %s", ", ".join(p["part"] for p in problems) or "no longer")
        self._last = {"degraded": bool(problems), "problems": problems, "checked_at": now}
        return self._last

    def _probes(self):
        yield "database", self._database, DATABASE_DOWN
        if self.redis_url:
            yield "redis", self._redis_ping, REDIS_DOWN

    @staticmethod
    def _passes(probe) -> bool:
        from gevent import Timeout  # the studio serves on gevent; a hung socket must not hang the check
        try:
            with Timeout(TIMEOUT):
                probe()
        except (Exception, Timeout):  # noqa: BLE001 - any failure, or no answer in time, is the answer
            return False
        return True

    def _database(self) -> None:
        with self.db.engine.connect() as conn:
            conn.execute(text("SELECT 1"))

    def _redis_ping(self) -> None:
        if self._redis is None:
            import redis
            self._redis = redis.Redis.from_url(self.redis_url, socket_timeout=TIMEOUT,
                                               socket_connect_timeout=TIMEOUT)
        self._redis.ping()
