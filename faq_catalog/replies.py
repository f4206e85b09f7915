"""Answers in chat (tier 1): a short reply composed from an FAQ item for a comment matched with high confidence.

"@小*: 发货时间见1号链接: 付款后48小时内发货" — the viewer's name masked, the item's link number, the item's short
answer, worded by one of several templates taken in turn, never the same text twice in a row in a room. Rate limits
per viewer and per room keep the bot from answering one person again and again or flooding the chat; the room limit
is never above what the platform documents for a bot (PLATFORM_LIMITS). Plain Python: no Flask, no database.
"""
from __future__ import annotations

import time
from collections import OrderedDict, deque
from dataclasses import dataclass

MIN_SCORE = 0.4  # the matcher's confidence (0..~0.8; 0.4 ≈ a clear winner above the threshold): replies need this
MAX_REPLY = 200  # characters: one chat line (Twitch allows 500, Douyin and Bilibili fewer)
DEFAULT_TEMPLATES = (
    "@{name}: {topic}见{number}号链接: {answer}",
    "@{name} {number}号链接有写: {answer}",
    "@{name}: {answer}（详见{number}号链接）",
)
NO_LINK_TEMPLATES = ("@{name}: {answer}", "@{name} {answer}")
# (messages, per seconds) a bot account may send into one room, as each platform documents it. Twitch: 20 per 30 s
# for an account that is not a moderator of the channel; the studio stays under that.
PLATFORM_LIMITS = {"twitch": (20, 30.0), "youtube": (10, 30.0)}
DEFAULT_ROOM_LIMIT = (10, 30.0)
VIEWER_EVERY = 120.0  # one reply per viewer per this many seconds


def mask_name(name: str | None) -> str:
    """The first character, then one * (小明 → 小*, alice → a*); '' when there is no name."""
    name = (name or "").strip().lstrip("@")
    if not name:
        return ""
    return name[0] + "*"


@dataclass(frozen=True, slots=True)
class Composed:
    text: str | None  # None: not composed, see `skipped`
    template: int = -1
    skipped: str = ""  # rate_limited_viewer | rate_limited_room | repeat


class Windows:
    """At most `limit` events per `per` seconds for each key, bounded in keys."""

    def __init__(self, max_keys: int = 100_000):
        self._events: OrderedDict[str, deque] = OrderedDict()
        self._max = max_keys

    def allow(self, key: str, limit: int, per: float, now: float, take: bool = True) -> bool:
        events = self._events.pop(key, None) or deque()
        while events and events[0] <= now - per:
            events.popleft()
        ok = len(events) < limit
        if ok and take:
            events.append(now)
        self._events[key] = events
        while len(self._events) > self._max:
            self._events.popitem(last=False)
        return ok


class ReplyComposer:
    """Templates in turn per item, the last text per room, the rate limits. One per process."""

    def __init__(self, viewer_every: float = VIEWER_EVERY):
        self.viewer_every = viewer_every
        self._turn: dict[tuple[str, str], int] = {}
        self._last: dict[str, str] = {}
        self._windows = Windows()

    @staticmethod
    def room_limit(platform: str, wanted: tuple[int, float] | None = None) -> tuple[int, float]:
        """The show's room limit, never above the platform's documented one."""
        cap = PLATFORM_LIMITS.get(platform, DEFAULT_ROOM_LIMIT)
        if wanted is None:
            return cap
        return (min(wanted[0], cap[0]), max(wanted[1], cap[1])) if wanted[0] / wanted[1] > cap[0] / cap[1] else wanted

    def compose(self, room: str, platform: str, viewer: str, name: str | None, slug: str, number: int | None,
                topic: str, answer: str, templates: list[str] | tuple[str, ...] = (), now: float | None = None,
                room_limit: tuple[int, float] | None = None) -> Composed:
        now = time.time() if now is None else now
        limit, per = self.room_limit(platform, room_limit)
        if viewer and not self._windows.allow(f"v|{room}|{viewer}", 1, self.viewer_every, now, take=False):
            return Composed(None, skipped="rate_limited_viewer")
        if not self._windows.allow(f"r|{room}|{platform}", limit, per, now, take=False):
            return Composed(None, skipped="rate_limited_room")
        pool = [t for t in templates if t.strip()] or list(DEFAULT_TEMPLATES if number is not None
                                                          else NO_LINK_TEMPLATES)
        turn = self._turn.get((room, slug), 0)
        masked = mask_name(name)
        text, chosen = None, -1
        for k in range(len(pool)):
            i = (turn + k) % len(pool)
            candidate = fill(pool[i], masked, number, topic, answer)
            if candidate and candidate != self._last.get(room):
                text, chosen = candidate, i
                break
        if text is None:
            return Composed(None, skipped="repeat")
        self._turn[(room, slug)] = chosen + 1
        self._last[room] = text
        if viewer:
            self._windows.allow(f"v|{room}|{viewer}", 1, self.viewer_every, now)
        self._windows.allow(f"r|{room}|{platform}", limit, per, now)
        return Composed(text, chosen)


def fill(template: str, masked: str, number: int | None, topic: str, answer: str) -> str:
    """A template's {name} {number} {topic} {answer} filled; without a name the "@{name}" part goes."""
    text = template
    if not masked:
        text = text.replace("@{name}: ", "").replace("@{name}：", "").replace("@{name} ", "").replace("@{name}", "")
    values = {"name": masked, "number": "" if number is None else str(number), "topic": topic, "answer": answer}
    for key, value in values.items():
        text = text.replace("{" + key + "}", value)
    text = " ".join(text.split())
    return text if len(text) <= MAX_REPLY else text[:MAX_REPLY - 1] + "…"
