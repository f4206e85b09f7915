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
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import websocket

# The ingest API's limits: items are cut to fit here rather than refused there.
from studio.blocks.backoff import Backoff
from studio.sources.contract import MAX_ID, MAX_TEXT, MAX_USER
from studio.sources.health import LINK_UP, SourceStatus
from studio.sources.watchdog import Liveness

__all__ = ["Adapter", "Backoff", "Comment", "EndOfStream", "FatalError", "RetryLater", "SessionEnded",
           "SourceStatus", "RecentIds"]
WATCH_TICK = 0.25  # seconds between the watchdog's looks at the link

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
    """The platform says the live stream or its chat has ended. Adapters that can open a new platform session
    (Bilibili starts a new game) set `restart_on_end`; the others fail with the message, which says what to do."""


class SessionEnded(Exception):
    """The platform closed our session (a game expired, an interaction ended) but a new one can be opened now."""


class RetryLater(Exception):
    """A retryable error whose wait the platform dictates (quota exhausted, a sleep hint, a reconnect order)."""

    def __init__(self, message: str, delay: float):
        super().__init__(message)
        self.delay = delay


class Adapter:
    """Base class: subclasses set `platform`, declare `SETTINGS` (see settings.py) and implement `session()`,
    which connects, calls `connected()` once the platform accepted it, calls `link_alive()` for every frame,
    feeds `deliver()` and returns or raises when the connection ends. `close_upstream()` runs once when the adapter
    stops (platform 'end' calls). `liveness` says what "alive" means for the protocol; `probe()` asks the platform
    for a sign of life (a heartbeat, a PING). `run()` never returns while the show needs comments, except on
    `stop()` or a failure a person must fix (then the reason says what to do)."""

    platform = ""
    SETTINGS: dict = {}
    restart_on_end = False  # EndOfStream opens a new platform session instead of failing

    def __init__(self, room: str, settings: dict, on_comments: Callable[[list[Comment]], None] | None = None):
        self.room = room
        self.settings = settings
        self.on_comments = on_comments or (lambda comments: None)
        self.status = SourceStatus(self.platform, room, float(settings.get("silent_min", 10.0)))
        self.backoff = Backoff(float(settings.get("backoff_base", 1.0)), float(settings.get("backoff_cap", 60.0)))
        self.stable_after = float(settings.get("stable_after", 30.0))
        self.liveness = Liveness(probe_timeout=float(settings.get("probe_timeout", 5.0)))
        self._seen = RecentIds(int(settings.get("dedupe_size", 50_000)))
        self._stopping = threading.Event()
        self._delivered_in_session = 0
        self._killed: str | None = None  # why the watchdog cut the current link
        self._link = 0  # which link the watchdog is judging

    # --- for subclasses -------------------------------------------------------------------------------
    def session(self) -> None:
        raise NotImplementedError

    def close_upstream(self) -> None:
        """Tell the platform we are leaving (Bilibili app/end, Douyin task/stop…). Best effort."""

    def renew(self, reason: str) -> None:
        """The studio saw this source's comments stop where the adapter cannot see them (Douyin's pushes reach the
        studio, not the adapter): open a new platform session if the protocol has a way. Most need not."""

    def interrupt(self) -> None:
        """Unblock a read in progress so `stop()` takes effect at once (close the socket)."""

    def probe(self) -> bool:
        """Ask the platform for a sign of life on the current link; True if a probe went out."""
        return False

    def connected(self) -> None:
        self.liveness.reset()
        self.status.set("connected", "")

    def link_alive(self) -> None:
        self.liveness.traffic()

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
        """From another thread (the sink): a failure outside the platform connection."""
        self.status.set("failed", message)
        self.stop()

    def run(self) -> str:
        """Connect, read, reconnect until stopped; returns the final state ("stopped" or "failed")."""
        threading.Thread(target=self._watch, name=f"{self.platform}-watchdog", daemon=True).start()
        try:
            while not self._stopping.is_set():
                delay = self._one_session()
                if delay is None:
                    break
                if self._stopping.wait(delay):
                    break
        finally:
            self._stopping.set()  # ends the watchdog and any helper thread of the adapter
            try:
                self.close_upstream()
            except Exception as e:  # noqa: BLE001 - leaving must never raise
                log.warning("%s/%s: closing upstream failed: %s", self.platform, self.room, e)
        if self.status.state != "failed":
            self.status.set("stopped")
        return self.status.state

    def _watch(self) -> None:
        """The watchdog: cut a link that stopped answering, probe one whose busy room went quiet."""
        while not self._stopping.wait(WATCH_TICK):
            if self.status.state not in LINK_UP:
                continue
            link = self._link
            reason = self.liveness.verdict()
            if reason is None and (self.status.check_silent() or self.liveness.wants_probe()):
                try:
                    if self.probe():
                        self.liveness.probed()
                except Exception as e:  # noqa: BLE001 - a probe that cannot be sent means a dead link
                    reason = f"link broken: the keepalive probe failed ({type(e).__name__}: {e})"
            if reason and link == self._link and not self._stopping.is_set():
                log.warning("%s/%s: %s; replacing the link", self.platform, self.room, reason)
                self._killed = reason
                try:
                    self.interrupt()
                except Exception:  # noqa: BLE001
                    log.debug("interrupt failed", exc_info=True)

    def _one_session(self) -> float | None:
        """Run one session; the delay before the next, or None to stop for good."""
        self._link += 1
        self._killed = None
        self.status.set("connecting")
        started, self._delivered_in_session = time.monotonic(), 0
        try:
            self.session()
            error = "connection closed by the platform"
        except FatalError as e:
            self.status.set("failed", str(e))
            log.error("%s/%s: failed: %s", self.platform, self.room, e)
            return None
        except (EndOfStream, SessionEnded) as e:
            if self._stopping.is_set():
                return None
            if isinstance(e, EndOfStream) and not self.restart_on_end:
                self.status.set("failed", f"the platform ended the stream: {e}")
                log.error("%s/%s: end of stream: %s", self.platform, self.room, e)
                return None
            self.status.event("restart", f"platform session ended: {e}")
            self.status.set("connecting", f"platform session ended: {e}; opening a new one")
            log.info("%s/%s: session ended (%s); opening a new one", self.platform, self.room, e)
            return 0.0
        except RetryLater as e:
            if self._stopping.is_set():
                return None
            self.status.event("reconnect", str(e))
            self.status.set("backoff", str(e))
            return e.delay
        except Exception as e:  # noqa: BLE001 - any network or protocol error is worth a retry
            error = f"{type(e).__name__}: {e}" if str(e) else type(e).__name__
        if self._stopping.is_set():
            return None
        error = self._killed or error
        # A session that carried comments or lasted a while was healthy: start the backoff over.
        if self._delivered_in_session or time.monotonic() - started >= self.stable_after:
            self.backoff.reset()
        delay = self.backoff.next_delay()
        self.status.event("reconnect", error)
        self.status.set("backoff", error)
        log.warning("%s/%s: %s; retrying in %.1f s", self.platform, self.room, error, delay)
        return delay


def drain_then_close(ws: websocket.WebSocket, seconds: float, handle: Callable[[bytes], object]) -> None:
    """Hand what a connection being replaced still delivers to `handle` for up to `seconds`, then close it: a
    platform that asks a client to reconnect keeps the old connection delivering for a grace period."""
    ws.settimeout(0.2)
    deadline = time.monotonic() + seconds
    try:
        while time.monotonic() < deadline:
            opcode, data = ws.recv_data()
            if opcode == websocket.ABNF.OPCODE_CLOSE:
                break
            handle(data)
    except (websocket.WebSocketException, OSError):
        pass
    finally:
        ws.close()
