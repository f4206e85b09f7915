"""A real studio process for tests: `studio run` on a free loopback port with its own database."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests

REPO = Path(__file__).resolve().parents[1]
STUDIO = str(Path(sys.executable).with_name("studio"))
PASSWORDS = {role: f"{role}-pass-123" for role in ("producer", "host", "lead", "admin")}


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

    def start(self, timeout: float = 30) -> "LiveServer":
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

    def restart(self) -> "LiveServer":
        self.stop()
        return self.start()

    def setup_demo(self, catalog: Path = REPO / "faq_catalog" / "demo", show_id: str = "demo") -> dict:
        """Migrate, import a catalog, create a show, one user per role and tokens; returns the tokens."""
        self.cli("db", "upgrade")
        self.cli("catalog", "import", str(catalog))
        self.cli("show", "create", "测试专场", "--id", show_id)
        for role, pw in PASSWORDS.items():
            self.cli("user", "create", role, "--role", role, "--password", pw)
        return {role: self.cli("token", "create", "--role", role).stdout.strip().splitlines()[-1]
                for role in ("producer", "host", "lead", "admin", "ingest")}

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
