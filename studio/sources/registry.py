"""Which sources exist, and how each one is doing.

`source_health(show_id)` is what the host console shows per source: state, connected, last message N s ago,
messages per minute, last error. Adapter processes report it (POST /api/shows/<show>/sources/health); the capture
receivers in this process note their own traffic. Kept in memory: health is about now, not history."""
from __future__ import annotations

import importlib
import threading
import time
from typing import Any, Mapping

from studio.sources.settings import COMMON, Setting, schema

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
    """Latest health per (show, platform, room); thread-safe, bounded by the number of configured sources."""

    def __init__(self) -> None:
        self._reports: dict[str, dict[tuple[str, str], dict]] = {}
        self._lock = threading.Lock()

    def report(self, show_id: str, report: dict) -> None:
        key = (report["platform"], report.get("room", ""))
        with self._lock:
            self._reports.setdefault(show_id, {})[key] = {**report, "reported_at": time.time()}

    def note_received(self, show_id: str, platform: str, new: int, duplicates: int) -> None:
        """A capture receiver got a delivery: it is 'connected' as long as its forwarder keeps sending."""
        now = time.time()
        with self._lock:
            entry = self._reports.setdefault(show_id, {}).setdefault((platform, ""), {
                "platform": platform, "room": "", "kind": "receiver", "state": "connected", "since": now,
                "last_error": "", "last_message_at": None, "received": 0, "duplicates": 0, "minute": [],
                "health_interval": None})
            entry["received"] += new
            entry["duplicates"] += duplicates
            entry["reported_at"] = now
            if new:
                entry["last_message_at"] = now
                entry["minute"] = [t for t in entry["minute"] if t[0] > now - 60] + [(now, new)]

    def note_error(self, show_id: str, platform: str, error: str) -> None:
        with self._lock:
            entry = self._reports.get(show_id, {}).get((platform, ""))
            if entry is not None:
                entry["last_error"] = error[:500]

    def list(self, show_id: str, now: float | None = None) -> list[dict]:
        now = time.time() if now is None else now
        with self._lock:
            entries = [dict(e) for e in self._reports.get(show_id, {}).values()]
        return sorted((self._view(e, now) for e in entries), key=lambda e: (e["platform"], e["room"]))

    @staticmethod
    def _view(entry: dict, now: float) -> dict:
        if entry.get("kind") == "receiver":
            entry["per_minute"] = sum(n for t, n in entry.pop("minute") if t > now - 60)
        interval = entry.pop("health_interval", None) or COMMON["health_interval"].default
        stale = entry.get("kind") != "receiver" and entry["state"] not in ("fatal", "stopped") \
            and now - entry["reported_at"] > STALE_INTERVALS * float(interval)
        last = entry.get("last_message_at")
        entry.update(stale=stale, connected=entry["state"] == "connected" and not stale,
                     last_message_ago=round(now - last, 1) if last else None)
        return entry


BOARD = HealthBoard()


def source_health(show_id: str) -> list[dict]:
    """Per source of the show: platform, room, kind, state, connected, last_message_ago, per_minute, last_error,
    stale (an adapter that stopped reporting). For the host console and the live "health" topic."""
    return BOARD.list(show_id)
