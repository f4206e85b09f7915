"""Abuse limits and security headers for every response, and message budgets for every Socket.IO connection.

Limits are per client address and, for viewers, per viewer cookie. They are generous per address because many
phone viewers share one carrier NAT address; what they stop is a script inflating views, votes or logins."""
from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from flask import Flask, jsonify, request
from werkzeug.exceptions import RequestEntityTooLarge, TooManyRequests

from studio.access.hashing import token_digest
from studio.viewers.events import VIEWER_COOKIE

CSP_PAGES = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' https: data:; "
             "connect-src 'self' ws: wss:; font-src 'self' data:; object-src 'none'; base-uri 'none'; "
             "form-action 'self'; frame-ancestors 'none'")
# OBS browser sources and dashboards may embed overlays; everything else stays the same.
CSP_OVERLAYS = CSP_PAGES.replace("frame-ancestors 'none'", "frame-ancestors *")


def client_address() -> str:
    # Behind our nginx the real address is in X-Real-IP; only trust it from a loopback proxy.
    if request.remote_addr in ("127.0.0.1", "::1") and request.headers.get("X-Real-IP"):
        return request.headers["X-Real-IP"][:64]
    return request.remote_addr or "-"


@dataclass(frozen=True)
class Limit:
    """At most `limit` requests per `per` seconds in `bucket`, counted per whatever `key` names (None: the limit
    does not apply to this request)."""
    method: str
    prefix: str
    bucket: str
    limit: int
    per: int
    key: Callable[[], str | None]


def _login_name() -> str | None:
    # Per account as well as per address: a password guessed from many addresses is still throttled.
    name = request.form.get("name", "")
    return name[:64] if name else None


def _viewer_id() -> str | None:
    return request.cookies.get(VIEWER_COOKIE, "")[:64] or None


def ingest_token_key() -> str | None:
    """Per API token on the comment endpoint (a digest: the token itself is never a key in Redis)."""
    header = request.headers.get("Authorization", "")
    if not request.path.endswith("/comments") or not header.startswith("Bearer "):
        return None
    return token_digest(header[7:].strip()[:200])[:24]


def _hook_key() -> str | None:
    """Per hook URL (its path carries the hook's token)."""
    return token_digest(request.path[:400])[:24]


# Comments per API token and window, whatever the batch sizes: a bridge of a very busy room sends a few hundred a
# second; a client sending the largest batches as fast as it can meets this long before it can crowd out the rest.
INGEST_COMMENTS = (60_000, 60)


LIMITS = (
    Limit("POST", "/login", "login", 10, 300, client_address),
    Limit("POST", "/login", "login-name", 20, 300, _login_name),
    # Viewers behind one carrier NAT share an address, so the address limit is wide; a script with one cookie
    # meets the per-viewer one, a script minting cookies the per-address one. The database keeps one row per
    # viewer, item and type, so a repeat never counts twice either way.
    Limit("POST", "/api/events", "events", 600, 60, client_address),
    Limit("POST", "/api/events", "events-viewer", 60, 60, _viewer_id),
    # Public JSON is cheap and cached (in process, and by nginx in the cluster); this only stops a runaway poller.
    Limit("GET", "/api/shows/", "public-json", 6000, 60, client_address),
    # Ingest: per token (POST /api/shows/<show>/comments) and per capture-tool hook URL.
    Limit("POST", "/api/shows/", "ingest-token", 600, 60, ingest_token_key),
    Limit("POST", "/hooks/", "hook", 600, 60, _hook_key),
)


class WindowLimiter:
    """Fixed-window counters in memory, bounded in size (old keys fall out first)."""

    def __init__(self, max_keys: int = 200_000):
        self._counts: OrderedDict[tuple, int] = OrderedDict()
        self._lock = threading.Lock()
        self._max = max_keys

    def hit(self, bucket: str, key: str, limit: int, per: float, weight: int = 1) -> bool:
        window = int(time.time() // per)
        k = (bucket, key, window)
        with self._lock:
            n = self._counts.pop(k, 0) + weight
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

    def hit(self, bucket: str, key: str, limit: int, per: float, weight: int = 1) -> bool:
        k = f"studio:rl:{bucket}:{key}:{int(time.time() // per)}"
        try:
            pipe = self._r.pipeline()
            pipe.incr(k, weight)
            pipe.expire(k, int(per) + 1)
            n = pipe.execute()[0]
        except Exception:  # noqa: BLE001 - Redis down: keep limiting per process rather than failing open or closed
            return self._fallback.hit(bucket, key, limit, per, weight)
        return n <= limit


# Socket.IO events per connection: (per second, burst). Consoles and overlays subscribe a few times per connection;
# a bridge (an ingest token) sends batches, 10,000 comments/s being 200 batches of 50. A client over its budget gets
# an error answer, and is cut off if it keeps on.
EVENT_BUDGETS = {"/live": (5.0, 30), "/ingest": (500.0, 1000)}
DEFAULT_EVENT_BUDGET = (10.0, 50)
STRIKES_BEFORE_DISCONNECT = 100


class EventBudget:
    """Token buckets per Socket.IO connection, wrapped around every namespace's dispatch (Socket.IO has no
    before_request). Each event also yields to the other greenlets: handlers run in order, and a client whose
    messages all wait in the buffer would otherwise have them handled back to back while every other client waits."""

    def __init__(self, socketio, scale: float = 1.0):
        self.socketio = socketio
        self.scale = scale
        self._buckets: dict[tuple[str, str], list[float]] = {}  # (namespace, sid) → [tokens, last, strikes]

    def install(self) -> None:
        for namespace, handler in self.socketio.server.namespace_handlers.items():
            handler.trigger_event = self._wrap(namespace, handler.trigger_event)

    def _wrap(self, namespace: str, dispatch: Callable) -> Callable:
        rate, burst = EVENT_BUDGETS.get(namespace, DEFAULT_EVENT_BUDGET)
        rate, burst = rate * self.scale, int(burst * self.scale)

        def trigger_event(event: str, sid: str, *args):
            key = (namespace, sid)
            if event in ("connect", "disconnect"):
                if event == "disconnect":
                    self._buckets.pop(key, None)
                return dispatch(event, sid, *args)
            try:
                if self._take(key, rate, burst):
                    return dispatch(event, sid, *args)
                return {"error": f"too many messages: at most {rate:g} per second on {namespace}"}
            finally:
                self.socketio.sleep(0)
        return trigger_event

    def _take(self, key: tuple[str, str], rate: float, burst: int) -> bool:
        now = time.monotonic()
        bucket = self._buckets.setdefault(key, [float(burst), now, 0])
        bucket[0] = min(burst, bucket[0] + (now - bucket[1]) * rate)
        bucket[1] = now
        if bucket[0] >= 1:
            bucket[0] -= 1
            return True
        bucket[2] += 1
        if bucket[2] > STRIKES_BEFORE_DISCONNECT:
            self.socketio.server.disconnect(key[1], namespace=key[0])
        return False


def retry_after(per: float) -> int:
    """Seconds until the current fixed window ends (at least 1)."""
    return max(1, math.ceil(per - time.time() % per))


def too_many(message: str, per: float):
    resp = jsonify(error=message)
    resp.status_code = 429
    resp.headers["Retry-After"] = str(retry_after(per))
    return resp


def comment_budget(app: Flask, key: str | None, n: int) -> str | None:
    """Take `n` comments from the key's budget; the refusal's message when it is spent (nothing is stored then)."""
    if key is None or n <= 0:
        return None
    limit, per = INGEST_COMMENTS
    allowed = int(limit * float(app.config.get("RATE_LIMIT_SCALE", 1.0)))
    if app.extensions["limiter"].hit("ingest-comments", key, allowed, per, n):
        return None
    return (f"too many comments: at most {allowed} per {per} s per token; this batch of {n} was not stored, "
            f"send it again after Retry-After seconds")


def init_guard(app: Flask) -> None:
    redis_url = app.config.get("REDIS_URL")
    limiter = RedisLimiter(redis_url) if redis_url else WindowLimiter()
    app.extensions["limiter"] = limiter
    scale = float(app.config.get("RATE_LIMIT_SCALE", 1.0))
    if "socketio" in app.extensions:
        EventBudget(app.extensions["socketio"], scale).install()

    @app.before_request
    def _limit():
        # Every endpoint, whether it reads its body or not: Flask only checks the size when a body is read.
        if (request.content_length or 0) > app.config["MAX_CONTENT_LENGTH"]:
            raise RequestEntityTooLarge()
        for rule in LIMITS:
            if request.method != rule.method or not request.path.startswith(rule.prefix):
                continue
            key = rule.key()
            allowed = int(rule.limit * scale)
            if key is not None and not limiter.hit(rule.bucket, key, allowed, rule.per):
                message = f"too many requests: at most {allowed} per {rule.per} s, try later"
                if not request.path.startswith(("/api/", "/hooks/")):
                    raise TooManyRequests(message)  # a page (the login form): the studio's error page says it
                return too_many(message, rule.per)
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
