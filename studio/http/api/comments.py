"""Comments in, demand out: POST /api/shows/<show>/comments (and the Socket.IO namespace /ingest for bridges),
GET …/ranking (public), …/emerging (staff), …/stats, POST …/boost. `init` creates `studio.engine`."""
from __future__ import annotations

import json

from flask import Blueprint, jsonify, request
from flask_socketio import ConnectionRefusedError, Namespace

from studio.access.auth import api_error, principal_from_token, require_api
from studio.comments.engine import CommentEngine
from studio.comments.ingest import MAX_BATCH, StoreFailed
from studio.scale.ownership import for_config
from studio.http.api.common import BadRequest, json_body, register_error_handler, studio

bp = Blueprint("api_comments", __name__, url_prefix="/api/shows")
register_error_handler(bp)

INGEST_NAMESPACE = "/ingest"
STORE_FAILED = "comments could not be stored right now; nothing of this batch was kept, send it again"


def init(app, st) -> None:
    st.engine = CommentEngine(st, *for_config(st.config))
    st.socketio.on_namespace(IngestNamespace(st))


def _comment_batch() -> list:
    """The body as a list of at most MAX_BATCH items. Invalid UTF-8 inside a text does not sink the batch:
    it is decoded with surrogate escapes and that one item is rejected; raw control characters inside
    strings are accepted here and cleaned per item."""
    if request.mimetype != "application/json":
        raise BadRequest("send a JSON array with Content-Type: application/json", 415)
    text = request.get_data(cache=False).decode("utf-8", "surrogateescape")
    try:
        data = json.loads(text, strict=False)
    except ValueError as e:
        raise BadRequest(f"body is not valid JSON: {e}") from None
    return _checked_items(data)


def _checked_items(data) -> list:
    if not isinstance(data, list):
        raise BadRequest("send a JSON array of comments: [{\"user\", \"text\", \"id\"?, \"ts\"?, \"platform\"?}]")
    if len(data) > MAX_BATCH:
        raise BadRequest(f"at most {MAX_BATCH} comments per request, got {len(data)}: split the batch", 413)
    return data


def _engine_of(show_id: str) -> CommentEngine:
    """The engine, once the show is known to exist (BadRequest 404 otherwise)."""
    engine = studio().engine
    if not engine.show_exists(show_id):
        raise BadRequest("no such show", 404)
    return engine


@bp.post("/<show_id>/comments")
@require_api("ingest")
def post_comments(show_id: str):
    engine = _engine_of(show_id)
    items = _comment_batch()
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
    return jsonify(show=show_id, half_life=engine.half_life, items=engine.ranking(show_id, n))


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


class IngestNamespace(Namespace):
    """Bridges keep a connection open: connect with auth {"token"} (role ingest or admin), then emit
    `comments` {show, items: [...]} and get the same answer as the HTTP endpoint as the ack."""

    def __init__(self, st):
        super().__init__(INGEST_NAMESPACE)
        self.st = st

    def on_connect(self, auth=None):
        token = auth.get("token") if isinstance(auth, dict) else None
        p = principal_from_token(self.st.db, token) if isinstance(token, str) and token else None
        if p is None:
            raise ConnectionRefusedError("send auth {\"token\": \"<ingest token>\"}")
        if not p.has(("ingest",)):
            raise ConnectionRefusedError("this token's role cannot ingest comments")

    def on_comments(self, data):
        if not isinstance(data, dict) or not isinstance(data.get("show"), str):
            return {"error": "send {\"show\": id, \"items\": [...]}"}
        if not self.st.engine.show_exists(data["show"]):
            return {"error": "no such show"}
        try:
            items = _checked_items(data.get("items"))
            return self.st.engine.ingest(data["show"], items, source="socketio")
        except BadRequest as e:
            return {"error": e.message}
        except StoreFailed:
            return {"error": STORE_FAILED}
