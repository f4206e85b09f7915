"""A fake Douyin interactive-game platform: the access-token and push-task APIs, and a pusher that POSTs signed
live_comment pushes to a callback URL the way the data-push doc describes — with duplicates, out of order, and
many at once. Faults: `fail_gets` / `reset_gets` (the next status checks answer 502 / have their connection reset),
`expire_tokens()` (every access token stops being good: err_no 20040022), `task_status` set behind the client's back
(2: the task stopped; 1: gone, the streamer un-mounted the game or ended the stream)."""
from __future__ import annotations

import base64
import hashlib
import json
import random
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import requests

from .common import HttpFake, Request


def sign(headers: dict, body: bytes, secret: str) -> str:
    """The documented scheme, written out here on its own: sorted k=v of the x- headers (minus the signature),
    then body, then secret; MD5; base64."""
    keys = sorted(k for k in headers if k.startswith("x-") and k != "x-signature")
    raw = "&".join(f"{k}={headers[k]}" for k in keys).encode("utf-8") + body + secret.encode("utf-8")
    return base64.b64encode(hashlib.md5(raw).digest()).decode()


class FakeDouyin:
    def __init__(self, app_id: str = "tt-app-1", app_secret: str = "app-secret", push_secret: str = "push-secret",
                 room: str = "7300000000000000001"):
        self.app_id, self.app_secret, self.push_secret, self.room = app_id, app_secret, push_secret, room
        self.tokens: set[str] = set()
        self.task_status = 1  # 1 none, 2 not started, 3 running
        self.refuse_task = False
        self.fail_gets = 0
        self.reset_gets = 0
        self.push_latencies: list[float] = []
        self._lock = threading.Lock()
        self.http = HttpFake({("POST", "/api/apps/v2/token"): self._token,
                              ("POST", "/api/live_data/task/start"): self._start,
                              ("GET", "/api/live_data/task/get"): self._get,
                              ("POST", "/api/live_data/task/stop"): self._stop})
        self.api_url = self.http.url
        self.token_url = self.http.url + "/api/apps/v2/token"

    # --- OpenAPI ------------------------------------------------------------------------------------
    def _token(self, req: Request) -> tuple:
        body = req.json()
        if body.get("appid") != self.app_id or body.get("secret") != self.app_secret:
            return 200, {"err_no": 40017, "err_tips": "bad secret", "data": {}}
        token = uuid.uuid4().hex
        self.tokens.add(token)
        return 200, {"err_no": 0, "err_tips": "success", "data": {"access_token": token, "expires_in": 7200}}

    def _check(self, req: Request, body: dict) -> tuple | None:
        if req.headers.get("access-token") not in self.tokens:
            return 200, {"err_no": 20040022, "err_msg": "无效的AccessToken", "logid": "1"}
        if body.get("appid") != self.app_id or body.get("msg_type") != "live_comment":
            return 200, {"err_no": 20040023, "err_msg": "缺少必要的请求参数", "logid": "2"}
        if body.get("roomid") != self.room or self.refuse_task:
            return 200, {"err_no": 2005003019, "err_msg": "推送任务不符合开启的限制条件", "logid": "3"}
        return None

    def _start(self, req: Request) -> tuple:
        problem = self._check(req, req.json())
        if problem:
            return problem
        self.task_status = 3
        return 200, {"err_no": 0, "err_msg": "ok", "logid": "4", "data": {"task_id": "763535353"}}

    def _get(self, req: Request) -> tuple | None:
        if self.reset_gets > 0:
            self.reset_gets -= 1
            req.handler.close_connection = True
            req.handler.connection.shutdown(2)
            return None
        if self.fail_gets > 0:
            self.fail_gets -= 1
            return 502, b"<html>502 Bad Gateway</html>"
        problem = self._check(req, req.query)
        if problem:
            return problem
        return 200, {"err_no": 0, "err_msg": "ok", "logid": "5", "data": {"status": self.task_status}}

    def _stop(self, req: Request) -> tuple:
        problem = self._check(req, req.json())
        if problem:
            return problem
        self.task_status = 2
        return 200, {"err_no": 0, "err_msg": "ok", "logid": "6", "data": {}}

    # --- pushes -------------------------------------------------------------------------------------
    def payload(self, i: int, text: str, ts_ms: int | None = None) -> dict:
        return {"msg_id": f"7{i:018d}", "sec_openid": f"_000viewer{i % 13}", "content": text,
                "avatar_url": "https://p3.douyinpic.com/aweme/100x100/x.jpeg", "nickname": f"观众{i}",
                "timestamp": ts_ms if ts_ms is not None else int(time.time() * 1000)}

    def push(self, url: str, payloads: list[dict], secret: str | None = None, msg_type: str = "live_comment",
             room: str | None = None) -> requests.Response:
        body = json.dumps(payloads, ensure_ascii=False).encode()
        headers = {"x-nonce-str": uuid.uuid4().hex[:16], "x-timestamp": str(int(time.time() * 1000)),
                   "x-roomid": room or self.room, "x-msg-type": msg_type}
        headers["x-signature"] = sign(headers, body, secret or self.push_secret)
        started = time.monotonic()
        r = requests.post(url, data=body, headers={**headers, "content-type": "application/json"}, timeout=5)
        with self._lock:
            self.push_latencies.append(time.monotonic() - started)
        return r

    def push_all(self, url: str, batches: list[list[dict]], workers: int = 8) -> list[int]:
        """Push every batch, several at once (so they also arrive out of order); returns the status codes."""
        with ThreadPoolExecutor(workers) as pool:
            return [r.status_code for r in pool.map(lambda b: self.push(url, b), batches)]

    @staticmethod
    def shuffled_with_repeats(payloads: list[dict], repeats: int, seed: int = 7) -> list[dict]:
        rng = random.Random(seed)
        out = payloads + rng.sample(payloads, repeats)
        rng.shuffle(out)
        return out

    def expire_tokens(self) -> None:
        self.tokens.clear()

    def close(self) -> None:
        self.http.close()
