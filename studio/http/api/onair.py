"""/api/shows/<show>/start|end|on-air|rundown: the host's and producer's actions."""
from __future__ import annotations

from flask import Blueprint, jsonify, request

from studio.access.auth import require_api
from studio.errors import Conflict, Invalid
from studio.http.api.openapi import describe, obj, schema
from studio.http.context import json_body, studio
from studio.live.topics import or_none
from studio.onair.onair import ANY

bp = Blueprint("api_onair", __name__, url_prefix="/api/shows/<show_id>")


def _respond(action, show_id: str, *args):
    try:
        return jsonify(action(show_id, *args))
    except Conflict as e:  # the client acted on a stale view: the answer carries the current one
        raise Conflict(e.message, state=or_none(studio().onair.state, show_id)) from None
    except ValueError as e:
        raise Invalid(str(e)) from None


def _if_current(data: dict):
    """Optional guard: act only if this slug (or null: nothing) is still on air."""
    if "if_current" not in data:
        return ANY
    value = data["if_current"]
    if value is not None and not isinstance(value, str):
        raise Invalid("if_current must be an item slug or null")
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
        raise Invalid('send {"slug": "<item slug>"} to answer an item, or {"slug": null} to end the answer')
    return _respond(studio().onair.put_on_air, show_id, data["slug"], _if_current(data))


@bp.post("/on-air/next")
@require_api("host")
def next_in_queue(show_id: str):
    data = json_body() if request.content_length else {}  # a bare POST (Stream Deck button) is fine
    return _respond(studio().onair.next_in_queue, show_id, _if_current(data))


@bp.get("/rundown")
def get_rundown(show_id: str):
    def rundown(show_id: str) -> dict:
        state = studio().onair.state(show_id)
        return {"show": show_id, "revision": state["revision"], "items": state["rundown"]}
    return _respond(rundown, show_id)


@bp.put("/rundown")
@require_api("producer")
def put_rundown(show_id: str):
    data = json_body((dict, list))
    items = data.get("items") if isinstance(data, dict) else data
    revision = data.get("revision") if isinstance(data, dict) else None
    if revision is not None and (not isinstance(revision, int) or isinstance(revision, bool)):
        raise Invalid("revision must be the whole number from the rundown you edited")
    if not isinstance(items, list):
        raise Invalid('send {"items": ["slug", ...], "revision": N}')
    slugs = [x.get("slug") if isinstance(x, dict) else x for x in items]
    return _respond(studio().onair.set_rundown, show_id, slugs, revision)


_item = obj(("slug", "number", "question", "answer"), slug={"type": "string"},
            number={"type": ["integer", "null"]}, question={"type": "string"}, answer={"type": "string"})
ON_AIR = schema("OnAirState", obj(
    ("show", "revision", "current", "up_next", "rundown", "segments"),
    show={"type": "object"}, revision={"type": "integer", "description": "the show's revision; only rises"},
    current={"oneOf": [{"type": "null"}, _item], "description": "the item being answered, with started_at"},
    up_next={"type": "array", "items": _item}, rundown={"type": "array", "items": _item},
    segments={"type": "array", "items": _item, "description": "the last answers, newest first"}))
CONFLICT = schema("OnAirConflict", obj(("error", "state"), error={"type": "string"}, state=ON_AIR))
_guard = {"if_current": {"type": ["string", "null"], "description": "act only if this item (null: nothing) is "
                                                                     "still on air, else 409"}}
describe("/api/shows/<show_id>/start", "post", "Start (or reopen) the show", responses={200: ON_AIR},
         roles=("host",), tag="on air")
describe("/api/shows/<show_id>/end", "post", "End the show (and the current answer)", responses={200: ON_AIR},
         roles=("host",), tag="on air")
describe("/api/shows/<show_id>/on-air", "get", "The on-air state (the same as the /live topic onair)",
         responses={200: ON_AIR}, tag="on air")
describe("/api/shows/<show_id>/on-air", "post", "Answer an item now, or end the answer with slug null",
         request=obj(("slug",), slug={"type": ["string", "null"]}, **_guard),
         responses={200: ON_AIR, 409: CONFLICT}, roles=("host",), tag="on air")
describe("/api/shows/<show_id>/on-air/next", "post", "Answer the next item of the rundown (the body is optional)",
         request=obj((), **_guard), responses={200: ON_AIR, 409: CONFLICT}, roles=("host",), tag="on air")
describe("/api/shows/<show_id>/rundown", "get", "The producer's queue",
         responses={200: obj(("show", "revision", "items"), show={"type": "string"}, revision={"type": "integer"},
                             items={"type": "array", "items": _item})}, tag="on air")
describe("/api/shows/<show_id>/rundown", "put", "Replace the queue; with revision, only if nobody changed it since",
         request=obj(("items",), items={"type": "array", "maxItems": 100, "items": {"type": "string"}},
                     revision={"type": "integer"}),
         responses={200: ON_AIR, 409: CONFLICT}, roles=("producer",), tag="on air")
