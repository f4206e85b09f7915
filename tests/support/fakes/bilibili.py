"""A fake Bilibili Open-Live: the signed HTTP API (start / heartbeat / end) and the binary WebSocket.

Written from the published protocol, independently of the adapter: it checks the HMAC-SHA256 signature, the
body MD5 and nonce reuse, expires a game that misses project heartbeats (sending LIVE_OPEN_PLATFORM_INTERACTION_END
to its sockets, as the platform documents, then dropping them), sends the same command when a game is ended through
`/v2/app/end` or by the platform (`end_interaction`), answers WebSocket heartbeats, and sends commands as raw JSON
packets or as zlib (protover 2) / brotli (protover 3) bundles. Faults: `drop()` cuts every socket without a close
frame; `freeze()` leaves the current sockets open but silent both ways (a frozen NAT, a half-open TCP): nothing is
delivered on them and heartbeats go unanswered. Frames carry the ids of their comments, so a test can tell what was
written to a working link (`delivered`) from what went into a frozen one (`lost`)."""
from __future__ import annotations

import hashlib
import hmac
import json
import queue
import threading
import time
import uuid
import zlib

import brotli
from websockets.exceptions import ConnectionClosed

from .common import HttpFake, Request, WsFake

SIGNED = ("x-bili-accesskeyid", "x-bili-content-md5", "x-bili-signature-method", "x-bili-signature-nonce",
          "x-bili-signature-version", "x-bili-timestamp")


def packet(op: int, body: bytes, ver: int) -> bytes:
    total = 16 + len(body)
    return (total.to_bytes(4, "big") + (16).to_bytes(2, "big") + ver.to_bytes(2, "big")
            + op.to_bytes(4, "big") + (1).to_bytes(4, "big") + body)


def unpack(data: bytes) -> list[tuple[int, int, bytes]]:
    out, i = [], 0
    while i < len(data):
        total, hlen = int.from_bytes(data[i:i + 4], "big"), int.from_bytes(data[i + 4:i + 6], "big")
        ver, op = int.from_bytes(data[i + 6:i + 8], "big"), int.from_bytes(data[i + 8:i + 12], "big")
        out.append((op, ver, data[i + hlen:i + total]))
        i += total
    return out


class FakeBilibili:
    def __init__(self, key_id: str = "ak-test", secret: str = "sk-test", code: str = "ID-CODE-1",
                 app_id: int = 1001, whitelisted: bool = True, game_ttl: float = 60.0):
        self.key_id, self.secret, self.code, self.app_id = key_id, secret, code, app_id
        self.whitelisted, self.game_ttl = whitelisted, game_ttl
        self.games: dict[str, dict] = {}  # game_id -> {last_beat, ended, auth}
        self.nonces: set[str] = set()
        self.signature_failures = 0
        self.ws_heartbeats = 0
        self.outbox: queue.Queue[tuple[bytes, tuple]] = queue.Queue()
        self.delivered: list[str] = []  # comment ids written to a working socket
        self.lost: list[str] = []  # comment ids swallowed by a frozen socket
        self.interaction_ends = 0
        self._frozen: set = set()
        self._conn_game: dict = {}  # connection -> game id it authenticated for
        self._lock = threading.Lock()
        self.ws = WsFake(self._ws_session)
        self.http = HttpFake({("POST", "/v2/app/start"): self._start, ("POST", "/v2/app/heartbeat"): self._beat,
                              ("POST", "/v2/app/end"): self._end})
        self.url = self.http.url
        self._stop = threading.Event()
        threading.Thread(target=self._reaper, daemon=True).start()

    # --- HTTP -----------------------------------------------------------------------------------------
    def _verify(self, req: Request) -> int:
        h = req.headers
        if any(k not in h for k in SIGNED) or h.get("x-bili-accesskeyid") != self.key_id:
            return 4001
        if hashlib.md5(req.body).hexdigest() != h["x-bili-content-md5"]:
            return 4012
        lines = "\n".join(f"{k}:{h[k]}" for k in SIGNED)
        expected = hmac.new(self.secret.encode(), lines.encode(), hashlib.sha256).hexdigest()
        if not hmac.compare_digest(expected, h.get("authorization", "")):
            self.signature_failures += 1
            return 4002
        if abs(time.time() - int(h["x-bili-timestamp"])) > 600:
            return 4003
        if h["x-bili-signature-nonce"] in self.nonces:
            return 4004
        self.nonces.add(h["x-bili-signature-nonce"])
        return 0

    def _answer(self, code: int, data: dict | None = None) -> tuple:
        return 200, {"code": code, "message": "ok" if code == 0 else "error", "request_id": uuid.uuid4().hex,
                     "data": data or {}}

    def _start(self, req: Request) -> tuple:
        code = self._verify(req)
        body = req.json()
        if code == 0 and body.get("app_id") != self.app_id:
            code = 4000
        if code == 0 and body.get("code") != self.code:
            code = 7007
        if code == 0 and not self.whitelisted:
            code = 5004
        if code:
            return self._answer(code)
        game_id = uuid.uuid4().hex
        auth = json.dumps({"game_id": game_id, "key": uuid.uuid4().hex})
        with self._lock:
            self.games[game_id] = {"last_beat": time.monotonic(), "ended": False, "auth": auth}
        return self._answer(0, {"game_info": {"game_id": game_id},
                                "websocket_info": {"auth_body": auth, "wss_link": [self.ws.url + "/sub"]},
                                "anchor_info": {"room_id": 4242, "uname": "主播", "open_id": "anchor-open-id"}})

    def _beat(self, req: Request) -> tuple:
        code = self._verify(req)
        if code:
            return self._answer(code)
        with self._lock:
            game = self.games.get(req.json().get("game_id"))
            if game is None or game["ended"]:
                return self._answer(7003)
            game["last_beat"] = time.monotonic()
        return self._answer(0)

    def _end(self, req: Request) -> tuple:
        code = self._verify(req)
        if code == 0:
            self._close_game(req.json().get("game_id"), drop=False)
        return self._answer(code)

    def _close_game(self, game_id: str, drop: bool) -> bool:
        """End a game: its sockets get LIVE_OPEN_PLATFORM_INTERACTION_END, then (`drop`) are cut."""
        with self._lock:
            game = self.games.get(game_id)
            if game is None or game["ended"]:
                return False
            game["ended"] = True
            conns = [c for c, g in self._conn_game.items() if g == game_id and c not in self._frozen]
        end = self.frame([{"cmd": "LIVE_OPEN_PLATFORM_INTERACTION_END",
                           "data": {"game_id": game_id, "timestamp": int(time.time())}}])
        for conn in conns:
            try:
                conn.send(end)
                self.interaction_ends += 1
            except Exception:  # noqa: BLE001 - the socket is already gone
                pass
        if drop:
            time.sleep(0.2)
            for conn in conns:
                conn.close_socket()
        return True

    def _reaper(self) -> None:
        """A game without a project heartbeat for `game_ttl` ends (INTERACTION_END, then its sockets drop)."""
        while not self._stop.wait(0.05):
            with self._lock:
                expired = [gid for gid, g in self.games.items()
                           if not g["ended"] and time.monotonic() - g["last_beat"] > self.game_ttl]
            for gid in expired:
                self._close_game(gid, drop=True)

    # --- WebSocket ------------------------------------------------------------------------------------
    def _ws_session(self, conn) -> None:
        try:
            self._serve(conn)
        except ConnectionClosed:  # the client left or the test dropped it
            pass
        finally:
            with self._lock:
                self._conn_game.pop(conn, None)
                self._frozen.discard(conn)

    def _serve(self, conn) -> None:
        first = unpack(conn.recv(timeout=5))
        op, _, body = first[0]
        with self._lock:
            game = next((g for g in self.games.values() if g["auth"] == body.decode() and not g["ended"]), None)
        ok = op == 7 and game is not None
        conn.send(packet(8, json.dumps({"code": 0 if ok else -101}).encode(), 0))
        if not ok:
            conn.close()
            return
        with self._lock:
            self._conn_game[conn] = json.loads(body)["game_id"]
        while True:
            frozen = conn in self._frozen
            try:
                data = conn.recv(timeout=0.02)
                for op, _, _ in unpack(data):
                    if op == 2 and not frozen:
                        self.ws_heartbeats += 1
                        conn.send(packet(3, (7).to_bytes(4, "big"), 1))
            except TimeoutError:
                pass
            with self._lock:
                game = self.games.get(self._conn_game.get(conn, ""))
                ended = game is None or game["ended"]
            while not ended:  # an ended game's socket carries nothing more: its room's comments wait for the next
                try:
                    frame, ids = self.outbox.get_nowait()
                except queue.Empty:
                    break
                if frozen:
                    self.lost.extend(ids)
                    continue
                try:
                    conn.send(frame)
                except ConnectionClosed:
                    self.lost.extend(ids)
                    raise
                self.delivered.extend(ids)

    @staticmethod
    def frame(commands: list[dict], ver: int = 0) -> bytes:
        """One WebSocket frame carrying `commands`: raw packets side by side (ver 0), or one zlib (2) or brotli (3)
        bundle of them."""
        inner = b"".join(packet(5, json.dumps(c, ensure_ascii=False).encode(), 0) for c in commands)
        if ver == 2:
            inner = packet(5, zlib.compress(inner), 2)
        elif ver == 3:
            inner = packet(5, brotli.compress(inner, quality=5), 3)
        return inner

    def send(self, commands: list[dict], ver: int = 0) -> None:
        ids = tuple(c["data"]["msg_id"] for c in commands if c.get("cmd") == "LIVE_OPEN_PLATFORM_DM")
        self.outbox.put((self.frame(commands, ver), ids))

    def send_frame(self, frame: bytes, ids: tuple = ()) -> None:
        self.outbox.put((frame, tuple(ids)))

    def freeze(self) -> None:
        """The current sockets stay open and say nothing more: no comments, no heartbeat replies."""
        with self._lock:
            self._frozen.update(self.ws.connections)

    def drop(self) -> None:
        self.ws.drop()

    @staticmethod
    def dm(i: int, text: str, open_id: str | None = None, msg_id: str | None = None) -> dict:
        return {"cmd": "LIVE_OPEN_PLATFORM_DM",
                "data": {"room_id": 4242, "uid": 0, "open_id": open_id or f"open-{i % 97}", "uname": f"观众{i}",
                         "msg": text, "msg_id": msg_id or f"dm-{i}", "timestamp": int(time.time()),
                         "dm_type": 0, "guard_level": 0, "fans_medal_level": 0}}

    def end_interaction(self, game_id: str) -> None:
        """The platform ends the game (another app took the room, the streamer closed the interaction)."""
        self._close_game(game_id, drop=True)

    def live_games(self) -> list[str]:
        with self._lock:
            return [gid for gid, g in self.games.items() if not g["ended"]]

    def close(self) -> None:
        self._stop.set()
        self.ws.close()
        self.http.close()
