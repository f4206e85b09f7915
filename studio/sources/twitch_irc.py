"""Twitch chat over IRC on a WebSocket, read-only and anonymous (nick justinfan…), for channels without a token.

Protocol (dev.twitch.tv/docs/chat/irc): request the `twitch.tv/tags` and `twitch.tv/commands` capabilities, NICK,
wait for the welcome (001), JOIN #channel and wait for our JOIN to come back, then read lines (several per WebSocket
message, CRLF-separated). PRIVMSG carries the comment (`/me` as a CTCP ACTION), its IRCv3 tags give `id` (the same
message id EventSub uses), `user-id` and `tmi-sent-ts`. The server PINGs and wants a PONG. RECONNECT warns that the
server will close this connection after a grace period: we join on a new one first, then leave the old. We PING
after a silence and replace the link if no PONG follows.
"""
from __future__ import annotations

import random
import time

import websocket

from studio.sources.base import (
    Adapter,
    Comment,
    FatalError,
    RetryLater,
    drain_then_close,
    epoch_seconds,
    synthetic_id,
)
from studio.sources.twitch import SETTINGS, normalize_room

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


def action_text(text: str) -> str:
    """`/me waves` arrives as CTCP "\x01ACTION waves\x01": the comment is "waves"."""
    if text.startswith("\x01ACTION"):
        return text[len("\x01ACTION"):].rstrip("\x01").strip()
    return text


class TwitchIrcAdapter(Adapter):
    platform = "twitch"
    SETTINGS = SETTINGS

    def __init__(self, room, settings, on_comments=None):
        super().__init__(normalize_room(room), settings, on_comments)
        self.nick = settings.get("irc_nick") or f"justinfan{random.randint(10000, 99999)}"
        self._ws: websocket.WebSocket | None = None
        # Alive: any line; after a quiet spell we PING and want the PONG in time.
        self.liveness.idle_probe_after = float(settings["irc_ping_interval"])
        self.liveness.probe_timeout = float(settings["irc_pong_timeout"])

    # --- connecting: CAP, NICK, the welcome (001), then JOIN, confirmed --------------------------------
    def _open(self, on_lines) -> websocket.WebSocket:
        """A logged-in connection that has joined the channel; lines read meanwhile go to `on_lines`."""
        ws = websocket.create_connection(self.settings["irc_url"], timeout=10, enable_multithread=True)
        try:
            ws.send("CAP REQ :twitch.tv/tags twitch.tv/commands")
            if self.settings.get("token") and self.settings.get("irc_nick"):
                ws.send(f"PASS oauth:{self.settings['token']}")
            ws.send(f"NICK {self.nick}")
            self._await(ws, "001", "no welcome (001) after NICK", on_lines)
            ws.send(f"JOIN #{self.room}")
            self._await(ws, "JOIN", f"JOIN #{self.room} not confirmed", on_lines)
            return ws
        except BaseException:
            ws.close()
            raise

    def _await(self, ws: websocket.WebSocket, command: str, problem: str, on_lines) -> None:
        timeout = float(self.settings["irc_join_timeout"])
        deadline = time.monotonic() + timeout
        while not self.stopping:
            left = deadline - time.monotonic()
            if left <= 0:
                raise ConnectionError(f"{problem} within {timeout:g} s")
            ws.settimeout(left)
            try:
                opcode, data = ws.recv_data()
            except websocket.WebSocketTimeoutException:
                continue
            if opcode == websocket.ABNF.OPCODE_CLOSE:
                raise ConnectionError("Twitch closed the IRC connection")
            if command in on_lines(ws, data):
                return
        raise ConnectionError("stopping")

    # --- reading ----------------------------------------------------------------------------------------
    def session(self) -> None:
        self._ws = self._open(self._frame)
        self.connected()
        try:
            self._read()
        finally:
            self._ws.close()

    def _read(self) -> None:
        while not self.stopping:
            ws = self._ws
            ws.settimeout(1.0)
            try:
                opcode, data = ws.recv_data()
            except websocket.WebSocketTimeoutException:
                continue
            if opcode == websocket.ABNF.OPCODE_CLOSE:
                raise ConnectionError("Twitch closed the IRC connection")
            if "RECONNECT" in self._frame(ws, data):
                self._handover()

    def _frame(self, ws: websocket.WebSocket, data: bytes) -> set[str]:
        """Every line of one WebSocket message, in order; comments are delivered before any line of the same
        message ends the connection. Returns the commands seen (and "JOIN" only for our own)."""
        self.link_alive()
        comments, seen, fatal = [], set(), None
        for line in data.decode("utf-8", "replace").split("\r\n"):
            if not line:
                continue
            tags, prefix, command, params = parse_line(line)
            if command == "PING":
                ws.send("PONG :" + (params[-1] if params else "tmi.twitch.tv"))
            elif command == "NOTICE" and params and any(f in params[-1] for f in AUTH_FAILURES):
                fatal = fatal or FatalError(f"Twitch refused the login: {params[-1]}")
            elif command == "JOIN" and prefix.split("!")[0] != self.nick:
                continue
            elif command == "PRIVMSG" and len(params) == 2:
                comments.append(self._comment(tags, prefix, params[1]))
            seen.add(command)
        self.deliver(comments)
        if fatal:
            raise fatal
        return seen

    def _comment(self, tags: dict, prefix: str, text: str) -> Comment:
        login = prefix.split("!")[0]
        user = tags.get("user-id", "")
        ts = epoch_seconds(tags.get("tmi-sent-ts"))
        text = action_text(text.strip())
        return Comment(self.platform, self.room, tags.get("id") or synthetic_id(self.room, login, text, ts),
                       user or login, "stable" if user else "session", text, ts)

    def _handover(self) -> None:
        """RECONNECT: Twitch keeps the old connection delivering for a while. Join on a new connection first
        (its lines are read as they come), then read what the old one still holds and leave it. Messages seen on
        both are the same ids: delivered once."""
        old = self._ws
        try:
            new = self._open(self._frame)
        except FatalError:
            raise
        except Exception as e:  # noqa: BLE001 - no new connection: the old one is still good for a while
            raise RetryLater(f"Twitch asked to reconnect (RECONNECT); the new connection failed: {e}", 0.0) from e
        self._ws = new
        drain_then_close(old, 2.0, lambda data: self._frame(old, data))
        self.status.event("reconnect", "Twitch asked to reconnect (RECONNECT): joined on a new connection first")
        self.connected()

    def probe(self) -> bool:
        ws = self._ws
        if ws is None:
            return False
        ws.send("PING :tmi.twitch.tv")
        return True

    def interrupt(self) -> None:
        if self._ws is not None:
            self._ws.abort()
