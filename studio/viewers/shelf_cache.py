"""What viewers read, cached in-process: a big room is hundreds of thousands of phones on a few pages.

On-shelf items, each show's shelf (with its search index), the on-air poll and rendered viewer pages are
served from memory. Edits made in this process drop the caches at once (`CatalogStore.on_change`); short
time limits bound how stale another process's edits can look (scale-out runs several processes).
"""
from __future__ import annotations

import hashlib
import itertools
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import select

from faq_catalog.model import FaqItem
from faq_catalog.render import render_markdown
from faq_catalog.search import SearchEntry, ShelfSearch
from studio.blocks.bounded_cache import BoundedCache
from studio.errors import NotFound
from studio.store.models import Segment, Show
from studio.store.shows import get_show, shelf

ITEMS_TTL = 5.0
SHELF_TTL = 5.0
NOW_TTL = 1.0  # the shelf polls every few seconds: one query per show per second, whatever the audience
MAX_SHOWS = 2000  # unknown show ids are cached too (as None), so a flood of made-up ids stays bounded
MAX_PAGES = 5000


@dataclass(frozen=True)
class ShelfCard:
    number: int
    slug: str
    question: str
    answer: str
    category: str


@dataclass
class ShowShelf:
    show_id: str
    title: str
    status: str
    revision: int
    cards: list[ShelfCard]
    search: ShelfSearch
    generation: int  # tells rendered pages of this load apart from those of an earlier one
    numbers: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class NowState:
    """The body and ETag of GET /api/shows/<show>/now."""
    on_air: str | None
    number: int | None
    revision: int
    body: bytes
    etag: str


class ViewerState:
    def __init__(self, db, catalog):
        self.db = db
        self.catalog = catalog
        self._lock = threading.Lock()
        self._items: tuple[float, dict[str, FaqItem]] = (0.0, {})
        self._shelves: dict[str, tuple[float, ShowShelf | None]] = {}
        self._now: dict[str, tuple[float, NowState | None]] = {}
        self._pages: BoundedCache[tuple, bytes] = BoundedCache(MAX_PAGES)
        self._bodies: BoundedCache[tuple[str, int], str] = BoundedCache(MAX_PAGES)
        self._generation = itertools.count(1)

    def invalidate(self) -> None:
        with self._lock:
            self._items = (0.0, {})
            self._shelves.clear()
            self._pages.clear()

    def item(self, slug: str) -> FaqItem | None:
        """An on-shelf item (drafts and archived items do not exist for viewers)."""
        expires, items = self._items
        if time.monotonic() >= expires:
            items = {i.slug: i for i in self.catalog.all("on_shelf")}
            self._items = (time.monotonic() + ITEMS_TTL, items)
        return items.get(slug)

    def shelf(self, show_id: str) -> ShowShelf | None:
        """The show's shelf as viewers see it (on-shelf items only), or None for an unknown show."""
        return self._cached(self._shelves, show_id, SHELF_TTL, self._load_shelf)

    def now(self, show_id: str) -> NowState | None:
        return self._cached(self._now, show_id, NOW_TTL, self._load_now)

    def page(self, key: tuple, render: Callable[[], str]) -> bytes:
        """A rendered viewer page (UTF-8), kept until the catalog or the shelf it shows changes."""
        return self._pages.get_or_make(key, lambda: render().encode())

    def page_html(self, slug: str, revision: int, body: str) -> str:
        """A solution page's Markdown rendered and sanitized, kept per revision."""
        return self._bodies.get_or_make((slug, revision), lambda: render_markdown(body))

    def _cached(self, table: dict, show_id: str, ttl: float, load: Callable):
        hit = table.get(show_id)
        now = time.monotonic()
        if hit is not None and now < hit[0]:
            return hit[1]
        value = load(show_id)
        with self._lock:
            if len(table) >= MAX_SHOWS:
                table.clear()
            table[show_id] = (now + ttl, value)
        return value

    def _load_shelf(self, show_id: str) -> ShowShelf | None:
        try:
            with self.db.session() as s:
                show = get_show(s, show_id)
                title, status, revision = show.title, show.status, show.revision
            rows = [r for r in shelf(self.db, show_id) if r["status"] == "on_shelf"]
        except NotFound:
            return None
        cards = [ShelfCard(r["number"], r["slug"], r["question"], r["answer"], r["category"]) for r in rows]
        search = ShelfSearch(SearchEntry(r["slug"], r["number"], r["question"], r["keywords"], r["examples"])
                             for r in rows)
        return ShowShelf(show_id, title, status, revision, cards, search, next(self._generation),
                         {c.slug: c.number for c in cards})

    def _load_now(self, show_id: str) -> NowState | None:
        if not show_id or len(show_id) > 32:
            return None
        with self.db.session() as s:
            revision = s.scalar(select(Show.revision).where(Show.id == show_id))
            if revision is None:
                return None
            slug = s.scalar(select(Segment.slug).where(Segment.show_id == show_id, Segment.ended_at.is_(None))
                            .order_by(Segment.started_at.desc()).limit(1))
        loaded = self._shelves.get(show_id)
        if loaded and loaded[1] and loaded[1].revision != revision:
            # Every shelf edit bumps the show's revision: the poll notices within a second, so the shelf does too.
            self._shelves.pop(show_id, None)
        shelf_now = self.shelf(show_id)
        number = shelf_now.numbers.get(slug) if shelf_now and slug else None
        body = json.dumps({"on_air": slug, "number": number, "revision": revision},
                          separators=(",", ":")).encode()
        return NowState(slug, number, revision, body, hashlib.sha1(body).hexdigest()[:20])
