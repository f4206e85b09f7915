"""The HTTP and Socket.IO edge of the studio: every blueprint and namespace, registered once, in one place."""
from __future__ import annotations

from flask import Flask, jsonify, request, send_from_directory
from flask_socketio import SocketIO

from overlays import pages as overlay_pages
from studio.access.auth import csrf_token, current_principal
from studio.access.guard import init_guard
from studio.config import REPO_ROOT
from studio.http import i18n
from studio.http.api import (
    analytics,
    cases,
    catalog,
    comments,
    events,
    obs,
    onair,
    openapi,
    replies,
    shows,
    sources,
    teaching,
)
from studio.http.api.health import bp as health_bp
from studio.http.errors import register_error_handlers
from studio.http.pages import console, desk, lead, producer, rundown, staff, viewer
from studio.http.sockets import IngestNamespace, LiveNamespace

BLUEPRINTS = (
    staff.bp, viewer.bp, producer.bp, console.bp, desk.bp, rundown.bp, lead.bp, overlay_pages.bp,
    catalog.bp, shows.bp, events.bp, openapi.bp, comments.bp, onair.bp, obs.bp, analytics.bp, sources.bp,
    teaching.bp, cases.bp, cases.bp_show, replies.bp,
    health_bp,
)

VENDOR_FILES = {
    "socket.io.min.js": "socket.io-client/dist/socket.io.min.js",
    "chart.umd.min.js": "chart.js/dist/chart.umd.min.js",
    "Sortable.min.js": "sortablejs/Sortable.min.js",
}


def install(app: Flask, socketio: SocketIO, studio) -> None:
    socketio.on_namespace(LiveNamespace(studio.live, studio))
    socketio.on_namespace(IngestNamespace(studio))
    for bp in BLUEPRINTS:
        app.register_blueprint(bp)
    register_error_handlers(app)
    _register_common(app)
    init_guard(app)


def _register_common(app: Flask) -> None:
    @app.context_processor
    def _globals():
        return {"t": i18n.translate, "lang": i18n.current_lang(), "csrf_token": csrf_token,
                "principal": current_principal()}

    @app.after_request
    def _lang_cookie(resp):
        if request.args.get("lang") in i18n.LANGS:
            resp.set_cookie("lang", request.args["lang"], max_age=365 * 86400, samesite="Lax")
        return resp

    @app.get("/vendor/<name>")
    def vendor(name: str):
        rel = VENDOR_FILES.get(name)
        if rel is None:
            return jsonify(error="unknown vendor file"), 404
        path = REPO_ROOT / "node_modules" / rel
        return send_from_directory(path.parent, path.name, max_age=86400)
