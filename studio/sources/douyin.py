"""Douyin interactive-game (直播小玩法) data push, for operators whose app holds the comment capability.

Douyin does not stream: once a push *task* runs for (room, app, live_comment), it POSTs comments to the app's
callback URL (here `/hooks/douyin/<app_id>`, see web.py), signed with the push secret set in the developer console:
`x-signature = base64(md5("k=v&…" over x-msg-type, x-nonce-str, x-roomid, x-timestamp in key order + body +
secret))`. Only comments containing one of the app's configured keywords are pushed, at most 100 pushes a second,
possibly twice and out of order: the receiver answers at once, dedupes by `msg_id` and keeps each comment's own
time. This adapter only runs the task: `POST /api/live_data/task/start`, checks `GET /api/live_data/task/get`
(status 3 running, 2 not started, 1 gone: the streamer un-mounted the game or ended the stream) and stops it with
`POST /api/live_data/task/stop`.

Alive: a status check that fails (network, 5xx, an expired access token) keeps the task, which runs on the platform
whatever happens to this process's link; a task found stopped is started again at once (within `status_interval`,
3 s); a task gone cannot be restarted (the next stream has a new room id): failed, saying so. The pushes themselves
reach the studio's receiver, which knows when a busy room's pushes stop: the studio's answer to a health report
then asks for `renew` and the task is stopped and started again.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import time
from collections.abc import Mapping

import requests

from studio.sources.base import Adapter, Comment, EndOfStream, FatalError, SessionEnded, epoch_seconds, synthetic_id
from studio.sources.settings import Setting

log = logging.getLogger(__name__)

SIGNED_HEADERS = ("x-msg-type", "x-nonce-str", "x-roomid", "x-timestamp")
MSG_COMMENT = "live_comment"
TASK_GONE, TASK_NOT_STARTED, TASK_RUNNING = 1, 2, 3
BAD_TOKEN = (40022, 20040022)
TASK_REFUSED = 2005003019


def push_signature(headers: Mapping[str, str], body: bytes, secret: str) -> str:
    """The x-signature the platform computes over a push (keys are matched case-insensitively)."""
    lower = {k.lower(): v for k, v in headers.items()}
    params = "&".join(f"{k}={lower.get(k, '')}" for k in sorted(SIGNED_HEADERS))
    digest = hashlib.md5(params.encode() + body + secret.encode()).digest()
    return base64.b64encode(digest).decode()


def verify_push(headers: Mapping[str, str], body: bytes, secret: str) -> bool:
    sent = {k.lower(): v for k, v in headers.items()}.get("x-signature", "")
    return bool(sent) and hmac.compare_digest(sent, push_signature(headers, body, secret))


def parse_push(body: bytes, room: str) -> list[Comment]:
    """Comments of one live_comment push: a JSON array of payloads (or a single one) with msg_id, sec_openid
    (the viewer's encrypted openid, stable per app), content, nickname and a millisecond timestamp."""
    doc = json.loads(body or b"[]")
    payloads = doc if isinstance(doc, list) else [doc]
    comments = []
    for p in payloads:
        if not isinstance(p, dict):
            continue
        user = str(p.get("sec_openid") or p.get("sec_open_id") or "")
        text, ts = str(p.get("content") or "").strip(), epoch_seconds(p.get("timestamp"))
        msg_id = str(p.get("msg_id") or synthetic_id(room, user, text, ts))
        comments.append(Comment("douyin", room, msg_id, user, "stable" if user else "absent", text, ts))
    return comments


class DouyinPushTaskAdapter(Adapter):
    platform = "douyin"
    SETTINGS = {
        "app_id": Setting("直播小玩法 app id", required=True),
        "app_secret": Setting("app secret (for the access token)", secret=True),
        "access_token": Setting("an access token obtained elsewhere (e.g. 抖音云), instead of app_secret",
                                secret=True),
        "push_secret": Setting("the data-push signing secret from the developer console", secret=True),
        "api_url": Setting("push task API base", "https://webcast.bytedance.com"),
        "token_url": Setting("access token endpoint", "https://developer.toutiao.com/api/apps/v2/token"),
        "status_interval": Setting("seconds between task status checks", 3.0, kind=float),
    }

    def __init__(self, room, settings, on_comments=None):
        super().__init__(room, settings, on_comments)
        self.http = requests.Session()
        self._token, self._token_expires = settings.get("access_token") or "", float("inf")
        self._started = False
        self._renew: str | None = None

    def renew(self, reason: str) -> None:
        """The studio's receiver saw this room's pushes stop: stop and start the task at the next check."""
        self._renew = reason

    def _access_token(self) -> str:
        if self._token and time.time() < self._token_expires:
            return self._token
        if not self.settings["app_secret"]:
            raise FatalError("needs app_secret (or a fresh access_token)")
        body = {"appid": self.settings["app_id"], "secret": self.settings["app_secret"],
                "grant_type": "client_credential"}
        r = self.http.post(self.settings["token_url"], json=body, timeout=10)
        doc = r.json()
        data = doc.get("data") or {}
        if doc.get("err_no", 0) != 0 or not data.get("access_token"):
            raise FatalError(f"access token refused ({doc.get('err_no')}: {doc.get('err_tips', '')}): "
                             "check app_id and app_secret")
        self._token = data["access_token"]
        self._token_expires = time.time() + float(data.get("expires_in", 7200)) - 300
        return self._token

    def _task(self, method: str, action: str) -> dict:
        body = {"roomid": self.room, "appid": self.settings["app_id"], "msg_type": MSG_COMMENT}
        url = f"{self.settings['api_url'].rstrip('/')}/api/live_data/task/{action}"
        headers = {"access-token": self._access_token(), "content-type": "application/json"}
        kw = {"params": body} if method == "GET" else {"data": json.dumps(body)}
        r = self.http.request(method, url, headers=headers, timeout=10, **kw)
        if r.status_code >= 500:
            raise ConnectionError(f"task/{action}: HTTP {r.status_code}")
        doc = r.json()
        err = doc.get("err_no", -1)
        if err in BAD_TOKEN:
            self._token, self._token_expires = "", 0.0
            raise ConnectionError(f"task/{action}: access token no longer valid; renewing")
        if err == TASK_REFUSED:
            raise FatalError(f"task/{action} refused ({err}): the room id is wrong or the stream ended, the app "
                             "lacks the live_comment capability, or its push QPS limit is reached")
        if err != 0:
            raise ConnectionError(f"task/{action} failed ({err}: {doc.get('err_msg', '')})")
        return doc.get("data") or {}

    def session(self) -> None:
        if not self._started:  # a failed status check keeps the task running on the platform
            self._task("POST", "start")
            self._started = True
        self.connected()
        while not self.wait(float(self.settings["status_interval"])):
            if self._renew:
                reason, self._renew = self._renew, None
                self._started = False
                self._task("POST", "stop")
                raise SessionEnded(f"{reason}; the push task is started again")
            status = int(self._task("GET", "get").get("status", 0))
            self.link_alive()
            self.status.note(task_status=status)
            if status == TASK_GONE:
                self._started = False
                raise EndOfStream("the push task is gone: the game was un-mounted or the stream ended; when the stream "
                                  "is back, run the source with its new room id")
            if status == TASK_NOT_STARTED:
                self._started = False
                raise SessionEnded("the push task stopped (status 2)")

    def close_upstream(self) -> None:
        if self._started:
            self._started = False
            self._task("POST", "stop")
