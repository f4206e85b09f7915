"""Which sources exist: platforms, their adapters and settings, the capture-tool receivers."""
from __future__ import annotations

import importlib
from collections.abc import Mapping
from typing import Any

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


def normalize_room(platform: str, room: str) -> str:
    """The room as adapters report it and configs are stored: a Twitch channel is its lower-case login."""
    room = (room or "").strip()
    return room.lstrip("#").lower() if platform == "twitch" else room
