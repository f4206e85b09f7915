"""Every live topic the studio serves on /live, and what fills it.

A provider answers one show's current snapshot (or None for a show that does not exist yet: subscribing early
is not an error, there is just nothing to show). The engine provides "ranking" and "emerging" itself; the topics
below compose several services, so they are defined here and registered by the composition root (studio/app.py).
"""
from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING, Any, Callable

from studio.errors import NotFound
from studio.sources.registry import source_health
from studio.store.shows import shelf

if TYPE_CHECKING:
    from studio.app import Studio

log = logging.getLogger(__name__)
HEALTH_INTERVAL = 2.0  # "last comment N s ago" stays honest without one push per comment


def or_none(fn: Callable[[str], Any], show_id: str) -> Any:
    try:
        return fn(show_id)
    except NotFound:
        return None


def onair(st: "Studio", show_id: str) -> dict | None:
    return or_none(st.onair.state, show_id)


def shelf_topic(st: "Studio", show_id: str) -> dict | None:
    """Numbers and questions for ranking overlays; PUT shelf touches it."""
    return or_none(lambda x: {"items": shelf(st.db, x)}, show_id)


def health(st: "Studio", show_id: str) -> dict:
    """What the host needs to trust the screen: each platform connection, what each input delivers, the OBS link."""
    return {"sources": source_health(show_id), "inputs": st.engine.input_health(show_id),
            "obs": st.obs_link.status(show_id), "problems": st.degraded.status()["problems"], "now": time.time()}


def health_ticker(st: "Studio") -> None:
    """Re-push every live show's health while it runs, so ages and rates move without events."""
    while True:
        st.socketio.sleep(HEALTH_INTERVAL)
        try:
            for show_id in st.onair.live_shows():
                st.live.touch(show_id, "health")
        except Exception:  # a database hiccup must not end the ticker
            log.exception("health ticker")
