"""Comments in, demand out: POST /api/shows/<show>/comments (and the Socket.IO namespace /ingest for bridges),
GET …/ranking (public), …/emerging (staff), …/stats, POST …/boost."""
from __future__ import annotations

import json
import re

from flask import Blueprint, current_app, jsonify, request

from studio.access.auth import api_error, current_principal, require_api
from studio.access.guard import INGEST_COMMENTS, comment_budget, ingest_token_key, too_many
from studio.blocks.slices import Slices
from studio.comments.engine import CommentEngine
from studio.comments.ingest import STORE_FAILED, StoreFailed, checked_batch
from studio.errors import Invalid
from studio.http.context import json_body, studio
from studio.live.topics import SAMPLE_ROLES

bp = Blueprint("api_comments", __name__, url_prefix="/api/shows")



def _comment_batch() -> list:
    """The body as a list of at most MAX_BATCH items. Invalid UTF-8 inside a text does not sink the batch:
    it is decoded with surrogate escapes and that one item is rejected; raw control characters inside
    strings are accepted here and cleaned per item."""
    if request.mimetype != "application/json":
        raise Invalid("send a JSON array with Content-Type: application/json", 415)
    text = request.get_data(cache=False).decode("utf-8", "surrogateescape")
    try:
        data = parse_array_sliced(text)
    except ValueError as e:
        raise Invalid(f"body is not valid JSON: {e}") from None
    return checked_batch(data)


_DECODER = json.JSONDecoder(strict=False)
_SPACE = re.compile(r"[ \t\n\r]*")


def parse_array_sliced(text: str) -> object:
    """json.loads, but a top-level array is read one item at a time with pauses between slices: a 10 MB body
    parsed in one call would hold the event loop for a tenth of a second and more. Raises ValueError (JSON)."""
    i = _SPACE.match(text).end()
    if not text.startswith("[", i):
        return json.loads(text, strict=False)
    items, slices = [], Slices()
    i = _SPACE.match(text, i + 1).end()
    if text.startswith("]", i):
        end = i + 1
    else:
        while True:
            item, i = _DECODER.raw_decode(text, i)
            items.append(item)
            slices.tick()
            i = _SPACE.match(text, i).end()
            if text.startswith(",", i):
                i = _SPACE.match(text, i + 1).end()
            elif text.startswith("]", i):
                end = i + 1
                break
            else:
                raise json.JSONDecodeError("expecting ',' or ']'", text, i)
    if _SPACE.match(text, end).end() != len(text):
        raise json.JSONDecodeError("extra data", text, end)
    return items


def _engine_of(show_id: str) -> CommentEngine:
    """The engine, once the show is known to exist (Invalid 404 otherwise)."""
    engine = studio().engine
    if not engine.show_exists(show_id):
        raise Invalid("no such show", 404)
    return engine


@bp.post("/<show_id>/comments")
@require_api("ingest")
def post_comments(show_id: str):
    engine = _engine_of(show_id)
    items = _comment_batch()
    refused = comment_budget(current_app, ingest_token_key(), len(items))
    if refused:
        return too_many(refused, INGEST_COMMENTS[1])
    try:
        return jsonify(engine.ingest(show_id, items, source="http"))
    except StoreFailed:
        return api_error(503, STORE_FAILED)


@bp.get("/<show_id>/ranking")
def get_ranking(show_id: str):
    engine = _engine_of(show_id)
    n = request.args.get("n", 20, type=int)
    if not 1 <= n <= 200:
        return api_error(400, "n must be 1-200")
    items = engine.ranking(show_id, n)
    p = current_principal()
    if p is None or not p.has(SAMPLE_ROLES):  # what an overlay may show; staff see the samples and boosts
        items = studio().public_ranking.rows(show_id, items)
    return jsonify(show=show_id, half_life=engine.half_life, items=items)


@bp.get("/<show_id>/emerging")
@require_api("producer", "host")
def get_emerging(show_id: str):
    engine = _engine_of(show_id)
    return jsonify(show=show_id, items=engine.emerging(show_id))


@bp.get("/<show_id>/stats")
def get_stats(show_id: str):
    engine = _engine_of(show_id)
    return jsonify(show=show_id, **engine.stats(show_id))


@bp.post("/<show_id>/boost")
@require_api("producer", "host")
def post_boost(show_id: str):
    engine = _engine_of(show_id)
    data = json_body()
    if not isinstance(data.get("slug"), str):
        return api_error(400, "send {\"slug\": ..., \"amount\": number}")
    try:
        engine.boost(show_id, data["slug"], data.get("amount", 0))
    except ValueError as e:
        return api_error(400, str(e))
    return jsonify(show=show_id, slug=data["slug"], boost=data.get("amount", 0))
