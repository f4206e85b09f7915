"""Posting answers into YouTube live chat: `liveChatMessages.insert` of the Data API v3, with an OAuth token that has
the youtube.force-ssl scope (or the full youtube scope).

    POST {api}/liveChat/messages?part=snippet
    {"snippet": {"liveChatId": …, "type": "textMessageEvent", "textMessageDetails": {"messageText": …}}}

YouTube documents the answers: 200 with the message resource (posted); 401 (the token is refused); 403 with a reason
(rateLimitExceeded: the account sent too many messages too fast; liveChatDisabled, liveChatEnded, forbidden,
insufficientPermissions: this chat takes none from this account; quotaExceeded: the project's day is spent); 400 for
a message it will not take (too long, empty). Each insert costs 50 units of the project's 10,000 a day (the quota
table of the Data API), so a project that only posts can send 200 messages a day: the poster counts its units and
stops at its day's budget (the day as Google counts it, in Pacific time) instead of spending the quota the chat's
reader needs. Messages per 30 seconds are capped at faq_catalog.replies.PLATFORM_LIMITS["youtube"], the room limit
the composer already keeps.

`post(show_id, text)` → (outcome, error): "posted", "rate_limited" (our window or budget, or YouTube's
rateLimitExceeded / quotaExceeded) or "rejected" (a refused token, a chat that takes nothing, a refused message).
"""
from __future__ import annotations

import os
import re
import threading
import time
from datetime import datetime
from zoneinfo import ZoneInfo

import requests

from faq_catalog.replies import Windows
from studio.sources.youtube import YoutubeAdapter

POST_SCOPES = ("https://www.googleapis.com/auth/youtube.force-ssl", "https://www.googleapis.com/auth/youtube",
               "youtube.force-ssl", "youtube")
# messages per seconds: faq_catalog.replies.PLATFORM_LIMITS["youtube"] (the sources import no faq_catalog)
RATE = (10, 30.0)
UNITS_PER_INSERT = 50
DAILY_UNITS = 10_000  # a project's default quota for the day
MAX_MESSAGE = 200  # characters YouTube takes in one chat message
QUOTA_DAY = ZoneInfo("America/Los_Angeles")  # Google resets the quota at midnight Pacific time
RATE_REASONS = ("rateLimitExceeded", "quotaExceeded", "dailyLimitExceeded")
CHAT_ID = re.compile(r"[A-Za-z0-9_\-.]{1,128}")
TOKEN = re.compile(r"[A-Za-z0-9_\-./~+]{1,2048}")


class YoutubeChatPoster:
    def __init__(self, live_chat_id: str, token: str, scopes: list[str] | tuple[str, ...], api_url: str | None = None,
                 rate: tuple[int, float] = RATE, daily_units: int = DAILY_UNITS, clock=time.monotonic,
                 today=lambda: datetime.now(QUOTA_DAY).date()):
        if not token:
            raise ValueError("posting to YouTube chat needs an OAuth access token")
        if not TOKEN.fullmatch(token):
            raise ValueError("the token is an OAuth access token (letters, digits and -._~+/)")
        if not any(s in POST_SCOPES for s in scopes or ()):
            raise ValueError("the token needs the scope https://www.googleapis.com/auth/youtube.force-ssl to write "
                             "in live chat")
        if not CHAT_ID.fullmatch(live_chat_id or ""):
            raise ValueError("live_chat_id is the broadcast's liveChatId (snippet.liveChatId of liveBroadcasts)")
        self.live_chat_id = live_chat_id
        self.token = token
        self.api_url = (api_url or os.environ.get("STUDIO_YOUTUBE_API_URL")
                        or YoutubeAdapter.SETTINGS["api_url"].default).rstrip("/")
        self.rate, self.daily_units = rate, daily_units
        self.clock, self.today = clock, today
        self._sent = Windows(max_keys=1)  # the messages sent within the rate's window
        self._units: tuple[object, int] = (None, 0)  # (quota day, units spent on it)
        self._http = requests.Session()
        self._lock = threading.Lock()

    def status(self) -> dict:
        day, units = self._units
        return {"platform": "youtube", "live_chat_id": self.live_chat_id, "rate": list(self.rate),
                "quota_units": units if day == self.today() else 0, "daily_units": self.daily_units}

    def post(self, show_id: str, text: str) -> tuple[str, str]:
        with self._lock:
            now = self.clock()
            sent = self._sent.events("chat", self.rate[1], now)
            if len(sent) >= self.rate[0]:
                return "rate_limited", f"at most {self.rate[0]} messages per {self.rate[1]:g} s"
            day = self.today()
            spent = self._units[1] if self._units[0] == day else 0
            if spent + UNITS_PER_INSERT > self.daily_units:
                return "rate_limited", (f"the day's API quota for posting is spent ({spent} of {self.daily_units} "
                                        "units, 50 per message); it renews at midnight Pacific time")
            body = {"snippet": {"liveChatId": self.live_chat_id, "type": "textMessageEvent",
                                "textMessageDetails": {"messageText": " ".join(text.split())[:MAX_MESSAGE]}}}
            try:
                r = self._http.post(f"{self.api_url}/liveChat/messages", params={"part": "snippet"}, json=body,
                                    headers={"Authorization": f"Bearer {self.token}"}, timeout=(5, 10))
            except requests.RequestException as e:
                return "rejected", f"YouTube did not answer: {e}"[:300]
            self._units = (day, spent + UNITS_PER_INSERT)  # every request costs, refused ones too
            sent.append(now)
            return outcome(r)

    def close(self) -> None:
        self._http.close()


def outcome(r: requests.Response) -> tuple[str, str]:
    if r.ok:
        return "posted", ""
    try:
        err = r.json().get("error") or {}
    except ValueError:
        err = {}
    reasons = [e.get("reason", "") for e in err.get("errors") or []]
    detail = f"HTTP {r.status_code} {'/'.join(filter(None, reasons))}: {err.get('message', '')}".strip()[:300]
    if r.status_code == 401:
        return "rejected", f"YouTube refused the token ({detail}): authorize again and set a new one"[:300]
    if r.status_code == 429 or any(x in RATE_REASONS for x in reasons):
        return "rate_limited", detail
    return "rejected", detail
