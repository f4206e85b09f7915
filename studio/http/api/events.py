"""The viewer pages' JSON: POST /api/events (views, votes, escalations), the cacheable on-air poll
GET /api/shows/<show>/now and the shelf search GET /api/shows/<show>/search. All anonymous."""
from __future__ import annotations

import time

from flask import Blueprint, Response, jsonify, request

from faq_catalog.search import MAX_QUERY
from studio.access.auth import api_error
from studio.http.api.openapi import describe, obj, ref
from studio.http.context import json_body, studio
from studio.viewers.events import EVENT_TYPES, VIEWER_COOKIE, ViewerEventIn, valid_viewer_id

bp = Blueprint("api_events", __name__, url_prefix="/api")


def _text(data: dict, key: str) -> str:
    value = data.get(key)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ValueError(f"{key} must be text")
    return value


@bp.post("/events")
def record_event():
    data = json_body()
    kind = data.get("type")
    if kind not in EVENT_TYPES:
        return api_error(400, f"type must be one of {', '.join(EVENT_TYPES)}")
    try:
        show_id, slug = _text(data, "show"), _text(data, "slug")
    except ValueError as e:
        return api_error(400, str(e))
    viewer = request.cookies.get(VIEWER_COOKIE)
    # The shelf and solution pages set the id; without it (cookies off, or a cross-site post, which SameSite=Lax
    # strips) an event cannot be deduplicated, so it is refused rather than counted as a new viewer each time.
    if not valid_viewer_id(viewer):
        return api_error(400, "no viewer id: open the shelf or solution page first (cookies must be on)")
    st = studio()
    if kind == "shelf_view":
        if not show_id:
            return api_error(400, "show is required for shelf_view")
        slug = ""
    elif not slug:
        return api_error(400, f"slug is required for {kind}")
    if show_id and st.viewer.shelf(show_id) is None:
        return api_error(404, f"no show '{show_id[:32]}'")
    if slug and st.viewer.item(slug) is None:
        return api_error(404, f"no item '{slug[:64]}' on the shelf")
    try:
        st.viewer_events.record(ViewerEventIn(show_id, slug, kind, st.pseudonym("viewer", viewer), time.time()))
    except Exception:  # noqa: BLE001 - logged by the writer; the viewer's page simply retries later
        return api_error(503, "could not store the event right now, try again")
    return jsonify(ok=True), 202


@bp.get("/shows/<show_id>/now")
def on_air_now(show_id: str):
    """Polled by every viewer's shelf: served from a 1-second in-process cache, cacheable by proxies for 2 s."""
    state = studio().viewer.now(show_id)
    if state is None:
        return api_error(404, "no such show")
    resp = Response(state.body, mimetype="application/json")
    resp.set_etag(state.etag)
    resp.headers["Cache-Control"] = "public, max-age=2"
    return resp.make_conditional(request)


@bp.get("/shows/<show_id>/search")
def search_shelf(show_id: str):
    shelf = studio().viewer.shelf(show_id)
    if shelf is None:
        return api_error(404, "no such show")
    q = request.args.get("q", "")
    if len(q) > MAX_QUERY:
        return api_error(400, f"q is too long (at most {MAX_QUERY} characters)")
    slugs = shelf.search.find(q)
    resp = jsonify(q=q, items=[{"slug": s, "number": shelf.numbers[s]} for s in slugs])
    resp.headers["Cache-Control"] = "public, max-age=10"
    return resp


describe("/api/events", "post", "Record a viewer event (needs the viewer cookie the shelf and pages set)",
         description="One row per viewer, show, item and type: repeats are ignored. helpful and not_helpful "
                     "exclude each other; the latest vote wins.",
         request=obj(("type",), type={"type": "string", "enum": list(EVENT_TYPES)},
                     show={"type": "string", "description": "required for shelf_view"},
                     slug={"type": "string", "description": "required for every type but shelf_view"}),
         responses={202: obj(("ok",), ok={"type": "boolean"}), 404: ref("Error")}, tag="viewer")
describe("/api/shows/<show_id>/now", "get", "What is on air now (poll this; ETag and max-age=2)",
         responses={200: obj(("on_air", "number", "revision"), on_air={"type": ["string", "null"]},
                             number={"type": ["integer", "null"]}, revision={"type": "integer"}),
                    304: None}, tag="viewer")
describe("/api/shows/<show_id>/search", "get", "Search the show's shelf (Simplified or Traditional input)",
         query={"q": {"type": "string", "maxLength": MAX_QUERY}},
         responses={200: obj(("q", "items"), q={"type": "string"}, items={"type": "array", "items": obj(
             ("slug", "number"), slug={"type": "string"}, number={"type": "integer"})}), 400: ref("Error")},
         tag="viewer")
