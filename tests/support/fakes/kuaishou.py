"""A fake Kuaishou interactive-play SDK server: connect / poll / disconnect with tokens, cursors and sleep hints.

The server keeps the room's messages behind its cursor, so a client that polls again from its cursor after a failed
poll loses nothing. Faults: `fail_polls` / `reset_polls` (the next polls answer HTTP 502 / have their connection
reset), `freeze()` (polls hang without an answer until `thaw()`), `expire_tokens()` (the token stops being good:
result 10005), `close_play()` (the streamer closed the play: its session code is refused from now on)."""
from __future__ import annotations

import threading
import time
import uuid

from .common import HttpFake, Request

PREFIX = "/openapi/sdk/v1"


class FakeKuaishou:
    def __init__(self, app_id: str = "ks-app", code: str = "ks-code", sleep_ms: int = 100, page: int = 50):
        self.app_id, self.code, self.sleep_ms, self.page = app_id, code, sleep_ms, page
        self.events: list[dict] = []
        self.tokens: set[str] = set()
        self.disconnected: list[str] = []
        self.poll_times: list[float] = []
        self.stall_cursor_once = False  # answer one page without advancing the cursor (it will be asked again)
        self.fail_polls = 0
        self.reset_polls = 0
        self._thawed = threading.Event()
        self._thawed.set()
        self._lock = threading.Lock()
        self.http = HttpFake({("POST", PREFIX + "/connect"): self._connect, ("GET", PREFIX + "/poll"): self._poll,
                              ("GET", PREFIX + "/disconnect"): self._disconnect})
        self.url = self.http.url

    def _connect(self, req: Request) -> tuple:
        body = req.json()
        if body.get("appId") != self.app_id or body.get("code") != self.code or body.get("useSdk") is not True:
            return 200, {"result": 50001, "errorMsg": "invalid code"}
        token = uuid.uuid4().hex
        with self._lock:
            self.tokens.add(token)
        return 200, {"result": 1, "ksUid": 9, "user": {"id": "anchor-openid", "userName": "主播"}, "token": token}

    def _poll(self, req: Request) -> tuple | None:
        self.poll_times.append(time.monotonic())
        if not self._thawed.is_set():
            self._thawed.wait(120)  # a request that never gets its answer
            req.handler.close_connection = True
            return None
        if self.reset_polls > 0:
            self.reset_polls -= 1
            req.handler.close_connection = True
            req.handler.connection.shutdown(2)
            return None
        if self.fail_polls > 0:
            self.fail_polls -= 1
            return 502, b"<html>502 Bad Gateway</html>"
        with self._lock:
            if req.query.get("token") not in self.tokens:
                return 200, {"result": 10005, "errorMsg": "token expired"}
            start = int(req.query.get("pCursor") or 0)
            batch = self.events[start:start + min(self.page, int(req.query.get("len", 100)))]
            if not batch:
                return 200, {"result": 2, "pCursor": str(start), "sleep": self.sleep_ms}
            end = req.query.get("pCursor", "") if self.stall_cursor_once else str(start + len(batch))
            self.stall_cursor_once = False
        return 200, {"result": 1, "pCursor": str(end), "sleep": self.sleep_ms, "data": batch}

    def _disconnect(self, req: Request) -> tuple:
        with self._lock:
            self.tokens.discard(req.query.get("token"))
            self.disconnected.append(req.query.get("token"))
        return 200, {"result": 1}

    def comment(self, text: str, openid: str = "viewer-openid") -> None:
        with self._lock:
            self.events.append({"cmd": 3, "payload": {"user": {"id": openid, "userName": "观众", "headUrl": "",
                                                               "gender": "F"}, "content": text}})

    def like(self) -> None:
        with self._lock:
            self.events.append({"cmd": 7, "payload": {"user": {"id": "liker"}, "count": 3}})

    def freeze(self) -> None:
        self._thawed.clear()

    def thaw(self) -> None:
        self._thawed.set()

    def close_play(self) -> None:
        with self._lock:
            self.code = "closed-" + self.code
            self.tokens.clear()

    def comment_ids(self) -> int:
        with self._lock:
            return sum(1 for e in self.events if e["cmd"] == 3)

    def expire_tokens(self) -> None:
        with self._lock:
            self.tokens.clear()

    def close(self) -> None:
        self.thaw()
        self.http.close()
