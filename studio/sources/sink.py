"""From an adapter process to the studio: batches of comments to the ingest API, health reports beside them.

Plain sync `requests` on threads of the adapter's own process, so it runs the same next to the studio or on
another machine. A batch is retried (with backoff) until the studio took it; the studio deduplicates by
(show, platform, id), so a retry after a lost answer counts nothing twice."""
from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

import requests

from studio.blocks.backoff import Backoff
from studio.sources.base import Comment
from studio.sources.contract import MAX_BATCH

log = logging.getLogger(__name__)

MAX_PENDING = 200_000  # beyond this (studio unreachable for long) the oldest comments are dropped, and counted


class SinkRefused(Exception):
    """The studio refused the token or the show: retrying cannot help."""


class IngestSink:
    def __init__(self, base_url: str, token: str, show_id: str, source: str, timeout: float = 15.0,
                 stop: threading.Event | None = None):
        self.url = base_url.rstrip("/")
        self.show_id = show_id
        self.source = source
        self.timeout = timeout
        self.http = requests.Session()
        self.http.headers.update({"Authorization": f"Bearer {token}", "X-Ingest-Source": source})
        self.stop_event = stop or threading.Event()
        self.accepted = self.duplicate = self.rejected = 0

    def post_items(self, items: list[dict]) -> None:
        """Deliver `items`; returns once the studio stored them, raises SinkRefused, or gives up on stop."""
        for start in range(0, len(items), MAX_BATCH):
            chunk = items[start:start + MAX_BATCH]
            result = self._post(f"/api/shows/{self.show_id}/comments", chunk)
            if result is None:
                return
            self.accepted += int(result.get("accepted", 0))
            self.duplicate += int(result.get("duplicate", 0))
            self.rejected += int(result.get("rejected", 0))
            for err in (result.get("errors") or [])[:3]:
                log.warning("studio rejected a comment: %s", err)

    def report_health(self, report: dict) -> dict:
        """Post a health report; the studio's answer ({"stop": true} after `studio source stop`), {} if unsent."""
        try:
            r = self.http.post(f"{self.url}/api/shows/{self.show_id}/sources/health", json=report,
                               timeout=self.timeout)
            if r.status_code in (401, 403, 404):
                raise SinkRefused(_error_text(r))
            return r.json() if r.ok else {}
        except (requests.RequestException, ValueError) as e:  # health is best effort; the next report will do
            log.debug("health report failed: %s", e)
            return {}

    def _post(self, path: str, payload) -> dict | None:
        backoff = Backoff(0.5, 30.0)
        while True:
            try:
                r = self.http.post(self.url + path, json=payload, timeout=self.timeout)
                if r.status_code in (401, 403, 404):
                    raise SinkRefused(_error_text(r))
                if r.ok:
                    return r.json()
                if 400 <= r.status_code < 500 and r.status_code not in (408, 429):
                    log.error("studio refused a batch of %d: %s", len(payload), _error_text(r))
                    return {"rejected": len(payload)}
                problem = _error_text(r)
            except requests.RequestException as e:
                problem = str(e)
            delay = backoff.next_delay()
            log.warning("ingest failed (%s); retrying in %.1f s", problem, delay)
            if self.stop_event.wait(delay):
                return None


def _error_text(r: requests.Response) -> str:
    try:
        return f"HTTP {r.status_code}: {r.json().get('error', '')}"
    except ValueError:
        return f"HTTP {r.status_code}"


class Batcher:
    """Collects comments from the adapter thread and hands them to `deliver` in batches: at `max_items`, or
    `interval` seconds after the first comment of a batch, whichever comes first."""

    def __init__(self, deliver: Callable[[list[dict]], None], max_items: int = 500, interval: float = 0.25,
                 on_fatal: Callable[[str], None] | None = None):
        self.deliver, self.max_items, self.interval = deliver, max_items, interval
        self.on_fatal = on_fatal or (lambda message: None)
        self._pending: list[dict] = []
        self._first_at: float | None = None
        self._cond = threading.Condition()
        self._closing = False
        self.dropped = self.sent = 0
        self._thread = threading.Thread(target=self._run, name="ingest-batcher", daemon=True)

    def start(self) -> Batcher:
        self._thread.start()
        return self

    def add(self, comments: list[Comment]) -> None:
        with self._cond:
            self._pending.extend(c.to_item() for c in comments)
            if self._first_at is None:
                self._first_at = time.monotonic()
            overflow = len(self._pending) - MAX_PENDING
            if overflow > 0:
                del self._pending[:overflow]
                self.dropped += overflow
            self._cond.notify()

    @property
    def pending(self) -> int:
        with self._cond:
            return len(self._pending)

    def close(self, timeout: float = 10.0) -> None:
        """Flush what is pending, then stop."""
        with self._cond:
            self._closing = True
            self._cond.notify()
        self._thread.join(timeout)

    def _take(self) -> list[dict] | None:
        with self._cond:
            while True:
                if self._pending and (self._closing or len(self._pending) >= self.max_items
                                      or time.monotonic() - self._first_at >= self.interval):
                    batch, self._pending = self._pending[:self.max_items], self._pending[self.max_items:]
                    self._first_at = time.monotonic() if self._pending else None
                    return batch
                if self._closing:
                    return None
                wait = None if not self._pending else max(0.0, self.interval - (time.monotonic() - self._first_at))
                self._cond.wait(wait)

    def _run(self) -> None:
        while (batch := self._take()) is not None:
            try:
                self.deliver(batch)
                self.sent += len(batch)
            except SinkRefused as e:
                self.on_fatal(f"the studio refused the comments: {e}")
                return
            except Exception:  # noqa: BLE001 - keep the batcher alive; the loss is logged
                log.exception("delivering a batch of %d failed", len(batch))
