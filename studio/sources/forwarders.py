"""What the capture tools operators already run send, turned into comments, as-is (no changes on their side).

- wxlivespy (WeChat Channels, 视频号助手 capture): POSTs JSON, optionally gzip, of the decoded data
  `{host_info, live_info, events: [...]}` (or wrapped as `{original_url, original_body, decoded_data}`). Events
  with `decoded_type` "comment" are comments: `msg_id`, `content`, `nickname`, `msg_time` (ms), `seq` (may repeat),
  `decoded_openid` (stable for one streamer) or `sec_openid` (changes every live session).
- dycast (Douyin web capture): sends over a WebSocket, first the room info object, then JSON arrays of
  `DyMessage {id, method, user {id, name}, content}`; chat is `method` "WebcastChatMessage". Anonymous rooms show
  user id 111111 and masked names, which identify nobody.
- generic (our userscript and anything else): one comment, an array, or `{"comments": [...]}`; each
  `{"text" | "content", "user" | "username"?, "id"?, "ts"? (s or ms), "user_quality"?, "platform"?, "type"?}`.
"""
from __future__ import annotations

import re
import time
from collections.abc import Callable
from typing import Any

from studio.sources.base import Comment, epoch_seconds, synthetic_id
from studio.sources.contract import QUALITIES

ANONYMOUS_DOUYIN_IDS = ("", "0", "111111")
GENERIC_COMMENT_TYPES = ("", "comment", "chat", "danmaku", "message", "text")
PLATFORM_RE = re.compile(r"^[a-z0-9_-]{1,32}$")  # what the studio accepts as a platform name


class PayloadError(ValueError):
    pass


def _comment(platform: str, room: str, msg_id: Any, user: str, quality: str, text: Any, ts: float) -> Comment | None:
    if not isinstance(text, str) or not text.strip():
        return None  # not a comment (gift, like, entrance) or not text at all
    text = text.strip()
    user = str(user or "")
    msg_id = str(msg_id or "") or synthetic_id(platform, room, user, text, int(ts))
    return Comment(platform, room, msg_id, user, quality if user else "absent", text, ts)


def parse_wxlivespy(doc: Any, platform: str) -> list[Comment]:
    if not isinstance(doc, dict):
        raise PayloadError("wxlivespy sends a JSON object with events")
    data = doc.get("decoded_data", doc)
    if not isinstance(data, dict) or not isinstance(data.get("events", []), list):
        raise PayloadError("no events list in the wxlivespy payload")
    live = data.get("live_info") or {}
    room = str(live.get("live_id") or (data.get("host_info") or {}).get("wechat_uin") or "")
    out = []
    for e in data.get("events") or []:
        if not isinstance(e, dict) or e.get("decoded_type") != "comment":
            continue
        stable = str(e.get("decoded_openid") or "")
        user, quality = (stable, "stable") if stable else (str(e.get("sec_openid") or ""), "session")
        c = _comment(platform, room, e.get("msg_id"), user, quality, e.get("content"),
                     epoch_seconds(e.get("msg_time")))
        if c:
            out.append(c)
    return out


def parse_dycast(doc: Any, platform: str) -> list[Comment]:
    if isinstance(doc, dict):
        return []  # the room info dycast sends first
    if not isinstance(doc, list):
        raise PayloadError("dycast sends a JSON array of messages")
    out, now = [], time.time()
    for m in doc:
        if not isinstance(m, dict) or m.get("method") != "WebcastChatMessage":
            continue
        user = m.get("user") or {}
        uid, name = str(user.get("id") or ""), str(user.get("name") or "")
        if uid not in ANONYMOUS_DOUYIN_IDS:
            who, quality = uid, "stable"
        elif name and "*" not in name:
            who, quality = name, "session"  # a nickname: good enough within one show, no more
        else:
            who, quality = "", "absent"
        c = _comment(platform, "", m.get("id"), who, quality, m.get("content"), now)
        if c:
            out.append(c)
    return out


def parse_generic(doc: Any, platform: str) -> list[Comment]:
    items = doc.get("comments") if isinstance(doc, dict) and "comments" in doc else doc
    items = [items] if isinstance(items, dict) else items
    if not isinstance(items, list):
        raise PayloadError("send a comment object, an array of them, or {\"comments\": [...]}")
    out = []
    for it in items:
        if not isinstance(it, dict) or str(it.get("type") or "").lower() not in GENERIC_COMMENT_TYPES:
            continue
        user = str(it.get("user") or it.get("username") or it.get("nickname") or "")
        quality = it.get("user_quality") if it.get("user_quality") in QUALITIES else "session"
        label = str(it.get("platform") or "").lower()
        label = label if PLATFORM_RE.match(label) else platform
        c = _comment(label, str(it.get("room") or ""), it.get("id"), user, quality,
                     it.get("text", it.get("content")), epoch_seconds(it.get("ts"), time.time()))
        if c:
            out.append(c)
    return out


PARSERS: dict[str, Callable[[Any, str], list[Comment]]] = {
    "wxlivespy": parse_wxlivespy, "dycast": parse_dycast, "generic": parse_generic,
}
