"""Source configs per show (table source_configs): platform, room, settings with secrets encrypted at rest, and
the hashed receiver token of a capture-tool hook URL."""
from __future__ import annotations

import hmac
import json
import secrets
import threading
import time
from typing import Any

from sqlalchemy import select

from studio.access.hashing import decrypt, encrypt, token_digest
from studio.sources.registry import is_known, normalize_room, specs_for
from studio.sources.settings import SettingsError, merge_update, public_view
from studio.store.models import SourceConfig
from studio.store.shows import get_show


def _settings(secret_key: str, row: SourceConfig) -> dict:
    return json.loads(decrypt(secret_key, row.settings_enc) or "{}")


def _public(secret_key: str, row: SourceConfig) -> dict:
    shown, secrets_set = public_view(specs_for(row.platform), _settings(secret_key, row))
    return {"platform": row.platform, "room": row.room, "enabled": row.enabled, "settings": shown,
            "secrets_set": secrets_set, "hook_url_set": bool(row.hook_token_hash)}


def list_configs(db, secret_key: str, show_id: str) -> list[dict]:
    with db.session() as s:
        get_show(s, show_id)
        rows = s.scalars(select(SourceConfig).where(SourceConfig.show_id == show_id)
                         .order_by(SourceConfig.platform, SourceConfig.room)).all()
        return [_public(secret_key, r) for r in rows]


def _check_entry(entry: Any) -> tuple[str, str, bool, dict]:
    if not isinstance(entry, dict):
        raise SettingsError("each source must be an object with platform, room, enabled and settings")
    platform, room = entry.get("platform"), entry.get("room", "")
    if not isinstance(platform, str) or not is_known(platform):
        raise SettingsError(f"unknown platform {platform!r}")
    if not isinstance(room, str) or len(room) > 200:
        raise SettingsError("room must be a string of at most 200 characters")
    settings = entry.get("settings") or {}
    if not isinstance(settings, dict):
        raise SettingsError("settings must be an object")
    return platform, normalize_room(platform, room), bool(entry.get("enabled", True)), settings


def replace_configs(db, secret_key: str, show_id: str, entries: list) -> list[dict]:
    """The show's sources become exactly `entries`; stored secrets the edit leaves out are kept."""
    checked = [_check_entry(e) for e in entries]
    keys = [(p, r) for p, r, _, _ in checked]
    if len(set(keys)) != len(keys):
        raise SettingsError("each (platform, room) may appear once")
    with db.session() as s:
        get_show(s, show_id)
        rows = {(r.platform, r.room): r for r in s.scalars(
            select(SourceConfig).where(SourceConfig.show_id == show_id))}
        for key, row in rows.items():
            if key not in keys:
                s.delete(row)
        for platform, room, enabled, update in checked:
            row = rows.get((platform, room)) or SourceConfig(show_id=show_id, platform=platform, room=room)
            stored = _settings(secret_key, row) if row.settings_enc else {}
            row.settings_enc = encrypt(secret_key, json.dumps(merge_update(specs_for(platform), stored, update)))
            row.enabled = enabled
            s.add(row)
    _forget_cached()
    return list_configs(db, secret_key, show_id)


def upsert_config(db, secret_key: str, show_id: str, platform: str, room: str, update: dict,
                  enabled: bool = True) -> dict:
    """Add a source or change some of its settings, keeping the others (the CLI's `studio source add`)."""
    platform, room, enabled, update = _check_entry({"platform": platform, "room": room, "enabled": enabled,
                                                    "settings": update})
    with db.session() as s:
        get_show(s, show_id)
        row = _row(s, show_id, platform, room) or SourceConfig(show_id=show_id, platform=platform, room=room)
        stored = _settings(secret_key, row) if row.settings_enc else {}
        merged = merge_update(specs_for(platform), stored, update, keep_unmentioned=True)
        row.settings_enc, row.enabled = encrypt(secret_key, json.dumps(merged)), enabled
        s.add(row)
        s.flush()
        view = _public(secret_key, row)
    _forget_cached()
    return view


def _row(s, show_id: str, platform: str, room: str) -> SourceConfig | None:
    return s.scalar(select(SourceConfig).where(SourceConfig.show_id == show_id, SourceConfig.platform == platform,
                                               SourceConfig.room == room))


def stored_settings(db, secret_key: str, show_id: str, platform: str, room: str) -> dict:
    """Decrypted settings of one source, for the adapter process started next to the studio ({} if none)."""
    with db.session() as s:
        row = _row(s, show_id, platform, normalize_room(platform, room))
        return _settings(secret_key, row) if row else {}


def rotate_hook_token(db, show_id: str, kind: str) -> str:
    """A new receiver token for the show's `kind` hook (the old URL stops working); shown once."""
    token = secrets.token_urlsafe(24)
    with db.session() as s:
        get_show(s, show_id)
        row = _row(s, show_id, kind, "")
        if row is None:
            row = SourceConfig(show_id=show_id, platform=kind, room="", settings_enc="", enabled=True)
            s.add(row)
        row.hook_token_hash = token_digest(token)
    _forget_cached()
    return token


class _TtlCache:
    """Hooks are hit many times a second: remember lookups for a few seconds instead of querying each time."""

    def __init__(self, ttl: float = 5.0):
        self.ttl = ttl
        self._data: dict = {}
        self._lock = threading.Lock()

    def get(self, key, load):
        now = time.monotonic()
        with self._lock:
            hit = self._data.get(key)
            if hit and now - hit[0] < self.ttl:
                return hit[1]
        value = load()
        with self._lock:
            if len(self._data) > 10_000:
                self._data.clear()
            self._data[key] = (now, value)
        return value

    def clear(self) -> None:
        with self._lock:
            self._data.clear()


HOOK_TOKENS = _TtlCache()
DOUYIN_TARGETS = _TtlCache()


def _forget_cached() -> None:
    HOOK_TOKENS.clear()
    DOUYIN_TARGETS.clear()


def check_hook_token(db, show_id: str, kind: str, token: str) -> bool:
    def load() -> tuple[str | None, bool]:
        with db.session() as s:
            row = _row(s, show_id, kind, "")
            return (row.hook_token_hash, row.enabled) if row else (None, False)
    stored, enabled = HOOK_TOKENS.get((show_id, kind), load)
    return bool(stored) and enabled and hmac.compare_digest(stored, token_digest(token))


def douyin_targets(db, secret_key: str, app_id: str) -> list[tuple[str, str, str]]:
    """(show, room, push secret) of every enabled Douyin source of the app: pushes carry the room, not the show."""
    def load() -> list[tuple[str, str, str]]:
        with db.session() as s:
            rows = s.scalars(select(SourceConfig).where(SourceConfig.platform == "douyin",
                                                        SourceConfig.enabled.is_(True))).all()
            out = []
            for row in rows:
                settings = _settings(secret_key, row)
                if str(settings.get("app_id", "")) == app_id and settings.get("push_secret"):
                    out.append((row.show_id, row.room, settings["push_secret"]))
            return out
    return DOUYIN_TARGETS.get(app_id, load)


def hook_url(base: str, show_id: str, kind: str, token: str) -> str:
    """The receiver URL a capture tool posts to (POST /hooks/<show>/<kind>/<token>)."""
    return f"{base.rstrip('/')}/hooks/{show_id}/{kind}/{token}"
