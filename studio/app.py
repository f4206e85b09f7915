"""Application factory: configuration, database, Socket.IO and the parts of the studio, each a blueprint."""
from __future__ import annotations

import importlib
import logging
from pathlib import Path

from flask import Flask, jsonify, request, send_from_directory
from flask_socketio import SocketIO
from werkzeug.exceptions import HTTPException
from werkzeug.middleware.proxy_fix import ProxyFix

from faq_catalog.render import render_markdown

from studio.comments.intake_health import IntakeHealth
from studio.http import i18n
from studio.access.auth import csrf_token, current_principal
from studio.store.catalog import CatalogStore
from studio.config import REPO_ROOT, load_config
from studio.store.db import Database
from studio.access.guard import init_guard
from studio.live.channels import LiveChannels
from studio.access.hashing import salted_id
from studio.http.sockets import LiveNamespace

log = logging.getLogger(__name__)

# Each part may define `bp` (a Blueprint) and `init(app, studio)`. Order matters only for init dependencies.
PARTS = (
    "studio.http.pages.staff",
    "studio.http.pages.viewer",
    "studio.http.pages.producer",
    "studio.http.api.catalog",
    "studio.http.api.shows",
    "studio.http.api.events",
    "studio.http.api.openapi",
    "studio.http.api.comments",
    "studio.http.api.onair",
    "studio.http.api.obs",
    "studio.http.pages.console",
    "studio.http.pages.rundown",
    "overlays.pages",
    "studio.http.api.analytics",
    "studio.http.pages.lead",
    "studio.http.api.sources",
    "studio.scale.degraded",
    "studio.scale.catalog_sync",
)

VENDOR_FILES = {
    "socket.io.min.js": "socket.io-client/dist/socket.io.min.js",
    "chart.umd.min.js": "chart.js/dist/chart.umd.min.js",
    "Sortable.min.js": "sortablejs/Sortable.min.js",
}


class Studio:
    """The services of one studio process, reachable as `current_app.extensions["studio"]`."""

    def __init__(self, config: dict, socketio: SocketIO):
        self.config = config
        self.db = Database(config["DATABASE_URL"])
        self.socketio = socketio
        self.catalog = CatalogStore(self.db)
        self.live = LiveChannels(socketio, config["PUSH_INTERVAL"])
        self.intake = IntakeHealth(self.db)
        self._page_cache: dict[tuple[str, int], str] = {}
        self.catalog.on_change(self._page_cache.clear)
        self._on_start: list = [self.live.start]
        self._on_stop: list = []

    def on_start(self, fn) -> None:
        """Background work a part needs while serving (flushers, drivers); not run in CLI commands or tests
        that only use the app object."""
        self._on_start.append(fn)

    def on_stop(self, fn) -> None:
        """Flushes that must run before the process exits (SIGTERM): registered last, run first."""
        self._on_stop.insert(0, fn)

    def start(self) -> None:
        for fn in self._on_start:
            fn()

    def stop(self) -> None:
        for fn in self._on_stop:
            try:
                fn()
            except Exception:
                log.exception("stop hook failed")

    def pseudonym(self, kind: str, value: str) -> str:
        """Salted hash of a viewer or customer id: stable for counting, useless to read."""
        return salted_id(self.config["SECRET_KEY"], kind, value)

    def page_html(self, slug: str, revision: int, body: str) -> str:
        """Rendered, sanitized solution page, cached per revision."""
        key = (slug, revision)
        html = self._page_cache.get(key)
        if html is None:
            if len(self._page_cache) > 5000:
                self._page_cache.clear()
            html = self._page_cache[key] = render_markdown(body)
        return html


def create_app(overrides: dict | None = None) -> Flask:
    config = load_config()
    config.update(overrides or {})
    app = Flask("studio", template_folder=str(Path(__file__).parent / "templates"),
                static_folder=str(REPO_ROOT / "static"), static_url_path="/static")
    app.config.update(config)
    # Behind nginx with TLS: trust one proxy's X-Forwarded-Proto so generated URLs (QR codes, redirects) say https.
    app.wsgi_app = ProxyFix(app.wsgi_app, x_proto=1)
    app.json.ensure_ascii = False
    socketio = SocketIO(app, async_mode=config.get("ASYNC_MODE", "gevent"), async_handlers=False,
                        message_queue=config.get("REDIS_URL"), cors_allowed_origins=[],
                        max_http_buffer_size=2 * 1024 * 1024, ping_interval=10, ping_timeout=10)
    studio = Studio(config, socketio)
    app.extensions["studio"] = studio
    socketio.on_namespace(LiveNamespace(studio.live))

    for name in PARTS:
        part = importlib.import_module(name)
        if hasattr(part, "init"):
            part.init(app, studio)
        if hasattr(part, "bp"):
            app.register_blueprint(part.bp)

    _register_common(app)
    init_guard(app)
    return app


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

    @app.get("/healthz")
    def healthz():
        return jsonify(ok=True)

    @app.errorhandler(HTTPException)
    def _http_error(e: HTTPException):
        if request.path.startswith("/api/") or request.is_json:
            messages = {413: "request body too large (at most 10 MB)", 404: "not found",
                        405: "method not allowed", 400: "bad request"}
            return jsonify(error=messages.get(e.code, e.description)), e.code
        from flask import render_template
        return render_template("error.html", code=e.code, message=e.description), e.code
