"""Abuse limits and security headers for every response.

Limits are per client address and, for viewers, per viewer cookie. They are generous per address because many
phone viewers share one carrier NAT address; what they stop is a script inflating views, votes or logins."""
from __future__ import annotations

import threading
import time
from collections import OrderedDict

from flask import Flask, jsonify, request

CSP_PAGES = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' https: data:; "
             "connect-src 'self' ws: wss:; font-src 'self' data:; object-src 'none'; base-uri 'none'; "
             "form-action 'self'; frame-ancestors 'none'")
# OBS browser sources and dashboards may embed overlays; everything else stays the same.
CSP_OVERLAYS = CSP_PAGES.replace("frame-ancestors 'none'", "frame-ancestors *")

# (method, path prefix) → (bucket, requests allowed, per seconds)
LIMITS = (
    ("POST", "/login", "login", 10, 300),
    ("POST", "/api/events", "events", 240, 60),
    ("GET", "/api/shows/", "public-json", 1200, 60),
)


class WindowLimiter:
    """Fixed-window counters in memory, bounded in size (old keys fall out first)."""

    def __init__(self, max_keys: int = 200_000):
        self._counts: OrderedDict[tuple, int] = OrderedDict()
        self._lock = threading.Lock()
        self._max = max_keys

    def hit(self, bucket: str, key: str, limit: int, per: float) -> bool:
        window = int(time.time() // per)
        k = (bucket, key, window)
        with self._lock:
            n = self._counts.pop(k, 0) + 1
            self._counts[k] = n
            while len(self._counts) > self._max:
                self._counts.popitem(last=False)
        return n <= limit


class RedisLimiter:
    """The same windows shared by every process of a scaled studio."""

    def __init__(self, url: str):
        import redis
        self._r = redis.Redis.from_url(url, socket_timeout=0.2, socket_connect_timeout=0.2)
        self._fallback = WindowLimiter()

    def hit(self, bucket: str, key: str, limit: int, per: float) -> bool:
        k = f"studio:rl:{bucket}:{key}:{int(time.time() // per)}"
        try:
            pipe = self._r.pipeline()
            pipe.incr(k)
            pipe.expire(k, int(per) + 1)
            n = pipe.execute()[0]
        except Exception:  # Redis down: keep limiting per process rather than failing open or closed
            return self._fallback.hit(bucket, key, limit, per)
        return n <= limit


def client_address() -> str:
    # Behind our nginx the real address is in X-Real-IP; only trust it from a loopback proxy.
    if request.remote_addr in ("127.0.0.1", "::1") and request.headers.get("X-Real-IP"):
        return request.headers["X-Real-IP"][:64]
    return request.remote_addr or "-"


def init_guard(app: Flask) -> None:
    redis_url = app.config.get("REDIS_URL")
    limiter = RedisLimiter(redis_url) if redis_url else WindowLimiter()
    app.extensions["limiter"] = limiter
    scale = float(app.config.get("RATE_LIMIT_SCALE", 1.0))

    @app.before_request
    def _limit():
        for method, prefix, bucket, limit, per in LIMITS:
            if request.method == method and request.path.startswith(prefix):
                if not limiter.hit(bucket, client_address(), int(limit * scale), per):
                    resp = jsonify(error=f"too many requests: at most {int(limit * scale)} per {per} s, try later")
                    resp.status_code = 429
                    resp.headers["Retry-After"] = str(per)
                    return resp
                break
        return None

    @app.after_request
    def _security_headers(resp):
        h = resp.headers
        h.setdefault("X-Content-Type-Options", "nosniff")
        h.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
        if resp.mimetype == "text/html":
            h.setdefault("Content-Security-Policy",
                         CSP_OVERLAYS if request.path.startswith("/overlay/") else CSP_PAGES)
            if not request.path.startswith("/overlay/"):
                h.setdefault("X-Frame-Options", "DENY")
        return resp
