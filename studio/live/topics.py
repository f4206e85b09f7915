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
from studio.store.shows import shelf

log = logging.getLogger(__name__)
HEALTH_INTERVAL = 2.0  # "last comment N s ago" stays honest without one push per comment


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
