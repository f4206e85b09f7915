"""`studio cluster`: N `studio run` processes behind nginx, sharing PostgreSQL and Redis, started and supervised by
one command.

Everything the cluster writes stays under var/cluster/ (nginx config, pid files, logs, proxy cache), so it needs no
root and no system nginx configuration. The processes are ordinary `studio run` servers on consecutive loopback ports;
Flask-SocketIO's Redis message queue carries Socket.IO messages between them. A process that dies is started again;
SIGTERM or SIGINT stops all of them, each studio flushing what it holds first."""
from __future__ import annotations

import ctypes
import os
import pwd
import re
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import click
import requests

from studio.config import REPO_ROOT

DEFAULT_DATABASE_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/studio"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"
TEMPLATE = REPO_ROOT / "deploy" / "nginx.conf.template"
NGINX = os.environ.get("STUDIO_NGINX", "/usr/sbin/nginx")
STOP_GRACE = 15.0  # seconds a studio gets to flush on SIGTERM before it is killed


def render_nginx(template: str, values: dict[str, str]) -> str:
    """Fill every {{name}} of the template; a placeholder left over is a bug in the template or here."""
    out = template
    for name, value in values.items():
        out = out.replace("{{" + name + "}}", value)
    left = re.search(r"\{\{\w+\}\}", out)
    if left:
        raise ValueError(f"nginx template placeholder {left.group(0)} has no value")
    return out


def ensure_database(url: str) -> None:
    """Create the PostgreSQL database named in `url` when it does not exist yet (the server itself must run)."""
    parts = urlsplit(url)
    if not parts.scheme.startswith("postgresql"):
        return
    import psycopg
    name = parts.path.lstrip("/")
    admin = urlunsplit(("postgresql", parts.netloc, "/postgres", parts.query, ""))
    with psycopg.connect(admin, autocommit=True, connect_timeout=5) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone() is None:
            conn.execute(f'CREATE DATABASE "{name}"')


def _die_with_parent() -> None:
    # If the launcher itself is killed (kill -9), its children get SIGTERM instead of running on unsupervised.
    try:
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except OSError:
        pass


@dataclass
class Child:
    """One supervised process: a studio or nginx."""
    name: str
    argv: list[str]
    env: dict[str, str]
    log_path: Path
    pid_path: Path
    proc: subprocess.Popen | None = None
    started_at: float = 0.0
    died_at: float | None = None
    quick_deaths: int = 0  # deaths within 10 s of a start, in a row: the restart delay doubles with each

    def start(self) -> None:
        with open(self.log_path, "ab") as log:
            self.proc = subprocess.Popen(self.argv, env=self.env, stdout=log, stderr=subprocess.STDOUT,
                                         stdin=subprocess.DEVNULL, start_new_session=True,
                                         preexec_fn=_die_with_parent)
        self.started_at, self.died_at = time.monotonic(), None
        self.pid_path.write_text(f"{self.proc.pid}\n")

    def exited(self) -> int | None:
        return None if self.proc is None else self.proc.poll()

    def note_death(self) -> None:
        self.died_at = time.monotonic()
        self.quick_deaths = self.quick_deaths + 1 if self.died_at - self.started_at < 10 else 0

    def restart_due(self, now: float) -> bool:
        """At once after a death that ended a long run; with a growing delay while it keeps dying young."""
        delay = min(30.0, 0.5 * 2 ** self.quick_deaths) if self.quick_deaths else 0.0
        return self.died_at is not None and now - self.died_at >= delay

    def signal(self, sig: int) -> None:
        if self.proc is not None and self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, sig)
            except ProcessLookupError:
                pass


class Cluster:
    def __init__(self, processes: int, host: str, port: int, worker_port: int, database_url: str,
                 redis_url: str, var_dir: Path, access_log: bool = False):
        self.processes, self.host, self.port = processes, host, port
        self.worker_ports = [worker_port + i for i in range(processes)]
        self.database_url, self.redis_url = database_url, redis_url
        self.root = var_dir / "cluster"
        self.run_dir, self.log_dir = self.root / "run", self.root / "logs"
        self.conf_path = self.root / "nginx.conf"
        self.access_log = access_log
        self.public_url = os.environ.get("STUDIO_PUBLIC_URL") or f"http://{host}:{port}"
        self.children: list[Child] = []
        self._stopping = False

    # ---- set-up ---------------------------------------------------------------------------------------------
    def nginx_config(self) -> str:
        servers = "\n".join(f"        server 127.0.0.1:{p} max_fails=1 fail_timeout=2s;" for p in self.worker_ports)
        owner = pwd.getpwuid(self.root.stat().st_uid).pw_name
        values = {
            # Started as root, nginx would hand its workers to `nobody`, who cannot enter a private var directory.
            "user_directive": f"user {owner};" if os.geteuid() == 0 else "",
            "nginx_workers": "1",
            "run_dir": str(self.run_dir), "log_dir": str(self.log_dir), "cache_dir": str(self.root / "cache"),
            "access_log": f"{self.log_dir}/nginx-access.log" if self.access_log else "off",
            "listen": f"{self.host}:{self.port}", "servers": servers,
        }
        return render_nginx(TEMPLATE.read_text(), values)

    def prepare(self) -> None:
        """Config, database and schema once, before N processes would race to create them."""
        for d in (self.run_dir, self.log_dir, self.root / "cache"):
            d.mkdir(parents=True, exist_ok=True)
        self.conf_path.write_text(self.nginx_config())
        check = subprocess.run(self._nginx_argv() + ["-t", "-q"], capture_output=True, text=True)
        if check.returncode != 0:
            raise click.ClickException(f"nginx rejected {self.conf_path}:\n{check.stderr}")
        ensure_database(self.database_url)
        from studio.config import load_config
        from studio.store.migrate import upgrade
        load_config()  # creates var/secret_key once; every process must sign sessions with the same key
        upgrade(self.database_url)

    def _nginx_argv(self) -> list[str]:
        return [NGINX, "-p", str(self.root), "-c", str(self.conf_path), "-e", str(self.log_dir / "nginx-error.log")]

    def _worker_env(self) -> dict[str, str]:
        return {**os.environ, "STUDIO_DATABASE_URL": self.database_url, "STUDIO_REDIS_URL": self.redis_url,
                "STUDIO_PUBLIC_URL": self.public_url, "STUDIO_VAR_DIR": str(self.root.parent),
                "PYTHONUNBUFFERED": "1"}

    # ---- running ----------------------------------------------------------------------------------------------
    def start(self, timeout: float = 60) -> None:
        env = self._worker_env()
        for i, port in enumerate(self.worker_ports, 1):
            argv = [sys.executable, "-m", "studio.commands.cli", "run", "--host", "127.0.0.1", "--port", str(port)]
            self.children.append(Child(f"studio-{i}", argv, env, self.log_dir / f"studio-{i}.log",
                                       self.run_dir / f"studio-{i}.pid"))
        self.children.append(Child("nginx", self._nginx_argv(), dict(os.environ), self.log_dir / "nginx.out",
                                   self.run_dir / "nginx-master.pid"))
        for child in self.children:
            child.start()
        urls = [f"http://127.0.0.1:{p}/healthz" for p in self.worker_ports]
        self._wait_healthy(urls + [f"http://{self.host}:{self.port}/healthz"], timeout)

    def _wait_healthy(self, urls: list[str], timeout: float) -> None:
        deadline = time.monotonic() + timeout
        pending = list(urls)
        while pending and time.monotonic() < deadline and not self._stopping:
            for child in self.children:
                if child.exited() is not None:
                    raise click.ClickException(f"{child.name} exited at start; see {child.log_path}")
            try:
                if requests.get(pending[0], timeout=1).ok:
                    pending.pop(0)
                    continue
            except requests.RequestException:
                pass
            time.sleep(0.2)
        if pending and not self._stopping:
            raise click.ClickException(f"no answer from {pending[0]} within {timeout:.0f} s; logs in {self.log_dir}")

    def supervise(self, poll: float = 0.5) -> None:
        """Until a stop is requested: start again whatever died, each restart logged with its exit status."""
        while not self._stopping:
            for child in self.children:
                code = child.exited()
                if code is None or self._stopping:
                    continue
                if child.died_at is None:
                    child.note_death()
                    click.echo(f"cluster: {child.name} exited with {code}; starting it again", err=True)
                if child.restart_due(time.monotonic()):
                    child.start()
            time.sleep(poll)

    def request_stop(self) -> None:
        """From a signal handler: the supervisor loop ends and the caller stops everything."""
        self._stopping = True

    def stop(self) -> None:
        """Studios get SIGTERM (they flush, then exit), nginx SIGQUIT (finishes open requests); killed after the
        grace period."""
        self._stopping = True
        for child in self.children:
            child.signal(signal.SIGQUIT if child.name == "nginx" else signal.SIGTERM)
        deadline = time.monotonic() + STOP_GRACE
        for child in self.children:
            if child.proc is None:
                continue
            try:
                child.proc.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                click.echo(f"cluster: {child.name} did not stop in {STOP_GRACE:.0f} s; killing it", err=True)
                child.signal(signal.SIGKILL)
                child.proc.wait(5)
            child.pid_path.unlink(missing_ok=True)


@click.command("cluster")
@click.option("--processes", "-n", default=os.cpu_count() or 2, show_default="number of CPUs",
              type=click.IntRange(1, 64))
@click.option("--host", default="127.0.0.1", show_default=True, help="Address nginx listens on.")
@click.option("--port", default=8080, show_default=True, type=click.IntRange(1024, 65535))
@click.option("--worker-port", default=None, type=click.IntRange(1024, 65535),
              help="First studio port (loopback); the others follow.  [default: PORT+1]")
@click.option("--database-url", envvar="STUDIO_DATABASE_URL", default=DEFAULT_DATABASE_URL, show_default=True,
              help="PostgreSQL URL shared by every process; the database is created if missing.")
@click.option("--redis-url", envvar="STUDIO_REDIS_URL", default=DEFAULT_REDIS_URL, show_default=True)
@click.option("--access-log", is_flag=True, help="Write nginx's access log (off by default: it costs at peak).")
@click.option("--demo", is_flag=True, help="Load the demo catalog, show and login first (idempotent).")
@click.option("--sources", is_flag=True, help="Also run every configured platform source of the planned and live "
                                              "shows, each supervised, posting through nginx.")
def cluster_command(processes: int, host: str, port: int, worker_port: int | None, database_url: str,
                    redis_url: str, access_log: bool, demo: bool, sources: bool) -> None:
    """Serve the studio from N processes behind nginx (PostgreSQL + Redis); Ctrl-C or SIGTERM stops all."""
    from studio.config import load_config
    if database_url.startswith("sqlite"):
        raise click.UsageError("several processes need PostgreSQL: pass --database-url postgresql+psycopg://...")
    var_dir = Path(load_config()["VAR_DIR"])
    cluster = Cluster(processes, host, port, worker_port or port + 1, database_url, redis_url, var_dir, access_log)
    cluster.prepare()
    if demo:
        _load_demo(database_url)
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda _signum, _frame: cluster.request_stop())
    adapters: list = []
    try:
        cluster.start()
        click.echo(f"cluster ready: {processes} studio processes behind nginx on {cluster.public_url}/ "
                   f"(logs in {cluster.log_dir})", err=True)
        if demo:
            from studio.commands.demo import urls
            for label, url in urls(cluster.public_url):
                click.echo(f"  {label:<32} {url}", err=True)
        if sources:
            adapters = _start_sources(database_url, cluster)
        cluster.supervise()
    finally:
        from studio.commands.configured_sources import stop_all
        stop_all(adapters)
        cluster.stop()
    click.echo("cluster stopped", err=True)


def _start_sources(database_url: str, cluster: Cluster) -> list:
    from studio.access.auth import create_token
    from studio.commands.configured_sources import start_configured
    from studio.store.db import Database
    db = Database(database_url)
    try:
        token = create_token(db, "ingest", "cluster sources")
        procs = start_configured(db, cluster.public_url, token, env=cluster._worker_env(),
                                 log=open(cluster.log_dir / "sources.log", "ab"))
    finally:
        db.engine.dispose()
    click.echo(f"cluster: {len(procs)} platform source(s) running, supervised (logs in {cluster.log_dir}/sources.log)",
               err=True)
    return procs


def _load_demo(database_url: str) -> None:
    from studio.app import create_app
    from studio.commands.demo import DEMO_PASSWORD, DEMO_USER, prepare
    app = create_app({"DATABASE_URL": database_url, "REDIS_URL": None})
    prepare(app)
    app.extensions["studio"].db.engine.dispose()  # the launcher keeps no connection open while it supervises
    click.echo(f"demo loaded; login {DEMO_USER} / {DEMO_PASSWORD}", err=True)
