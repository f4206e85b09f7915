"""Kuaishou interactive-play (互动玩法) long-poll, for operators whose app holds that approval.

Protocol (the SDK's request/response shapes): `POST /openapi/sdk/v1/connect {appId, code, playId, appType,
useSdk}` → `{result: 1, token}`; then `GET /openapi/sdk/v1/poll?token&pCursor&len` → `{result, pCursor, sleep,
data: [{cmd, payload}]}` where result 1 carries data, result 2 means nothing new, anything else means the token is
no longer good (connect again); the client waits `sleep` ms before the next poll. cmd 3 is a comment
(`payload.user.id` is the viewer's openid, `payload.content` the text). `GET /openapi/sdk/v1/disconnect?token` when
leaving. Messages carry no id: the adapter derives one from the cursor it asked from and the message's position,
so a poll replayed from the same cursor yields the same ids. A failed or unanswered poll (`poll_timeout`) is asked
again from the same cursor, so nothing is lost. A token no longer good ends the platform session: a new one is
connected at once, keeping the cursor. The platform documents no end-of-stream signal; a session code that stops
being accepted (the play was closed) ends the adapter as a failure saying to get a new code.
"""
from __future__ import annotations

import logging
import time

import requests

from studio.sources.base import Adapter, Comment, FatalError, SessionEnded, synthetic_id
from studio.sources.settings import Setting

log = logging.getLogger(__name__)

CMD_COMMENT = 3
RESULT_OK, RESULT_EMPTY = 1, 2


class KuaishouAdapter(Adapter):
    platform = "kuaishou"
    SETTINGS = {
        "app_id": Setting("interactive-play app id", required=True),
        "code": Setting("the session code the streamer's 直播伴侣 hands to the play", required=True, secret=True),
        "play_id": Setting("play id", 0, kind=int),
        "app_type": Setting("app type", 1, kind=int),
        "api_url": Setting("SDK API base", "https://open-interaction.game.kuaishou.com"),
        "poll_len": Setting("messages per poll", 100, kind=int),
        "max_sleep": Setting("never sleep longer than this between polls, seconds", 10.0, kind=float),
        "poll_timeout": Setting("HTTP timeout of one poll, seconds", 15.0, kind=float),
    }

    def __init__(self, room, settings, on_comments=None):
        super().__init__(room, settings, on_comments)
        self.http = requests.Session()
        self.token = ""
        self.cursor = ""

    def _url(self, name: str) -> str:
        return f"{self.settings['api_url'].rstrip('/')}/openapi/sdk/v1/{name}"

    def _connect(self) -> None:
        r = self.http.post(self._url("connect"), json={
            "appId": self.settings["app_id"], "code": self.settings["code"], "playId": self.settings["play_id"],
            "appType": self.settings["app_type"], "useSdk": True}, timeout=15)
        if r.status_code >= 500:
            raise ConnectionError(f"connect: HTTP {r.status_code}")
        doc = r.json()
        if doc.get("result") != RESULT_OK or not doc.get("token"):
            reason = doc.get("errorMsg") or doc.get("msg", "")
            raise FatalError(f"connect refused (result {doc.get('result')}: {reason}): the play was closed or the "
                             "session code is stale or wrong; open the play again in 直播伴侣, then run the source "
                             "with its new code (and check app_id)")
        self.token = doc["token"]

    def session(self) -> None:
        if not self.token:  # a failed poll keeps the platform session: only a refused token needs a new one
            self._connect()
        self.connected()
        while not self.stopping:
            asked_from = self.cursor
            r = self.http.get(self._url("poll"), params={"token": self.token, "pCursor": asked_from,
                                                         "len": self.settings["poll_len"]},
                              timeout=float(self.settings["poll_timeout"]))
            if r.status_code >= 500:
                raise ConnectionError(f"poll: HTTP {r.status_code}")
            self.link_alive()
            doc = r.json()
            result = doc.get("result")
            if result not in (RESULT_OK, RESULT_EMPTY):
                self.token = ""
                raise SessionEnded(f"poll refused the token (result {result}: {doc.get('errorMsg', '')})")
            if result == RESULT_OK:
                self._deliver(asked_from, doc.get("data") or [])
                self.cursor = str(doc.get("pCursor") or self.cursor)
            sleep = min(float(self.settings["max_sleep"]), max(0.0, float(doc.get("sleep") or 0) / 1000.0))
            self.status.note(sleep_ms=int(sleep * 1000))
            if self.wait(sleep):
                return

    def _deliver(self, asked_from: str, events: list[dict]) -> None:
        comments = []
        for index, event in enumerate(events):
            if event.get("cmd") != CMD_COMMENT:
                continue
            payload = event.get("payload") or {}
            openid = str((payload.get("user") or {}).get("id") or "")
            text = str(payload.get("content") or "").strip()
            comments.append(Comment(self.platform, self.room, synthetic_id(self.room, asked_from, index, openid, text),
                                    openid, "stable" if openid else "absent", text, time.time()))
        self.deliver(comments)

    def close_upstream(self) -> None:
        if self.token:
            self.http.get(self._url("disconnect"), params={"token": self.token}, timeout=5)
            self.token = ""
