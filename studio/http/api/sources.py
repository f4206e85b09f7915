"""HTTP side of the platform sources.

Staff API: `GET /api/shows/<show>/sources` (configs without secrets, health, what each platform needs),
`PUT /api/shows/<show>/sources` (replace the show's sources), `POST /api/shows/<show>/sources/<kind>/hook-url`
(a new receiver URL for a capture tool). Adapter processes report to `POST /api/shows/<show>/sources/health`.

Receivers: `POST /hooks/<show>/<kind>/<token>` (kind wxlivespy, dycast or generic; also a WebSocket at the same
URL, which dycast uses) and `POST /hooks/douyin/<app_id>` for Douyin's signed data push. The token in a hook URL
is the only credential a capture tool can carry; it is stored hashed and rotated by issuing a new URL."""
from __future__ import annotations

import gzip
import json
import logging
import zlib

from flask import Blueprint, Response, jsonify, request

from studio.access.auth import api_error, require_api
from studio.comments.inbox import Inbox
from studio.comments.ingest import StoreFailed
from studio.comments.source_configs import (
    check_hook_token,
    douyin_targets,
    hook_url,
    list_configs,
    replace_configs,
    rotate_hook_token,
)
from studio.errors import Invalid, NotFound
from studio.http.context import json_body, studio
from studio.sources.douyin import MSG_COMMENT, SIGNED_HEADERS, parse_push, verify_push
from studio.sources.forwarders import PARSERS, PayloadError
from studio.sources.health import STATES
from studio.sources.registry import ADAPTERS, RECEIVERS, is_known, normalize_room, specs_for
from studio.sources.settings import SettingsError
from studio.store.shows import get_show

log = logging.getLogger(__name__)
bp = Blueprint("sources", __name__)

MAX_BODY = 10 * 1024 * 1024  # also the decompressed limit: a small gzip body must not expand without bound
CORS = {"Access-Control-Allow-Origin": "*", "Access-Control-Allow-Methods": "POST, OPTIONS",
        "Access-Control-Allow-Headers": "Content-Type, Content-Encoding", "Access-Control-Max-Age": "86400"}


def _inbox() -> Inbox:
    return studio().sources_inbox


def _touch_health(show_id: str) -> None:
    studio().live.touch(show_id, "health")


# --- staff API -------------------------------------------------------------------------------------------
@bp.get("/api/shows/<show_id>/sources")
@require_api("producer", "host", "lead")
def get_sources(show_id: str):
    try:
        configs = list_configs(studio().db, studio().config["SECRET_KEY"], show_id)
    except NotFound:
        return api_error(404, f"no show '{show_id}'")
    platforms = {p: {name: {"help": s.help, "secret": s.secret, "required": s.required, "default": s.default}
                     for name, s in specs_for(p).items()} for p in (*ADAPTERS, *RECEIVERS)}
    return jsonify(sources=configs, health=studio().intake.list(show_id), platforms=platforms)


@bp.get("/api/shows/<show_id>/intake-gaps")
@require_api("lead", "producer", "host")
def intake_gaps(show_id: str):
    """Stretches of the show when a source was not delivering (start, end, source, reason): a dip in demand there
    is an outage, not deflection."""
    try:
        gaps = studio().intake.show_gaps(show_id)
    except NotFound:
        return api_error(404, f"no show '{show_id}'")
    return jsonify(gaps=gaps, total_seconds=round(sum(g["seconds"] for g in gaps), 1))


@bp.put("/api/shows/<show_id>/sources")
@require_api("producer")
def put_sources(show_id: str):
    body = json_body((dict, list))
    entries = body.get("sources") if isinstance(body, dict) else body
    if not isinstance(entries, list):
        raise Invalid('send {"sources": [{"platform", "room", "enabled", "settings"}, ...]}')
    try:
        configs = replace_configs(studio().db, studio().config["SECRET_KEY"], show_id, entries)
    except NotFound:
        return api_error(404, f"no show '{show_id}'")
    except SettingsError as e:
        raise Invalid(str(e)) from e
    return jsonify(sources=configs)


@bp.post("/api/shows/<show_id>/sources/<kind>/hook-url")
@require_api("producer")
def new_hook_url(show_id: str, kind: str):
    if kind not in RECEIVERS:
        return api_error(404, f"no receiver '{kind}'; receivers: {', '.join(RECEIVERS)}")
    try:
        token = rotate_hook_token(studio().db, show_id, kind)
    except NotFound:
        return api_error(404, f"no show '{show_id}'")
    base = studio().config.get("PUBLIC_URL") or request.host_url
    return jsonify(url=hook_url(base, show_id, kind, token), note="shown once; the previous URL no longer works")


def _clean_report(raw: dict) -> dict:
    platform, room, state = raw.get("platform"), raw.get("room", ""), raw.get("state")
    if not isinstance(platform, str) or not is_known(platform):
        raise Invalid("platform must be a known platform")
    if not isinstance(room, str) or len(room) > 200:
        raise Invalid("room must be a string of at most 200 characters")
    if state not in STATES:
        raise Invalid(f"state must be one of {', '.join(STATES)}")
    report = {"platform": platform, "room": normalize_room(platform, room), "state": state, "kind": "adapter",
              "last_error": str(raw.get("last_error") or "")[:500], "events": _clean_events(raw.get("events"))}
    for key in ("since", "last_message_at", "per_minute", "normal_per_minute", "silent_after", "received",
                "duplicates", "reconnects", "restarts", "pending", "sent", "dropped", "studio_accepted",
                "studio_duplicate", "health_interval"):
        value = raw.get(key)
        if value is not None and not isinstance(value, bool) and isinstance(value, (int, float)):
            report[key] = value
        elif value is not None:
            raise Invalid(f"{key} must be a number")
    extra = raw.get("extra") or {}
    if not isinstance(extra, dict):
        raise Invalid("extra must be an object")
    report["extra"] = {str(k)[:40]: (v if isinstance(v, (int, float, bool)) or v is None else str(v)[:200])
                       for k, v in list(extra.items())[:20]}
    return report


def _clean_events(raw) -> list[dict]:
    """Reconnects, restarts and silences with their reasons: the last 30, each {at, kind, reason}."""
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise Invalid("events must be a list of {at, kind, reason}")
    out = []
    for e in raw[-30:]:
        if not isinstance(e, dict) or not isinstance(e.get("at"), (int, float)) or isinstance(e.get("at"), bool):
            raise Invalid("each event needs a numeric 'at'")
        out.append({"at": float(e["at"]), "kind": str(e.get("kind", ""))[:20],
                    "reason": str(e.get("reason", ""))[:300]})
    return out


@bp.post("/api/shows/<show_id>/sources/health")
@require_api("ingest")
def post_health(show_id: str):
    report = _clean_report(json_body(dict))
    with studio().db.session() as s:
        try:
            get_show(s, show_id)
        except NotFound:
            return api_error(404, f"no show '{show_id}'")
    answer = studio().intake.report(show_id, report)
    _touch_health(show_id)
    return jsonify(ok=True, **answer)


# --- receivers -------------------------------------------------------------------------------------------
def _body() -> bytes:
    raw = request.get_data(cache=False)
    encoding = request.headers.get("Content-Encoding", "").lower()
    if encoding in ("gzip", "deflate"):
        inflater = zlib.decompressobj(16 + zlib.MAX_WBITS if encoding == "gzip" else zlib.MAX_WBITS)
        try:
            raw = inflater.decompress(raw, MAX_BODY)
        except zlib.error:
            raise Invalid(f"body is not valid {encoding}") from None
        if inflater.unconsumed_tail:
            raise Invalid("decompressed body too large (at most 10 MB)", 413)
    elif raw[:2] == b"\x1f\x8b":  # gzip without the header saying so
        try:
            raw = gzip.decompress(raw)
        except OSError:
            raise Invalid("body looks like gzip but is not valid") from None
    return raw


def _parse_json(raw: bytes | str):
    try:
        return json.loads(raw)
    except (ValueError, UnicodeDecodeError) as e:
        raise Invalid(f"body is not valid JSON: {e}") from e


def _receive(show_id: str, kind: str, doc) -> dict:
    platform = RECEIVERS[kind]
    try:
        comments = PARSERS[kind](doc, platform)
    except PayloadError as e:
        raise Invalid(str(e)) from e
    fresh = _inbox().fresh(show_id, kind, comments)  # health and repeats per receiver, as configured
    result = _inbox().ingest_now(show_id, f"hook:{kind}", fresh)
    _touch_health(show_id)
    return {"received": len(comments), "duplicate_here": len(comments) - len(fresh),
            **{k: result.get(k, 0) for k in ("accepted", "duplicate", "rejected")}}


class _AfterWebSocket(Response):
    """The WebSocket has closed and the socket belongs to it: nothing more may be written as HTTP."""

    def __call__(self, environ, start_response):
        return []


def _websocket(show_id: str, kind: str) -> Response:
    from simple_websocket import ConnectionClosed, Server
    ws = Server.accept(request.environ, max_message_size=MAX_BODY)
    try:
        while True:
            message = ws.receive()
            if message is None:
                break
            try:
                _receive(show_id, kind, _parse_json(message))
            except Invalid as e:
                log.info("hook %s/%s: dropped a message: %s", show_id, kind, e.message)
            except StoreFailed as e:
                log.error("hook %s/%s: could not store a message: %s", show_id, kind, e)
    except ConnectionClosed:
        pass
    finally:
        if ws.connected:
            ws.close()
    return _AfterWebSocket()


def _hook_refusal(show_id: str, kind: str, token: str) -> Response | None:
    if kind not in PARSERS:
        return api_error(404, f"no receiver '{kind}'; receivers: {', '.join(PARSERS)}")
    if not check_hook_token(studio().db, show_id, kind, token):
        return api_error(403, "unknown receiver URL: issue one with `studio source hook-url`")
    return None


@bp.route("/hooks/<show_id>/<kind>/<token>", methods=["POST", "OPTIONS"])
def hook(show_id: str, kind: str, token: str):
    if request.method == "OPTIONS":
        return Response(status=204, headers=CORS)
    resp = _hook_refusal(show_id, kind, token)
    if resp is None:
        try:
            # Capture scripts post text/plain to avoid a CORS preflight from the console page: any type is read.
            resp = jsonify(_receive(show_id, kind, _parse_json(_body())))
        except StoreFailed as e:
            resp = api_error(503, str(e) or "the database refused the comments; try again")
    resp.headers.update(CORS)
    return resp


@bp.route("/hooks/<show_id>/<kind>/<token>", websocket=True)
def hook_websocket(show_id: str, kind: str, token: str):
    refusal = _hook_refusal(show_id, kind, token)
    return refusal if refusal is not None else _websocket(show_id, kind)


@bp.post("/hooks/douyin/<app_id>")
def douyin_push(app_id: str):
    headers = {k.lower(): v for k, v in request.headers.items()}
    missing = [h for h in (*SIGNED_HEADERS, "x-signature") if not headers.get(h)]
    if missing:
        return api_error(400, f"missing header(s): {', '.join(missing)}")
    body, room = request.get_data(cache=False), headers["x-roomid"]
    targets = douyin_targets(studio().db, studio().config["SECRET_KEY"], app_id)
    # A source configured for this room wins; a source without a room takes the app's pushes for any room.
    matching = [t for t in targets if t[1] == room] or [t for t in targets if not t[1]]
    target = next((t for t in matching if verify_push(headers, body, t[2])), None)
    if target is None:
        return api_error(401 if matching else 404, "signature mismatch" if matching
                         else f"no Douyin source for app {app_id}")
    if headers["x-msg-type"] != MSG_COMMENT:
        return jsonify(err_no=0, err_msg="ignored")
    try:
        comments = parse_push(body, room)
    except ValueError:
        return api_error(400, "body is not JSON")
    if not _inbox().submit(target[0], "hook:douyin", _inbox().fresh(target[0], "douyin", comments)):
        return api_error(503, "busy: too many comments waiting")
    _touch_health(target[0])
    return jsonify(err_no=0, err_msg="ok")
