"""Board events from any process to a show's owner, and the owner's snapshots back to everyone, through Redis.

- `forward(show, events)`: a process that does not own the show hands the owner what its board needs (JSON-able
  lists, after the comments are committed). Events wait in a local outbox; one greenlet sends them with XADD
  (MAXLEN ~) to the show's stream, what piled up for a show merged into one entry, all in one pipeline. Ingestion
  never waits for Redis. While Redis is away the outbox is kept for a while and sent when it is back; older than
  `GIVE_UP` it is dropped: by then the owner's lease has lapsed and the next owner rebuilds from the database.
- `follow(show, position)`: the owner reads its shows' streams with XREAD BLOCK in one greenlet, from the position
  taken before it read the database, and hands every entry to the `on_events` listener.
- `store_snapshot` / `snapshot`: the owner's latest pushed state per (show, topic), for the processes that answer
  `subscribe` and GET /ranking without owning the board.

Delivery is at least once: a pipeline cut by a failing Redis is sent again whole.
"""
from __future__ import annotations

import json
import logging
import threading
import time
from collections import deque
from collections.abc import Callable
from typing import Any

from redis.exceptions import RedisError

from studio.scale.redis_link import TIMEOUT, connect

log = logging.getLogger(__name__)

STREAM_MAXLEN = 10_000  # entries per show stream (each one a batch); the owner reads within milliseconds
KEEP = 86_400  # seconds streams and snapshots outlive the last write
BLOCK_MS = 500  # a newly followed show waits at most this long for its first read
READ_BATCH = 200  # stream entries per XREAD
SEND_BATCH = 1000  # outbox entries per pipeline
OUTBOX_LIMIT = 100_000  # outbox entries (ingest batches) kept while Redis is away
GIVE_UP = 10.0  # seconds an undeliverable entry is kept; later the next owner has rebuilt from the database
FRESH = 0.2  # seconds a snapshot read from Redis is served from memory
RETRY = 1.0

Deliver = Callable[[str, list], None]


class LocalBus:
    """One process owns every show: nothing travels, no snapshot is shared (the null object of `ShowBus`)."""
    shared = False

    def on_events(self, fn: Deliver) -> None:
        pass

    def start(self, spawn: Callable[..., object]) -> None:
        pass

    def stop(self) -> None:
        pass

    def forward(self, show_id: str, events: list) -> None:
        pass

    def position(self, show_id: str) -> str | None:
        return None

    def follow(self, show_id: str, position: str | None) -> None:
        pass

    def unfollow(self, show_id: str) -> None:
        pass

    def store_snapshot(self, show_id: str, topic: str, data: Any) -> None:
        pass

    def snapshot(self, show_id: str, topic: str) -> Any:
        return None


class ShowBus:
    shared = True  # other processes read what the owner stores

    def __init__(self, redis_url: str, prefix: str):
        self.redis = connect(redis_url)
        self.reader = connect(redis_url, TIMEOUT + BLOCK_MS / 1000)  # XREAD BLOCK must not time out the socket
        self.prefix = prefix
        self._deliver: list[Deliver] = []
        self._outbox: deque[tuple[float, str, list]] = deque()
        self._snapshots: dict[tuple[str, str], str] = {}  # latest-wins, waiting to be written
        self._follows: dict[str, str | None] = {}  # show → last stream id read (None: start from the newest)
        self._cache: dict[tuple[str, str], tuple[float, Any]] = {}
        self._quiet_until = 0.0  # after a failed read, snapshots come from memory for a moment
        self._wake = threading.Event()
        self._running = False

    def stream(self, show_id: str) -> str:
        return f"{self.prefix}feed:{show_id}"

    def on_events(self, fn: Deliver) -> None:
        self._deliver.append(fn)

    # ---- lifecycle -------------------------------------------------------------------------------------------
    def start(self, spawn: Callable[..., object]) -> None:
        if not self._running:
            self._running = True
            spawn(self._send_loop)
            spawn(self._read_loop)

    def stop(self) -> None:
        """Send what waits (once, best effort) and stop reading: on SIGTERM nothing forwarded stays behind."""
        self._running = False
        self._wake.set()
        self._send()

    # ---- forwarding (any process) ------------------------------------------------------------------------------
    def forward(self, show_id: str, events: list) -> None:
        if len(self._outbox) >= OUTBOX_LIMIT:
            self._outbox.popleft()
        self._outbox.append((time.monotonic(), show_id, events))
        self._wake.set()

    def _send_loop(self) -> None:
        while self._running:
            self._wake.wait(timeout=1.0)
            self._wake.clear()
            if not self._send():
                time.sleep(RETRY)

    def _send(self) -> bool:
        """One pipeline with what waits; False (everything kept for the next try) when Redis refused it."""
        horizon = time.monotonic() - GIVE_UP
        while self._outbox and self._outbox[0][0] < horizon:
            self._outbox.popleft()
        taken = [self._outbox.popleft() for _ in range(min(SEND_BATCH, len(self._outbox)))]
        merged: dict[str, list] = {}
        for _, show_id, events in taken:
            merged.setdefault(show_id, []).extend(events)
        snapshots, self._snapshots = self._snapshots, {}
        if not merged and not snapshots:
            return True
        try:
            pipe = self.redis.pipeline(transaction=False)
            for show_id, events in merged.items():
                key = self.stream(show_id)
                pipe.xadd(key, {"e": json.dumps(events, ensure_ascii=False)}, maxlen=STREAM_MAXLEN, approximate=True)
                pipe.expire(key, KEEP)
            for (show_id, topic), payload in snapshots.items():
                pipe.set(self._snapshot_key(show_id, topic), payload, ex=KEEP)
            pipe.execute()
        except RedisError as e:
            log.warning("forwarding to Redis failed (%s); %d batches wait", type(e).__name__, len(self._outbox))
            self._outbox.extendleft(reversed(taken))
            for key, payload in snapshots.items():
                self._snapshots.setdefault(key, payload)
            return False
        if self._outbox:
            self._wake.set()
        return True

    # ---- following (the owner) ---------------------------------------------------------------------------------
    def position(self, show_id: str) -> str | None:
        """The id of the newest entry of the show's stream ("0-0": none yet; None: Redis did not answer)."""
        try:
            last = self.redis.xrevrange(self.stream(show_id), count=1)
        except RedisError:
            return None
        return last[0][0] if last else "0-0"

    def follow(self, show_id: str, position: str | None) -> None:
        self._follows[show_id] = position

    def unfollow(self, show_id: str) -> None:
        self._follows.pop(show_id, None)

    def _read_loop(self) -> None:
        while self._running:
            for show_id, pos in list(self._follows.items()):
                if pos is None:  # followed while Redis was away: from whatever is newest now
                    self._follows[show_id] = self.position(show_id)
            streams = {self.stream(s): pos for s, pos in self._follows.items() if pos is not None}
            if not streams:
                time.sleep(BLOCK_MS / 1000)
                continue
            try:
                answer = self.reader.xread(streams, count=READ_BATCH, block=BLOCK_MS)
            except RedisError:
                time.sleep(RETRY)
                continue
            for key, entries in answer or ():
                self._hand_over(key[len(self.prefix) + len("feed:"):], entries)

    def _hand_over(self, show_id: str, entries: list) -> None:
        for entry_id, fields in entries:
            pos = self._follows.get(show_id)
            if pos is None:
                return  # ownership ended while reading
            if _stream_id(entry_id) <= _stream_id(pos):
                continue  # followed again from a newer position while this read was under way
            self._follows[show_id] = entry_id
            try:
                events = json.loads(fields["e"])
                for fn in self._deliver:
                    fn(show_id, events)
            except Exception:  # one bad entry must not stop the show's stream
                log.exception("stream entry %s of show %s", entry_id, show_id)

    # ---- snapshots ---------------------------------------------------------------------------------------------
    def _snapshot_key(self, show_id: str, topic: str) -> str:
        return f"{self.prefix}snap:{show_id}:{topic}"

    def store_snapshot(self, show_id: str, topic: str, data: Any) -> None:
        """The owner's latest state of a topic, written with the next send (a newer one replaces a waiting one)."""
        self._snapshots[(show_id, topic)] = json.dumps(data, ensure_ascii=False)
        self._cache[(show_id, topic)] = (time.monotonic(), data)  # what this process says if it loses the show
        self._wake.set()

    def snapshot(self, show_id: str, topic: str) -> Any:
        """The owner's latest state of a topic (None: none yet). Never raises: with Redis away, the last one read."""
        key = (show_id, topic)
        cached = self._cache.get(key)
        now = time.monotonic()
        if cached is not None and now - cached[0] < FRESH or now < self._quiet_until:
            return cached[1] if cached else None
        try:
            raw = self.redis.get(self._snapshot_key(show_id, topic))
        except RedisError:
            self._quiet_until = now + RETRY
            return cached[1] if cached else None
        data = json.loads(raw) if raw else None
        if len(self._cache) > 10_000:
            self._cache.clear()
        self._cache[key] = (now, data)
        return data


def _stream_id(entry_id: str) -> tuple[int, int]:
    ms, _, seq = entry_id.partition("-")
    return int(ms), int(seq or 0)
