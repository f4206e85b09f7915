"""Every live topic the studio serves on /live, and what fills it.

A provider answers one show's current snapshot (or None for a show that does not exist yet: subscribing early
is not an error, there is just nothing to show). The engine provides "ranking" and "emerging" itself; the topics
below compose several services, so they are defined here and registered by the composition root (studio/services.py).
"""
from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from studio.errors import NotFound
from studio.live.channels import PUBLIC, Audience, staff
from studio.store.shows import public_samples, shelf

log = logging.getLogger(__name__)
HEALTH_INTERVAL = 2.0  # "last comment N s ago" stays honest without one push per comment

# Who reads what, with the roles of the matching HTTP route: GET …/emerging is producer or host, GET …/sources
# (the health topic's platform connections) producer, host or lead. Admin reads everything.
SAMPLE_ROLES = ("producer", "host")
HEALTH_ROLES = ("producer", "host", "lead")
CASE_ROLES = ("producer", "host", "agent")  # the specialist queue: viewers' own cases
# What an overlay's ranking row needs; everything else of the board (boost) stays with staff.
PUBLIC_RANKING_FIELDS = ("slug", "number", "question", "score", "demand", "count_1m", "askers", "trend", "cooldown")
PUBLIC_SAMPLES = 2  # per row, when the show's overlay shows samples
SETTING_TTL = 2.0  # a producer's switch reaches the overlays within this many seconds
# Working lists a person reads and acts on (the review queue, emerging questions, the specialist queue): pushed at
# most this often per show. Each snapshot is matching or a query; four a second per show bought nobody anything.
WORK_LIST_EVERY = 1.0


class PublicRanking:
    """The ranking as anyone may read it (OBS, custom overlays, GET …/ranking without a staff role): the rows an
    overlay draws, no boost, and viewers' comment texts only when the show's overlay shows them (the show's
    `public_samples` switch). Samples never carry a viewer id; the board keeps none in them."""

    def __init__(self, db):
        self.db = db
        self._switch: dict[str, tuple[float, bool]] = {}

    def samples_on(self, show_id: str) -> bool:
        now = time.monotonic()
        cached = self._switch.get(show_id)
        if cached is None or now - cached[0] > SETTING_TTL:
            if len(self._switch) > 10_000:
                self._switch.clear()
            cached = self._switch[show_id] = (now, public_samples(self.db, show_id))
        return cached[1]

    def forget(self, show_id: str) -> None:
        self._switch.pop(show_id, None)

    def rows(self, show_id: str, rows: list[dict]) -> list[dict]:
        with_samples = bool(rows) and self.samples_on(show_id)
        out = []
        for row in rows:
            pub = {k: row[k] for k in PUBLIC_RANKING_FIELDS if k in row}
            if with_samples:
                pub["samples"] = [{"text": x["text"], "ts": x["ts"]} for x in row.get("samples", [])[:PUBLIC_SAMPLES]]
            out.append(pub)
        return out

    def __call__(self, show_id: str, data: dict | None) -> dict | None:
        if not data:
            return data
        return {**data, "items": self.rows(show_id, data.get("items") or [])}


def audiences(public_ranking: PublicRanking) -> dict[str, Audience]:
    """Every topic's audience, in one table (docs/socketio.md says the same)."""
    return {
        "onair": PUBLIC,
        "shelf": PUBLIC,
        "products": PUBLIC,  # the run sheet's facts, as the product cards show them to viewers
        "ranking": Audience(public_view=public_ranking),
        "emerging": staff(*SAMPLE_ROLES),
        "review": staff(*SAMPLE_ROLES),  # the crew's review queue: viewers' comments, like emerging
        "health": staff(*HEALTH_ROLES),
    }




def or_none(fn: Callable[[str], Any], show_id: str) -> Any:
    try:
        return fn(show_id)
    except NotFound:
        return None


def onair(onair_service, show_id: str) -> dict | None:
    return or_none(onair_service.state, show_id)


def shelf_topic(db, show_id: str) -> dict | None:
    """Numbers and questions for ranking overlays; PUT shelf touches it."""
    return or_none(lambda x: {"items": shelf(db, x)}, show_id)


def health(engine, obs_link, degraded, intake, onair_service, show_id: str) -> dict:
    """What the host needs to trust the screen: each platform connection, what each input delivers, the OBS link,
    and whether the show is live (a failed or silent source is an alarm only then)."""
    return {"sources": intake.list(show_id), "show_live": show_id in onair_service.live_shows(),
            "inputs": engine.input_health(show_id),
            "obs": obs_link.status(show_id), "problems": degraded.status()["problems"], "now": time.time()}


def health_ticker(socketio, onair_service, live) -> None:
    """Re-push every live show's health while it runs, so ages and rates move without events."""
    while True:
        socketio.sleep(HEALTH_INTERVAL)
        try:
            for show_id in onair_service.live_shows():
                live.touch(show_id, "health")
        except Exception:  # a database hiccup must not end the ticker
            log.exception("health ticker")
