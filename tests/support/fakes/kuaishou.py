"""A fake Kuaishou interactive-play SDK server: connect / poll / disconnect with tokens, cursors and sleep hints."""
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

    def _poll(self, req: Request) -> tuple:
        self.poll_times.append(time.monotonic())
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

    def expire_tokens(self) -> None:
        with self._lock:
            self.tokens.clear()

    def close(self) -> None:
        self.http.close()
