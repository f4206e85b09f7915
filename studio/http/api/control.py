"""/api/control (the control room's data), show staff and squads (/api/shows/<show>/staff, /api/squads)."""
from __future__ import annotations

from flask import Blueprint, jsonify

from studio.access.auth import require_api
from studio.access.rooms import visible_shows
from studio.control import control_room
from studio.errors import Invalid
from studio.http.api.openapi import describe, obj
from studio.http.context import json_body, studio
from studio.store.staff import delete_squad, list_squads, save_squad, set_show_staff, show_staff

bp = Blueprint("api_control", __name__, url_prefix="/api")
VIEWERS = ("host", "producer", "agent", "lead")


@bp.get("/control")
@require_api(*VIEWERS)
def control():
    return jsonify(control_room(studio(), visible_shows()))


@bp.get("/shows/<show_id>/staff")
@require_api(*VIEWERS)
def get_staff(show_id: str):
    return jsonify(show=show_id, **show_staff(studio().db, show_id))


@bp.put("/shows/<show_id>/staff")
@require_api("admin")
def put_staff(show_id: str):
    data = json_body()
    return jsonify(show=show_id, users=set_show_staff(studio().db, show_id, data.get("users")))


@bp.get("/squads")
@require_api(*VIEWERS)
def squads():
    return jsonify(squads=list_squads(studio().db))


@bp.put("/squads/<name>")
@require_api("admin")
def put_squad(name: str):
    return jsonify(save_squad(studio().db, name, json_body().get("members")))


@bp.delete("/squads/<name>")
@require_api("admin")
def remove_squad(name: str):
    delete_squad(studio().db, name)
    return jsonify(ok=True)


@bp.post("/squads/<name>/move")
@require_api("admin")
def move(name: str):
    show = json_body().get("show")
    if show is not None and not isinstance(show, str):
        raise Invalid("show must be a show id or null")
    return jsonify(studio().move_squad(name, show))


_room = obj(("id", "title", "comment_rate", "top_asks", "burning", "unanswered_minutes", "sources"),
            id={"type": "string"}, title={"type": "string"}, comment_rate={"type": "integer"},
            top_asks={"type": "array"}, burning={"type": "array"}, unanswered_minutes={"type": "number"},
            sources={"type": "object"}, staff={"type": "object"})
_squad = obj(("name", "members"), name={"type": "string"}, show={"type": ["string", "null"]},
             members={"type": "array", "items": {"type": "string"}})
describe("/api/control", "get", "Every live show the caller is assigned to (admins and leads: all), busiest first",
         roles=VIEWERS, responses={200: obj(("shows", "squads"), shows={"type": "array", "items": _room},
                                            squads={"type": "array", "items": _squad})}, tag="control")
describe("/api/shows/<show_id>/staff", "get", "Staff assigned to the show, directly and through squads",
         roles=VIEWERS, responses={200: {"type": "object"}}, tag="control")
describe("/api/shows/<show_id>/staff", "put", "Replace the staff assigned to the show directly",
         request=obj(("users",), users={"type": "array", "items": {"type": "string"}}), roles=("admin",),
         responses={200: {"type": "object"}}, tag="control")
describe("/api/squads", "get", "Squads and the show each works", roles=VIEWERS,
         responses={200: obj(("squads",), squads={"type": "array", "items": _squad})}, tag="control")
describe("/api/squads/<name>", "put", "Create or replace a squad",
         request=obj(("members",), members={"type": "array", "items": {"type": "string"}}), roles=("admin",),
         responses={200: _squad}, tag="control")
describe("/api/squads/<name>", "delete", "Delete a squad", roles=("admin",), responses={200: {"type": "object"}},
         tag="control")
_moved = obj(("name", "members", "from", "handed_back"), name={"type": "string"}, show={"type": ["string", "null"]},
             members={"type": "array", "items": {"type": "string"}}, **{"from": {"type": ["string", "null"]}},
             handed_back=obj(("reopened", "released"), reopened={"type": "integer"}, released={"type": "integer"}))
describe("/api/squads/<name>/move", "post", "Move the whole squad to another show in one action; the cases its agents "
         "held in the show they leave go back to that show's queue (claimed: open again; contacted: no agent)",
         request=obj(("show",), show={"type": ["string", "null"]}), roles=("admin",),
         responses={200: _moved}, tag="control")
