"""Application factory: configuration, Socket.IO and the HTTP edge around the studio's services."""
from __future__ import annotations

from pathlib import Path

from flask import Flask, has_request_context, request
from flask.sessions import SecureCookieSessionInterface
from flask_socketio import SocketIO
from werkzeug.middleware.proxy_fix import ProxyFix

from studio.config import REPO_ROOT, load_config
from studio.http.routes import install as install_http
from studio.services import Studio

FORWARDED = ("HTTP_X_FORWARDED_PROTO", "HTTP_X_FORWARDED_HOST", "HTTP_X_FORWARDED_PORT", "HTTP_X_FORWARDED_PREFIX",
             "HTTP_X_FORWARDED_FOR", "HTTP_X_REAL_IP")


class TrustedProxies:
    """X-Forwarded-Proto (and X-Real-IP) are believed only from the configured proxies (STUDIO_TRUSTED_PROXIES; the
    scaled mode's nginx on loopback): from anyone else they are dropped, so a client cannot claim https or
    another address. Wraps Socket.IO's handshakes too."""

    def __init__(self, app, trusted: tuple[str, ...]):
        self.app = app
        self.fixed = ProxyFix(app, x_proto=1)
        self.trusted = frozenset(trusted)

    def __call__(self, environ, start_response):
        if environ.get("REMOTE_ADDR") in self.trusted:
            return self.fixed(environ, start_response)
        for key in FORWARDED:
            environ.pop(key, None)
        return self.app(environ, start_response)


class SessionCookies(SecureCookieSessionInterface):
    """The session cookie is Secure whenever the request came over https (directly, or through a trusted proxy
    that says so), or always with STUDIO_HTTPS=1."""

    def get_cookie_secure(self, app) -> bool:
        return bool(app.config["SESSION_COOKIE_SECURE"]) or (has_request_context() and request.is_secure)


def create_app(overrides: dict | None = None) -> Flask:
    config = load_config()
    config.update(overrides or {})
    app = Flask("studio", template_folder=str(Path(__file__).parent / "templates"),
                static_folder=str(REPO_ROOT / "static"), static_url_path="/static")
    app.config.update(config)
    app.session_interface = SessionCookies()
    app.json.ensure_ascii = False
    socketio = SocketIO(app, async_mode=config.get("ASYNC_MODE", "gevent"), async_handlers=False,
                        message_queue=config.get("REDIS_URL"), cors_allowed_origins=[],
                        max_http_buffer_size=2 * 1024 * 1024,
                        ping_interval=config.get("PING_INTERVAL", 10), ping_timeout=config.get("PING_INTERVAL", 10))
    # Behind nginx with TLS: trust the proxy's X-Forwarded-Proto so generated URLs (QR codes, redirects) say https
    # and the session cookie is Secure. Outermost, so Socket.IO sees the same request as Flask.
    app.wsgi_app = TrustedProxies(app.wsgi_app, tuple(config.get("TRUSTED_PROXIES") or ()))
    studio = Studio(config, socketio)
    app.extensions["studio"] = studio
    install_http(app, socketio, studio)
    return app
