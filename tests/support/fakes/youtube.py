"""A fake YouTube Data API: `liveChat/messages` (list, polled) and `liveChat/messages/stream` (server streaming,
chunked), OAuth token refresh, and the documented errors (401, 403 quotaExceeded / liveChatEnded, 404
liveChatNotFound). Page tokens are positions in the chat; the stream sends history first, then new messages, and a
client resumes from its last `nextPageToken`: YouTube keeps the chat, so nothing posted while a link was down is lost
to a client that resumes. The end of a chat is told as `offlineAt` on the page and a `chatEndedEvent` message, then
`liveChatEnded` to any further request. `liveChatMessages.insert` (POST liveChat/messages?part=snippet) takes a bot's
message into the chat (`inserted` lists them) with a token of `post_token`, or answers as YouTube does: 401, 403
with `refuse_inserts` as the reason (rateLimitExceeded, liveChatDisabled, forbidden …).
Faults: `drop_streams()` (open streams die mid-response),
`end_streams()` (open streams finish cleanly, as a server ending a long-running response does), `freeze_streams()`
(open streams stay open and send nothing more), `fail_lists` / `reset_lists` (the next list calls answer 503
backendError / have their connection reset), `expire_token()` (the access token stops working, as after its hour)."""
from __future__ import annotations

import json
import threading
import time
from datetime import UTC, datetime
from urllib.parse import parse_qs

from .common import HttpFake, Request

BASE = "/youtube/v3"


def _error(status: int, reason: str, message: str) -> tuple:
    return status, {"error": {"code": status, "message": message,
                              "errors": [{"domain": "youtube.liveChat", "reason": reason, "message": message}]}}


class FakeYoutube:
    def __init__(self, chat_id: str = "chat-1", token: str = "ya29.valid", stream: bool = True,
                 polling_ms: int = 200, stream_format: str = "array"):
        self.chat_id, self.token, self.polling_ms, self.stream_format = chat_id, token, polling_ms, stream_format
        self.refresh_token = "1//refresh"
        self.items: list[dict] = []
        self.offline = False
        self.quota_exhausted = False
        self.ended_error = False
        self.list_times: list[float] = []
        self._cond = threading.Condition()
        self._drop = 0  # generation counter: open streams end when it moves
        self._end = 0  # likewise, but the stream finishes its response cleanly
        self._stream_ids = 0
        self._open: set[int] = set()
        self._frozen: set[int] = set()
        self.fail_lists = 0
        self.reset_lists = 0
        self.post_token = "ya29.can-post"
        self.inserted: list[str] = []
        self.refuse_inserts = ""
        routes = {("GET", BASE + "/liveChat/messages"): self._list, ("POST", "/token"): self._refresh,
                  ("POST", BASE + "/liveChat/messages"): self._insert}
        if stream:
            routes[("GET", BASE + "/liveChat/messages/stream")] = self._stream
        self.http = HttpFake(routes)
        self.url = self.http.url + BASE
        self.token_url = self.http.url + "/token"

    # --- chat ---------------------------------------------------------------------------------------
    def post(self, text: str, channel: str = "UC-viewer-1", kind: str = "textMessageEvent") -> dict:
        with self._cond:
            n = len(self.items)
            item = {"kind": "youtube#liveChatMessage", "etag": f"e{n}", "id": f"LCC.msg-{n}",
                    "snippet": {"type": kind, "liveChatId": self.chat_id, "authorChannelId": channel,
                                "publishedAt": datetime.now(UTC).isoformat().replace("+00:00", "Z"),
                                "hasDisplayContent": kind == "textMessageEvent", "displayMessage": text,
                                "textMessageDetails": {"messageText": text}},
                    "authorDetails": {"channelId": channel, "displayName": f"viewer {channel}",
                                      "isChatOwner": False, "isChatModerator": False}}
            self.items.append(item)
            self._cond.notify_all()
            return item

    def end_chat(self) -> None:
        with self._cond:
            self.offline = True
            self._cond.notify_all()

    def end_with_event(self) -> None:
        """The broadcast ends: a chatEndedEvent message in the chat, offlineAt on the page."""
        self.post("", kind="chatEndedEvent")
        self.end_chat()

    def end_streams(self) -> None:
        with self._cond:
            self._end += 1
            self._cond.notify_all()

    def freeze_streams(self) -> None:
        with self._cond:
            self._frozen.update(self._open)
            self._cond.notify_all()

    def expire_token(self) -> None:
        self.token = f"ya29.after-expiry-{len(self.http.calls('/token'))}"

    def drop_streams(self) -> None:
        with self._cond:
            self._drop += 1
            self._cond.notify_all()

    # --- API ----------------------------------------------------------------------------------------
    def _check(self, req: Request) -> tuple | None:
        if req.headers.get("authorization") != f"Bearer {self.token}":
            return _error(401, "authError", "Invalid Credentials")
        if self.quota_exhausted:
            return _error(403, "quotaExceeded", "The request cannot be completed because you have exceeded your quota.")
        if req.query.get("liveChatId") != self.chat_id:
            return _error(404, "liveChatNotFound", "The live chat that you are trying to retrieve cannot be found.")
        if self.ended_error:
            return _error(403, "liveChatEnded", "The specified live chat is no longer live.")
        return None

    def _page(self, start: int, end: int) -> dict:
        page = {"kind": "youtube#liveChatMessageListResponse", "etag": f"p{end}", "nextPageToken": str(end),
                "pollingIntervalMillis": self.polling_ms, "pageInfo": {"totalResults": end - start,
                                                                      "resultsPerPage": end - start},
                "items": self.items[start:end]}
        if self.offline:
            page["offlineAt"] = datetime.now(UTC).isoformat()
        return page

    def _insert(self, req: Request) -> tuple:
        if req.headers.get("authorization") != f"Bearer {self.post_token}":
            return _error(401, "authError", "Invalid Credentials")
        if req.query.get("part") != "snippet":
            return _error(400, "invalidPart", "part must be snippet")
        snippet = (req.json() or {}).get("snippet") or {}
        if snippet.get("liveChatId") != self.chat_id:
            return _error(404, "liveChatNotFound", "The live chat that you are trying to retrieve cannot be found.")
        if self.refuse_inserts:
            return _error(403, self.refuse_inserts, f"The message was not inserted ({self.refuse_inserts}).")
        text = (snippet.get("textMessageDetails") or {}).get("messageText") or ""
        if snippet.get("type") != "textMessageEvent" or not text:
            return _error(400, "invalidValue", "a textMessageEvent with a messageText is required")
        self.inserted.append(text)
        return 200, self.post(text, channel="UC-studio-bot")

    def _list(self, req: Request) -> tuple | None:
        self.list_times.append(time.monotonic())
        if self.reset_lists > 0:
            self.reset_lists -= 1
            req.handler.close_connection = True
            req.handler.connection.shutdown(2)
            return None
        if self.fail_lists > 0:
            self.fail_lists -= 1
            return _error(503, "backendError", "Backend Error")
        problem = self._check(req)
        if problem:
            return problem
        start = int(req.query.get("pageToken") or 0)
        with self._cond:
            end = min(len(self.items), start + int(req.query.get("maxResults", 500)))
            return 200, self._page(start, end)

    def _stream(self, req: Request):
        problem = self._check(req)
        if problem:
            return problem
        h = req.handler
        h.send_response(200)
        h.send_header("Content-Type", "application/json; charset=UTF-8")
        h.send_header("Transfer-Encoding", "chunked")
        h.end_headers()
        sent, first, generation, end = int(req.query.get("pageToken") or 0), True, self._drop, self._end
        with self._cond:
            self._stream_ids += 1
            me = self._stream_ids
            self._open.add(me)
        try:
            if self.stream_format == "array":
                self._chunk(h, b"[")
            while True:
                with self._cond:
                    self._cond.wait_for(lambda: (len(self.items) > sent or self.offline) and me not in self._frozen
                                        or self._drop != generation or self._end != end, timeout=5)
                    if self._drop != generation:
                        h.close_connection = True
                        h.connection.shutdown(2)  # dies mid-stream, like a network failure
                        return None
                    if self._end != end:
                        break
                    if me in self._frozen or not (len(self.items) > sent or self.offline):
                        continue
                    page, sent = self._page(sent, len(self.items)), len(self.items)
                data = json.dumps(page, ensure_ascii=False).encode()
                sep = b"" if first or self.stream_format != "array" else b",\n"
                first = False
                half = len(data) // 2  # split each object across two writes, mid-character if it falls there
                self._chunk(h, sep + data[:half])
                self._chunk(h, data[half:] + (b"\n" if self.stream_format != "array" else b""))
                if self.offline:
                    break
            if self.stream_format == "array":
                self._chunk(h, b"]")
            h.wfile.write(b"0\r\n\r\n")
        except OSError:
            pass
        finally:
            with self._cond:
                self._open.discard(me)
        return None

    @staticmethod
    def _chunk(h, data: bytes) -> None:
        h.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
        h.wfile.flush()

    def _refresh(self, req: Request) -> tuple:
        form = {k: v[-1] for k, v in parse_qs(req.body.decode()).items()}
        if form.get("refresh_token") != self.refresh_token or form.get("grant_type") != "refresh_token":
            return 400, {"error": "invalid_grant"}
        self.token = f"ya29.renewed-{len(self.http.calls('/token'))}"
        return 200, {"access_token": self.token, "expires_in": 3599, "token_type": "Bearer"}

    def streams_opened(self) -> int:
        return len(self.http.calls(BASE + "/liveChat/messages/stream"))

    def close(self) -> None:
        self.drop_streams()
        self.http.close()
