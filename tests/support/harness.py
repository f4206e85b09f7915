"""Helpers for the reliability and security tests: a studio seeded in one process start (the demo catalog and
show, a login and a token per role), a running `studio cluster`, and the local PostgreSQL and Redis."""
from __future__ import annotations

import os
import re
import secrets
import signal
import socket
import subprocess
import time
from pathlib import Path

import pytest
import socketio

from tests.support.liveserver import STUDIO, LiveServer, free_port

PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
REDIS_URL = "redis://127.0.0.1:6379/0"


def seeded_server(var_dir: Path, **kwargs) -> LiveServer:
    """A LiveServer (not started) with the demo catalog, show `demo`, a user per role and a token per role."""
    srv = LiveServer(var_dir, **kwargs)
    srv.tokens = srv.setup_demo()
    return srv


def require_services() -> None:
    """PostgreSQL and Redis are part of the machine (CI has them); elsewhere their absence skips."""
    import psycopg
    import redis
    try:
        psycopg.connect(PG_ADMIN, connect_timeout=3).close()
        redis.Redis.from_url(REDIS_URL, socket_timeout=2).ping()
    except Exception as e:  # noqa: BLE001 - any failure means the service is not usable here
        if os.environ.get("CI"):
            pytest.fail(f"the local PostgreSQL and Redis are needed: {e}")
        pytest.skip(f"local PostgreSQL/Redis not available: {e}")


def drop_database(name: str) -> None:
    import psycopg
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def free_port_run(n: int) -> int:
    """The first of n consecutive free loopback ports."""
    for _ in range(50):
        first = free_port()
        if first + n > 65535:
            continue
        try:
            for p in range(first, first + n):
                with socket.socket() as s:
                    s.bind(("127.0.0.1", p))
            return first
        except OSError:
            continue
    raise RuntimeError("no run of free ports")


class RunningCluster:
    """`studio cluster --processes N --demo` on a database of its own, started from outside like a person would."""

    READY = re.compile(r"cluster ready: .* on (http://\S+)/")

    def __init__(self, var_dir: Path, processes: int = 2, extra_env: dict | None = None):
        self.var_dir = var_dir
        var_dir.mkdir(parents=True, exist_ok=True)
        self.db_name = f"studio_cluster_{secrets.token_hex(4)}"
        self.database_url = f"postgresql+psycopg://postgres@127.0.0.1:5432/{self.db_name}"
        self.port = free_port()
        first = free_port_run(processes)
        self.worker_urls = [f"http://127.0.0.1:{first + i}" for i in range(processes)]
        self.log = var_dir / "cluster.out"
        with open(self.log, "wb") as out:
            self.proc = subprocess.Popen(
                [STUDIO, "cluster", "--processes", str(processes), "--port", str(self.port), "--worker-port",
                 str(first), "--database-url", self.database_url, "--redis-url", REDIS_URL, "--demo"],
                env={**os.environ, "STUDIO_VAR_DIR": str(var_dir), **(extra_env or {})}, stdout=out,
                stderr=subprocess.STDOUT)
        self.url = self._wait_ready(90)

    def _wait_ready(self, timeout: float) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            m = self.READY.search(self.log.read_text())
            if m:
                return m.group(1)
            if self.proc.poll() is not None:
                break
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"cluster did not come up:\n{self.log.read_text()[-3000:]}")

    def token(self, role: str) -> str:
        from studio.access.auth import create_token
        from studio.store.db import Database
        db = Database(self.database_url)
        try:
            return create_token(db, role, "tests")
        finally:
            db.engine.dispose()

    def pid(self, name: str) -> int:
        return int((self.var_dir / "cluster" / "run" / f"{name}.pid").read_text())

    def worker_log(self, i: int) -> str:
        return (self.var_dir / "cluster" / "logs" / f"studio-{i}.log").read_text(errors="replace")

    def stop(self) -> int | None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        return self.proc.returncode


def ranking_client(url: str, show: str) -> tuple[socketio.Client, list[set]]:
    """A console-like Socket.IO client subscribed to a show's ranking; collects the slugs of every snapshot."""
    seen: list[set] = []
    client = socketio.Client(reconnection=False)
    client.on("state", lambda msg: seen.append({i["slug"] for i in msg["data"]["items"]}), namespace="/live")
    client.connect(url, namespaces=["/live"], transports=["polling", "websocket"], wait_timeout=10)
    ack = client.call("subscribe", {"show": show, "topics": ["ranking"]}, namespace="/live", timeout=10)
    assert ack.get("ok"), ack
    return client, seen
