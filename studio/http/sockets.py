"""Socket.IO namespaces. `/live` is read-only: clients subscribe to (show, topics) and receive snapshots.
Writes go through the HTTP API, where roles and CSRF are checked; bridges that push comments use `/ingest`."""
from __future__ import annotations

from flask import request, session
from flask_socketio import ConnectionRefusedError, Namespace, join_room, leave_room

from studio.access.auth import current_principal, principal_from_token
from studio.comments.ingest import STORE_FAILED, StoreFailed, checked_batch
from studio.errors import Invalid
from studio.live.channels import NAMESPACE, LiveChannels, room

MAX_TOPICS = 10
# Topics only the crew may watch (logged in, or a token sent as auth {"token"} at connect): the specialist queue
# holds viewers' own cases.
STAFF_TOPICS = {"cases": ("producer", "host", "agent"), "replies": ("producer", "host")}
INGEST_NAMESPACE = "/ingest"


class LiveNamespace(Namespace):
    def __init__(self, live: LiveChannels, db=None):
        super().__init__(NAMESPACE)
        self.live = live
        self.live_db = db

    def on_subscribe(self, data):
        """{"show": id, "topics": [...]} → joins the rooms and answers with one snapshot per topic."""
        if not isinstance(data, dict) or not isinstance(data.get("show"), str) or len(data["show"]) > 32:
            return {"error": "subscribe needs {show, topics}"}
        topics = data.get("topics") or list(self.live.topics)
        if not isinstance(topics, list) or len(topics) > MAX_TOPICS:
            return {"error": "topics must be a list"}
        unknown = [t for t in topics if t not in self.live.topics]
        if unknown:
            return {"error": f"unknown topic {unknown[0]!r}; known: {', '.join(self.live.topics)}"}
        for t in topics:
            roles = STAFF_TOPICS.get(t)
            if roles is not None and not self._allowed(roles):
                return {"error": f"topic {t!r} is for the crew: log in as {' or '.join(roles)}"}
        snaps = []
        for t in topics:
            join_room(room(data["show"], t))
            snaps.append(self.live.snapshot(data["show"], t))
        for snap in snaps:
            self.emit("state", snap, room=request.sid)  # Namespace.emit has no `to=` in Flask-SocketIO 5.x
        return {"ok": True, "topics": topics}

    def on_connect(self, auth=None):
        token = auth.get("token") if isinstance(auth, dict) else None
        if isinstance(token, str) and token:
            session["live_token"] = token[:200]  # staff topics check it on subscribe; nothing else needs it

    def _allowed(self, roles: tuple[str, ...]) -> bool:
        p = current_principal()
        if p is None and session.get("live_token"):
            p = principal_from_token(self.live_db, session["live_token"])
        return p is not None and p.has(roles)

    def on_unsubscribe(self, data):
        if isinstance(data, dict) and isinstance(data.get("show"), str):
            for t in data.get("topics") or self.live.topics:
                if t in self.live.topics:
                    leave_room(room(data["show"], t))
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
            items = checked_batch(data.get("items"))
            return self.st.engine.ingest(data["show"], items, source="socketio")
        except Invalid as e:
            return {"error": e.message}
        except StoreFailed:
            return {"error": STORE_FAILED}
