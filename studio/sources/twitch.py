"""Twitch chat through EventSub over WebSocket (`channel.chat.message`), for a configured user token.

Protocol (dev.twitch.tv/docs/eventsub/handling-websocket-events): connect, read `session_welcome` (session id,
keepalive timeout), create the subscriptions with Helix `POST /eventsub/subscriptions` naming that session, then
read `notification`s. Silence longer than the keepalive timeout means the connection is dead: reconnect (and
subscribe again: subscriptions die with their session). `session_reconnect` hands over to a new URL: connect
there first, read its welcome, then leave the old one; subscriptions carry over. Delivery is at least once — a
resent notification has the same message id — so comments are deduplicated by message id. A close with one of the
documented codes 4000-4007 ends the session on Twitch's side (network timeout, grace time expired…): a new one is
opened at once, counted as a restart. `revocation` means a person must act (the authorization was withdrawn, the
user removed, the version retired): failed, saying what to do. `stream.offline` is noted in health; the session
stays, ready for the next stream.

Without a token, the studio reads the channel anonymously over IRC instead (twitch_irc.py).
"""
from __future__ import annotations

import json
import logging
import time

import requests
import websocket

from studio.sources.base import Adapter, Comment, EndOfStream, FatalError, SessionEnded, drain_then_close, iso_seconds
from studio.sources.settings import Setting

log = logging.getLogger(__name__)

SETTINGS = {
    "mode": Setting("eventsub, irc, or auto (EventSub with a token, anonymous IRC without)", "auto"),
    "client_id": Setting("app client id (EventSub)"),
    "token": Setting("user access token with scope user:read:chat (EventSub)", secret=True),
    "broadcaster_id": Setting("channel's user id; looked up from the room (login) when empty"),
    "user_id": Setting("the token's user id; looked up when empty"),
    "eventsub_url": Setting("EventSub WebSocket", "wss://eventsub.wss.twitch.tv/ws"),
    "api_url": Setting("Helix API base", "https://api.twitch.tv/helix"),
    "keepalive_timeout": Setting("seconds of silence before the connection counts as dead (10-600)", 10, kind=int),
    "stop_on_offline": Setting("fail when the channel goes offline (stream.offline) instead of waiting for it to "
                               "come back", False, kind=bool),
    "irc_url": Setting("IRC over WebSocket", "wss://irc-ws.chat.twitch.tv:443"),
    "irc_nick": Setting("IRC nick; empty reads anonymously as justinfan…"),
    "irc_ping_interval": Setting("IRC: send a PING after this many silent seconds", 20.0, kind=float),
    "irc_pong_timeout": Setting("IRC: reconnect if the PONG takes longer, seconds", 10.0, kind=float),
    "irc_join_timeout": Setting("IRC: seconds to wait for the welcome, then for the JOIN to be confirmed", 10.0,
                                kind=float),
}


def normalize_room(room: str) -> str:
    """A channel is its login: "#FaqShop" and "faqshop" are the same room (where settings are stored, too)."""
    return room.strip().lstrip("#").lower()


def close_code(frame) -> int | None:
    data = getattr(frame, "data", frame) or b""
    return int.from_bytes(data[:2], "big") if isinstance(data, bytes) and len(data) >= 2 else None


# The close codes with which Twitch ends a session (EventSub WebSocket reference); each means "connect again".
SESSION_CLOSES = {4000: "internal server error", 4001: "the client sent inbound traffic",
                  4002: "the client failed ping-pong", 4003: "connection unused (no subscription in time)",
                  4004: "reconnect grace time expired", 4005: "network timeout", 4006: "network error",
                  4007: "invalid reconnect"}

# What a person must do after a revocation, by its status.
REVOKED = {
    "authorization_revoked": "the user withdrew the app's authorization: create a new user access token with scope "
                             "user:read:chat, then `studio source add --platform twitch --set token=…` and run the "
                             "source again",
    "user_removed": "the channel or the reading account no longer exists: check the room and user_id",
    "version_removed": "Twitch retired this subscription version: update the studio",
    "moderator_removed": "the reading account lost its moderator rights in the channel: restore them or use the "
                         "channel's own token",
}


class TwitchEventSubAdapter(Adapter):
    platform = "twitch"
    SETTINGS = SETTINGS

    def __init__(self, room, settings, on_comments=None):
        super().__init__(normalize_room(room), settings, on_comments)
        self.http = requests.Session()
        self._ws: websocket.WebSocket | None = None
        self._ids: tuple[str, str] | None = None

    # --- Helix ----------------------------------------------------------------------------------------
    def _helix(self, method: str, path: str, **kw) -> requests.Response:
        headers = {"Authorization": f"Bearer {self.settings['token']}", "Client-Id": self.settings["client_id"]}
        r = self.http.request(method, self.settings["api_url"].rstrip("/") + path, headers=headers, timeout=10, **kw)
        if r.status_code == 401:
            raise FatalError("Twitch refused the token (401): renew it or check client_id")
        if r.status_code == 429 or r.status_code >= 500:
            raise ConnectionError(f"Helix {path}: HTTP {r.status_code}")
        return r

    def _user_ids(self) -> tuple[str, str]:
        if self._ids is None:
            broadcaster, user = self.settings["broadcaster_id"], self.settings["user_id"]
            if not broadcaster:
                found = self._helix("GET", "/users", params={"login": self.room}).json().get("data") or []
                if not found:
                    raise FatalError(f"no Twitch channel named '{self.room}'")
                broadcaster = found[0]["id"]
            if not user:
                user = (self._helix("GET", "/users").json().get("data") or [{}])[0].get("id", "")
            self._ids = (str(broadcaster), str(user))
        return self._ids

    def _subscribe(self, session_id: str) -> None:
        broadcaster, user = self._user_ids()
        wanted = [("channel.chat.message", {"broadcaster_user_id": broadcaster, "user_id": user})]
        wanted.append(("stream.offline", {"broadcaster_user_id": broadcaster}))
        for kind, condition in wanted:
            r = self._helix("POST", "/eventsub/subscriptions", json={
                "type": kind, "version": "1", "condition": condition,
                "transport": {"method": "websocket", "session_id": session_id}})
            if r.status_code in (202, 409):  # 409: it already exists
                continue
            message = _helix_error(r)
            if r.status_code == 403:
                raise FatalError(f"{kind} refused (403 {message}): the token needs the scope user:read:chat")
            raise FatalError(f"{kind} refused ({r.status_code} {message})")

    # --- WebSocket ------------------------------------------------------------------------------------
    def _connect(self, url: str) -> tuple[websocket.WebSocket, float]:
        ws = websocket.create_connection(url, timeout=10, enable_multithread=True)
        try:
            msg = json.loads(ws.recv())
            if msg.get("metadata", {}).get("message_type") != "session_welcome":
                raise ConnectionError("expected session_welcome")
            session = msg["payload"]["session"]
            self.status.note(session_id=session["id"])
            return ws, float(session.get("keepalive_timeout_seconds") or self.settings["keepalive_timeout"])
        except Exception:
            ws.close()
            raise

    def session(self) -> None:
        url = f"{self.settings['eventsub_url']}?keepalive_timeout_seconds={int(self.settings['keepalive_timeout'])}"
        self._ws, keepalive = self._connect(url)
        try:
            self._subscribe(self.status.extra["session_id"])
            self.connected()
            # Only messages count as keepalive: Twitch's WebSocket Pings are answered but say nothing of the session.
            deadline = time.monotonic() + keepalive + 1.0
            while not self.stopping:
                remaining = deadline - time.monotonic()
                try:
                    if remaining <= 0:
                        raise websocket.WebSocketTimeoutException()
                    self._ws.settimeout(remaining)
                    opcode, data = self._ws.recv_data(control_frame=True)
                except websocket.WebSocketTimeoutException:
                    raise ConnectionError(f"keepalive timeout: no message from Twitch in {keepalive:g} s") from None
                if opcode in (websocket.ABNF.OPCODE_PING, websocket.ABNF.OPCODE_PONG):
                    continue
                if opcode == websocket.ABNF.OPCODE_CLOSE:
                    code = close_code(data)
                    if code in SESSION_CLOSES:
                        raise SessionEnded(f"Twitch ended the session (close {code}: {SESSION_CLOSES[code]})")
                    raise ConnectionError(f"Twitch closed the connection (code {code})")
                self.link_alive()
                keepalive = self._handle(json.loads(data)) or keepalive
                deadline = time.monotonic() + keepalive + 1.0
        finally:
            self._ws.close()

    def _handle(self, msg: dict) -> float | None:
        """One message; returns the new keepalive after a handover."""
        meta, payload = msg.get("metadata") or {}, msg.get("payload") or {}
        kind = meta.get("message_type")
        if kind == "notification":
            self._notification(meta.get("subscription_type", ""), payload.get("event") or {},
                               iso_seconds(meta.get("message_timestamp")))
        elif kind == "session_reconnect":
            return self._handover(payload["session"]["reconnect_url"])
        elif kind == "revocation":
            sub = payload.get("subscription") or {}
            status = str(sub.get("status") or "")
            todo = REVOKED.get(status, "authorize the app again, then run the source again")
            raise FatalError(f"Twitch revoked {sub.get('type')} ({status}): {todo}")
        return None

    def _handover(self, url: str) -> float:
        """Connect to the new URL and take its welcome before leaving the old connection, reading what the old
        one still delivers, so nothing is lost in between."""
        new_ws, keepalive = self._connect(url)
        old, self._ws = self._ws, new_ws
        drain_then_close(old, 1.0, lambda data: self._handle(json.loads(data)))
        log.info("twitch: moved to a new EventSub connection")
        return keepalive

    def _notification(self, kind: str, event: dict, ts: float) -> None:
        if kind == "channel.chat.message":
            user = str(event.get("chatter_user_id") or "")
            text = ((event.get("message") or {}).get("text") or "").strip()
            self.deliver([Comment(self.platform, self.room, str(event.get("message_id", "")), user,
                                  "stable" if user else "absent", text, ts)])
        elif kind == "stream.offline":
            self.status.event("session", "the channel went offline (stream.offline); waiting for it to come back")
            self.status.note(stream="offline")
            if self.settings["stop_on_offline"]:
                raise EndOfStream("the channel went offline (stream.offline): start the stream, then the source")

    def interrupt(self) -> None:
        if self._ws is not None:
            self._ws.abort()


def _helix_error(r: requests.Response) -> str:
    try:
        return str(r.json().get("message", ""))
    except ValueError:
        return ""

