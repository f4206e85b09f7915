"""Group commit: every caller waits until its items are in a committed transaction, and one transaction carries
all the batches that arrived meanwhile. An answered write is never lost, even to kill -9, and a burst of small
requests costs a few transactions, not one each."""
from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

T = TypeVar("T")
R = TypeVar("R")


@dataclass
class _Job(Generic[T, R]):
    items: list[T]
    tag: Any = None
    done: threading.Event = field(default_factory=threading.Event)
    results: list[R] | None = None
    error: BaseException | None = None


class GroupCommitWriter(Generic[T, R]):
    """`commit(items)` stores items in one transaction and returns one result per item (or raises: every caller
    of that transaction gets the error). Until `start`, and after `flush`, writes commit in the caller.
    With `tagged`, each caller's `write(items, tag)` may say something the transaction needs to know of its items
    (work to do in the same transaction), and `commit` gets [(items, tag)] per caller and returns [results] per
    caller."""

    def __init__(self, commit: Callable[[list[T]], list[R]], max_items: int, gather: float = 0.0,
                 wait_timeout: float | None = None, tagged: bool = False):
        self._commit_items = commit
        self._tagged = tagged
        self.max_items = max_items
        self.gather = gather  # seconds the worker lets the requests of the same moment join a transaction
        self.wait_timeout = wait_timeout
        self._pending: deque[_Job[T, R]] = deque()
        self._wake = threading.Event()
        self._running = False

    @property
    def running(self) -> bool:
        return self._running

    def start(self, spawn: Callable[..., Any]) -> None:
        if not self._running:
            self._running = True
            spawn(self._run)

    def write(self, items: list[T], tag: Any = None) -> list[R]:
        if not items:
            return []
        job: _Job[T, R] = _Job(items, tag)
        if not self._running:
            self._commit([job])
        else:
            self._pending.append(job)
            self._wake.set()
            try:
                finished = job.done.wait(timeout=self.wait_timeout)
            except BaseException:  # the caller was cut off (a stopping server): nobody will answer for these items
                self._withdraw(job)
                raise
            if not finished:
                self._withdraw(job)
                raise TimeoutError(f"the database did not commit in {self.wait_timeout:g} s")
        if job.error is not None:
            raise job.error
        return job.results

    def _withdraw(self, job: _Job[T, R]) -> None:
        """Take back a job no transaction has taken yet: items a caller cannot report stored are not stored."""
        try:
            self._pending.remove(job)
        except ValueError:  # already in a transaction: it commits, unanswered
            pass

    def flush(self) -> None:
        """Commit everything waiting, now, and commit in the caller from then on (SIGTERM: before exiting)."""
        self._running = False
        while self._pending:
            self._commit(self._take())
        self._wake.set()

    def _take(self) -> list[_Job[T, R]]:
        jobs, n = [], 0
        while self._pending and (not jobs or n + len(self._pending[0].items) <= self.max_items):
            job = self._pending.popleft()
            jobs.append(job)
            n += len(job.items)
        return jobs

    def _run(self) -> None:
        while self._running:
            self._wake.wait(timeout=1.0)
            self._wake.clear()
            if self._pending and self.gather:
                time.sleep(self.gather)
            while self._pending:
                self._commit(self._take())

    def _commit(self, jobs: list[_Job[T, R]]) -> None:
        try:
            if self._tagged:
                per_job = self._commit_items([(job.items, job.tag) for job in jobs])
            else:
                results = self._commit_items([item for job in jobs for item in job.items])
                starts = [0]
                for job in jobs:
                    starts.append(starts[-1] + len(job.items))
                per_job = [results[a:b] for a, b in zip(starts, starts[1:])]
        except Exception as e:  # noqa: BLE001 - the callers answer 503; the writer keeps serving the next batches
            for job in jobs:
                job.error = e
        else:
            for job, results in zip(jobs, per_job):
                job.results = results
        for job in jobs:
            job.done.set()
