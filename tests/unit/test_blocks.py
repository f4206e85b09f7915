"""The building blocks on their own: no server, an injected clock or random source where time or chance matter."""
from __future__ import annotations

import threading

import pytest

from studio.blocks.backoff import Backoff
from studio.blocks.bounded_cache import BoundedCache
from studio.blocks.group_commit import GroupCommitWriter
from studio.blocks.rolling_count import RollingCount


def test_bounded_cache_forgets_everything_when_full_and_makes_once_per_key():
    cache: BoundedCache[str, int] = BoundedCache(2)
    made = []
    assert cache.get_or_make("a", lambda: made.append("a") or 1) == 1
    assert cache.get_or_make("a", lambda: made.append("a") or 2) == 1
    cache.put("b", 2)
    cache.put("c", 3)  # full: starts over
    assert made == ["a"] and len(cache) == 1 and cache.get("a") is None and cache.get("c") == 3


def test_rolling_count_counts_the_last_window_and_keeps_the_total():
    rate = RollingCount(60.0)
    rate.add(5, 1000.0)
    rate.add(2, 1000.5)
    rate.add(1, 1030.0)
    assert rate.count(1030.0) == 8
    assert rate.count(1070.0) == 1  # the first second fell out of the minute
    rate.add(1, 1200.0)
    assert rate.count(1200.0) == 1 and rate.total == 9 and rate.last_at == 1200.0


@pytest.mark.parametrize("jitter, low, high", [("full", 0.0, 1.0), ("equal", 0.5, 1.0)])
def test_backoff_doubles_up_to_the_cap_within_its_jitter(jitter, low, high):
    lowest = Backoff(1.0, 10.0, jitter, rng=lambda: 0.0)
    highest = Backoff(1.0, 10.0, jitter, rng=lambda: 1.0)
    assert [highest.next_delay() for _ in range(6)] == [1, 2, 4, 8, 10, 10]
    assert [lowest.next_delay() for _ in range(3)] == [low * 1, low * 2, low * 4]
    highest.reset()
    assert highest.next_delay() == high * 1


def test_backoff_refuses_a_base_above_its_cap():
    with pytest.raises(ValueError):
        Backoff(5.0, 1.0)


def test_group_commit_carries_concurrent_writes_in_one_transaction_and_hands_each_its_results():
    transactions, in_flight = [], []
    gate = threading.Event()

    def commit(items):
        in_flight.extend(items)
        gate.wait(5)
        transactions.append(list(items))
        return [i * 10 for i in items]

    writer = GroupCommitWriter(commit, max_items=100)
    writer.start(lambda fn: threading.Thread(target=fn, daemon=True).start())
    results = {}
    threads = [threading.Thread(target=lambda k=k: results.__setitem__(k, writer.write([k, k + 1])))
               for k in (1, 3, 5)]
    for t in threads:
        t.start()
    for _ in range(500):  # until the first transaction is open and the other writes wait behind it
        if len(in_flight) + sum(len(j.items) for j in writer._pending) == 6:
            break
        threading.Event().wait(0.01)
    gate.set()
    for t in threads:
        t.join(5)
    writer.flush()
    assert results == {1: [10, 20], 3: [30, 40], 5: [50, 60]}
    assert sum(len(t) for t in transactions) == 6 and len(transactions) <= 2


def test_group_commit_gives_every_caller_of_a_failed_transaction_the_error():
    def commit(items):
        raise OSError("disk full")

    writer = GroupCommitWriter(commit, max_items=10)
    with pytest.raises(OSError, match="disk full"):
        writer.write([1])
    assert writer.write([]) == []


def test_queued_writer_keeps_a_refused_batch_and_writes_in_batches():
    from studio.blocks.queued_writer import QueuedWriter
    written, after, refuse = [], [], [True]

    def insert(rows):
        if refuse[0]:
            refuse[0] = False
            raise OSError("database away")
        written.append([r["n"] for r in rows])

    writer = QueuedWriter(insert, lambda rows: after.append(len(rows)), batch=2, what="rows")
    with pytest.raises(OSError):
        writer.add([{"n": 1}, {"n": 2}, {"n": 3}])  # not started: written at once, and the first batch refused
    writer.flush()
    assert written == [[1, 2], [3]] and after == [2, 1]


def test_group_commit_never_stores_what_a_caller_gave_up_on():
    committed, entered, gate, left = [], threading.Event(), threading.Event(), threading.Event()

    def commit(items):
        entered.set()
        gate.wait(5)
        committed.extend(items)
        left.set()
        return items

    def first_write():
        with pytest.raises(TimeoutError):  # taken by the open transaction: it commits, unanswered
            writer.write([1, 2])

    writer = GroupCommitWriter(commit, max_items=2, wait_timeout=0.3)
    writer.start(lambda fn: threading.Thread(target=fn, daemon=True).start())
    first = threading.Thread(target=first_write, daemon=True)
    first.start()
    assert entered.wait(5)  # the first transaction holds the worker
    with pytest.raises(TimeoutError):
        writer.write([3])  # waits behind it and gives up: its caller answers "not stored", so it is not stored
    gate.set()
    first.join(5)
    assert left.wait(5)
    writer.flush()
    assert committed == [1, 2]
