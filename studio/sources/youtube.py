"""YouTube Live chat through the Data API v3.

`liveChatMessages.streamList` (REST `GET /liveChat/messages/stream`) is a server-streaming response: recent history
first, then new messages as they are posted, each chunk a `liveChatMessageListResponse` with a `nextPageToken` to
resume from after a disconnect. Where streaming is unavailable the adapter falls back to `liveChatMessages.list`,
polling no faster than the `pollingIntervalMillis` each answer asks for.

Alive: a stream carries no keepalive, so when a busy chat goes quiet the watchdog asks `list` from the stream's
own page token (5 units, once per silence): messages there that the stream did not bring mean the stream is frozen,
and it is replaced after `probe_timeout`, resuming from the page token, so nothing is lost; none means the room is
quiet. A poll that does not answer within `poll_timeout` is retried. The end of the chat (`offlineAt`, a
`chatEndedEvent`, the `liveChatEnded` error) cannot be restarted: a new broadcast has a new live chat id, so the
source fails saying so.

Quota: every `list` call and every `streamList` connection costs 5 units of the project's 10,000 a day; the units
this adapter spent are reported as `quota_units` in its health. Polling every ~5 s spends the whole default quota in
under three hours; one stream connection costs 5 units however long it stays open.
"""
from __future__ import annotations

import codecs
import json
import logging
import socket
from collections.abc import Iterator

import requests

from studio.sources.base import Adapter, Comment, EndOfStream, FatalError, RetryLater, iso_seconds
from studio.sources.settings import Setting

log = logging.getLogger(__name__)

QUOTA_PER_CALL = 5
QUOTA_REASONS = ("quotaExceeded", "dailyLimitExceeded", "rateLimitExceeded")
FATAL_REASONS = ("liveChatNotFound", "liveChatDisabled", "forbidden", "insufficientPermissions",
                 "liveChatNotFoundError", "keyInvalid")
MAX_STREAM_BUFFER = 8 * 1024 * 1024


def json_stream(chunks: Iterator[bytes]) -> Iterator[dict]:
    """JSON objects from a streamed body, whether sent as one JSON array arriving piece by piece
    (`[{…},\\n{…}`) or as newline-delimited objects."""
    decoder, text = json.JSONDecoder(), codecs.getincrementaldecoder("utf-8")()
    buf = ""
    for chunk in chunks:
        buf += text.decode(chunk)
        while True:
            buf = buf.lstrip(" \t\r\n[],")
            if not buf:
                break
            try:
                obj, end = decoder.raw_decode(buf)
            except json.JSONDecodeError:
                if len(buf) > MAX_STREAM_BUFFER:
                    raise ValueError("stream chunk is not JSON") from None
                break  # incomplete: wait for more
            buf = buf[end:]
            if isinstance(obj, dict):
                yield obj


class YoutubeAdapter(Adapter):
    platform = "youtube"
    SETTINGS = {
        "access_token": Setting("OAuth access token (scope youtube.readonly)", secret=True),
        "refresh_token": Setting("OAuth refresh token, to renew the access token", secret=True),
        "client_id": Setting("OAuth client id (with refresh_token)"),
        "client_secret": Setting("OAuth client secret (with refresh_token)", secret=True),
        "api_key": Setting("API key, for public chats without OAuth", secret=True),
        "api_url": Setting("Data API base", "https://www.googleapis.com/youtube/v3"),
        "token_url": Setting("OAuth token endpoint", "https://oauth2.googleapis.com/token"),
        "mode": Setting("stream, poll, or auto (stream, falling back to poll)", "auto"),
        "max_results": Setting("messages per response (200-2000)", 500, kind=int),
        "quota_backoff": Setting("seconds to wait after quotaExceeded", 300.0, kind=float),
        "min_poll_interval": Setting("never poll faster than this, seconds", 1.0, kind=float),
        "stream_read_timeout": Setting("reconnect a silent stream after this many seconds", 300.0, kind=float),
        "poll_timeout": Setting("retry a list call that has not answered after this many seconds", 20.0,
                                kind=float),
    }

    def __init__(self, room, settings, on_comments=None):
        super().__init__(room, settings, on_comments)
        self.http = requests.Session()
        self.page_token: str | None = None
        self.poll_interval = float(settings["min_poll_interval"])
        self.polling = settings["mode"] == "poll"
        self._token = settings.get("access_token") or ""
        self._refreshed = False
        self._rate_limited = 0
        self._response: requests.Response | None = None
        self.status.note(quota_units=0, mode="poll" if self.polling else "stream")

    # --- requests --------------------------------------------------------------------------------------
    def _request(self, path: str, stream: bool) -> requests.Response:
        if not (self._token or self.settings["api_key"]):
            self._refresh()
        params = {"liveChatId": self.room, "part": "id,snippet,authorDetails",
                  "maxResults": self.settings["max_results"]}
        if self.page_token:
            params["pageToken"] = self.page_token
        headers = {}
        if self._token:
            headers["Authorization"] = f"Bearer {self._token}"
        else:
            params["key"] = self.settings["api_key"]
        timeout = (10, float(self.settings["stream_read_timeout"] if stream else self.settings["poll_timeout"]))
        r = self.http.get(self.settings["api_url"].rstrip("/") + path, params=params, headers=headers,
                          stream=stream, timeout=timeout)
        self.status.note(quota_units=self.status.extra["quota_units"] + QUOTA_PER_CALL)
        if not r.ok:
            try:
                self._raise_for(r)
            finally:
                r.close()
        self._rate_limited = 0
        return r

    def _refresh(self) -> None:
        s = self.settings
        if not (s["refresh_token"] and s["client_id"] and s["client_secret"]):
            raise FatalError("needs access_token, or refresh_token with client_id and client_secret, or api_key")
        r = self.http.post(s["token_url"], data={"grant_type": "refresh_token", "refresh_token": s["refresh_token"],
                                                 "client_id": s["client_id"], "client_secret": s["client_secret"]},
                           timeout=15)
        if r.status_code in (400, 401, 403):
            raise FatalError("the OAuth refresh token was refused; authorize again")
        r.raise_for_status()
        self._token = r.json()["access_token"]

    def _raise_for(self, r: requests.Response) -> None:
        try:
            err = r.json().get("error") or {}
        except ValueError:
            err = {}
        reasons = [e.get("reason", "") for e in err.get("errors") or []] or [err.get("status", "")]
        message = f"HTTP {r.status_code} {'/'.join(filter(None, reasons))}: {err.get('message', '')}".strip()
        if r.status_code == 401:
            if self.settings["refresh_token"] and not self._refreshed:
                self._refreshed = True  # one renewal per refusal: a token refused twice is a real refusal
                self._token = ""
                raise RetryLater("access token expired; renewed", 0.0)
            raise FatalError(f"OAuth token refused ({message}): authorize again and set a new access_token, or set "
                             "refresh_token with client_id and client_secret so it is renewed by itself")
        if any(r_ in QUOTA_REASONS for r_ in reasons):
            raise RetryLater(f"quota exhausted ({message})", float(self.settings["quota_backoff"]))
        if r.status_code == 429:
            self._rate_limited += 1
            raise RetryLater(f"rate limited ({message})", min(300.0, 60.0 * 2 ** (self._rate_limited - 1)))
        if "liveChatEnded" in reasons:
            raise EndOfStream("the live chat has ended; for a new broadcast, run the source with its live chat id")
        if any(r_ in FATAL_REASONS for r_ in reasons) or r.status_code == 403:
            raise FatalError(message)
        if r.status_code in (404, 405, 501) and not self.polling and self.settings["mode"] == "auto":
            self.polling = True  # no streaming endpoint here: poll from now on
            self.status.note(mode="poll")
            raise RetryLater(f"streamList unavailable ({message}); polling instead", 0.0)
        if r.status_code == 404:
            raise FatalError(message)
        raise ConnectionError(message)

    # --- sessions --------------------------------------------------------------------------------------
    def session(self) -> None:
        if self.polling:
            self._poll()
        else:
            self._stream()

    def _stream(self) -> None:
        self._response = r = self._request("/liveChat/messages/stream", stream=True)
        try:
            if self.stopping:  # stopped while the stream was opening: interrupt() had no socket to wake yet
                return
            self.connected()
            self._refreshed = False
            for page in json_stream(r.iter_content(chunk_size=None)):
                self.link_alive()
                self._page(page)
                if self.stopping:
                    return
        finally:
            self._response = None
            r.close()

    def _poll(self) -> None:
        while not self.stopping:
            r = self._request("/liveChat/messages", stream=False)
            self.connected()
            self._refreshed = False
            self._page(r.json())
            if self.wait(self.poll_interval):
                return

    def _page(self, page: dict) -> None:
        if page.get("error"):
            raise ConnectionError(f"stream error: {page['error'].get('message', page['error'])}")
        if page.get("pollingIntervalMillis") is not None:
            self.poll_interval = max(float(self.settings["min_poll_interval"]),
                                     float(page["pollingIntervalMillis"]) / 1000.0)
        ended = bool(page.get("offlineAt"))
        comments = []
        for item in page.get("items") or []:
            snippet, author = item.get("snippet") or {}, item.get("authorDetails") or {}
            kind = snippet.get("type", "")
            if kind == "chatEndedEvent":
                ended = True
            elif kind == "textMessageEvent":
                text = snippet.get("displayMessage") or (snippet.get("textMessageDetails") or {}).get("messageText")
                user = author.get("channelId") or snippet.get("authorChannelId") or ""
                comments.append(Comment(self.platform, self.room, str(item.get("id", "")), user,
                                        "stable" if user else "absent", (text or "").strip(),
                                        iso_seconds(snippet.get("publishedAt"))))
        self.deliver([c for c in comments if c.msg_id])
        if page.get("nextPageToken"):
            self.page_token = page["nextPageToken"]
        if ended:
            raise EndOfStream("the live chat has ended; for a new broadcast, run the source with its live chat id")

    def probe(self) -> bool:
        """A busy chat went quiet: does `list` from the stream's page token have messages the stream did not bring?
        True (the stream is behind: replace it unless it delivers within probe_timeout) or False (quiet room)."""
        if self.polling or self._response is None:
            return False  # a poll is its own probe
        params = {"liveChatId": self.room, "part": "id", "maxResults": 200}
        if self.page_token:
            params["pageToken"] = self.page_token
        headers = {"Authorization": f"Bearer {self._token}"} if self._token else {}
        if not self._token:
            params["key"] = self.settings["api_key"]
        try:
            r = requests.get(self.settings["api_url"].rstrip("/") + "/liveChat/messages", params=params,
                             headers=headers, timeout=(5, 10))
            self.status.note(quota_units=self.status.extra["quota_units"] + QUOTA_PER_CALL)
            behind = r.ok and bool(r.json().get("items"))
        except (requests.RequestException, ValueError) as e:
            log.info("youtube/%s: probe failed: %s", self.room, e)
            return False
        if behind:
            log.warning("youtube/%s: the stream is behind the chat", self.room)
        return behind

    def interrupt(self) -> None:
        r = self._response
        conn = getattr(getattr(r, "raw", None), "connection", None) if r is not None else None
        sock = getattr(conn, "sock", None)
        if sock is not None:
            sock.shutdown(socket.SHUT_RDWR)  # wakes the thread blocked reading the stream
