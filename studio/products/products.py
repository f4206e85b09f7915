"""A show's products: run-sheet imports updated in place (with a report of what changed), a producer's edits, the
live "products" snapshot (cards, rundown, demand per product and fact) and each show's product matcher.

Every process reads the products from the database; a change touches the "products" topic (and, through the
matcher cache, the next comment's matching), so an open card or overlay shows it within one push interval."""
from __future__ import annotations

import threading
import time
from collections.abc import Callable

from sqlalchemy import delete, func, select

from faq_catalog.product_match import (
    FIELD_LABELS,
    ProductAsk,
    ProductFacts,
    ProductMatcher,
    answer,
    fact_reply,
)
from faq_catalog.product_match import FIELDS as ASK_FIELDS
from studio.errors import Invalid, NotFound
from studio.products.runsheet import (
    FACTS,
    SheetError,
    check_mapping,
    guess_mapping,
    parse,
    read_sheet,
    reheaded,
)
from studio.store.models import CommentCount, Product, RunSheetMapping
from studio.store.shows import get_show

MAX_SHEET_BYTES = 5 * 1024 * 1024
ON_AIR = ("讲解中", "直播中", "上播中", "on air", "on_air", "live")
DONE = ("已讲", "已播", "已讲完", "已下播", "done", "ended", "下架")
UPCOMING_SHOWN = 5
DEMAND_WINDOW = 1800  # seconds of asks shown per product
MATCHER_TTL = 5.0  # other processes' imports reach this one's matcher within this
SLUG_PREFIX = "product-"
MAX_VALUE = 200
CARDS_TTL = 2.0
ASK_PUSH_INTERVAL = 2.0


def ask_slug(number: int, field: str) -> str:
    """How a product question is stored and ranked beside FAQ items: one ranking row per product and fact."""
    return f"{SLUG_PREFIX}{number}-{field}"


def parse_slug(slug: str) -> tuple[int, str] | None:
    if not slug.startswith(SLUG_PREFIX):
        return None
    number, _, field = slug[len(SLUG_PREFIX):].partition("-")
    return (int(number), field) if number.isdigit() and field in ASK_FIELDS else None


def _state(fields: dict) -> str:
    status = (fields.get("status") or "").strip().lower()
    return "on_air" if status in ON_AIR else "done" if status in DONE else "planned"


def _time_key(fields: dict, position: int) -> tuple:
    t = fields.get("start_time") or ""
    return (t == "", t[-5:] if len(t) >= 5 else t, position)


class Products:
    def __init__(self, db, touch: Callable[..., None]):
        self.db = db
        self._touch = touch
        self._matchers: dict[str, tuple] = {}  # show → (read at, matcher, on air, to come, sheet version)
        self._lock = threading.Lock()
        self._cards: dict[str, tuple[float, tuple, list[dict]]] = {}
        self._rows: dict[str, tuple[tuple, list[dict]]] = {}
        self._answers: dict[str, tuple[tuple, dict[str, str]]] = {}

    # -- imports ---------------------------------------------------------------------------------------

    def import_sheet(self, show_id: str, data: bytes, filename: str, mapping: dict | None = None) -> dict:
        """Read, map and apply a sheet; all-or-nothing. Returns what changed: added, removed, changed (per product
        the fields with their old and new values), unchanged, and the mapping used."""
        if not data:
            raise Invalid("the run sheet is empty")
        if len(data) > MAX_SHEET_BYTES:
            raise Invalid(f"the run sheet is larger than {MAX_SHEET_BYTES // (1024 * 1024)} MB", 413)
        with self.db.session() as s:
            get_show(s, show_id)
        try:
            sheet = read_sheet(data, filename)
            sheet, mapping_used, source = self._mapping_for(sheet, mapping)
            parsed = parse(sheet, mapping_used)
        except SheetError as e:
            raise Invalid(str(e)) from None
        report = self._apply(show_id, parsed)
        self._remember(sheet.signature, sheet.headers, mapping_used)
        report.update(mapping=mapping_used, mapping_source=source, signature=sheet.signature,
                      rows=len(parsed.order))
        self._changed(show_id)
        return report

    def _mapping_for(self, sheet, given: dict | None) -> tuple:
        """(the sheet with its header found, header → field, where the mapping came from)."""
        if given is not None:
            if isinstance(given, dict):
                sheet = reheaded(sheet, [k for k in given if isinstance(k, str)])
            return sheet, check_mapping(sheet.headers, given), "given"
        with self.db.session() as s:
            row = s.get(RunSheetMapping, sheet.signature)
            if row is not None:
                return sheet, dict(row.mapping), "remembered"
        return sheet, guess_mapping(sheet.headers), "guessed"

    def _remember(self, signature: str, headers: list[str], mapping: dict[str, str]) -> None:
        with self.db.session() as s:
            row = s.get(RunSheetMapping, signature)
            if row is None:
                s.add(RunSheetMapping(signature=signature, headers=headers, mapping=mapping))
            else:
                row.mapping = mapping

    def _apply(self, show_id: str, parsed) -> dict:
        now = time.time()
        added, removed, changed, unchanged = [], [], [], 0
        with self.db.session() as s:
            old = {p.number: p for p in s.scalars(select(Product).where(Product.show_id == show_id))}
            for pos, number in enumerate(parsed.order):
                new_fields = parsed.products[number]
                row = old.get(number)
                if row is None:
                    s.add(Product(show_id=show_id, number=number, fields=new_fields, position=pos, updated_at=now))
                    added.append(number)
                    continue
                # A column the sheet has is the truth; a fact the sheet has no column for (a producer typed it in)
                # stays.
                merged = {k: v for k, v in row.fields.items() if k not in parsed.columns}
                merged.update(new_fields)
                diff = {k: [row.fields.get(k), merged.get(k)] for k in FACTS if row.fields.get(k) != merged.get(k)}
                if diff:
                    row.fields, row.updated_at = merged, now
                    changed.append({"number": number, "fields": diff})
                else:
                    unchanged += 1
                if row.position != pos:  # a new order is a change for whoever caches the sheet
                    row.position, row.updated_at = pos, now
            gone = sorted(set(old) - set(parsed.products))
            if gone:
                s.execute(delete(Product).where(Product.show_id == show_id, Product.number.in_(gone)))
            removed = gone
        return {"added": added, "removed": removed, "changed": changed, "unchanged": unchanged}

    # -- a producer's edits ---------------------------------------------------------------------------------

    def update(self, show_id: str, number: int, values: dict) -> dict:
        """Set facts of one product (an empty string clears one back to 待确认). Setting status 讲解中 ends the
        one on air before it."""
        bad = [k for k in values if k not in FACTS]
        if bad:
            raise Invalid(f"unknown field {bad[0]!r}; fields: {', '.join(FACTS)}")
        for k, v in values.items():
            if not isinstance(v, str) or len(v) > MAX_VALUE:
                raise Invalid(f"{k} must be text of at most {MAX_VALUE} characters")
        if "name" in values and not values["name"].strip():
            raise Invalid("name cannot be empty")
        with self.db.session() as s:
            get_show(s, show_id)
            row = s.get(Product, (show_id, number))
            if row is None:
                raise NotFound(f"no product {number} in this show's run sheet")
            fields = dict(row.fields)
            for k, v in values.items():
                if v.strip():
                    fields[k] = v.strip()
                else:
                    fields.pop(k, None)
            if _state(fields) == "on_air" and _state(row.fields) != "on_air":
                for other in s.scalars(select(Product).where(Product.show_id == show_id,
                                                             Product.number != number)):
                    if _state(other.fields) == "on_air":
                        other.fields = {**other.fields, "status": "已讲"}
            row.fields, row.updated_at = fields, time.time()
            result = self._item(row)
        self._changed(show_id)
        return result

    def _changed(self, show_id: str) -> None:
        with self._lock:
            self._matchers.pop(show_id, None)
            self._cards.pop(show_id, None)
        self._touch(show_id)

    # -- reading -----------------------------------------------------------------------------------------------

    @staticmethod
    def _item(p: Product) -> dict:
        return {"number": p.number, "fields": dict(p.fields), "state": _state(p.fields),
                "missing": [f for f in ASK_FIELDS if not p.fields.get(f)], "updated_at": p.updated_at}

    def items(self, show_id: str) -> list[dict]:
        """The show's products in sheet order. Read whole only when the sheet changed (a count and the newest
        change tell): a 500-row sheet is tens of milliseconds to load, and pushes and matching ask for it often."""
        with self.db.session() as s:
            get_show(s, show_id)
            version = tuple(s.execute(select(func.count(), func.max(Product.updated_at))
                                      .where(Product.show_id == show_id)).one())
            cached = self._rows.get(show_id)
            if cached is None or cached[0] != version:
                rows = s.execute(select(Product.number, Product.fields, Product.position, Product.updated_at)
                                 .where(Product.show_id == show_id).order_by(Product.position)).all()
                cached = self._rows[show_id] = (version, [self._item(r) for r in rows])
        return [dict(i) for i in cached[1]]

    def item(self, show_id: str, number: int) -> dict:
        with self.db.session() as s:
            row = s.get(Product, (show_id, number)) if show_id and len(show_id) <= 32 else None
            if row is None:
                raise NotFound(f"no product {number} in this show's run sheet")
            return self._item(row)

    def cards(self, show_id: str) -> tuple[tuple, list[dict]]:
        """The shelf's product strip: (a key that changes with the products, the products in sheet order), read
        at most every CARDS_TTL seconds per show (the shelf is the page a whole room opens at once)."""
        now = time.monotonic()
        cached = self._cards.get(show_id)
        if cached is None or now - cached[0] > CARDS_TTL:
            try:
                items = self.items(show_id)
            except NotFound:
                items = []
            key = tuple((i["number"], i["updated_at"]) for i in items)
            cached = self._cards[show_id] = (now, key, items)
        return cached[1], cached[2]

    @staticmethod
    def rundown(items: list[dict]) -> tuple[int | None, list[int]]:
        """The product on air (status 讲解中) and the ones to come, by planned time, then sheet order."""
        on_air = next((i["number"] for i in items if i["state"] == "on_air"), None)
        pos = {i["number"]: k for k, i in enumerate(items)}
        planned = sorted((i for i in items if i["state"] == "planned"),
                         key=lambda i: _time_key(i["fields"], pos[i["number"]]))
        return on_air, [i["number"] for i in planned]

    def demand(self, show_id: str, since: float) -> dict[int, dict[str, int]]:
        """Asks per product and fact since `since`, from the stored per-minute counts (every process sees them)."""
        with self.db.session() as s:
            rows = s.execute(select(CommentCount.slug, func.sum(CommentCount.count))
                             .where(CommentCount.show_id == show_id, CommentCount.slug.like(SLUG_PREFIX + "%"),
                                    CommentCount.minute >= int(since // 60))
                             .group_by(CommentCount.slug)).all()
        out: dict[int, dict[str, int]] = {}
        for slug, n in rows:
            key = parse_slug(slug)
            if key:
                out.setdefault(key[0], {})[key[1]] = int(n)
        return out

    def snapshot(self, show_id: str) -> dict | None:
        try:
            items = self.items(show_id)
        except NotFound:
            return None
        on_air, upcoming = self.rundown(items)
        asks = self.demand(show_id, time.time() - DEMAND_WINDOW) if items else {}
        for i in items:
            i["asks"] = asks.get(i["number"], {})
            i["asks_total"] = sum(i["asks"].values())
        # What to chase: products people ask about that still miss facts, most asked first.
        chase = sorted((i for i in items if i["missing"] and i["asks_total"] and i["state"] != "done"),
                       key=lambda i: -i["asks_total"])
        return {"items": items, "on_air": on_air, "next": upcoming[:UPCOMING_SHOWN],
                "chase": [{"number": i["number"], "name": i["fields"].get("name", ""), "asks": i["asks"],
                           "missing": i["missing"]} for i in chase[:10]],
                "at": time.time()}

    # -- matching ---------------------------------------------------------------------------------------------

    def matcher(self, show_id: str) -> tuple[ProductMatcher | None, int | None, tuple[int, ...]]:
        """The show's product matcher with the product on air and those to come; (None, …) without a sheet."""
        now = time.monotonic()
        cached = self._matchers.get(show_id)
        if cached is not None and now - cached[0] < MATCHER_TTL:
            return cached[1], cached[2], cached[3]
        try:
            items = self.items(show_id)
        except NotFound:
            items = []
        on_air, upcoming = self.rundown(items)
        if cached is not None and cached[4] == self._rows.get(show_id, (None,))[0] and cached[1] is not None:
            with self._lock:
                self._matchers[show_id] = (now, cached[1], on_air, tuple(upcoming), cached[4])
            return cached[1], on_air, tuple(upcoming)
        m = ProductMatcher([ProductFacts(i["number"], i["fields"].get("name", ""), i["fields"].get("shop", ""),
                                         i["fields"].get("category", "")) for i in items]) if items else None
        with self._lock:
            self._matchers[show_id] = (now, m, on_air, tuple(upcoming), self._rows.get(show_id, (None,))[0])
        return m, on_air, tuple(upcoming)

    @staticmethod
    def is_ask(slug: str) -> bool:
        return parse_slug(slug) is not None

    def label(self, show_id: str, slug: str) -> tuple[str, int] | None:
        """A ranking row's question and number for a product ask: "3号 小棕瓶精华 · 价格"."""
        key = parse_slug(slug)
        if key is None:
            return None
        m, _, _ = self.matcher(show_id)
        p = m.products.get(key[0]) if m else None
        return f"{p.name if p else key[0]} · {FIELD_LABELS[key[1]]}", key[0]

    def mark_asks(self, show_id: str, rows: list[dict], matches: list) -> dict[int, ProductAsk]:
        """Comments the FAQ matcher made of a batch, checked for product questions: a product ask takes the
        comment's slug (ask_slug) when it names the product, or when it means the one on air and no FAQ item
        answers it. Returns the asks it took, by row index."""
        pm, on_air, upcoming = self.matcher(show_id)
        if pm is None:
            return {}
        taken: dict[int, ProductAsk] = {}
        for i, (r, m) in enumerate(zip(rows, matches)):
            ask = pm.match(m.normalized, on_air, upcoming, faq_answered=m.slug is not None)
            if ask is None or ask.number is None:
                continue
            r["slug"], r["score"], r["is_question"] = ask_slug(ask.number, ask.field), 1.0, True
            taken[i] = ask
        if taken:
            # Demand moves with every product question; the cards and the rundown need it every few seconds, not
            # once per batch (a push carries the whole sheet). A producer's edit still goes at once.
            self._touch(show_id, every=ASK_PUSH_INTERVAL)
        return taken

    def reply_answers(self, show_id: str) -> dict[str, str]:
        """ask slug → what an answer in chat says, for every product and settled fact of the show (an unsettled one,
        待确认 or 待定, has none), from the cards (a change here at once, another process's within CARDS_TTL); built
        again only when the products changed."""
        key, items = self.cards(show_id)
        cached = self._answers.get(show_id)
        if cached is None or cached[0] != key:
            answers = {}
            for i in items:
                for f in ASK_FIELDS:
                    text = fact_reply(ProductAsk(i["number"], f, True), i["fields"])
                    if text is not None:
                        answers[ask_slug(i["number"], f)] = text
            cached = self._answers[show_id] = (key, answers)
        return cached[1]

    def answer(self, show_id: str, ask: ProductAsk) -> str:
        items = self.items(show_id)
        _, upcoming = self.rundown(items)
        return answer(ask, {i["number"]: i["fields"] for i in items}, tuple(upcoming))
