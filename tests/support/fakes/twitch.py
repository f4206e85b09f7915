"""Fake Twitch: EventSub over WebSocket with the Helix endpoints it needs, and chat over IRC on a WebSocket.

EventSub, from the WebSocket reference: `session_welcome` on connect (session id, keepalive timeout), keepalives
when idle, notifications only for subscriptions created through Helix with that session id, `session_reconnect`
handing over to a new URL (the session and its subscriptions carry over), `revocation` (with the documented
statuses), WebSocket Pings the client must answer (or close 4002), and the documented close codes that end a session
(4000-4007; 4003 for a session left without subscriptions). Faults: `drop()` (the TCP connections die),
`freeze()` (open but silent both ways: no keepalives, no notifications), `end_sessions(code)`. `delivered` holds the
chat message ids written to a working connection, `lost` those pushed into a frozen one. IRC, from the chat docs:
CAP/NICK/JOIN, tagged PRIVMSG, PING/PONG, RECONNECT, and the login NOTICE for a refused token."""
from __future__ import annotations

import json
import queue
import re
import threading
import time
import uuid
from datetime import UTC, datetime

from .common import HttpFake, Request, WsFake

CLOSE_REASONS = {4000: "internal server error", 4001: "client sent inbound traffic", 4002: "client failed ping-pong",
                 4003: "connection unused", 4004: "reconnect grace time expired", 4005: "network timeout",
                 4006: "network error", 4007: "invalid reconnect"}


def _now() -> str:
    return datetime.now(UTC).isoformat().replace("+00:00", "Z")


class _Session:
    def __init__(self, sid: str, keepalive: int):
        self.id, self.keepalive = sid, keepalive
        self.out: queue.Queue = queue.Queue()
        self.subscriptions: set[str] = set()
        self.created = time.monotonic()
        self.closed = threading.Event()


class FakeEventSub:
    def __init__(self, token: str = "user-token", client_id: str = "client-1", scopes=("user:read:chat",),
                 subscribe_window: float = 10.0):
        self.token, self.client_id, self.scopes, self.subscribe_window = token, client_id, set(scopes), subscribe_window
        self.users = {"streamer": "1001", "reader": "2002"}
        self.token_user = "reader"
        self.silent = False  # no keepalives: clients must notice and reconnect
        self.ping_interval: float | None = 2.0  # WebSocket Pings; no Pong within the interval closes with 4002
        self.delivered: list[str] = []
        self.lost: list[str] = []
        self.closes: list[int] = []  # close codes the fake sent
        self._frozen: set[str] = set()  # session ids whose connection is frozen
        self._end: dict[str, int] = {}  # session id → close code to end it with
        self.sessions: dict[str, _Session] = {}
        self.subscriptions_created: list[dict] = []
        self._lock = threading.Lock()
        self.ws = WsFake(self._serve)
        self.http = HttpFake({("POST", "/helix/eventsub/subscriptions"): self._subscribe,
                              ("GET", "/helix/users"): self._users})
        self.api_url = self.http.url + "/helix"
        self.url = self.ws.url + "/ws"

    # --- Helix --------------------------------------------------------------------------------------
    def _authorized(self, req: Request) -> bool:
        return (req.headers.get("authorization") == f"Bearer {self.token}"
                and req.headers.get("client-id") == self.client_id)

    def _users(self, req: Request) -> tuple:
        if not self._authorized(req):
            return 401, {"error": "Unauthorized", "status": 401, "message": "Invalid OAuth token"}
        login = req.query.get("login", self.token_user)
        if login not in self.users:
            return 200, {"data": []}
        return 200, {"data": [{"id": self.users[login], "login": login, "display_name": login}]}

    def _subscribe(self, req: Request) -> tuple:
        if not self._authorized(req):
            return 401, {"error": "Unauthorized", "status": 401, "message": "Invalid OAuth token"}
        body = req.json()
        if body["type"] == "channel.chat.message" and "user:read:chat" not in self.scopes:
            return 403, {"error": "Forbidden", "status": 403, "message": "subscription missing proper authorization"}
        with self._lock:
            session = self.sessions.get(body["transport"].get("session_id"))
            if session is None or session.closed.is_set():
                return 400, {"error": "Bad Request", "status": 400, "message": "websocket session does not exist"}
            session.subscriptions.add(body["type"])
        self.subscriptions_created.append(body)
        return 202, {"data": [{"id": uuid.uuid4().hex, "status": "enabled", "type": body["type"], "version": "1",
                               "condition": body["condition"], "transport": body["transport"],
                               "created_at": _now(), "cost": 0}], "total": 1, "total_cost": 0, "max_total_cost": 10}

    # --- WebSocket ----------------------------------------------------------------------------------
    @staticmethod
    def _message(kind: str, payload: dict, subscription_type: str | None = None, message_id: str | None = None):
        meta = {"message_id": message_id or str(uuid.uuid4()), "message_type": kind, "message_timestamp": _now()}
        if subscription_type:
            meta.update(subscription_type=subscription_type, subscription_version="1")
        return {"metadata": meta, "payload": payload}

    def _serve(self, conn) -> None:
        path = conn.request.path
        if path.startswith("/reconnect/"):  # the URL a session_reconnect pointed at: the same session
            with self._lock:
                session = self.sessions[path.rsplit("/", 1)[1]]
            old_out = session.out
            session.out = queue.Queue()
            old_out.put(None)  # the old connection stops reading the queue
        else:
            keepalive = int(path.partition("keepalive_timeout_seconds=")[2] or 10)
            session = _Session(str(uuid.uuid4()), keepalive)
            with self._lock:
                self.sessions[session.id] = session
        conn.send(json.dumps(self._message("session_welcome", {"session": {
            "id": session.id, "status": "connected", "connected_at": _now(),
            "keepalive_timeout_seconds": session.keepalive, "reconnect_url": None}})))
        out, last_sent = session.out, time.monotonic()
        pong, pinged_at = None, time.monotonic()
        try:
            while True:
                try:
                    conn.recv(timeout=0.02)  # clients send nothing; this notices a closed connection
                except TimeoutError:
                    pass
                frozen = session.id in self._frozen
                code = self._end.pop(session.id, None)
                if code is not None:
                    self.closes.append(code)
                    conn.close(code, CLOSE_REASONS.get(code, "session ended"))
                    return
                try:
                    msg = out.get_nowait()
                except queue.Empty:
                    msg = False
                if msg is None:
                    return  # handed over to a new connection
                ids = [msg["payload"]["event"]["message_id"]] if msg and msg["metadata"]["message_type"] == \
                    "notification" and msg["metadata"].get("subscription_type") == "channel.chat.message" else []
                if frozen:
                    self.lost.extend(ids)
                    continue
                if msg:
                    conn.send(json.dumps(msg))
                    self.delivered.extend(ids)
                    last_sent = time.monotonic()
                elif not self.silent and time.monotonic() - last_sent >= session.keepalive * 0.5:
                    conn.send(json.dumps(self._message("session_keepalive", {})))
                    last_sent = time.monotonic()
                if self.ping_interval and time.monotonic() - pinged_at >= self.ping_interval:
                    if pong is not None and not pong.is_set():
                        self.closes.append(4002)
                        conn.close(4002, "client failed ping-pong")
                        return
                    pong, pinged_at = conn.ping(), time.monotonic()
                if not session.subscriptions and time.monotonic() - session.created > self.subscribe_window:
                    self.closes.append(4003)
                    conn.close(4003, "connection unused")
                    return
        finally:
            if session.out is out:
                session.closed.set()

    def _live(self, subscription_type: str) -> list[_Session]:
        with self._lock:
            return [s for s in self.sessions.values() if not s.closed.is_set()
                    and subscription_type in s.subscriptions]

    def chat(self, text: str, chatter_id: str = "3003", message_id: str | None = None,
             metadata_id: str | None = None) -> str:
        """A chat message to every subscribed session; returns the notification's metadata message id
        (pass it back as `metadata_id` to resend the same notification, as Twitch may)."""
        metadata_id = metadata_id or str(uuid.uuid4())
        for s in self._live("channel.chat.message"):
            s.out.put(self._chat_message(text, chatter_id, message_id, metadata_id))
        return metadata_id

    def _chat_message(self, text: str, chatter_id: str, message_id: str | None, metadata_id: str) -> dict:
        event = {"broadcaster_user_id": self.users["streamer"], "broadcaster_user_login": "streamer",
                 "broadcaster_user_name": "Streamer", "chatter_user_id": chatter_id,
                 "chatter_user_login": f"user{chatter_id}", "chatter_user_name": f"User{chatter_id}",
                 "message": {"text": text, "fragments": [
                     {"type": "text", "text": text, "cheermote": None, "emote": None, "mention": None}]},
                 "color": "#00FF00", "badges": [], "message_type": "text", "cheer": None, "reply": None,
                 "channel_points_custom_reward_id": None}
        event["message_id"] = message_id or str(uuid.uuid4())
        return self._message("notification", {"subscription": {"type": "channel.chat.message"}, "event": event},
                             "channel.chat.message", metadata_id)

    def reconnect(self, then_text: str | None = None) -> None:
        """session_reconnect to every live session, optionally followed by one more chat message on the old
        connection (a client must not lose it while it moves)."""
        for s in self._live("channel.chat.message"):
            s.out.put(self._message("session_reconnect", {"session": {
                "id": s.id, "status": "reconnecting", "keepalive_timeout_seconds": None,
                "reconnect_url": f"{self.ws.url}/reconnect/{s.id}", "connected_at": _now()}}))
            if then_text:
                s.out.put(self._chat_message(then_text, "3004", None, str(uuid.uuid4())))

    def revoke(self, status: str = "authorization_revoked") -> None:
        """A revocation, as sent when the user revokes the app's authorization (authorization_revoked), the user
        no longer exists (user_removed) or the subscription version is withdrawn (version_removed)."""
        for s in self._live("channel.chat.message"):
            s.out.put(self._message("revocation", {"subscription": {
                "id": uuid.uuid4().hex, "type": "channel.chat.message", "version": "1", "status": status,
                "cost": 0, "condition": {"broadcaster_user_id": self.users["streamer"]},
                "transport": {"method": "websocket", "session_id": s.id}, "created_at": _now()}},
                "channel.chat.message"))

    def drop(self) -> None:
        """Every connection dies without a close frame (a network failure)."""
        self.ws.drop()

    def freeze(self) -> None:
        """The live connections stay open but send nothing more (no keepalive, no notification, no Ping)."""
        with self._lock:
            live = [sid for sid, s in self.sessions.items() if not s.closed.is_set()]
        self._frozen.update(live)

    def end_sessions(self, code: int = 4005) -> None:
        """Twitch ends every live session with a documented close code (4000 internal error, 4004 reconnect
        grace time expired, 4005 network timeout, 4006 network error, 4007 invalid reconnect)."""
        with self._lock:
            for sid, s in self.sessions.items():
                if not s.closed.is_set():
                    self._end[sid] = code

    def live_sessions(self) -> list[str]:
        with self._lock:
            return [sid for sid, s in self.sessions.items() if not s.closed.is_set()]

    def offline(self) -> None:
        for s in self._live("stream.offline"):
            s.out.put(self._message("notification", {"subscription": {"type": "stream.offline"}, "event": {
                "broadcaster_user_id": self.users["streamer"], "broadcaster_user_login": "streamer"}},
                "stream.offline"))

    def close(self) -> None:
        self.ws.close()
        self.http.close()


class FakeIrc:
    """Twitch chat over IRC on a WebSocket. As documented: JOIN is honoured only after the welcome (001); several
    lines share one WebSocket message; RECONNECT warns that this connection will close after a grace period,
    during which it keeps delivering (`grace`); the login NOTICE for a refused token. Faults: `ignore_joins` (a JOIN
    never confirmed), `freeze()` (the joined connections stay open but say nothing and answer no PING)."""

    def __init__(self, valid_token: str = "irc-token", grace: float = 2.0):
        self.valid_token, self.grace = valid_token, grace
        self.answer_pings = True
        self.ignore_joins = False
        self.pings_seen = self.pongs_seen = 0
        self.early_joins = 0  # JOINs sent before the welcome: Twitch ignores them
        self.joined: list = []
        self.delivered: list[str] = []  # PRIVMSG ids written to a working connection (repeats on overlap too)
        self.posted: list[tuple[str, str]] = []  # (nick, "#channel :text") of the PRIVMSGs clients sent
        self.refuse_posts: tuple[str, str] | None = None  # (msg-id, text) of a NOTICE answering every PRIVMSG
        self._frozen: set = set()
        self._lock = threading.Lock()
        self.ws = WsFake(self._serve)
        self.url = self.ws.url

    def _serve(self, conn) -> None:  # noqa: C901 - one branch per IRC command, in the protocol's order
        nick, password, welcomed = "", "", False
        while True:
            try:
                frame = conn.recv()
            except Exception:  # noqa: BLE001 - the client went away
                with self._lock:
                    if conn in self.joined:
                        self.joined.remove(conn)
                return
            if conn in self._frozen:
                continue
            for line in frame.split("\r\n"):
                cmd, _, arg = line.partition(" ")
                if cmd == "CAP":
                    conn.send(":tmi.twitch.tv CAP * ACK :twitch.tv/tags twitch.tv/commands\r\n")
                elif cmd == "PASS":
                    password = arg
                elif cmd == "NICK":
                    nick = arg
                    if password and password != f"oauth:{self.valid_token}":
                        # The NOTICE shares its message with the last lines Twitch had for this connection.
                        conn.send(":tmi.twitch.tv NOTICE * :Login authentication failed\r\n")
                        conn.close()
                        return
                    conn.send(f":tmi.twitch.tv 001 {nick} :Welcome, GLHF!\r\n:tmi.twitch.tv 002 {nick} :Your "
                              f"host is tmi.twitch.tv\r\n:tmi.twitch.tv 376 {nick} :>\r\n")
                    welcomed = True
                elif cmd == "JOIN":
                    if not welcomed:
                        self.early_joins += 1
                        continue
                    if self.ignore_joins:
                        continue
                    conn.send(f":{nick}!{nick}@{nick}.tmi.twitch.tv JOIN {arg}\r\n")
                    with self._lock:
                        self.joined.append(conn)
                elif cmd == "PING":
                    self.pings_seen += 1
                    if self.answer_pings:
                        conn.send(f":tmi.twitch.tv PONG tmi.twitch.tv {arg}\r\n")
                elif cmd == "PONG":
                    self.pongs_seen += 1
                elif cmd == "PRIVMSG" and welcomed:
                    self._posted(conn, nick, arg)

    def _posted(self, conn, nick: str, arg: str) -> None:
        """A client wrote in chat: recorded, or answered with the NOTICE set in `refuse_posts`."""
        if self.refuse_posts is not None:
            kind, text = self.refuse_posts
            conn.send(f"@msg-id={kind} :tmi.twitch.tv NOTICE {arg.partition(' ')[0]} :{text}\r\n")
            return
        with self._lock:
            self.posted.append((nick, arg))

    def _broadcast(self, data: str, to: list | None = None) -> None:
        with self._lock:
            conns = list(self.joined) if to is None else to
        ids = re.findall(r"[@;]id=([^; ]+)", data)
        for c in conns:
            if c in self._frozen:
                continue
            try:
                c.send(data)
                self.delivered.extend(ids)
            except Exception:  # noqa: BLE001 - a dropped connection
                with self._lock:
                    if c in self.joined:
                        self.joined.remove(c)

    @staticmethod
    def privmsg(text: str, user_id: str = "3003", msg_id: str | None = None, login: str = "viewer") -> str:
        tags = {"badge-info": "", "badges": "", "color": "#1E90FF", "display-name": f"{login}\\sshow",
                "emotes": "", "first-msg": "0", "flags": "", "id": msg_id or str(uuid.uuid4()), "mod": "0",
                "returning-chatter": "0", "room-id": "1001", "subscriber": "0",
                "tmi-sent-ts": str(int(time.time() * 1000)), "turbo": "0", "user-id": user_id, "user-type": ""}
        raw = ";".join(f"{k}={v}" for k, v in tags.items())
        return f"@{raw} :{login}!{login}@{login}.tmi.twitch.tv PRIVMSG #streamer :{text}\r\n"

    @classmethod
    def action(cls, text: str, **kw) -> str:
        """What `/me text` sends: a CTCP ACTION."""
        return cls.privmsg(f"\x01ACTION {text}\x01", **kw)

    def say(self, *lines: str) -> None:
        """Send PRIVMSG lines to every joined client, all in one WebSocket message."""
        self._broadcast("".join(lines))

    def ping(self) -> None:
        self._broadcast("PING :tmi.twitch.tv\r\n")

    def reconnect(self, *lines: str) -> None:
        """RECONNECT to every joined connection, sharing its message with `lines` (before and after it, as a
        server flushing its buffer would); those connections keep delivering for `grace` seconds, then close."""
        with self._lock:
            doomed = list(self.joined)
        half = len(lines) // 2
        self._broadcast("".join(lines[:half]) + ":tmi.twitch.tv RECONNECT\r\n" + "".join(lines[half:]), doomed)

        def close_later() -> None:
            time.sleep(self.grace)
            with self._lock:
                for c in doomed:
                    if c in self.joined:
                        self.joined.remove(c)
            for c in doomed:
                try:
                    c.close()
                except Exception:  # noqa: BLE001
                    pass
        threading.Thread(target=close_later, daemon=True).start()

    def freeze(self) -> None:
        """The joined connections stay open but deliver nothing and answer no PING."""
        with self._lock:
            self._frozen.update(self.joined)

    @property
    def live_joined(self) -> int:
        with self._lock:
            return len([c for c in self.joined if c not in self._frozen])

    def close(self) -> None:
        self.ws.close()
