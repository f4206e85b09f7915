"""OBS driver: puts the on-air FAQ question into OBS text sources over obs-websocket v5.

The studio calls `ObsDriver.apply()` whenever the on-air segment changes; a background worker owns the connection,
reconnects with backoff and pushes only the latest state, so a missing, slow or misconfigured OBS never holds up the
show. Plain threading primitives only: under gevent's monkey patching they become greenlet-friendly (patch before
this module is imported, as gevent requires: obs-websocket-py subclasses threading.Thread at import time).
"""
from __future__ import annotations

import dataclasses
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from obswebsocket import requests

from overlays.obs_client import ObsConnection, ObsRequestError, connect_obs, describe_failure
from studio.blocks.backoff import Backoff

log = logging.getLogger(__name__)

# Text kinds whose settings take "text" plus a "font" object {face, size, style, flags}: FreeType 2 on Linux and
# macOS, GDI+ on Windows. Any other kind is reported instead of being sent settings it does not understand.
TEXT_INPUT_KINDS = frozenset({"text_ft2_source_v2", "text_ft2_source", "text_gdiplus_v3", "text_gdiplus_v2",
                              "text_gdiplus"})
HEARTBEAT_S = 2.0  # an idle connection is probed this often, so a frozen OBS is noticed too
_UNSET = object()  # no apply() yet: a (re)connect must not hide whatever OBS is showing


@dataclass(frozen=True)
class ObsMapping:
    """Where OBS is and which of its scenes and sources show the on-air question."""

    host: str = "127.0.0.1"
    port: int = 4455
    password: str = field(default="", repr=False)
    question_input: str | None = None
    answer_input: str | None = None
    scene: str | None = None
    scene_item: str | None = None
    on_air_scene: str | None = None
    font_face: str = "WenQuanYi Micro Hei"  # FreeType has no glyph fallback: a Latin face renders Chinese as boxes
    font_size: int = 64
    timeout: float = 3.0

    def __post_init__(self) -> None:
        if not 0 < self.port < 65536:
            raise ValueError("port must be between 1 and 65535")
        if not 0 < self.timeout <= 60:
            raise ValueError("timeout must be between 0 and 60 seconds")
        if not 1 <= self.font_size <= 1024:
            raise ValueError("font_size must be between 1 and 1024")

    def public_dict(self) -> dict:
        """Everything but the password, which is only said to be set or not."""
        public = {f.name: getattr(self, f.name) for f in dataclasses.fields(self) if f.name != "password"}
        public["password_set"] = bool(self.password)
        return public


@dataclass(frozen=True)
class OnAirText:
    question: str
    answer: str
    number: int | None  # the shelf link number viewers hear, e.g. 3 for "3号链接"
    slug: str


def format_question(on_air: OnAirText) -> str:
    """'3号链接 · 优惠券怎么叠加？': viewers find the item on the shelf by the number the host says."""
    question = " ".join(on_air.question.split())
    return f"{on_air.number}号链接 · {question}" if on_air.number is not None else question


class _Session:
    """One live connection and what was looked up on it (ids and kinds are only valid until OBS restarts)."""

    def __init__(self, conn: ObsConnection, mapping: ObsMapping) -> None:
        self.conn, self.mapping = conn, mapping
        self._item_id: int | None = None
        self._kinds: dict[str, str] = {}

    def push(self, on_air: OnAirText | None) -> list[str]:
        """Apply one state, step by step; returns what OBS refused. Connection failures raise."""
        m, errors = self.mapping, []

        def attempt(step: Callable[..., None], *args: object) -> None:
            try:
                step(*args)
            except ObsRequestError as exc:  # one bad name must not stop the other steps
                errors.append(str(exc))

        if on_air is None:
            attempt(self._show, False)  # hide first, so viewers never see the texts empty out
            for name in (m.question_input, m.answer_input):
                attempt(self._set_text, name, "")
        else:
            attempt(self._set_text, m.question_input, format_question(on_air))
            attempt(self._set_text, m.answer_input, on_air.answer.strip())
            attempt(self._show, True)
            attempt(self._switch_scene)
        return errors

    def _set_text(self, name: str | None, text: str) -> None:
        if not name:
            return
        if name not in self._kinds:
            answer = self.conn.request(requests.GetInputSettings(inputName=name),
                                       failure=f"text input {name!r} not found in OBS")
            self._kinds[name] = answer.getInputKind()
        if self._kinds[name] not in TEXT_INPUT_KINDS:
            raise ObsRequestError(f"input {name!r} is a {self._kinds[name]}, not a text source")
        # overlay=True replaces a nested object whole, so the font always travels complete
        font = {"face": self.mapping.font_face, "size": self.mapping.font_size, "style": "Regular", "flags": 0}
        self.conn.request(requests.SetInputSettings(inputName=name, inputSettings={"text": text, "font": font},
                                                    overlay=True))

    def _show(self, enabled: bool) -> None:
        scene, item = self.mapping.scene, self.mapping.scene_item
        if not (scene and item):
            return
        if self._item_id is None:
            answer = self.conn.request(requests.GetSceneItemId(sceneName=scene, sourceName=item),
                                       failure=f"scene item {item!r} not found in scene {scene!r}")
            self._item_id = answer.getSceneItemId()
        self.conn.request(requests.SetSceneItemEnabled(sceneName=scene, sceneItemId=self._item_id,
                                                       sceneItemEnabled=enabled))

    def _switch_scene(self) -> None:
        target = self.mapping.on_air_scene
        if not target:
            return
        # switching to the scene already on program would replay the transition
        current = self.conn.request(requests.GetCurrentProgramScene()).getCurrentProgramSceneName()
        if current != target:
            self.conn.request(requests.SetCurrentProgramScene(sceneName=target),
                              failure=f"scene {target!r} not found in OBS")


class ObsDriver:
    """Keeps OBS showing the latest on-air state. Every public method returns at once, OBS or not."""

    def __init__(self, mapping: ObsMapping, on_status: Callable[[dict], None] | None = None) -> None:
        self._mapping = mapping
        self._on_status = on_status
        self._lock = threading.Lock()
        self._wake = threading.Event()  # apply, reconfigure, stop, connection lost
        self._control = threading.Event()  # reconfigure, stop: the only things that cut a backoff wait short
        self._stopping = threading.Event()
        self._state: object = _UNSET
        self._dirty = False
        self._remapped = False
        self._status = {"connected": False, "last_error": None, "last_applied_at": None, "obs_version": None}
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        with self._lock:
            if self._thread is not None and self._thread.is_alive():
                return
            self._stopping.clear()
            self._thread = threading.Thread(target=self._run, name="obs-driver", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        """Ask the worker to close the connection; waits at most one request timeout for it."""
        self._stopping.set()
        self._wake.set()
        self._control.set()
        thread = self._thread
        if thread is not None:
            thread.join(self._mapping.timeout + 1.0)

    def apply(self, on_air: OnAirText | None) -> None:
        """Record the state to show (None: nothing on air); the worker pushes only the latest one."""
        with self._lock:
            self._state, self._dirty = on_air, True
        self._wake.set()

    def reconfigure(self, mapping: ObsMapping) -> None:
        with self._lock:
            self._mapping, self._remapped = mapping, True
        self._wake.set()
        self._control.set()

    def status(self) -> dict:
        """{"connected", "last_error", "last_applied_at" (epoch seconds), "obs_version"}; never the password."""
        with self._lock:
            return dict(self._status)

    # ------------------------------------------------------------------ worker
    def _run(self) -> None:
        backoff, session = Backoff(0.2, 5.0, jitter="equal"), None
        while not self._stopping.is_set():
            self._wake.clear()
            self._control.clear()
            with self._lock:
                mapping, remapped, self._remapped = self._mapping, self._remapped, False
            if remapped:
                backoff.reset()
            if session is not None and (remapped or session.conn.lost.is_set()):
                self._close(session, None if remapped else "connection to OBS lost")
                session = None
            if session is None:
                session = self._open(mapping)
                if session is None:
                    self._control.wait(backoff.next_delay())
                    continue
                backoff.reset()
            try:
                self._work(session)
            except Exception as exc:  # noqa: BLE001 - any failure here is the connection's: reconnect
                self._close(session, describe_failure(exc, mapping.host, mapping.port, mapping.timeout))
                session = None
        if session is not None:
            self._close(session, None)

    def _open(self, mapping: ObsMapping) -> _Session | None:
        try:
            conn, version = connect_obs(mapping.host, mapping.port, mapping.password, mapping.timeout,
                                        on_lost=self._wake.set)
        except Exception as exc:  # noqa: BLE001 - reported in the status; the worker retries
            self._update(connected=False, last_error=describe_failure(exc, mapping.host, mapping.port,
                                                                       mapping.timeout))
            return None
        log.info("connected to OBS %s at %s:%s", version, mapping.host, mapping.port)
        with self._lock:
            self._dirty = self._state is not _UNSET  # OBS may have restarted: show the current state again
        self._update(connected=True, last_error=None, obs_version=version)
        return _Session(conn, mapping)

    def _close(self, session: _Session, error: str | None) -> None:
        session.conn.disconnect()
        self._update(connected=False, **({"last_error": error} if error else {}))

    def _work(self, session: _Session) -> None:
        """Push the pending state if any, else idle until woken, probing the connection now and then."""
        with self._lock:
            pending, self._dirty = (self._state if self._dirty else _UNSET), False
        if pending is _UNSET:
            if not self._wake.wait(HEARTBEAT_S):
                session.conn.request(requests.GetVersion())
            return
        errors = session.push(pending)  # type: ignore[arg-type]
        if errors:
            self._update(last_error="; ".join(errors))
        else:
            self._update(last_error=None, last_applied_at=time.time())

    def _update(self, **changes: object) -> None:
        with self._lock:
            before = dict(self._status)
            self._status.update(changes)
            after = dict(self._status)
        if after == before:
            return
        if after["last_error"] and after["last_error"] != before["last_error"]:
            log.warning("OBS: %s", after["last_error"])
        if self._on_status is not None:
            try:
                self._on_status(after)
            except Exception:  # noqa: BLE001 - a listener's bug must not stop the driver
                log.exception("OBS status listener failed")


def test_connection(mapping: ObsMapping) -> dict:
    """Connect once and list what OBS has; `ok` only when every mapped name exists. Blocks up to a few timeouts."""
    result: dict = {"ok": False, "error": None, "scenes": [], "inputs": [], "obs_version": None, "missing": []}
    try:
        conn, result["obs_version"] = connect_obs(mapping.host, mapping.port, mapping.password, mapping.timeout)
    except Exception as exc:  # noqa: BLE001 - reported to the caller, never raised
        result["error"] = describe_failure(exc, mapping.host, mapping.port, mapping.timeout)
        return result
    try:
        scenes = conn.request(requests.GetSceneList()).getScenes()
        # OBS lists the highest index at the top of its scene list
        result["scenes"] = [s["sceneName"] for s in sorted(scenes, key=lambda s: -s["sceneIndex"])]
        result["inputs"] = [{"name": i["inputName"], "kind": i["inputKind"]}
                            for i in conn.request(requests.GetInputList()).getInputs()]
        result["missing"] = _missing_names(conn, mapping, result["scenes"], result["inputs"])
    except Exception as exc:  # noqa: BLE001
        result["error"] = describe_failure(exc, mapping.host, mapping.port, mapping.timeout)
        return result
    finally:
        conn.disconnect()
    if result["missing"]:
        result["error"] = "not found in OBS: " + ", ".join(result["missing"])
    result["ok"] = not result["missing"]
    return result


test_connection.__test__ = False  # type: ignore[attr-defined]  # its name would make pytest collect it


def _missing_names(conn: ObsConnection, mapping: ObsMapping, scenes: list[str], inputs: list[dict]) -> list[str]:
    texts = {i["name"] for i in inputs if i["kind"] in TEXT_INPUT_KINDS}
    missing = [f"text input {n!r}" for n in (mapping.question_input, mapping.answer_input) if n and n not in texts]
    missing += [f"scene {n!r}" for n in dict.fromkeys((mapping.scene, mapping.on_air_scene)) if n and n not in scenes]
    if mapping.scene in scenes and mapping.scene_item:
        try:
            conn.request(requests.GetSceneItemId(sceneName=mapping.scene, sourceName=mapping.scene_item))
        except ObsRequestError:
            missing.append(f"scene item {mapping.scene_item!r} in scene {mapping.scene!r}")
    return missing
