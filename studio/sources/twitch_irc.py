"""Twitch chat over IRC on a WebSocket, read-only and anonymous (nick justinfan…), for channels without a token.

Protocol (dev.twitch.tv/docs/chat/irc): request the `twitch.tv/tags` and `twitch.tv/commands` capabilities, NICK,
JOIN #channel, then read lines (several per WebSocket frame, CRLF-separated). PRIVMSG carries the comment, its
IRCv3 tags give `id` (the same message id EventSub uses), `user-id` and `tmi-sent-ts`. The server PINGs and wants a
PONG; RECONNECT asks us to reconnect now. We PING after a silence and reconnect if no PONG follows.
"""
from __future__ import annotations

import random
import time

import websocket

from studio.sources.base import Adapter, Comment, FatalError, RetryLater, epoch_seconds, synthetic_id
from studio.sources.twitch import SETTINGS

TAG_ESCAPES = {":": ";", "s": " ", "\\": "\\", "r": "\r", "n": "\n"}
AUTH_FAILURES = ("Login authentication failed", "Improperly formatted auth", "Login unsuccessful")


def unescape_tag(value: str) -> str:
    out, i = [], 0
    while i < len(value):
        ch = value[i]
        if ch == "\\":
            if i + 1 < len(value):
                out.append(TAG_ESCAPES.get(value[i + 1], value[i + 1]))
            i += 2  # a trailing lone backslash is dropped
            continue
        out.append(ch)
        i += 1
    return "".join(out)


def parse_line(line: str) -> tuple[dict, str, str, list[str]]:
    """(tags, prefix, command, params) of one IRC line; the trailing parameter keeps its spaces."""
    tags: dict[str, str] = {}
    prefix = ""
    if line.startswith("@"):
        raw, _, line = line[1:].partition(" ")
        for part in raw.split(";"):
            key, _, value = part.partition("=")
            tags[key] = unescape_tag(value)
    if line.startswith(":"):
        prefix, _, line = line[1:].partition(" ")
    head, sep, trailing = line.partition(" :")
    params = head.split()
    command = params.pop(0) if params else ""
    if sep:
        params.append(trailing)
    return tags, prefix, command, params


class TwitchIrcAdapter(Adapter):
    platform = "twitch"
    SETTINGS = SETTINGS

    def __init__(self, room, settings, on_comments=None):
        super().__init__(room.lstrip("#").lower(), settings, on_comments)
        self.nick = settings.get("irc_nick") or f"justinfan{random.randint(10000, 99999)}"
        self._ws: websocket.WebSocket | None = None

    def session(self) -> None:
        self._ws = ws = websocket.create_connection(self.settings["irc_url"], timeout=10, enable_multithread=True)
        try:
            ws.send("CAP REQ :twitch.tv/tags twitch.tv/commands")
            if self.settings.get("token") and self.settings.get("irc_nick"):
                ws.send(f"PASS oauth:{self.settings['token']}")
            ws.send(f"NICK {self.nick}")
            ws.send(f"JOIN #{self.room}")
            self._read(ws)
        finally:
            ws.close()

    def _read(self, ws: websocket.WebSocket) -> None:
        ping_after = float(self.settings["irc_ping_interval"])
        pong_within = float(self.settings["irc_pong_timeout"])
        awaiting_pong_since: float | None = None
        while not self.stopping:
            ws.settimeout(pong_within if awaiting_pong_since else ping_after)
            try:
                opcode, data = ws.recv_data()
            except websocket.WebSocketTimeoutException:
                if awaiting_pong_since:
                    raise ConnectionError(f"keepalive timeout: no PONG within {pong_within:g} s")
                ws.send("PING :tmi.twitch.tv")
                awaiting_pong_since = time.monotonic()
                continue
            if opcode == websocket.ABNF.OPCODE_CLOSE:
                raise ConnectionError("Twitch closed the IRC connection")
            awaiting_pong_since = None  # anything from the server proves the connection alive
            comments = []
            for line in data.decode("utf-8", "replace").split("\r\n"):
                if line:
                    comment = self._line(ws, line)
                    if comment:
                        comments.append(comment)
            self.deliver(comments)

    def _line(self, ws: websocket.WebSocket, line: str) -> Comment | None:
        tags, prefix, command, params = parse_line(line)
        if command == "PING":
            ws.send("PONG :" + (params[-1] if params else "tmi.twitch.tv"))
        elif command == "RECONNECT":
            raise RetryLater("Twitch asked to reconnect (RECONNECT)", 0.0)
        elif command == "NOTICE" and params and any(f in params[-1] for f in AUTH_FAILURES):
            raise FatalError(f"Twitch refused the login: {params[-1]}")
        elif command == "JOIN" and prefix.split("!")[0] == self.nick:
            self.connected()
        elif command == "PRIVMSG" and len(params) == 2:
            login = prefix.split("!")[0]
            user = tags.get("user-id", "")
            ts = epoch_seconds(tags.get("tmi-sent-ts"))
            text = params[1].strip()
            return Comment(self.platform, self.room, tags.get("id") or synthetic_id(self.room, login, text, ts),
                           user or login, "stable" if user else "session", text, ts)
        return None

    def interrupt(self) -> None:
        if self._ws is not None:
            self._ws.abort()
