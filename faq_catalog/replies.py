"""Answers in chat (tier 1): a short reply composed from an FAQ item for a comment matched with high confidence.

"@小*: 发货时间见1号链接: 付款后48小时内发货" — the viewer's name masked, the item's link number, the item's short
answer, worded by one of several templates taken in turn, never the same text twice in a row in a room. Rate limits
per viewer and per room keep the bot from answering one person again and again or flooding the chat; the room limit
is never above what the platform documents for a bot (PLATFORM_LIMITS). Plain Python: no Flask, no database.
"""
from __future__ import annotations

import time
from collections import Counter, OrderedDict, deque
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from itertools import compress, count
from operator import and_, attrgetter
from typing import NamedTuple

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


@lru_cache(maxsize=4096)
def mask_name(name: str | None) -> str:
    """The first character, then one * (小明 → 小*, alice → a*); '' when there is no name."""
    name = (name or "").strip().lstrip("@")
    if not name:
        return ""
    return name[0] + "*"


@dataclass(frozen=True, slots=True)
class ReplyFacts:
    """What a reply about one item says: its link number (None off the shelf's numbering), topic, answer and the
    templates the crew wrote (none: the defaults)."""
    number: int | None
    topic: str
    answer: str
    templates: tuple[str, ...] = ()


_SLUG = attrgetter("slug")


@dataclass(slots=True)
class Openings:
    """What a batch's comments may get replies about: the items whose auto-reply is on, and the platforms whose
    room may take a reply now (composing takes out the rooms that fill up, and the rows still to read follow)."""
    slugs: Collection[str]
    platforms: set[str]


def answerable(matches: list, platforms: Iterable[str], openings: Openings,
               skip: Collection[int] = ()) -> Iterator[int]:
    """The rows whose match may get a reply, in order and lazily: matched to one of the openings' items with at least
    MIN_SCORE, on a platform whose room is still open when the row is read, not in `skip` (routed to a person,
    already stored). `platforms`: each row's (any iterable). The reading runs in C; only those rows are looked at
    in Python."""
    hits = map(and_, map(openings.slugs.__contains__, map(_SLUG, matches)),
               map(openings.platforms.__contains__, platforms))
    return (i for i in compress(count(), hits) if matches[i].score >= MIN_SCORE and i not in skip)


class Composed(NamedTuple):  # a tuple: made for every candidate, so made cheaply
    text: str | None  # None: not composed, see `skipped`
    template: int = -1
    skipped: str = ""  # rate_limited_viewer | rate_limited_room | repeat


VIEWER_LIMITED = Composed(None, skipped="rate_limited_viewer")
ROOM_LIMITED = Composed(None, skipped="rate_limited_room")
REPEATED = Composed(None, skipped="repeat")


class Windows:
    """At most `limit` events per `per` seconds for each key, bounded in keys (the least recently used go)."""

    def __init__(self, max_keys: int = 100_000):
        self._events: OrderedDict[object, deque] = OrderedDict()
        self._max = max_keys

    def allow(self, key, limit: int, per: float, now: float, take: bool = True) -> bool:
        events = self.events(key, per, now)
        ok = len(events) < limit
        if ok and take:
            events.append(now)
        return ok

    def events(self, key, per: float, now: float) -> deque:
        """The key's events within the last `per` seconds (append to it to take one)."""
        events = self._events.get(key)
        if events is None:
            while len(self._events) >= self._max:
                self._events.popitem(last=False)
            events = self._events[key] = deque()
        else:
            self._events.move_to_end(key)
            while events and events[0] <= now - per:
                events.popleft()
        return events


class ReplyComposer:
    """Templates in turn per item, the last text per room, the rate limits. One per process."""

    def __init__(self, viewer_every: float = VIEWER_EVERY, max_viewers: int = 100_000):
        self.viewer_every = viewer_every
        self._turn: dict[tuple[str, str], int] = {}
        self._last: dict[str, str] = {}
        self._windows = Windows()  # (room, platform) → the replies sent into it lately
        self._answered: OrderedDict[tuple[str, str], float] = OrderedDict()  # (room, viewer) → last reply's time
        self._max_viewers = max_viewers

    @staticmethod
    def room_limit(platform: str, wanted: tuple[int, float] | None = None) -> tuple[int, float]:
        """The show's room limit, never above the platform's documented one."""
        cap = PLATFORM_LIMITS.get(platform, DEFAULT_ROOM_LIMIT)
        if wanted is None:
            return cap
        return (min(wanted[0], cap[0]), max(wanted[1], cap[1])) if wanted[0] / wanted[1] > cap[0] / cap[1] else wanted

    def openings(self, room: str, slugs: Collection[str], platforms: Collection[str], now: float) -> Openings | None:
        """The openings of a batch on these platforms: None when no item is on or every room is full."""
        if not slugs:
            return None
        open_rooms = {p for p in platforms if self.room_open(room, p, now)}
        return Openings(slugs, open_rooms) if open_rooms else None

    def room_open(self, room: str, platform: str, now: float) -> bool:
        """Whether the room may take one more reply now (nothing is taken)."""
        limit, per = self.room_limit(platform)
        return len(self._windows.events((room, platform), per, now)) < limit

    def compose_many(self, room: str, candidates: Iterable[dict], items: dict[str, ReplyFacts], now: float,
                     openings: Openings | None = None) -> tuple[list[tuple[dict, Composed]], Counter]:
        """Replies for candidates {platform, user_hash, name, slug, …} of one room, in order, with what was
        skipped and why. A platform whose room fills up leaves `openings` (the candidates still to come from
        `answerable` skip it without being built); once no room is open, the rest are not read."""
        out: list[tuple[dict, Composed]] = []
        skipped: Counter = Counter()
        full: set[str] = set()
        for c in candidates:
            item = items.get(c["slug"])
            if item is None:
                continue
            platform = c["platform"]
            if platform in full:
                skipped["rate_limited_room"] += 1
                continue
            got = self.compose(room, platform, c["user_hash"], c["name"], c["slug"], item.number, item.topic,
                               item.answer, item.templates, now)
            if got.text is not None:
                out.append((c, got))
            else:
                skipped[got.skipped] += 1
                if got.skipped == "rate_limited_room":
                    full.add(platform)
                    if openings is not None:
                        openings.platforms.discard(platform)
                        if not openings.platforms:
                            break
        return out, skipped

    def compose(self, room: str, platform: str, viewer: str, name: str | None, slug: str, number: int | None,
                topic: str, answer: str, templates: list[str] | tuple[str, ...] = (), now: float | None = None,
                room_limit: tuple[int, float] | None = None) -> Composed:
        now = time.time() if now is None else now
        limit, per = self.room_limit(platform, room_limit)
        if viewer:
            seen = (room, viewer)
            last = self._answered.get(seen)
            if last is not None and now - last < self.viewer_every:
                return VIEWER_LIMITED
        sent = self._windows.events((room, platform), per, now)
        if len(sent) >= limit:
            return ROOM_LIMITED
        pool = [t for t in templates if t.strip()] or (DEFAULT_TEMPLATES if number is not None else NO_LINK_TEMPLATES)
        turn = self._turn.get((room, slug), 0)
        masked = mask_name(name)
        last_text = self._last.get(room)
        text, chosen = None, -1
        for k in range(len(pool)):
            i = (turn + k) % len(pool)
            candidate = fill(pool[i], masked, number, topic, answer)
            if candidate and candidate != last_text:
                text, chosen = candidate, i
                break
        if text is None:
            return REPEATED
        self._turn[(room, slug)] = chosen + 1
        self._last[room] = text
        if viewer:
            self._answered[seen] = now
            self._answered.move_to_end(seen)
            if len(self._answered) > self._max_viewers:
                self._answered.popitem(last=False)
        sent.append(now)
        return Composed(text, chosen)


@lru_cache(maxsize=4096)  # per item, template and masked name: the few texts a room's replies are made of
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
