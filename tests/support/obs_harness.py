"""A private, headless, loopback-only OBS Studio for integration tests and benchmarks.

Xvfb and OBS run with their own HOME in a temp dir; obs-websocket listens on 127.0.0.1:<free port> with a password.
OBS 29 has no bind-address setting and looks up obsproject.com at start: OBS runs with the LD_PRELOAD shim built
from obs_loopback.c, which rewrites wildcard binds to loopback and refuses every other peer and name lookup.
Restarting OBS keeps its HOME, like restarting it on a studio PC: the scene collection it saved comes back.
Needs the Debian packages in APT_PACKAGES.
"""
from __future__ import annotations

import ctypes
import json
import os
import secrets
import select
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import websocket
from obswebsocket import obsws, requests

from tests.support.liveserver import free_port

HERE = Path(__file__).resolve().parent
# OBS, a display, EGL/llvmpipe (named because CI installs without recommends), a CJK font, a compiler for the shim
APT_PACKAGES = "obs-studio xvfb libegl-mesa0 libgl1-mesa-dri fonts-wqy-microhei gcc libc6-dev"
OBS_29_VERSION = (29 << 24) | 2  # LastVersion: with FirstRun set, OBS skips its auto-configuration wizard
CJK_FACE = "WenQuanYi Micro Hei"

# the scene the tests and the benchmark drive: a card (nested scene with the two texts) over a backdrop
SCENE = "FAQ Live"
CARD = "FAQ Card"
QUESTION = "FAQ Question"
ANSWER = "FAQ Answer"
BACKDROP = "Backdrop"


def obs_available() -> bool:
    return shutil.which("obs") is not None


def _die_with_parent() -> None:
    """Runs in the child before exec: a test run killed hard must not leave OBS or Xvfb behind."""
    ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # 1 = PR_SET_PDEATHSIG


def _stop(proc: subprocess.Popen | None, grace: float) -> None:
    if proc is None or proc.poll() is not None:
        return
    proc.terminate()
    try:
        proc.wait(grace)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(5)


class ObsHarness:
    """One OBS (plus its Xvfb) that tests can start, SIGKILL and start again on the same port."""

    def __init__(self, width: int = 1280, height: int = 720, fps: int = 30) -> None:
        for tool in ("obs", "Xvfb", "cc"):
            if shutil.which(tool) is None:
                raise RuntimeError(f"missing {tool!r}: apt-get install {APT_PACKAGES}")
        self.port = free_port()
        self.password = secrets.token_hex(12)  # hex only: it goes into an ini file unquoted
        self.root = Path(tempfile.mkdtemp(prefix="faq-obs-"))
        self.home = self.root / "home"
        self.size = (width, height)
        self.obs: subprocess.Popen | None = None
        self.xvfb: subprocess.Popen | None = None
        self._display: str | None = None
        self._write_config(fps)
        self._shim = self.root / "obs_loopback.so"
        subprocess.run(["cc", "-shared", "-fPIC", "-O2", "-o", str(self._shim), str(HERE / "obs_loopback.c"),
                        "-ldl"], check=True, capture_output=True)

    @property
    def obs_pid(self) -> int:
        assert self.obs is not None, "OBS is not running"
        return self.obs.pid

    @property
    def log_path(self) -> Path:
        return self.root / "obs.stdout"

    def _write_config(self, fps: int) -> None:
        cfg = self.home / ".config" / "obs-studio"
        (cfg / "basic" / "profiles" / "Tests").mkdir(parents=True)
        (cfg / "plugin_config" / "obs-websocket").mkdir(parents=True)
        (self.root / "run").mkdir(mode=0o700)
        # obs-websocket 5.0-5.2 (OBS 28/29) read [OBSWebSocket] here; 5.3+ read config.json below
        (cfg / "global.ini").write_text(
            f"[General]\nFirstRun=true\nLastVersion={OBS_29_VERSION}\nEnableAutoUpdates=false\nConfirmOnExit=false\n\n"
            "[Basic]\nProfile=Tests\nProfileDir=Tests\nSceneCollection=Tests\nSceneCollectionFile=Tests\n\n"
            "[BasicWindow]\nPreviewEnabled=false\n\n"
            f"[OBSWebSocket]\nFirstLoad=false\nServerEnabled=true\nServerPort={self.port}\nAlertsEnabled=false\n"
            f"AuthRequired=true\nServerPassword={self.password}\n")
        w, h = self.size
        (cfg / "basic" / "profiles" / "Tests" / "basic.ini").write_text(
            f"[General]\nName=Tests\n\n[Video]\nBaseCX={w}\nBaseCY={h}\nOutputCX={w}\nOutputCY={h}\n"
            f"FPSType=1\nFPSInt={fps}\n\n[Output]\nMode=Simple\n\n[SimpleOutput]\nFilePath={self.root}\n")
        (cfg / "plugin_config" / "obs-websocket" / "config.json").write_text(json.dumps({
            "first_load": False, "server_enabled": True, "server_port": self.port, "alerts_enabled": False,
            "auth_required": True, "server_password": self.password}))

    def _start_xvfb(self) -> None:
        read_fd, write_fd = os.pipe()
        w, h = self.size
        # -displayfd: Xvfb picks a free display and writes its number; no TCP, no /tmp/.X11-unix socket
        with open(self.root / "xvfb.log", "ab") as log:
            self.xvfb = subprocess.Popen(
                ["Xvfb", "-displayfd", str(write_fd), "-screen", "0", f"{w}x{h}x24", "-nolisten", "tcp",
                 "-nolisten", "unix"], pass_fds=(write_fd,), stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                stderr=log, preexec_fn=_die_with_parent)
        os.close(write_fd)
        # Xvfb writes the number and the newline separately and dies if the pipe is gone in between: read to EOF
        data, deadline = b"", time.monotonic() + 10
        try:
            while time.monotonic() < deadline:
                ready, _, _ = select.select([read_fd], [], [], max(0.0, deadline - time.monotonic()))
                chunk = os.read(read_fd, 32) if ready else b""
                if not chunk:
                    break
                data += chunk
        finally:
            os.close(read_fd)
        number = data.decode().strip()
        if not number.isdigit():
            _stop(self.xvfb, 5)
            raise RuntimeError(f"Xvfb did not report a display within 10 s (see {self.root / 'xvfb.log'})")
        self._display = f":{number}"

    def start(self, timeout: float = 30.0) -> float:
        """Start OBS (and Xvfb the first time); returns the seconds until obs-websocket said Hello."""
        if self.xvfb is None or self.xvfb.poll() is not None:
            self._start_xvfb()
        env = {k: v for k, v in os.environ.items() if k not in ("WAYLAND_DISPLAY", "SESSION_MANAGER")}
        env.update(HOME=str(self.home), XDG_CONFIG_HOME=str(self.home / ".config"),
                   XDG_RUNTIME_DIR=str(self.root / "run"), DISPLAY=self._display, QT_QPA_PLATFORM="xcb",
                   LIBGL_ALWAYS_SOFTWARE="1", LD_PRELOAD=str(self._shim))
        t0 = time.monotonic()
        with open(self.log_path, "ab") as log:
            self.obs = subprocess.Popen(
                ["obs", "--multi", "--minimize-to-tray", "--disable-updater", "--disable-missing-files-check",
                 "--websocket_ipv4_only"], cwd=self.root, env=env, stdin=subprocess.DEVNULL, stdout=log,
                stderr=subprocess.STDOUT, preexec_fn=_die_with_parent)
        deadline = t0 + timeout
        while time.monotonic() < deadline:
            if self.obs.poll() is not None:
                raise RuntimeError(f"OBS exited with {self.obs.returncode} during start:\n{self.log_tail()}")
            if self._says_hello():
                return time.monotonic() - t0
            time.sleep(0.05)
        self.kill_obs()
        raise RuntimeError(f"obs-websocket did not answer on 127.0.0.1:{self.port} within {timeout} s:\n"
                           f"{self.log_tail()}")

    def log_tail(self, lines: int = 25) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no OBS output)"

    def _says_hello(self) -> bool:
        """A real obs-websocket Hello (op 0), not just an open port."""
        try:
            ws = websocket.create_connection(f"ws://127.0.0.1:{self.port}", timeout=2,
                                             subprotocols=["obswebsocket.json"])
        except OSError:
            return False
        try:
            return json.loads(ws.recv()).get("op") == 0
        except (OSError, ValueError, websocket.WebSocketException):
            return False
        finally:
            ws.close()

    def kill_obs(self) -> None:
        """SIGKILL OBS by PID, as a crash would; Xvfb stays up for the next start."""
        if self.obs is not None and self.obs.poll() is None:
            os.kill(self.obs.pid, signal.SIGKILL)
            self.obs.wait(10)

    def stop(self) -> None:
        """Stop exactly the processes this harness started, then remove its directory."""
        _stop(self.obs, 10)
        _stop(self.xvfb, 5)
        shutil.rmtree(self.root, ignore_errors=True)

    def client(self, timeout: float = 3.0) -> obsws:
        ws = obsws("127.0.0.1", self.port, self.password, legacy=False, timeout=timeout)
        ws.connect()
        return ws

    def listen_addresses(self) -> list[str]:
        """Local addresses listening on the websocket port (from /proc/net/tcp*)."""
        found = []
        for table, family in (("/proc/net/tcp", socket.AF_INET), ("/proc/net/tcp6", socket.AF_INET6)):
            for line in Path(table).read_text().splitlines()[1:]:
                fields = line.split()
                address, port = fields[1].split(":")
                if int(port, 16) == self.port and fields[3] == "0A":  # 0A: LISTEN
                    raw = bytes.fromhex(address)
                    # the kernel prints each 32-bit word in host (little-endian) order
                    raw = b"".join(raw[i:i + 4][::-1] for i in range(0, len(raw), 4))
                    found.append(socket.inet_ntop(family, raw))
        return found

    def build_faq_scene(self) -> None:
        """Create the FAQ scene the way a producer would, and wait until OBS has saved it to disk."""
        ws = self.client()
        try:
            w, h = self.size
            font = {"face": "Sans Serif", "size": 32, "style": "Regular", "flags": 0}
            for scene in (CARD, SCENE):
                _ok(ws.call(requests.CreateScene(sceneName=scene)))
            for name, y in ((QUESTION, 80), (ANSWER, 200)):
                _ok(ws.call(requests.CreateInput(sceneName=CARD, inputName=name, inputKind="text_ft2_source_v2",
                                                 inputSettings={"text": "", "font": font},
                                                 sceneItemEnabled=True)))
                item = _ok(ws.call(requests.GetSceneItemId(sceneName=CARD, sourceName=name))).getSceneItemId()
                _ok(ws.call(requests.SetSceneItemTransform(sceneName=CARD, sceneItemId=item, sceneItemTransform={
                    "positionX": 80.0, "positionY": float(y)})))
            _ok(ws.call(requests.CreateInput(sceneName=SCENE, inputName=BACKDROP, inputKind="color_source_v3",
                                             inputSettings={"color": 0xFF3A2A1A, "width": w, "height": h},
                                             sceneItemEnabled=True)))
            _ok(ws.call(requests.CreateSceneItem(sceneName=SCENE, sourceName=CARD, sceneItemEnabled=False)))
        finally:
            ws.disconnect()
        self._wait_saved({SCENE, CARD, QUESTION, ANSWER, BACKDROP})

    def _wait_saved(self, names: set[str], timeout: float = 10.0) -> None:
        path = self.home / ".config" / "obs-studio" / "basic" / "scenes" / "Tests.json"
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                saved = {s.get("name") for s in json.loads(path.read_text()).get("sources", [])}
            except (OSError, ValueError):
                saved = set()
            if names <= saved:
                return
            time.sleep(0.1)
        raise RuntimeError(f"OBS did not save the scene collection to {path} within {timeout} s")


def _ok(answer):
    if not answer.status:
        raise RuntimeError(f"OBS refused {answer.name}")
    return answer
