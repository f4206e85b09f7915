"""Bilibili Open-Live (直播开放平台): comments of a streamer's room, keyed by the streamer's 身份码.

Protocol (open-live.bilibili.com docs; framing also in bilibili-API-collect `message_stream.md`):
- HTTPS `POST /v2/app/start {code, app_id}` signed with HMAC-SHA256 over the x-bili-* headers → game id, WebSocket
  links and an auth body; `POST /v2/app/heartbeat {game_id}` every 20 s (the game closes after ~60 s without);
  `POST /v2/app/end {game_id, app_id}` when leaving (without it the room cannot be reopened for a while).
- WebSocket, binary packets with a 16-byte big-endian header: packet length (u32), header length (u16, 16),
  protocol version (u16: 0 JSON, 1 heartbeat/auth, 2 zlib, 3 brotli — 2 and 3 wrap further packets), operation
  (u32: 2 heartbeat, 3 heartbeat reply, 5 command, 7 auth, 8 auth reply), sequence (u32). Auth first, heartbeat
  every 30 s. Comments are `LIVE_OPEN_PLATFORM_DM` commands (`open_id`, `msg_id`, `msg`, `timestamp`).
"""
from __future__ import annotations

import hashlib
import hmac
import json
import logging
import secrets
import struct
import threading
import time
import zlib
from dataclasses import dataclass

import brotli
import requests
import websocket

from studio.sources.base import Adapter, Comment, FatalError, RetryLater, SessionEnded, epoch_seconds, synthetic_id
from studio.sources.settings import Setting

log = logging.getLogger(__name__)

HEADER = struct.Struct(">IHHII")
OP_HEARTBEAT, OP_HEARTBEAT_REPLY, OP_COMMAND, OP_AUTH, OP_AUTH_REPLY = 2, 3, 5, 7, 8
VER_JSON, VER_CONTROL, VER_ZLIB, VER_BROTLI = 0, 1, 2, 3

# Open-Live error codes that retrying cannot fix, with what the operator should check.
FATAL_CODES = {
    4000: "parameters refused: check app_id",
    4001: "access_key_id is not valid",
    4002: "signature refused: check access_key_secret",
    4003: "request expired: check this machine's clock",
    4005: "signature method refused",
    4006: "signature version refused",
    4007: "this server's IP is not on the app's IP whitelist",
    4008: "the app lacks permission for this API",
    4010: "API not found: check api_url",
    4011: "Content-Type refused",
    4012: "body checksum refused",
    4013: "Accept header refused",
    5004: "room not whitelisted: an unpublished app only reads its developer's own room (publish it to read others')",
    5005: "room is blacklisted for this app",
    7007: "身份码 (code) is wrong",
    8002: "app_id has no access to this project",
}
COOLDOWN_CODE = 7001  # the previous game is still settling: try again shortly
GAME_GONE_CODE = 7003  # heartbeat for a game that expired or was closed


def sign_headers(access_key_id: str, access_key_secret: str, body: bytes, timestamp: int | None = None,
                 nonce: str | None = None) -> dict:
    """The x-bili-* headers and their HMAC-SHA256 `Authorization`, over 'key:value' lines in key order."""
    signed = {
        "x-bili-accesskeyid": access_key_id,
        "x-bili-content-md5": hashlib.md5(body).hexdigest(),
        "x-bili-signature-method": "HMAC-SHA256",
        "x-bili-signature-nonce": nonce or secrets.token_hex(16),
        "x-bili-signature-version": "1.0",
        "x-bili-timestamp": str(int(time.time()) if timestamp is None else timestamp),
    }
    canonical = "\n".join(f"{k}:{signed[k]}" for k in sorted(signed))
    signature = hmac.new(access_key_secret.encode(), canonical.encode(), hashlib.sha256).hexdigest()
    return {**signed, "Authorization": signature, "Content-Type": "application/json", "Accept": "application/json"}


def encode_packet(op: int, body: bytes = b"", ver: int = VER_CONTROL, seq: int = 1) -> bytes:
    return HEADER.pack(HEADER.size + len(body), HEADER.size, ver, op, seq) + body


def decode_packets(data: bytes) -> list[tuple[int, bytes]]:
    """(operation, body) of every packet in `data`, unwrapping zlib and brotli bundles of further packets."""
    out: list[tuple[int, bytes]] = []
    offset = 0
    while offset + HEADER.size <= len(data):
        length, header_len, ver, op, _seq = HEADER.unpack_from(data, offset)
        if length < header_len or offset + length > len(data):
            raise ValueError(f"malformed packet at byte {offset}: length {length}")
        body = data[offset + header_len:offset + length]
        offset += length
        if op == OP_COMMAND and ver == VER_ZLIB:
            out.extend(decode_packets(zlib.decompress(body)))
        elif op == OP_COMMAND and ver == VER_BROTLI:
            out.extend(decode_packets(brotli.decompress(body)))
        else:
            out.append((op, body))
    return out


@dataclass
class Game:
    game_id: str
    links: list[str]
    auth_body: str
    room_id: str


class BilibiliAdapter(Adapter):
    platform = "bilibili"
    SETTINGS = {
        "app_id": Setting("project id (项目ID) from the developer console", required=True),
        "access_key_id": Setting("developer access_key_id", required=True, secret=True),
        "access_key_secret": Setting("developer access_key_secret", required=True, secret=True),
        "code": Setting("the streamer's 身份码 (shown in the live tools of the streamer's account)",
                        required=True, secret=True),
        "api_url": Setting("Open-Live API base", "https://live-open.biliapi.com"),
        "heartbeat_interval": Setting("project heartbeat, seconds (the platform wants 20)", 20.0, kind=float),
        "ws_heartbeat_interval": Setting("WebSocket heartbeat, seconds (the platform wants 30)", 30.0, kind=float),
        "auth_timeout": Setting("seconds to wait for the auth reply", 5.0, kind=float),
        "cooldown_retry": Setting("seconds before app/start is tried again while a game settles (7001)", 2.0,
                                  kind=float),
        "skip_emoji": Setting("drop sticker comments (dm_type 1)", True, kind=bool),
    }

    def __init__(self, room, settings, on_comments=None):
        super().__init__(room, settings, on_comments)
        self.http = requests.Session()
        self._game: Game | None = None
        self._ws: websocket.WebSocket | None = None
        self._link_index = 0
        self._ended: str | None = None  # why the platform closed the game under the current link
        self._beats: threading.Thread | None = None
        # A heartbeat reply is due every ws_heartbeat_interval; one more probe_timeout and the link is frozen.
        self.liveness.link_timeout = float(settings["ws_heartbeat_interval"]) + self.liveness.probe_timeout

    # --- HTTP API -----------------------------------------------------------------------------------
    def _call(self, path: str, payload: dict, http: requests.Session | None = None) -> tuple[int, dict, str]:
        body = json.dumps(payload, separators=(",", ":")).encode()
        headers = sign_headers(self.settings["access_key_id"], self.settings["access_key_secret"], body)
        url = self.settings["api_url"].rstrip("/") + path
        r = (http or self.http).post(url, data=body, headers=headers, timeout=10)
        if r.status_code >= 500:
            raise ConnectionError(f"{path}: HTTP {r.status_code}")
        try:
            doc = r.json()
        except ValueError:
            raise ConnectionError(f"{path}: HTTP {r.status_code}, not JSON") from None
        return int(doc.get("code", -1)), doc.get("data") or {}, str(doc.get("message", ""))

    def _start_game(self) -> Game:
        code, data, message = self._call("/v2/app/start", {"code": self.settings["code"],
                                                           "app_id": int(self.settings["app_id"])})
        if code in FATAL_CODES:
            raise FatalError(f"app/start refused ({code}): {FATAL_CODES[code]}")
        if code == COOLDOWN_CODE:
            raise RetryLater(f"app/start: previous game still settling ({code})",
                             float(self.settings["cooldown_retry"]))
        if code != 0:
            raise ConnectionError(f"app/start failed ({code}): {message}")
        ws = data.get("websocket_info") or {}
        game = Game(str((data.get("game_info") or {}).get("game_id", "")), list(ws.get("wss_link") or []),
                    str(ws.get("auth_body", "")), str((data.get("anchor_info") or {}).get("room_id", "")))
        if not game.links or not game.auth_body:
            raise ConnectionError("app/start answered without WebSocket links")
        self.status.note(game_id=game.game_id, room_id=game.room_id)
        log.info("bilibili: game %s started for room %s", game.game_id, game.room_id)
        return game

    def _game_heartbeats(self) -> None:
        """The project heartbeat, on its own clock: every `heartbeat_interval` whatever the WebSocket does (drops,
        backoff, reconnects), so the game outlives any number of broken links. A failed beat is retried soon."""
        http, interval = requests.Session(), float(self.settings["heartbeat_interval"])
        wait = interval
        while not self.wait(wait):
            game = self._game
            if game is None:
                wait = min(interval, 1.0)
                continue
            try:
                code, _, message = self._call("/v2/app/heartbeat", {"game_id": game.game_id}, http)
            except Exception as e:  # noqa: BLE001 - the network; the game survives a few missed beats
                log.warning("bilibili: project heartbeat failed (%s); retrying", e)
                wait = min(interval, 2.0)
                continue
            wait = interval
            if code == GAME_GONE_CODE and self._game is game:
                self._game = None
                self._ended = f"the platform closed game {game.game_id} (heartbeat answered {code})"
                self.interrupt()
            elif code != 0:
                log.warning("bilibili: project heartbeat answered %s: %s", code, message)

    def _end_game(self) -> None:
        game, self._game = self._game, None
        if game and game.game_id:
            self._call("/v2/app/end", {"game_id": game.game_id, "app_id": int(self.settings["app_id"])})

    def close_upstream(self) -> None:
        self._end_game()

    def interrupt(self) -> None:
        if self._ws is not None:
            self._ws.abort()

    def probe(self) -> bool:
        ws = self._ws
        if ws is None or self.status.state not in ("connected", "receiving", "silent"):
            return False
        ws.send_binary(encode_packet(OP_HEARTBEAT))
        return True

    # --- WebSocket ----------------------------------------------------------------------------------
    def session(self) -> None:
        if self._beats is None:
            self._beats = threading.Thread(target=self._game_heartbeats, name="bilibili-game-heartbeat", daemon=True)
            self._beats.start()
        self._ended = None
        if self._game is None:
            self._game = self._start_game()
        link = self._game.links[self._link_index % len(self._game.links)]
        self._link_index += 1  # next time, try the next link
        self._ws = websocket.create_connection(link, timeout=10, enable_multithread=True)
        try:
            self._read(self._ws)
        except (SessionEnded, FatalError):
            raise
        except Exception:
            if self._ended:  # the heartbeat found the game gone and cut the link: a new game, at once
                raise SessionEnded(self._ended) from None
            raise
        finally:
            self._ws.close()

    def _read(self, ws: websocket.WebSocket) -> None:
        now = time.monotonic()
        ws.send_binary(encode_packet(OP_AUTH, self._game.auth_body.encode()))
        authed, auth_deadline = False, now + float(self.settings["auth_timeout"])
        next_ws_beat = now
        while not self.stopping:
            now = time.monotonic()
            if not authed and now >= auth_deadline:
                raise ConnectionError("no auth reply")
            if authed and now >= next_ws_beat:
                ws.send_binary(encode_packet(OP_HEARTBEAT))
                self.liveness.probed()  # the reply (op 3) is the sign of life this protocol promises
                next_ws_beat = now + float(self.settings["ws_heartbeat_interval"])
            ws.settimeout(max(0.05, min(1.0, (next_ws_beat if authed else auth_deadline) - now)))
            try:
                opcode, data = ws.recv_data()
            except websocket.WebSocketTimeoutException:
                continue
            if opcode == websocket.ABNF.OPCODE_CLOSE:
                raise ConnectionError("the platform closed the WebSocket")
            if authed:
                self.link_alive()
            for op, body in decode_packets(data):
                if op == OP_AUTH_REPLY:
                    self._check_auth(body)
                    authed = True
                    self.connected()
                elif op == OP_COMMAND:
                    self._command(json.loads(body))

    def _check_auth(self, body: bytes) -> None:
        code = json.loads(body or b"{}").get("code", -1)
        if code != 0:
            # The auth body expired with its game: end it and start a fresh one.
            self._end_game()
            raise ConnectionError(f"WebSocket auth refused (code {code})")

    def _command(self, msg: dict) -> None:
        cmd, data = msg.get("cmd", ""), msg.get("data") or {}
        if cmd == "LIVE_OPEN_PLATFORM_DM":
            if self.settings["skip_emoji"] and data.get("dm_type") == 1:
                return
            self.deliver([self._comment(data)])
        elif cmd == "LIVE_OPEN_PLATFORM_INTERACTION_END":
            # The game expired or was ended (by us elsewhere, or by the platform): start a new one at once.
            if str(data.get("game_id", "")) in ("", self._game.game_id if self._game else ""):
                self._game = None  # the platform ended it: nothing left to end
                raise SessionEnded("the platform ended the game (LIVE_OPEN_PLATFORM_INTERACTION_END)")

    def _comment(self, data: dict) -> Comment:
        # open_id is stable per app and viewer; uid has been 0 for Open-Live apps since 2024-04-15.
        open_id = str(data.get("open_id") or data.get("openid") or "")
        uid = str(data.get("uid") or "")
        user = open_id or (uid if uid not in ("", "0") else "")
        text, ts = str(data.get("msg", "")).strip(), epoch_seconds(data.get("timestamp"))
        msg_id = str(data.get("msg_id") or synthetic_id(self.room, user, text, ts))
        return Comment(self.platform, self.room, msg_id, user, "stable" if user else "absent", text, ts)
