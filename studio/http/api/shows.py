"""/api/shows: create and list shows, read and edit a show's shelf."""
from __future__ import annotations

from flask import Blueprint, jsonify

from studio.access.auth import LOGIN_ROLES, api_error, current_principal, require_api
from studio.errors import NotFound
from studio.http.api.openapi import describe, obj, schema
from studio.http.context import json_body, studio
from studio.store.shows import create_show, list_shows, set_public_samples, set_shelf, shelf

bp = Blueprint("api_shows", __name__, url_prefix="/api/shows")
STAFF_ROLES = LOGIN_ROLES  # producer, host, lead, admin (an ingest token is automation, not staff)


@bp.get("")
def shows():
    """Staff see every show; anyone else the ones that started (a planned show's title is not public yet)."""
    p = current_principal()
    staff = p is not None and p.has(STAFF_ROLES)
    return jsonify(shows=list_shows(studio().db, planned=staff))


@bp.put("/<show_id>/public-samples")
@require_api("producer")
def put_public_samples(show_id: str):
    """Whether the show's public ranking (its overlays) carries viewers' comment samples."""
    data = json_body()
    if not isinstance(data.get("enabled"), bool):
        return api_error(400, "send {\"enabled\": true|false}")
    try:
        show = set_public_samples(studio().db, show_id, data["enabled"])
    except NotFound:
        return api_error(404, "no such show")
    studio().public_ranking.forget(show_id)
    studio().live.touch(show_id, "ranking")
    return jsonify(show=show_id, public_samples=show["public_samples"])


@bp.post("")
@require_api("producer")
def new_show():
    data = json_body()
    try:
        show = create_show(studio().db, data.get("title") if isinstance(data.get("title"), str) else "",
                           data.get("id") if isinstance(data.get("id"), str) else None)
    except ValueError as e:
        return api_error(400, str(e))
    return jsonify(id=show.id, title=show.title, status=show.status), 201


@bp.get("/<show_id>/shelf")
def get_shelf(show_id: str):
    return jsonify(show=show_id, items=shelf(studio().db, show_id))


@bp.put("/<show_id>/shelf")
@require_api("producer")
def put_shelf(show_id: str):
    data = json_body((dict, list))
    entries = data.get("items") if isinstance(data, dict) else data
    try:
        items = set_shelf(studio().db, show_id, entries)
    except ValueError as e:
        return api_error(400, str(e))
    studio().live.touch(show_id, "shelf")
    return jsonify(show=show_id, items=items)


SHOW = schema("Show", obj(("id", "title", "status", "revision"), id={"type": "string"}, title={"type": "string"},
                          status={"type": "string", "enum": ["planned", "live", "ended"]},
                          started_at={"type": ["number", "null"]}, ended_at={"type": ["number", "null"]},
                          revision={"type": "integer"}, created_at={"type": ["string", "null"]}))
SHELF_ITEM = schema("ShelfItem", obj(
    ("number", "slug", "question", "category"), number={"type": "integer"}, slug={"type": "string"},
    question={"type": "string"}, answer={"type": "string"}, category={"type": "string"},
    status={"type": "string"}, keywords={"type": "array", "items": {"type": "string"}},
    examples={"type": "array", "items": {"type": "string"}}))
_shelf = obj(("show", "items"), show={"type": "string"}, items={"type": "array", "items": SHELF_ITEM})
_shelf_entry = obj(("slug",), slug={"type": "string"}, number={"type": "integer", "minimum": 1, "maximum": 999})

describe("/api/shows", "get", "List shows, newest first (planned ones only to staff)",
         responses={200: obj(("shows",), shows={"type": "array", "items": SHOW})}, tag="shows")
describe("/api/shows", "post", "Create a show; its shelf starts as the catalog's on-shelf items",
         request=obj(("title",), title={"type": "string", "maxLength": 200},
                     id={"type": "string", "pattern": "^[a-z0-9][a-z0-9-]{0,31}$"}),
         roles=("producer",), responses={201: obj(("id", "title", "status"), id={"type": "string"},
                                                  title={"type": "string"}, status={"type": "string"})},
         tag="shows")
describe("/api/shows/<show_id>/public-samples", "put",
         "Whether the show's public ranking (overlays, GET …/ranking without a staff role) carries comment samples",
         request=obj(("enabled",), enabled={"type": "boolean"}), roles=("producer",),
         responses={200: obj(("show", "public_samples"), show={"type": "string"},
                             public_samples={"type": "boolean"})}, tag="shows")
describe("/api/shows/<show_id>/shelf", "get", "The show's shelf in order", responses={200: _shelf}, tag="shows")
describe("/api/shows/<show_id>/shelf", "put", "Replace the show's shelf (numbers default to 1..N)",
         request={"oneOf": [{"type": "array", "items": _shelf_entry},
                            obj(("items",), items={"type": "array", "items": _shelf_entry})]},
         roles=("producer",), responses={200: _shelf}, tag="shows")
