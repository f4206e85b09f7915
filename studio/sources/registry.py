"""Which sources exist, and how the capture receivers of this process are doing (adapters report to the studio's
database: studio/comments/intake_health.py)."""
from __future__ import annotations

import importlib
import threading
import time
from collections.abc import Mapping
from typing import Any

from studio.sources.health import SourceStatus
from studio.sources.settings import Setting, schema

# platform → (module, class) of its official adapter, run with `studio source run`.
ADAPTERS = {
    "bilibili": ("studio.sources.bilibili", "BilibiliAdapter"),
    "youtube": ("studio.sources.youtube", "YoutubeAdapter"),
    "twitch": ("studio.sources.twitch", "TwitchEventSubAdapter"),
    "douyin": ("studio.sources.douyin", "DouyinPushTaskAdapter"),
    "kuaishou": ("studio.sources.kuaishou", "KuaishouAdapter"),
}
TWITCH_IRC = ("studio.sources.twitch_irc", "TwitchIrcAdapter")

# Capture-tool forwarders received at /hooks/<show>/<kind>/<token>, and the platform their comments come from
# (the generic receiver takes each comment's own `platform`: taobao, xiaohongshu…). They have no settings.
RECEIVERS = {"wxlivespy": "wechat", "dycast": "douyin", "generic": "web"}

PLATFORMS = tuple(ADAPTERS) + tuple(RECEIVERS)

# A report older than this many report intervals means the adapter process is gone.
STALE_INTERVALS = 3


def _load(module: str, name: str):
    return getattr(importlib.import_module(module), name)


def adapter_class(platform: str, settings: Mapping[str, Any] | None = None):
    """The adapter for `platform`; Twitch reads anonymously over IRC unless a user token is configured."""
    if platform not in ADAPTERS:
        raise KeyError(platform)
    if platform == "twitch" and settings is not None:
        mode = settings.get("mode") or "auto"
        if mode == "irc" or (mode == "auto" and not settings.get("token")):
            return _load(*TWITCH_IRC)
    return _load(*ADAPTERS[platform])


def specs_for(platform: str) -> dict[str, Setting]:
    """Every setting a platform's source config may hold."""
    if platform in RECEIVERS:
        return {}
    return schema(adapter_class(platform).SETTINGS)


def is_known(platform: str) -> bool:
    return platform in ADAPTERS or platform in RECEIVERS


# Platforms whose adapter cannot do anything without knowing the room.
ROOM_REQUIRED = {"youtube": "the live chat id", "twitch": "the channel login", "douyin": "the room id"}


class HealthBoard:
    """The capture receivers of this process, per (show, kind): a receiver is alive while its forwarder keeps
    sending, and "silent" when a busy one goes quiet longer than its usual gaps. Adapter processes report to the
    database instead (studio/comments/intake_health.py)."""

    def __init__(self) -> None:
        self._receivers: dict[str, dict[str, SourceStatus]] = {}
        self._lock = threading.Lock()

    def note_received(self, show_id: str, platform: str, new: int, duplicates: int) -> None:
        with self._lock:
            status = self._receivers.setdefault(show_id, {}).get(platform)
            if status is None:
                status = self._receivers[show_id][platform] = SourceStatus(platform, "")
                status.set("receiving")
        status.count(new, duplicates)
        if new:
            status.set("receiving")

    def note_error(self, show_id: str, platform: str, error: str) -> None:
        with self._lock:
            status = self._receivers.get(show_id, {}).get(platform)
        if status is not None:
            status.set(status.state, error)

    def list(self, show_id: str) -> list[dict]:
        with self._lock:
            statuses = list(self._receivers.get(show_id, {}).values())
        out = []
        for status in statuses:
            status.check_silent()
            view = status.snapshot()
            view.update(kind="receiver", stale=False, reported_at=time.time())
            out.append(view)
        return sorted(out, key=lambda e: e["platform"])


BOARD = HealthBoard()


def normalize_room(platform: str, room: str) -> str:
    """The room as adapters report it and configs are stored: a Twitch channel is its lower-case login."""
    room = (room or "").strip()
    return room.lstrip("#").lower() if platform == "twitch" else room
