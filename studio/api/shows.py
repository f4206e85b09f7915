"""/api/shows: create and list shows, read and edit a show's shelf."""
from __future__ import annotations

from flask import Blueprint, jsonify

from ..auth import api_error, require_api
from ..catalog_store import NotFound
from ..shows import create_show, list_shows, set_shelf, shelf
from .common import json_body, register_error_handler, studio

bp = Blueprint("api_shows", __name__, url_prefix="/api/shows")
register_error_handler(bp)


@bp.get("")
def shows():
    return jsonify(shows=list_shows(studio().db))


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
    try:
        return jsonify(show=show_id, items=shelf(studio().db, show_id))
    except NotFound:
        return api_error(404, "no such show")


@bp.put("/<show_id>/shelf")
@require_api("producer")
def put_shelf(show_id: str):
    data = json_body((dict, list))
    entries = data.get("items") if isinstance(data, dict) else data
    try:
        items = set_shelf(studio().db, show_id, entries)
    except NotFound:
        return api_error(404, "no such show")
    except ValueError as e:
        return api_error(400, str(e))
    studio().live.touch(show_id, *[t for t in ("shelf",) if t in studio().live.topics])
    return jsonify(show=show_id, items=items)
