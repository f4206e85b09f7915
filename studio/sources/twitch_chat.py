"""Posting answers into Twitch chat: IRC PRIVMSG over the chat WebSocket, with a user token that has the chat scope.

Twitch documents (dev.twitch.tv/docs/chat): sending needs a user access token with `chat:edit` (IRC) or
`user:write:chat`; an account that is not a moderator of the channel may send at most 20 messages per 30 seconds
(RATE), and the same message twice within 30 seconds is dropped (the studio never repeats a text in a row). The
server answers a refused message with a NOTICE (msg_ratelimit, msg_duplicate, msg_banned …), an unusable token
with "Login authentication failed".

`post(text)` → (outcome, error): "posted", "rate_limited" (our window, or the server's msg_ratelimit) or
"rejected" (no or wrong token, a NOTICE). One connection per channel, opened on first use, kept while it works.
"""
from __future__ import annotations

import os
import re
import threading
import time

import websocket

from faq_catalog.replies import Windows
from studio.sources.twitch import SETTINGS, normalize_room
from studio.sources.twitch_irc import AUTH_FAILURES, parse_line

CHAT_SCOPES = ("chat:edit", "user:write:chat")
LOGIN = re.compile(r"[a-z0-9_]{1,25}")
TOKEN = re.compile(r"[A-Za-z0-9_\-]{1,200}")
RATE = (20, 30.0)  # messages per seconds, for an account that is not a moderator of the channel
NOTICE_WAIT = 0.3  # seconds to listen for the server's NOTICE on a message before taking it as posted


class TwitchChatPoster:
    def __init__(self, channel: str, token: str, nick: str, scopes: list[str] | tuple[str, ...],
                 irc_url: str | None = None, rate: tuple[int, float] = RATE, clock=time.monotonic):
        if not token:
            raise ValueError("posting to Twitch chat needs a user access token")
        if not any(s in CHAT_SCOPES for s in scopes or ()):
            raise ValueError(f"the token needs the scope {' or '.join(CHAT_SCOPES)} to write in chat")
        self.channel = normalize_room(channel or "")
        if not LOGIN.fullmatch(self.channel):
            raise ValueError("channel is the Twitch login of the channel to write in (letters, digits, _)")
        self.token = token[6:] if token.startswith("oauth:") else token
        if not TOKEN.fullmatch(self.token):
            raise ValueError("the token is letters and digits only")
        self.nick = (nick or self.channel).lower()
        if not LOGIN.fullmatch(self.nick):
            raise ValueError("nick is the Twitch login of the token's account (letters, digits, _)")
        self.irc_url = irc_url or os.environ.get("STUDIO_TWITCH_IRC_URL") or SETTINGS["irc_url"].default
        self.rate = rate
        self.clock = clock
        self._sent = Windows(max_keys=1)  # the messages sent within the rate's window
        self._ws: websocket.WebSocket | None = None
        self._lock = threading.Lock()

    def status(self) -> dict:
        return {"platform": "twitch", "channel": self.channel, "nick": self.nick, "connected": self._ws is not None,
                "rate": list(self.rate)}

    def post(self, show_id: str, text: str) -> tuple[str, str]:
        with self._lock:
            now = self.clock()
            sent = self._sent.events("chat", self.rate[1], now)
            if len(sent) >= self.rate[0]:
                return "rate_limited", f"at most {self.rate[0]} messages per {self.rate[1]:g} s (Twitch's limit)"
            try:
                ws = self._ws or self._connect()
                ws.send(f"PRIVMSG #{self.channel} :{' '.join(text.split())}\r\n")
                sent.append(now)
                return self._outcome(ws)
            except Refused as e:
                self._close()
                return "rejected", str(e)
            except (OSError, websocket.WebSocketException) as e:
                self._close()
                return "rejected", f"chat connection failed: {e}"[:300]

    def _connect(self) -> websocket.WebSocket:
        ws = websocket.create_connection(self.irc_url, timeout=5)
        ws.send("CAP REQ :twitch.tv/tags twitch.tv/commands\r\n")
        ws.send(f"PASS oauth:{self.token}\r\nNICK {self.nick}\r\n")
        self._until(ws, "001")
        ws.send(f"JOIN #{self.channel}\r\n")
        self._until(ws, "JOIN")
        self._ws = ws
        return ws

    @staticmethod
    def _until(ws: websocket.WebSocket, command: str) -> None:
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            for line in ws.recv().split("\r\n"):
                _, _, cmd, params = parse_line(line) if line else ({}, "", "", [])
                if cmd == "NOTICE" and params and any(f in params[-1] for f in AUTH_FAILURES):
                    raise Refused(f"Twitch refused the token: {params[-1]}")
                if cmd == command:
                    return
        raise Refused(f"no {command} from Twitch chat within 5 s")

    @staticmethod
    def _outcome(ws: websocket.WebSocket) -> tuple[str, str]:
        """A NOTICE right after the message is the server refusing it; silence is success."""
        ws.settimeout(NOTICE_WAIT)
        try:
            data = ws.recv()
        except websocket.WebSocketTimeoutException:
            return "posted", ""
        finally:
            ws.settimeout(5)
        for line in data.split("\r\n"):
            if not line:
                continue
            tags, _, cmd, params = parse_line(line)
            if cmd == "PING":
                ws.send("PONG :tmi.twitch.tv\r\n")
            if cmd == "NOTICE":
                kind = tags.get("msg-id", "")
                message = params[-1] if params else kind
                return ("rate_limited" if kind == "msg_ratelimit" else "rejected"), message[:300]
        return "posted", ""

    def _close(self) -> None:
        if self._ws is not None:
            try:
                self._ws.close()
            except Exception:  # noqa: BLE001 - closing a broken link
                pass
        self._ws = None

    def close(self) -> None:
        with self._lock:
            self._close()


class Refused(Exception):
    pass
