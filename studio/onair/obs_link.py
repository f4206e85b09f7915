"""One OBS driver per show that has an OBS mapping: the studio's on-air state mirrored into OBS's own sources.

The mapping lives in obs_configs with the password encrypted by the studio's secret; it is never returned or
logged. Drivers run only while the studio serves (`studio run`); every call here returns at once, whatever OBS does.
"""
from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from sqlalchemy import select

from overlays.obs import ObsDriver, ObsMapping, OnAirText, test_connection
from studio.access.hashing import decrypt, encrypt
from studio.onair.onair import OnAir
from studio.store.models import ObsConfig
from studio.store.shows import get_show

log = logging.getLogger(__name__)

NAME_FIELDS = ("question_input", "answer_input", "scene", "scene_item", "on_air_scene")
TEST_TIMEOUT = 2.0  # a test connection holds its request open: keep it short
FOLLOW_INTERVAL = 1.0
DEFAULT = ObsMapping()  # obs-websocket on this machine at its default port


def parse_mapping(data: dict, old: ObsConfig | None) -> dict:
    """Validated column values from a PUT body; absent fields keep their stored value, names may be null."""
    out: dict[str, Any] = {}
    host = data.get("host", old.host if old else DEFAULT.host)
    if not isinstance(host, str) or not host.strip() or len(host) > 255 or any(c in host for c in "/ @"):
        raise ValueError("host must be a host name or IP address, like 127.0.0.1")
    out["host"] = host.strip()
    port = data.get("port", old.port if old else DEFAULT.port)
    if not isinstance(port, int) or isinstance(port, bool) or not 0 < port < 65536:
        raise ValueError("port must be a whole number from 1 to 65535 (obs-websocket's default is 4455)")
    out["port"] = port
    for name in NAME_FIELDS:
        value = data.get(name, getattr(old, name) if old else None)
        if value is not None and (not isinstance(value, str) or len(value) > 255):
            raise ValueError(f"{name} must be the name of an OBS scene or source, or null")
        out[name] = (value.strip() or None) if isinstance(value, str) else None
    enabled = data.get("enabled", old.enabled if old else True)
    if not isinstance(enabled, bool):
        raise ValueError("enabled must be true or false")
    out["enabled"] = enabled
    password = data.get("password")
    if password is not None and (not isinstance(password, str) or len(password) > 256):
        raise ValueError("password must be text")
    out["password"] = password  # None: keep the stored one
    return out


class ObsLink:
    def __init__(self, db, secret_key: str, onair: OnAir, on_status: Callable[[str], None]):
        self.db = db
        self._secret = secret_key
        self._onair = onair
        self._on_status = on_status
        self._drivers: dict[str, ObsDriver] = {}
        self._lock = threading.Lock()
        self._running = False

    # ------------------------------------------------------------------ lifecycle
    def start(self) -> None:
        self._running = True
        with self.db.session() as s:
            shows = list(s.scalars(select(ObsConfig.show_id).where(ObsConfig.enabled.is_(True))))
        for show_id in shows:
            self._sync(show_id)
        threading.Thread(target=self._follow_database, name="obs-follow", daemon=True).start()

    def _follow_database(self) -> None:
        """Re-read each driven show's revision every second: an action taken in another studio process (scaled
        mode) reaches this OBS too, and a driver never re-applies a state older than the database's."""
        applied: dict[str, int] = {}
        while self._running:
            time.sleep(FOLLOW_INTERVAL)
            for show_id in list(self._drivers):
                try:
                    state = self._onair.state(show_id)
                except Exception:  # noqa: BLE001 - the show was deleted or the database is away: try again next round
                    continue
                if applied.get(show_id) != state["revision"]:
                    applied[show_id] = state["revision"]
                    self.apply(show_id, state["current"])

    def stop(self) -> None:
        self._running = False
        with self._lock:
            drivers, self._drivers = list(self._drivers.values()), {}
        for d in drivers:
            d.stop()

    # ------------------------------------------------------------------ API
    def get(self, show_id: str) -> dict:
        with self.db.session() as s:
            get_show(s, show_id)
            cfg = s.get(ObsConfig, show_id)
            out = _public(cfg)
        out.update(self.status(show_id) or {"connected": False, "last_error": None})
        return out

    def configure(self, show_id: str, data: dict) -> dict:
        with self.db.session() as s:
            get_show(s, show_id)
            cfg = s.get(ObsConfig, show_id)
            values = parse_mapping(data, cfg)
            password = values.pop("password")
            if cfg is None:
                cfg = ObsConfig(show_id=show_id)
                s.add(cfg)
            for k, v in values.items():
                setattr(cfg, k, v)
            if password is not None:
                cfg.password_enc = encrypt(self._secret, password)
        self._sync(show_id)
        return self.get(show_id)

    def remove(self, show_id: str) -> None:
        with self.db.session() as s:
            get_show(s, show_id)
            cfg = s.get(ObsConfig, show_id)
            if cfg is not None:
                s.delete(cfg)
        self._sync(show_id)

    def test(self, show_id: str, data: dict) -> dict:
        """Connect once with the stored mapping changed by `data` (unsaved edits): scenes and inputs for pick lists."""
        with self.db.session() as s:
            get_show(s, show_id)
            cfg = s.get(ObsConfig, show_id)
            values = parse_mapping(data, cfg)
            stored = self._password(cfg)
        password = values.pop("password")
        values.pop("enabled")
        mapping = ObsMapping(password=stored if password is None else password, timeout=TEST_TIMEOUT, **values)
        return test_connection(mapping)

    def status(self, show_id: str) -> dict | None:
        """Connection state for the health topic; None when this show has no OBS driver."""
        driver = self._drivers.get(show_id)
        return None if driver is None else driver.status()

    def apply(self, show_id: str, current: dict | None) -> None:
        driver = self._drivers.get(show_id)
        if driver is not None:
            driver.apply(_on_air_text(current))

    # ------------------------------------------------------------------ drivers
    def _password(self, cfg: ObsConfig | None) -> str:
        if cfg is None:
            return ""
        try:
            return decrypt(self._secret, cfg.password_enc)
        except ValueError:  # the secret key changed: the password has to be entered again
            log.warning("OBS password for show %s cannot be decrypted; enter it again", cfg.show_id)
            return ""

    def _sync(self, show_id: str) -> None:
        """Make the running driver match the stored mapping: start, reconfigure or stop it."""
        if not self._running:
            return
        with self.db.session() as s:
            cfg = s.get(ObsConfig, show_id)
            mapping = None
            if cfg is not None and cfg.enabled:
                mapping = ObsMapping(host=cfg.host, port=cfg.port, password=self._password(cfg),
                                     **{k: getattr(cfg, k) for k in NAME_FIELDS})
        fresh = retired = None
        with self._lock:
            if mapping is None:
                retired = self._drivers.pop(show_id, None)
            elif show_id in self._drivers:
                self._drivers[show_id].reconfigure(mapping)
            else:
                fresh = self._drivers[show_id] = ObsDriver(mapping, on_status=lambda _st: self._on_status(show_id))
        if retired is not None:  # removed or disabled
            retired.stop()
        if fresh is not None:
            # under the show's lock: no on-air change can slip between reading the state and recording it
            with self._onair.lock(show_id):
                fresh.apply(_on_air_text(self._onair.state(show_id)["current"]))
            fresh.start()
        self._on_status(show_id)


def _on_air_text(current: dict | None) -> OnAirText | None:
    if current is None:
        return None
    return OnAirText(question=current["question"], answer=current["answer"], number=current["number"],
                     slug=current["slug"])


def _public(cfg: ObsConfig | None) -> dict:
    if cfg is None:
        return {"configured": False, "host": DEFAULT.host, "port": DEFAULT.port, "password_set": False,
                "enabled": False, **{k: None for k in NAME_FIELDS}}
    return {"configured": True, "host": cfg.host, "port": cfg.port, "password_set": bool(cfg.password_enc),
            "enabled": cfg.enabled, **{k: getattr(cfg, k) for k in NAME_FIELDS}}
