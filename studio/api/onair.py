"""/api/shows/<show>/start|end|on-air|rundown: the host's and producer's actions, and the "onair" and "health"
live topics every console, overlay and bridge subscribes to."""
from __future__ import annotations

import logging
import time

from flask import Blueprint, jsonify, request

from ..auth import api_error, require_api
from ..catalog_store import NotFound
from ..onair import ANY, Conflict, OnAir
from ..shows import shelf
from .common import BadRequest, json_body, register_error_handler, studio

log = logging.getLogger(__name__)
bp = Blueprint("api_onair", __name__, url_prefix="/api/shows/<show_id>")
register_error_handler(bp)
HEALTH_INTERVAL = 2.0  # "last comment N s ago" stays honest without one push per comment


def init(app, st) -> None:
    st.onair = OnAir(st.db, push=lambda show_id: st.live.push_now(show_id, "onair", "health"))
    st.onair.on_change(lambda show_id, current: _note_on_air(st, show_id, current))
    st.live.provide("onair", lambda show_id: _or_none(st.onair.state, show_id))
    st.live.provide("health", lambda show_id: health(st, show_id))
    if "shelf" not in st.live.topics:  # numbers and questions for ranking overlays; PUT shelf touches it
        st.live.provide("shelf", lambda show_id: _or_none(lambda x: {"items": shelf(st.db, x)}, show_id))
    st.on_start(lambda: st.socketio.start_background_task(_health_ticker, st))


def _or_none(fn, show_id: str):
    try:
        return fn(show_id)
    except NotFound:  # subscribing to a show that does not exist (yet) is not an error: nothing to show
        return None


def _note_on_air(st, show_id: str, current: dict | None) -> None:
    engine = getattr(st, "engine", None)
    if current is not None and hasattr(engine, "note_on_air"):  # the ranking's cooldown for a new answer
        engine.note_on_air(show_id, current["slug"], current["started_at"])


def health(st, show_id: str) -> dict:
    """Each comment input's freshness and the OBS link: what the host needs to trust the screen."""
    engine = getattr(st, "engine", None)
    inputs = engine.input_health(show_id) if hasattr(engine, "input_health") else []
    link = getattr(st, "obs_link", None)
    return {"inputs": inputs, "obs": link.status(show_id) if link is not None else None, "now": time.time()}


def _health_ticker(st) -> None:
    while True:
        st.socketio.sleep(HEALTH_INTERVAL)
        try:
            for show_id in st.onair.live_shows():
                st.live.touch(show_id, "health")
        except Exception:  # a database hiccup must not end the ticker
            log.exception("health ticker")


def _respond(action, show_id: str, *args):
    try:
        return jsonify(action(show_id, *args))
    except NotFound as e:
        what = str(e)
        return api_error(404, "no such show" if what == show_id else f"no item '{what[:64]}'")
    except Conflict as e:
        return jsonify(error=str(e), state=_or_none(studio().onair.state, show_id)), 409
    except ValueError as e:
        return api_error(400, str(e))


def _if_current(data: dict):
    """Optional guard: act only if this slug (or null: nothing) is still on air."""
    if "if_current" not in data:
        return ANY
    value = data["if_current"]
    if value is not None and not isinstance(value, str):
        raise BadRequest("if_current must be an item slug or null")
    return value


@bp.post("/start")
@require_api("host")
def start(show_id: str):
    return _respond(studio().onair.start_show, show_id)


@bp.post("/end")
@require_api("host")
def end(show_id: str):
    return _respond(studio().onair.end_show, show_id)


@bp.get("/on-air")
def get_on_air(show_id: str):
    return _respond(studio().onair.state, show_id)


@bp.post("/on-air")
@require_api("host")
def put_on_air(show_id: str):
    data = json_body()
    if "slug" not in data or (data["slug"] is not None and not isinstance(data["slug"], str)):
        raise BadRequest('send {"slug": "<item slug>"} to answer an item, or {"slug": null} to end the answer')
    return _respond(studio().onair.put_on_air, show_id, data["slug"], _if_current(data))


@bp.post("/on-air/next")
@require_api("host")
def next_in_queue(show_id: str):
    data = json_body() if request.content_length else {}  # a bare POST (Stream Deck button) is fine
    return _respond(studio().onair.next_in_queue, show_id, _if_current(data))


@bp.get("/rundown")
def get_rundown(show_id: str):
    try:
        state = studio().onair.state(show_id)
    except NotFound:
        return api_error(404, "no such show")
    return jsonify(show=show_id, revision=state["revision"], items=state["rundown"])


@bp.put("/rundown")
@require_api("producer")
def put_rundown(show_id: str):
    data = json_body((dict, list))
    items = data.get("items") if isinstance(data, dict) else data
    revision = data.get("revision") if isinstance(data, dict) else None
    if revision is not None and (not isinstance(revision, int) or isinstance(revision, bool)):
        raise BadRequest("revision must be the whole number from the rundown you edited")
    if not isinstance(items, list):
        raise BadRequest('send {"items": ["slug", ...], "revision": N}')
    slugs = [x.get("slug") if isinstance(x, dict) else x for x in items]
    return _respond(studio().onair.set_rundown, show_id, slugs, revision)
