"""A real studio process for tests: `studio run` on a free loopback port with its own database."""
from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

REPO = Path(__file__).resolve().parents[2]
STUDIO = str(Path(sys.executable).with_name("studio"))
PASSWORDS = {role: f"{role}-pass-123" for role in ("producer", "host", "lead", "agent", "admin")}
TOKEN_ROLES = ("producer", "host", "lead", "agent", "admin", "ingest")
_TEMPLATES: dict[tuple[str, str], tuple[Path, dict]] = {}

# The same functions the CLI commands call, in one interpreter start.
_SEED = """
import json, sys
from faq_catalog.catalog_io import load_catalog
from studio.app import create_app
from studio.access.auth import create_token, create_user
from studio.config import load_config
from studio.store.migrate import upgrade
from studio.store.shows import create_show
catalog, show_id, passwords, roles = sys.argv[1], sys.argv[2], json.loads(sys.argv[3]), json.loads(sys.argv[4])
upgrade(load_config()["DATABASE_URL"])
app = create_app({"REDIS_URL": None})
studio = app.extensions["studio"]
report = studio.catalog.apply_import(load_catalog(catalog))
assert report.applied, report.rejected
create_show(studio.db, "测试专场", show_id)
for role, password in passwords.items():
    create_user(studio.db, role, password, role)
print(json.dumps({role: create_token(studio.db, role, "tests") for role in roles}))
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LiveServer:
    def __init__(self, var_dir: Path, database_url: str | None = None, extra_env: dict | None = None):
        self.var_dir = Path(var_dir)
        self.var_dir.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {**os.environ, "STUDIO_VAR_DIR": str(self.var_dir), "PYTHONUNBUFFERED": "1",
                    "STUDIO_PUBLIC_URL": self.url, **(extra_env or {})}
        if database_url:
            self.env["STUDIO_DATABASE_URL"] = database_url
        self.proc: subprocess.Popen | None = None
        self.log_path = self.var_dir / "server.log"

    def cli(self, *args: str, input: str | None = None, check: bool = True) -> subprocess.CompletedProcess:
        r = subprocess.run([STUDIO, *args], env=self.env, input=input, capture_output=True, text=True, timeout=120)
        if check and r.returncode != 0:
            raise RuntimeError(f"studio {' '.join(args)} failed ({r.returncode}):\n{r.stdout}\n{r.stderr}")
        return r

    def start(self, timeout: float = 30) -> LiveServer:
        log = open(self.log_path, "ab")
        self.proc = subprocess.Popen([STUDIO, "run", "--host", "127.0.0.1", "--port", str(self.port)],
                                     env=self.env, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"studio exited early:\n{self.log_path.read_text()[-3000:]}")
            try:
                if requests.get(self.url + "/healthz", timeout=1).ok:
                    return self
            except requests.RequestException:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"studio did not answer in {timeout}s:\n{self.log_path.read_text()[-3000:]}")

    def stop(self, sig: int = signal.SIGTERM) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        self.proc = None

    def kill(self) -> None:
        self.stop(signal.SIGKILL)

    def restart(self) -> LiveServer:
        self.stop()
        return self.start()

    def setup_demo(self, catalog: Path = REPO / "faq_catalog" / "demo", show_id: str = "demo") -> dict:
        """Migrate, import a catalog, create a show, one user per role and a token per role; returns the tokens.

        Seeding runs in one interpreter; for the embedded SQLite database the first seeded var dir is kept as a
        template and copied, so each further test server costs milliseconds instead of a dozen CLI starts."""
        key = (str(catalog), show_id)
        if "STUDIO_DATABASE_URL" not in self.env and key in _TEMPLATES:
            template, tokens = _TEMPLATES[key]
            for name in ("studio.db", "secret_key"):
                shutil.copy2(template / name, self.var_dir / name)
            return dict(tokens)
        r = subprocess.run([sys.executable, "-c", _SEED, str(catalog), show_id, json.dumps(PASSWORDS),
                            json.dumps(TOKEN_ROLES)],
                           env=self.env, capture_output=True, text=True, timeout=180)
        if r.returncode != 0:
            raise RuntimeError(f"seeding failed:\n{r.stdout[-2000:]}\n{r.stderr[-3000:]}")
        tokens = json.loads(r.stdout.strip().splitlines()[-1])
        if "STUDIO_DATABASE_URL" not in self.env:
            template = Path(tempfile.mkdtemp(prefix="studio-template-"))
            for name in ("studio.db", "secret_key"):
                shutil.copy2(self.var_dir / name, template / name)
            _TEMPLATES[key] = (template, dict(tokens))
        return tokens

    def session(self, token: str | None = None) -> requests.Session:
        s = requests.Session()
        if token:
            s.headers["Authorization"] = f"Bearer {token}"
        return s

    def login(self, role: str) -> requests.Session:
        """A browser-like session logged in as `role`, with its CSRF token set as a default header."""
        import re
        s = requests.Session()
        page = s.get(self.url + "/login").text
        csrf = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)
        r = s.post(self.url + "/login", data={"name": role, "password": PASSWORDS[role], "csrf_token": csrf})
        r.raise_for_status()
        page = s.get(self.url + "/").text
        s.headers["X-CSRF-Token"] = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)
        return s
