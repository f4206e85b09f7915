"""Answers in chat (tier 1): replies composed for comments matched with high confidence to an item whose auto-reply
is on, in a show whose mode is not off.

Modes per show (off by default): suggest — the replies wait in the moderator panel, to be copied into the chat in
the order shown; approve — a moderator approves each, then the platform's poster sends it (where a bot may write;
elsewhere approving is copying); auto — posted at once where a poster exists, suggested elsewhere.
Each reply and its outcome is stored: suggested, copied, approved, posted, rejected (by the platform), rate_limited
(by the platform or our own limits before sending), dismissed.

Composing runs after the comments are stored and never waits for the database: `offer` composes in memory
(faq_catalog.replies) and queues the rows for a background writer. It costs a comment nothing unless its show's
mode is on, its item's auto-reply is on and its platform's room may take a reply now (`openings`, cached): the
engine looks for candidates only among those rows, and stops where the rooms fill up.

A product question (3号多少钱, 有货吗 with a product on air) is answered from that product's run-sheet facts whenever
the show's mode is on: the sheet is the show's own data, so it needs no auto-reply switch per item. A fact not settled
yet (empty, 待确认, 待定) has no answer, so its question gets no reply; the rundown lists the fact for the producer.
"""
from __future__ import annotations

import time
from collections.abc import Callable, Collection, Iterable

from sqlalchemy import insert, select

from faq_catalog.replies import Openings, ReplyComposer, ReplyFacts
from studio.blocks.off_loop import off_loop
from studio.blocks.queued_writer import QueuedWriter
from studio.errors import Conflict, Invalid, NotFound
from studio.ladder.chat_posters import ChatPosters
from studio.ladder.posters import checked
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
    def __init__(self, db, catalog, on_change: Callable[[str], None], secret_key: str,
                 product_answers: Callable[[str], dict[str, str]] = lambda show_id: {}):
        self.db = db
        self.catalog = catalog
        self.on_change = on_change
        self.product_answers = product_answers  # show → {product ask slug: the answer from its settled facts}
        self.composer = ReplyComposer()
        # (show, platform) → a poster with post(show_id, text) → (outcome, error), its token sealed in the database
        self.posters = ChatPosters(db, secret_key)
        self._modes: dict[str, tuple[float, str]] = {}
        self._items: tuple[float, dict[str, tuple[bool, list]]] | None = None
        self._shelves: dict[str, tuple[float, dict[str, dict]]] = {}
        self._answering: dict[str, tuple[float, dict[str, ReplyFacts]]] = {}  # show → items a reply may be about
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
        self._answering.pop(show_id, None)
        self.on_change(show_id)
        return self.settings(show_id)

    def settings(self, show_id: str) -> dict:
        return {"show": show_id, "mode": self.mode(show_id), "modes": list(MODES),
                "can_post": self.can_post(show_id), "posters": self.posters.public(show_id)}

    def can_post(self, show_id: str) -> list[str]:
        return self.posters.platforms(show_id)

    def set_poster(self, show_id: str, platform: str, data: dict | None) -> dict:
        """A platform's poster for the show from a request's settings (None: posting there stops)."""
        if data is None:
            self.posters.remove(show_id, platform)
        else:
            settings, scopes = checked(platform, data)
            self.posters.set(show_id, platform, settings, scopes)
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
        self._answering.clear()
        return {"slug": slug, "enabled": enabled, "templates": templates}

    def get_item(self, slug: str) -> dict:
        self.catalog.get(slug)
        enabled, templates = self.item_settings().get(slug, (False, []))
        return {"slug": slug, "enabled": enabled, "templates": templates}

    # -- composing -------------------------------------------------------------------------------------------

    def openings(self, show_id: str, platforms: Collection[str], now: float | None = None) -> Openings | None:
        """What a batch of this show on these platforms may get replies about now: None while the mode is off, no
        item on the shelf has its auto-reply on (and an answer) or every room is full."""
        if self.mode(show_id) == "off":
            return None
        return self.composer.openings(show_id, self._answer_items(show_id).keys(), platforms,
                                      time.time() if now is None else now)

    def _answer_items(self, show_id: str) -> dict[str, ReplyFacts]:
        cached = self._answering.get(show_id)
        now = time.monotonic()
        if cached is None or now - cached[0] > SETTINGS_TTL:
            entries = self._shelf(show_id)
            items = {}
            for slug, (enabled, templates) in self.item_settings().items():
                entry = entries.get(slug)
                if enabled and entry is not None and entry["answer"]:
                    items[slug] = ReplyFacts(entry["number"], entry["question"].rstrip("？?"), entry["answer"],
                                            tuple(templates))
            # The answer names its product itself (3号 …): the templates without a link number.
            items.update((slug, ReplyFacts(None, "", text)) for slug, text in self.product_answers(show_id).items())
            cached = self._answering[show_id] = (now, items)
        return cached[1]

    def offer(self, show_id: str, rows: Iterable[dict], openings: Openings | None = None) -> None:
        """Comments the engine found answerable (matched with high confidence to one of the `openings`, not routed
        to a person), each {platform, user_hash, name, text, slug, score, ts}."""
        mode = self.mode(show_id)
        if mode == "off":
            return
        now = time.time()
        done, skipped = self.composer.compose_many(show_id, rows, self._answer_items(show_id), now, openings)
        for reason, n in skipped.items():
            self.skipped[reason] = self.skipped.get(reason, 0) + n
        self._writer.add([{"show_id": show_id, "platform": r["platform"], "slug": r["slug"],
                           "user_hash": r["user_hash"], "comment_text": r["text"], "text": c.text,
                           "template": c.template, "mode": mode,
                           "state": "approved" if mode == "auto" and self.posters.has(show_id, r["platform"])
                           else "suggested", "error": "", "created_at": now} for r, c in done])

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
        self._answering.clear()

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
                r.state = "approved" if self.posters.has(show_id, r.platform) else "copied"
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
            poster = self.posters.get(show_id, platform)
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
