"""Answers in chat (tier 1): replies composed for comments matched with high confidence to an item whose auto-reply
is on, in a show whose mode is not off.

Modes per show (off by default): suggest — the replies wait in the moderator panel, to be copied into the chat in
the order shown; approve — a moderator approves each, then the platform's poster sends it (where a bot may write;
elsewhere approving is copying); auto — posted at once where a poster exists, suggested elsewhere.
Each reply and its outcome is stored: suggested, copied, approved, posted, rejected (by the platform), rate_limited
(by the platform or our own limits before sending), dismissed.

Composing runs after the comments are stored and never waits for the database: `offer` composes in memory
(faq_catalog.replies) and queues the rows for a background writer, like the case desk.

A product question (3号多少钱, 有货吗 with a product on air) is answered from the run sheet's facts of that product
whenever the show's mode is on: the sheet is the show's own data, so it needs no auto-reply switch per item. A fact
not settled yet (待确认) is never answered: the comment gets no reply (counted as skipped `fact_unsettled`), and the
rundown lists the fact for the producer to fill.
"""
from __future__ import annotations

import time
from collections.abc import Callable

from sqlalchemy import insert, select

from faq_catalog.replies import ReplyComposer
from studio.blocks.off_loop import off_loop
from studio.blocks.queued_writer import QueuedWriter
from studio.errors import Conflict, Invalid, NotFound
from studio.store.models import ChatReply, ReplyItem, ReplySetting, Show
from studio.store.shows import shelf

MODES = ("off", "suggest", "approve", "auto")
ACTIONS = ("copied", "approve", "dismissed")
OPEN = ("suggested", "approved")
LISTED = 100
SETTINGS_TTL = 1.0  # another process's mode change reaches this one within a second
SHELF_TTL = 5.0
MAX_TEMPLATES = 10


def reply_dict(r: ChatReply) -> dict:
    return {"id": r.id, "show": r.show_id, "platform": r.platform, "slug": r.slug, "viewer": r.user_hash,
            "comment": r.comment_text, "text": r.text, "template": r.template, "mode": r.mode, "state": r.state,
            "error": r.error, "created_at": r.created_at, "decided_at": r.decided_at, "decided_by": r.decided_by,
            "posted_at": r.posted_at}


class ReplyDesk:
    def __init__(self, db, catalog, on_change: Callable[[str], None],
                 product_reply: Callable[[str, str], str | None] = lambda show_id, slug: None,
                 is_product: Callable[[str], bool] = lambda slug: False):
        self.db = db
        self.catalog = catalog
        self.on_change = on_change
        self.product_reply = product_reply  # (show, product ask slug) → the answer from its facts, or None
        self.is_product = is_product
        self.composer = ReplyComposer()
        # (show, platform) → a poster with post(show_id, text) → (outcome, error); kept in this process only
        self.posters: dict[tuple[str, str], object] = {}
        self._modes: dict[str, tuple[float, str]] = {}
        self._items: tuple[float, dict[str, tuple[bool, list]]] | None = None
        self._shelves: dict[str, tuple[float, dict[str, dict]]] = {}
        self._writer = QueuedWriter(self._insert, self._written, 2000, "composed replies")
        self.skipped: dict[str, int] = {}

    # -- settings ---------------------------------------------------------------------------------------------

    def mode(self, show_id: str) -> str:
        cached = self._modes.get(show_id)
        now = time.monotonic()
        if cached is None or now - cached[0] > SETTINGS_TTL:
            with self.db.session() as s:
                row = s.get(ReplySetting, show_id)
            cached = self._modes[show_id] = (now, row.mode if row else "off")
        return cached[1]

    def set_mode(self, show_id: str, mode: str) -> dict:
        if mode not in MODES:
            raise Invalid(f"mode must be one of {', '.join(MODES)}")
        with self.db.session() as s:
            if s.get(Show, show_id) is None:
                raise NotFound(f"no show {show_id}")
            row = s.get(ReplySetting, show_id)
            if row is None:
                s.add(ReplySetting(show_id=show_id, mode=mode, updated_at=time.time()))
            else:
                row.mode, row.updated_at = mode, time.time()
        self._modes[show_id] = (time.monotonic(), mode)  # at once in this process
        self.on_change(show_id)
        return self.settings(show_id)

    def settings(self, show_id: str) -> dict:
        return {"show": show_id, "mode": self.mode(show_id), "modes": list(MODES),
                "can_post": self.can_post(show_id)}

    def can_post(self, show_id: str) -> list[str]:
        return sorted(p for s, p in self.posters if s == show_id)

    def set_poster(self, show_id: str, platform: str, poster) -> dict:
        old = self.posters.pop((show_id, platform), None)
        if old is not None:
            old.close()
        if poster is not None:
            self.posters[(show_id, platform)] = poster
        self.on_change(show_id)
        return self.settings(show_id)

    def item_settings(self) -> dict[str, tuple[bool, list]]:
        now = time.monotonic()
        if self._items is None or now - self._items[0] > SETTINGS_TTL:
            with self.db.session() as s:
                rows = s.scalars(select(ReplyItem)).all()
                self._items = (now, {r.slug: (r.enabled, list(r.templates or ())) for r in rows})
        return self._items[1]

    def set_item(self, slug: str, enabled, templates) -> dict:
        if not isinstance(enabled, bool):
            raise Invalid("enabled must be true or false")
        if templates is None:
            templates = []
        if (not isinstance(templates, list) or len(templates) > MAX_TEMPLATES
                or not all(isinstance(t, str) and 0 < len(t.strip()) <= 200 for t in templates)):
            raise Invalid(f"templates must be a list of at most {MAX_TEMPLATES} texts of 1-200 characters")
        unknown = [t for t in templates if any(k not in ("name", "number", "topic", "answer")
                                               for k in _placeholders(t))]
        if unknown:
            raise Invalid("templates may use only {name}, {number}, {topic} and {answer}")
        self.catalog.get(slug)  # NotFound for an unknown item
        with self.db.session() as s:
            row = s.get(ReplyItem, slug)
            if row is None:
                s.add(ReplyItem(slug=slug, enabled=enabled, templates=templates))
            else:
                row.enabled, row.templates = enabled, templates
        self._items = None
        return {"slug": slug, "enabled": enabled, "templates": templates}

    def get_item(self, slug: str) -> dict:
        self.catalog.get(slug)
        enabled, templates = self.item_settings().get(slug, (False, []))
        return {"slug": slug, "enabled": enabled, "templates": templates}

    # -- composing -------------------------------------------------------------------------------------------

    def offer(self, show_id: str, rows: list[dict]) -> None:
        """Comments the engine found answerable (matched with high confidence, not routed to a person)."""
        mode = self.mode(show_id)
        if mode == "off":
            return
        items = self.item_settings()
        if not any(items.get(r["slug"], (False,))[0] or self.is_product(r["slug"]) for r in rows):
            return
        entries = self._shelf(show_id)
        now = time.time()
        composed = []
        for r in rows:
            if self.is_product(r["slug"]):
                answer = self.product_reply(show_id, r["slug"])
                if answer is None:
                    self.skipped["fact_unsettled"] = self.skipped.get("fact_unsettled", 0) + 1
                    continue
                # The answer names the product's number itself (3号 …): the templates without a link number.
                number, topic, templates = None, "", []
            else:
                enabled, templates = items.get(r["slug"], (False, []))
                entry = entries.get(r["slug"])
                if not enabled or entry is None or not entry["answer"]:
                    continue
                number, topic, answer = entry["number"], entry["question"].rstrip("？?"), entry["answer"]
            c = self.composer.compose(show_id, r["platform"], r["user_hash"], r["name"], r["slug"], number,
                                      topic, answer, templates, now)
            if c.text is None:
                self.skipped[c.skipped] = self.skipped.get(c.skipped, 0) + 1
                continue
            composed.append({"show_id": show_id, "platform": r["platform"], "slug": r["slug"],
                             "user_hash": r["user_hash"], "comment_text": r["text"], "text": c.text,
                             "template": c.template, "mode": mode,
                             "state": "approved" if mode == "auto" and (show_id, r["platform"]) in self.posters
                             else "suggested", "error": "", "created_at": now})
        self._writer.add(composed)

    def _shelf(self, show_id: str) -> dict[str, dict]:
        cached = self._shelves.get(show_id)
        now = time.monotonic()
        if cached is None or now - cached[0] > SHELF_TTL:
            try:
                cached = self._shelves[show_id] = (now, {e["slug"]: e for e in shelf(self.db, show_id)})
            except NotFound:
                return {}
        return cached[1]

    def catalog_changed(self) -> None:
        self._shelves.clear()

    # -- the writer ------------------------------------------------------------------------------------------

    def start(self, spawn) -> None:
        self._writer.start(spawn)

    def stop(self) -> None:
        self._writer.stop()

    def _written(self, rows: list[dict]) -> None:
        shows = {r["show_id"] for r in rows}
        if any(r["state"] == "approved" for r in rows):
            for show_id in shows:
                self._post_approved(show_id)
        for show_id in shows:
            self.on_change(show_id)

    def _insert(self, rows: list[dict]) -> None:
        with self.db.session() as s:
            s.execute(insert(ChatReply), rows)

    # -- the moderator's panel -------------------------------------------------------------------------------

    def panel(self, show_id: str) -> dict:
        """Open replies in paste order (oldest first), then the latest decided ones (newest first)."""
        return off_loop(self._panel, show_id)

    def _panel(self, show_id: str) -> dict:
        with self.db.session() as s:
            open_rows = s.scalars(select(ChatReply).where(ChatReply.show_id == show_id, ChatReply.state.in_(OPEN))
                                  .order_by(ChatReply.created_at, ChatReply.id).limit(LISTED)).all()
            done = s.scalars(select(ChatReply).where(ChatReply.show_id == show_id, ChatReply.state.not_in(OPEN))
                             .order_by(ChatReply.id.desc()).limit(LISTED)).all()
            return {"mode": self.mode(show_id), "can_post": self.can_post(show_id),
                    "items": [reply_dict(r) for r in open_rows], "done": [reply_dict(r) for r in done],
                    "skipped": dict(self.skipped), "at": time.time()}

    def act(self, show_id: str, reply_id: int, action: str, who: str) -> dict:
        """copied (the moderator pasted it), approve (post it, or copy where no bot may write), dismissed."""
        if action not in ACTIONS:
            raise Invalid(f"action must be one of {', '.join(ACTIONS)}")
        with self.db.session() as s:
            r = s.scalar(select(ChatReply).where(ChatReply.id == reply_id, ChatReply.show_id == show_id)
                         .with_for_update())
            if r is None:
                raise NotFound(f"no reply {reply_id} in show {show_id}")
            if r.state != "suggested":
                raise Conflict(f"reply {reply_id} is already {r.state}", reply=reply_dict(r))
            if action == "approve":
                r.state = "approved" if (show_id, r.platform) in self.posters else "copied"
            else:
                r.state = action
            r.decided_at, r.decided_by = time.time(), who
            post = r.state == "approved"
        if post:
            self._post_approved(show_id)
        self.on_change(show_id)
        return self.get(show_id, reply_id)

    def get(self, show_id: str, reply_id: int) -> dict:
        with self.db.session() as s:
            r = s.scalar(select(ChatReply).where(ChatReply.id == reply_id, ChatReply.show_id == show_id))
            if r is None:
                raise NotFound(f"no reply {reply_id} in show {show_id}")
            return reply_dict(r)

    def _post_approved(self, show_id: str) -> None:
        """Send the approved replies of a show through their platform's poster, oldest first."""
        with self.db.session() as s:
            rows = s.execute(select(ChatReply.id, ChatReply.platform, ChatReply.text)
                             .where(ChatReply.show_id == show_id, ChatReply.state == "approved")
                             .order_by(ChatReply.id)).all()
        for rid, platform, text in rows:
            poster = self.posters.get((show_id, platform))
            if poster is None:
                continue
            try:
                state, error = poster.post(show_id, text)
            except Exception as e:  # noqa: BLE001 - a poster's failure is the reply's outcome, not the request's
                state, error = "rejected", str(e)[:300]
            with self.db.session() as s:
                r = s.get(ChatReply, rid)
                r.state, r.error = state, (error or "")[:300]
                if state == "posted":
                    r.posted_at = time.time()


def _placeholders(template: str) -> list[str]:
    import re
    return re.findall(r"\{(\w*)\}", template)
