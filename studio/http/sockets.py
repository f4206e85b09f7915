"""Socket.IO namespaces. `/live` is read-only: clients subscribe to (show, topics) and receive snapshots.
Writes go through the HTTP API, where roles and CSRF are checked; bridges that push comments use `/ingest`."""
from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from flask import current_app, request, session
from flask_socketio import ConnectionRefusedError, Namespace, join_room, leave_room

from studio.access.auth import Principal, principal_from_token, session_principal, still_current
from studio.access.guard import INGEST_COMMENTS, comment_budget, retry_after
from studio.access.hashing import token_digest
from studio.access.rooms import RESTRICTED_ROLES
from studio.comments.ingest import STORE_FAILED, StoreFailed, checked_batch
from studio.errors import Invalid
from studio.live.channels import NAMESPACE, LiveChannels, room, user_room
from studio.live.topics import SAMPLE_ROLES
from studio.store.staff import shows_for

MAX_TOPICS = 10
INGEST_NAMESPACE = "/ingest"


@dataclass
class Viewer:
    """Who a /live connection is, decided at connect: a staff principal (session cookie from an allowed origin,
    or an API token) or nobody (anonymous: public topics only)."""
    principal: Principal | None = None
    epoch: object = None  # the session's epoch, re-checked on every subscribe (logout ends it)
    token: str | None = None  # re-checked on every subscribe (revocation ends it)
    origin: str | None = None
    origin_ok: bool = True


def origin_allowed(origin: str | None, allowed: tuple[str, ...]) -> bool:
    """No Origin (OBS, bridges, same-origin GETs): allowed. Else the page must come from the studio itself: the
    request's own host, STUDIO_PUBLIC_URL, or an origin on STUDIO_ALLOWED_ORIGINS."""
    if not origin:
        return True
    # One Origin per request from browsers; a header repeated (merged with commas) passes only if every one does.
    return all(_one_origin_allowed(o.strip().rstrip("/").lower(), allowed) for o in origin.split(","))


def _one_origin_allowed(origin: str, allowed: tuple[str, ...]) -> bool:
    if origin in allowed:
        return True
    parsed = urlsplit(origin)
    return bool(parsed.netloc) and parsed.scheme in ("http", "https") and parsed.netloc == request.host.lower()


def allowed_origins(config: dict) -> tuple[str, ...]:
    out = [o.strip().rstrip("/").lower() for o in config.get("ALLOWED_ORIGINS") or () if o.strip()]
    if config.get("PUBLIC_URL"):
        p = urlsplit(config["PUBLIC_URL"])
        out.append(f"{p.scheme}://{p.netloc}".lower())
    return tuple(out)


class LiveNamespace(Namespace):
    def __init__(self, live: LiveChannels, st=None):
        super().__init__(NAMESPACE)
        self.live = live
        self.st = st
        self._viewers: dict[str, Viewer] = {}
        self._allowed = allowed_origins(st.config) if st is not None else ()

    def on_connect(self, auth=None):
        """Anyone may connect (public topics); staff topics need a token in auth {"token"} (or an Authorization
        header), or the staff session cookie from a page of an allowed origin."""
        origin = request.headers.get("Origin")
        v = Viewer(origin=origin, origin_ok=origin_allowed(origin, self._allowed))
        token = auth.get("token") if isinstance(auth, dict) else None
        header = request.headers.get("Authorization", "")
        if not token and header.startswith("Bearer "):
            token = header[7:].strip()
        if token:
            p = principal_from_token(self.st.db, token) if isinstance(token, str) and len(token) < 200 else None
            if p is None:
                raise ConnectionRefusedError("unknown or revoked API token: connect without one for public topics")
            v.principal, v.token = p, token
        elif v.origin_ok:
            v.principal = session_principal()
            v.epoch = session.get("epoch") if v.principal else None
            if v.principal is not None:  # a person's pages: told when their assignment moves (Studio.move_squad)
                join_room(user_room(v.principal.name))
        self._viewers[request.sid] = v

    def on_disconnect(self, *args):
        self._viewers.pop(request.sid, None)

    def _principal(self) -> tuple[Principal | None, Viewer]:
        v = self._viewers.get(request.sid) or Viewer()
        p = v.principal
        if p is not None and v.token is not None:
            p = principal_from_token(self.st.db, v.token)
        elif p is not None and not still_current(p, v.epoch):
            p = None
        return p, v

    def _refusal(self, topic: str, roles: tuple[str, ...], p: Principal | None, v: Viewer) -> str:
        needs = f"topic {topic!r} is for staff ({', '.join(roles)})"
        if p is not None:
            return f"{needs}: this connection's role {p.role} may not read it"
        if not v.origin_ok:
            return (f"{needs}: pages from {v.origin} may not use the staff login (add the origin to "
                    f"STUDIO_ALLOWED_ORIGINS), or connect with auth {{\"token\": \"<API token>\"}}")
        return f"{needs}: log in, or connect with auth {{\"token\": \"<API token>\"}} of such a role"

    def on_topics(self, data=None):
        """Every topic this server provides and who may read it."""
        return {"topics": {t: self.live.audience(t).describe() for t in self.live.topics}}

    def on_subscribe(self, data):
        """{"show": id, "topics": [...]} → joins the rooms and answers with one snapshot per topic it may read.
        Staff topics asked for without the right role are refused: a `refused` event and an ack with `error`."""
        if not isinstance(data, dict) or not isinstance(data.get("show"), str) or len(data["show"]) > 32:
            return {"error": "subscribe needs {show, topics}"}
        topics = data.get("topics") or list(self.live.topics)
        if not isinstance(topics, list) or len(topics) > MAX_TOPICS:
            return {"error": "topics must be a list"}
        unknown = [t for t in topics if t not in self.live.topics]
        if unknown:
            return {"error": f"unknown topic {unknown[0]!r}; known: {', '.join(self.live.topics)}"}
        p, v = self._principal()
        show = data["show"]
        snaps, served, refused = [], [], []
        assigned = self._assigned(p, show)
        for t in dict.fromkeys(topics):
            who = self.live.audience(t)
            if not who.public and not assigned:
                refused.append((t, "you are not assigned to this show"))
                continue
            if not who.public and (p is None or not p.has(who.roles)):
                refused.append((t, self._refusal(t, who.roles, p, v)))
                continue
            full = who.public_view is not None and p is not None and p.has(SAMPLE_ROLES) and assigned
            join_room(room(show, t, full=full))
            snaps.append(self.live.snapshot(show, t, full=full or who.public_view is None))
            served.append(t)
        for snap in snaps:
            self.emit("state", snap, room=request.sid)  # Namespace.emit has no `to=` in Flask-SocketIO 5.x
        if refused:
            error = "; ".join(msg for _, msg in refused)
            self.emit("refused", {"show": show, "topics": [t for t, _ in refused], "error": error}, room=request.sid)
            return {"ok": False, "error": error, "topics": served, "refused": [t for t, _ in refused]}
        return {"ok": True, "topics": served}

    def _assigned(self, p: Principal | None, show: str) -> bool:
        """Staff assigned to shows read the staff topics of those shows only (as on their pages and the API)."""
        if p is None or self.st is None or p.via != "session" or p.role not in RESTRICTED_ROLES:
            return True
        shows = shows_for(self.st.db, p.name)
        return shows is None or show in shows

    def on_unsubscribe(self, data):
        if isinstance(data, dict) and isinstance(data.get("show"), str):
            for t in data.get("topics") or self.live.topics:
                if t in self.live.topics:
                    leave_room(room(data["show"], t))
                    leave_room(room(data["show"], t, full=True))
        return {"ok": True}

    def on_ping_state(self, data):
        """Round-trip probe for health displays and benchmarks."""
        return {"ok": True, "echo": data if isinstance(data, (int, float)) or len(str(data)) <= 256 else None}


class IngestNamespace(Namespace):
    """Bridges keep a connection open: connect with auth {"token"} (role ingest or admin), then emit
    `comments` {show, items: [...]} and get the same answer as the HTTP endpoint as the ack."""

    def __init__(self, st):
        super().__init__(INGEST_NAMESPACE)
        self.st = st
        self._keys: dict[str, str] = {}  # sid → the token's budget key

    def on_connect(self, auth=None):
        token = auth.get("token") if isinstance(auth, dict) else None
        p = principal_from_token(self.st.db, token) if isinstance(token, str) and token else None
        if p is None:
            raise ConnectionRefusedError("send auth {\"token\": \"<ingest token>\"}")
        if not p.has(("ingest",)):
            raise ConnectionRefusedError("this token's role cannot ingest comments")
        self._keys[request.sid] = token_digest(token[:200])[:24]  # the same budget as over HTTP

    def on_disconnect(self, *args):
        self._keys.pop(request.sid, None)

    def on_comments(self, data):
        if not isinstance(data, dict) or not isinstance(data.get("show"), str):
            return {"error": "send {\"show\": id, \"items\": [...]}"}
        if not self.st.engine.show_exists(data["show"]):
            return {"error": "no such show"}
        try:
            items = checked_batch(data.get("items"))
            refused = comment_budget(current_app, self._keys.get(request.sid), len(items))
            if refused:
                return {"error": refused, "retry_after": retry_after(INGEST_COMMENTS[1])}
            return self.st.engine.ingest(data["show"], items, source="socketio")
        except Invalid as e:
            return {"error": e.message}
        except StoreFailed:
            return {"error": STORE_FAILED}
