"""The one shape every platform adapter has.

An adapter owns one upstream connection for one (platform, room). It turns each platform message into a
normalized `Comment`, drops the ones it has already delivered (platforms deliver at least once, and reconnects
replay history), and hands the rest to `on_comments`. `run()` reconnects with capped exponential backoff and full
jitter until `stop()`, a fatal error (retrying cannot fix it: refused credentials, a room the app may not read) or
the platform's end of stream."""
from __future__ import annotations

import hashlib
import logging
import threading
import time
from collections import OrderedDict, deque
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Callable

# The ingest API's limits: items are cut to fit here rather than refused there.
from studio.blocks.backoff import Backoff
from studio.sources.contract import MAX_ID, MAX_TEXT, MAX_USER

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Comment:
    """A platform comment, normalized. `user_id_quality`: is the id the same person across sessions (stable),
    only within this session or show (session), or missing (absent)? Distinct-asker counts trust only the first."""
    platform: str
    room: str
    msg_id: str
    user_id: str
    user_id_quality: str
    text: str
    ts: float  # platform time, UTC epoch seconds

    def to_item(self) -> dict:
        """The ingest API's item; the studio salts and hashes `user` before anything is stored."""
        return {"id": _fit(self.msg_id, MAX_ID), "user": _fit(self.user_id, MAX_USER), "text": self.text[:MAX_TEXT],
                "ts": self.ts, "platform": self.platform,
                "user_quality": self.user_id_quality if self.user_id else "absent"}


def _fit(value: str, limit: int) -> str:
    """Ids longer than the studio stores are replaced by a digest: still unique, still stable."""
    return value if len(value) <= limit else "h-" + hashlib.sha256(value.encode()).hexdigest()


def synthetic_id(*parts: Any) -> str:
    """A message id for platforms that give none: the same message replayed gets the same id."""
    return "syn-" + hashlib.sha1("\x1f".join(str(p) for p in parts).encode()).hexdigest()[:24]


def epoch_seconds(value: Any, default: float | None = None) -> float:
    """Platform timestamps come in seconds or milliseconds, as numbers or digit strings."""
    try:
        t = float(value)
    except (TypeError, ValueError):
        return time.time() if default is None else default
    return t / 1000.0 if t > 1e11 else t


def iso_seconds(value: str | None) -> float:
    """An RFC 3339 time ("2024-05-01T12:00:00.123456789Z") as epoch seconds; now if absent or malformed."""
    try:
        return datetime.fromisoformat((value or "").replace("Z", "+00:00")).timestamp()
    except ValueError:
        return time.time()


class RecentIds:
    """A bounded LRU of ids already delivered: memory stays flat on an endless stream; the studio's unique
    constraint catches what falls out of the window."""

    def __init__(self, size: int = 50_000):
        self.size = size
        self._ids: OrderedDict[str, None] = OrderedDict()
        self._lock = threading.Lock()

    def add(self, key: str) -> bool:
        """True if `key` is new (and remember it), False if it was seen recently."""
        with self._lock:
            if key in self._ids:
                self._ids.move_to_end(key)
                return False
            self._ids[key] = None
            if len(self._ids) > self.size:
                self._ids.popitem(last=False)
            return True


class FatalError(Exception):
    """Retrying cannot fix this (credentials refused, room not allowed): stop and say so."""


class EndOfStream(Exception):
    """The platform says the live stream or its chat has ended."""


class RetryLater(Exception):
    """A retryable error whose wait the platform dictates (quota exhausted, a sleep hint, a reconnect order)."""

    def __init__(self, message: str, delay: float):
        super().__init__(message)
        self.delay = delay


class SourceStatus:
    """What the console shows for one source: state, last error, last message time, messages per minute."""

    STATES = ("connecting", "connected", "backoff", "fatal", "stopped")

    def __init__(self, platform: str, room: str):
        self.platform, self.room = platform, room
        self.state, self.since, self.last_error = "stopped", time.time(), ""
        self.last_message_at: float | None = None
        self.received = self.duplicates = self.reconnects = 0
        self.extra: dict[str, Any] = {}  # per-platform figures (quota used, game id…)
        self._seconds: deque[list[float]] = deque()  # [epoch second, count] over the last minute
        self._lock = threading.Lock()

    def set(self, state: str, error: str | None = None) -> None:
        with self._lock:
            if self.state == "fatal":
                return  # final: whatever the dying connection reports afterwards, the reason stays on the console
            if state != self.state:
                self.state, self.since = state, time.time()
            if error is not None:
                self.last_error = error[:500]

    def note(self, **figures: Any) -> None:
        """Set per-platform figures (written by the adapter thread, read by the health reporter)."""
        with self._lock:
            self.extra.update(figures)

    def count(self, new: int, duplicates: int) -> None:
        now = time.time()
        with self._lock:
            self.received += new
            self.duplicates += duplicates
            if new:
                self.last_message_at = now
                second = float(int(now))
                if self._seconds and self._seconds[-1][0] == second:
                    self._seconds[-1][1] += new
                else:
                    self._seconds.append([second, new])

    def per_minute(self, now: float | None = None) -> int:
        now = time.time() if now is None else now
        with self._lock:
            while self._seconds and self._seconds[0][0] <= now - 60:
                self._seconds.popleft()
            return int(sum(c for _, c in self._seconds))

    def snapshot(self) -> dict:
        per_minute = self.per_minute()
        with self._lock:
            return {"platform": self.platform, "room": self.room, "state": self.state,
                    "connected": self.state == "connected", "since": self.since, "last_error": self.last_error,
                    "last_message_at": self.last_message_at, "per_minute": per_minute,
                    "received": self.received, "duplicates": self.duplicates, "reconnects": self.reconnects,
                    "extra": dict(self.extra)}


class Adapter:
    """Base class: subclasses set `platform`, declare `SETTINGS` (see settings.py) and implement `session()`,
    which connects, calls `connected()` once the platform accepted it, feeds `deliver()` and returns or raises
    when the connection ends. `close_upstream()` runs once when the adapter stops (platform 'end' calls)."""

    platform = ""
    SETTINGS: dict = {}

    def __init__(self, room: str, settings: dict, on_comments: Callable[[list[Comment]], None] | None = None):
        self.room = room
        self.settings = settings
        self.on_comments = on_comments or (lambda comments: None)
        self.status = SourceStatus(self.platform, room)
        self.backoff = Backoff(float(settings.get("backoff_base", 1.0)), float(settings.get("backoff_cap", 60.0)))
        self.stable_after = float(settings.get("stable_after", 30.0))
        self._seen = RecentIds(int(settings.get("dedupe_size", 50_000)))
        self._stopping = threading.Event()
        self._delivered_in_session = 0

    # --- for subclasses -------------------------------------------------------------------------------
    def session(self) -> None:
        raise NotImplementedError

    def close_upstream(self) -> None:
        """Tell the platform we are leaving (Bilibili app/end, Douyin task/stop…). Best effort."""

    def interrupt(self) -> None:
        """Unblock a read in progress so `stop()` takes effect at once (close the socket)."""

    def connected(self) -> None:
        self.status.set("connected", "")

    def deliver(self, comments: list[Comment]) -> int:
        """Drop what was already delivered (per room), pass the rest on; returns how many were new."""
        fresh = [c for c in comments if c.text and self._seen.add(c.msg_id)]
        self.status.count(len(fresh), len(comments) - len(fresh))
        if fresh:
            self._delivered_in_session += len(fresh)
            self.on_comments(fresh)
        return len(fresh)

    def wait(self, seconds: float) -> bool:
        """Sleep unless stopped; True if the adapter is stopping."""
        return self._stopping.wait(max(0.0, seconds))

    @property
    def stopping(self) -> bool:
        return self._stopping.is_set()

    # --- lifecycle ------------------------------------------------------------------------------------
    def stop(self) -> None:
        self._stopping.set()
        try:
            self.interrupt()
        except Exception:  # the socket may already be gone
            log.debug("interrupt failed", exc_info=True)

    def fail(self, message: str) -> None:
        """From another thread (the sink): a fatal condition outside the platform connection."""
        self.status.set("fatal", message)
        self.stop()

    def run(self) -> str:
        """Connect, read, reconnect until stopped; returns the final state ("stopped" or "fatal")."""
        try:
            while not self._stopping.is_set():
                delay = self._one_session()
                if delay is None:
                    break
                self.status.reconnects += 1
                if self._stopping.wait(delay):
                    break
        finally:
            try:
                self.close_upstream()
            except Exception as e:  # noqa: BLE001 - leaving must never raise
                log.warning("%s/%s: closing upstream failed: %s", self.platform, self.room, e)
        if self.status.state != "fatal":
            self.status.set("stopped")
        return self.status.state

    def _one_session(self) -> float | None:
        """Run one session; the delay before the next, or None to stop for good."""
        self.status.set("connecting")
        started, self._delivered_in_session = time.monotonic(), 0
        try:
            self.session()
            error = "connection closed by the platform"
        except FatalError as e:
            self.status.set("fatal", str(e))
            log.error("%s/%s: fatal: %s", self.platform, self.room, e)
            return None
        except EndOfStream as e:
            self.status.set("stopped", f"ended: {e}")
            log.info("%s/%s: end of stream: %s", self.platform, self.room, e)
            return None
        except RetryLater as e:
            if self._stopping.is_set():
                return None
            self.status.set("backoff", str(e))
            return e.delay
        except Exception as e:  # noqa: BLE001 - any network or protocol error is worth a retry
            error = f"{type(e).__name__}: {e}" if str(e) else type(e).__name__
        if self._stopping.is_set():
            return None
        # A session that carried comments or lasted a while was healthy: start the backoff over.
        if self._delivered_in_session or time.monotonic() - started >= self.stable_after:
            self.backoff.reset()
        delay = self.backoff.next_delay()
        self.status.set("backoff", error)
        log.warning("%s/%s: %s; retrying in %.1f s", self.platform, self.room, error, delay)
        return delay
