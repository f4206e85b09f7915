"""Rows written in the background, in batches and off the event loop, for work whose caller must not wait for the
database (a comment batch's routed cases, composed chat replies)."""
from __future__ import annotations

import logging
import time
from collections import deque
from collections.abc import Callable

from studio.blocks.off_loop import off_loop

log = logging.getLogger(__name__)


class QueuedWriter:
    """`add(rows)` returns at once; a background loop hands up to `batch` rows at a time to `insert` (in a native
    thread), then calls `after(rows)`. A batch the database refused stays queued for the next round. Before
    `start` (the CLI, in-process tests) and on `stop`, what is queued is written at once."""

    def __init__(self, insert: Callable[[list[dict]], None], after: Callable[[list[dict]], None], batch: int,
                 what: str):
        self._insert, self._after, self._batch, self._what = insert, after, batch, what
        self._pending: deque[dict] = deque()
        self._wake = None
        self._running = False

    def start(self, spawn) -> None:
        if not self._running:
            self._running = True
            spawn(self._run)

    def stop(self) -> None:
        self._running = False
        self.flush()

    def add(self, rows: list[dict]) -> None:
        if not rows:
            return
        self._pending.extend(rows)
        if not self._running:
            self.flush()
        elif self._wake is not None:
            self._wake.set()

    def flush(self) -> None:
        while self._pending:
            self._write_batch()

    def _run(self) -> None:
        from gevent.event import Event  # the writer lives in the gevent server
        self._wake = Event()
        while self._running:
            self._wake.wait(timeout=1.0)
            self._wake.clear()
            try:
                self.flush()
            except Exception:  # noqa: BLE001 - a database hiccup: the rows stay queued for the next round
                log.exception("writing %s", self._what)
                time.sleep(1.0)

    def _write_batch(self) -> None:
        rows = []
        while self._pending and len(rows) < self._batch:
            rows.append(self._pending.popleft())
        try:
            off_loop(self._insert, rows)
        except Exception:
            self._pending.extendleft(reversed(rows))
            raise
        self._after(rows)
