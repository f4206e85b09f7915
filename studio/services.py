"""The composition root: `Studio` builds every service of one process in dependency order and wires every
listener in one place. `studio.app.create_app` puts the HTTP and Socket.IO edge around it."""
from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

from studio.access.hashing import salted_id
from studio.analytics.report_cache import ReportCache
from studio.comments.engine import CommentEngine
from studio.comments.inbox import Inbox
from studio.comments.intake_health import IntakeHealth
from studio.comments.receivers import ReceiverHealth
from studio.ladder.cases import CaseDesk
from studio.ladder.replies import ReplyDesk
from studio.live import topics
from studio.live.channels import LiveChannels
from studio.onair.obs_link import ObsLink
from studio.onair.onair import OnAir
from studio.products.products import Products
from studio.scale.catalog_sync import CatalogSync
from studio.scale.degraded import DegradedProbe
from studio.scale.ownership import for_config
from studio.store import staff
from studio.store.catalog import CatalogStore
from studio.store.db import Database
from studio.store.decisions import DecisionStore
from studio.viewers.events import EventWriter
from studio.viewers.shelf_cache import ViewerState

if TYPE_CHECKING:
    from flask_socketio import SocketIO

log = logging.getLogger(__name__)

class Studio:
    """The services of one studio process, built and wired here in dependency order.

    Reachable in a request as `studio.http.context.studio()`. Everything a part needs from another part is a
    constructor argument or a listener registered in `_wire`; nothing is looked up at run time."""

    def __init__(self, config: dict, socketio: SocketIO):
        self.config = config
        self.socketio = socketio
        self._on_start: list[Callable[[], None]] = []
        self._on_stop: list[Callable[[], None]] = []
        # The store and the push channels everything else writes to.
        self.db = Database(config["DATABASE_URL"])
        self.catalog = CatalogStore(self.db)
        self.decisions = DecisionStore(self.db, self.catalog)  # what the crew taught the matcher
        self.live = LiveChannels(socketio, config["PUSH_INTERVAL"])
        self.public_ranking = topics.PublicRanking(self.db)  # what anyone may read of the ranking
        # What every comment source reports: states, reconnects and restarts, intake gaps.
        self.receivers = ReceiverHealth(config.get("RECEIVER_SILENT_MIN", 10.0))
        self.intake = IntakeHealth(self.db, self.receivers)
        # The run sheet's products: cards, rundown, and the product questions the engine ranks.
        self.products = Products(self.db, touch=lambda show_id, every=0.0: self.live.touch(show_id, "products",
                                                                                          every=every))
        # comment → match → board → ranking push; in the scaled mode a Redis lease and stream per show.
        owner, bus = for_config(config)
        self.engine = CommentEngine(self, owner, bus)
        # Tier 3: routed comments become cases in the specialist queue; "not ours" teaches the triage.
        self.cases = CaseDesk(self.db, on_change=lambda show_id: self.live.touch(show_id, "cases"),
                              on_not_ours=self.engine.triage.teach_not_ours)
        # Tier 1: answers in chat, composed for high-confidence matches (off by default per show).
        self.replies = ReplyDesk(self.db, self.catalog, on_change=lambda show_id: self.live.touch(show_id, "replies"),
                                 secret_key=config["SECRET_KEY"], product_answers=self.products.reply_answers)
        self.sources_inbox = Inbox(self.engine, socketio.start_background_task, self.receivers)
        # The show on air and its mirror in OBS.
        self.onair = OnAir(self.db, push=lambda show_id: self.live.push_now(show_id, "onair"))
        self.obs_link = ObsLink(self.db, config["SECRET_KEY"], self.onair,
                                on_status=lambda show_id: self.live.touch(show_id, "health"))
        # What viewers read and report.
        self.viewer = ViewerState(self.db, self.catalog)
        self.viewer_events = EventWriter(self.db)
        # What leads read: deflection reports over the stored comments, viewer events and contacts.
        self.reports = ReportCache(self.db)
        # Process health and, scaled out, catalog edits made by other processes.
        self.degraded = DegradedProbe(self.db, config.get("REDIS_URL"), socketio)
        self.catalog_sync = CatalogSync.for_config(config, self.catalog)
        self._wire()

    def _wire(self) -> None:
        """Every listener, topic and background task, in one place; start runs them in this order, stop in reverse."""
        self.catalog.on_change(self.engine.catalog_changed)
        self.catalog.on_change(self.onair.forget)
        self.catalog.on_change(self.viewer.invalidate)
        self.onair.on_change(self._note_on_air)
        self.engine.on_routed(self.cases.stored)
        self.engine.on_answerable(self.replies.offer, wants=self.replies.openings)
        self.catalog.on_change(self.replies.catalog_changed)
        self.onair.on_change(self.obs_link.apply)

        who = topics.audiences(self.public_ranking)
        self.live.provide("ranking", self.engine.ranking_snapshot, who["ranking"])
        paced = topics.WORK_LIST_EVERY
        self.live.provide("emerging", self.engine.emerging_snapshot, who["emerging"], every=paced)
        self.live.provide("review", self.engine.review_snapshot, who["review"], every=paced)
        self.live.provide("onair", lambda show_id: topics.onair(self.onair, show_id), who["onair"])
        self.live.provide("products", self.products.snapshot, who["products"])
        self.live.provide("shelf", lambda show_id: topics.shelf_topic(self.db, show_id), who["shelf"])
        self.live.provide("health", lambda show_id: topics.health(self.engine, self.obs_link, self.degraded,
                                                                  self.intake, self.onair, show_id), who["health"])
        self.live.provide("cases", self.cases_topic, topics.staff(*topics.CASE_ROLES), every=paced)
        self.live.provide("replies", lambda show_id: self.replies.panel(show_id)
                          if self.engine.show_exists(show_id) else None, topics.staff(*topics.SAMPLE_ROLES))

        spawn = self.socketio.start_background_task
        self._service(self.live.start)
        self._service(self.engine.start, self.engine.stop)
        self._service(self._learn_triage)
        self._service(lambda: self.replies.start(spawn), self.replies.stop)
        self._service(lambda: spawn(topics.health_ticker, self.socketio, self.onair, self.live))
        self._service(self.obs_link.start, self.obs_link.stop)
        self._service(lambda: self.viewer_events.start(spawn), self.viewer_events.stop)
        self._service(None, self.sources_inbox.flush)
        self._service(self.degraded.start)
        self._service(lambda: self.catalog_sync.start(spawn), self.catalog_sync.stop)

    def _service(self, start: Callable[[], None] | None, stop: Callable[[], None] | None = None) -> None:
        if start is not None:
            self._on_start.append(start)
        if stop is not None:
            self._on_stop.insert(0, stop)

    def _note_on_air(self, show_id: str, current: dict | None) -> None:
        if current is not None:  # a new answer: the ranking cools the item down
            self.engine.note_on_air(show_id, current["slug"], current["started_at"])

    def move_squad(self, name: str, show_id: str | None) -> dict:
        """The whole squad works `show_id` now: the cases its agents held in the show they leave go back to that
        show's queue (CaseDesk.hand_back), and their open pages are told (the desk follows them to the new show)."""
        moved = staff.move_squad(self.db, name, show_id)
        left = moved["from"]
        moved["handed_back"] = (self.cases.hand_back(left, moved["members"]) if left and left != show_id
                                else {"reopened": 0, "released": 0})
        for member in moved["members"]:
            self.live.tell(member, "assignment", {"squad": name, "from": left, "show": show_id})
        return moved

    def cases_topic(self, show_id: str) -> dict | None:
        """The specialist queue of a show (staff only: see http/sockets.py STAFF_TOPICS)."""
        return self.cases.queue(show_id) if self.engine.show_exists(show_id) else None

    def _learn_triage(self) -> None:
        try:
            for text in self.cases.not_ours_texts():
                self.engine.triage.teach_not_ours(text)
        except Exception:
            log.exception("loading what the crew taught the triage")

    def start(self) -> None:
        """Background work while serving (flushers, drivers); not run in CLI commands or tests that only use the
        app object."""
        for fn in self._on_start:
            fn()

    def stop(self) -> None:
        """Flushes that must run before the process exits (SIGTERM)."""
        for fn in self._on_stop:
            try:
                fn()
            except Exception:
                log.exception("stop hook failed")

    def pseudonym(self, kind: str, value: str) -> str:
        """Salted hash of a viewer or customer id: stable for counting, useless to read."""
        return salted_id(self.config["SECRET_KEY"], kind, value)
