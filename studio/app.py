"""Application factory: configuration, Socket.IO and the HTTP edge around the studio's services."""
from __future__ import annotations

from pathlib import Path

from flask import Flask
from flask_socketio import SocketIO
from werkzeug.middleware.proxy_fix import ProxyFix

from studio.config import REPO_ROOT, load_config
from studio.http.routes import install as install_http
from studio.services import Studio


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
    install_http(app, socketio, studio)
    return app
