"""Waiting for something to become true, the one polling loop of the tests (and benchmarks).

`poll` returns what it saw last, so a test can assert on it (and show it when the assertion fails) or assert that
something did not happen; `wait_for` fails the test with what it waited for; `wait_until` tolerates a service that
answers with errors while it comes back."""
from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def poll(probe: Callable[[], T], timeout: float = 5.0, every: float = 0.05, ignore_errors: bool = False) -> T | None:
    """Call `probe` until it returns something truthy or `timeout` seconds pass; its last value either way."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            value = probe()
        except Exception:  # noqa: BLE001 - only when asked: a service on its way back may answer with anything
            if not ignore_errors:
                raise
            value = None
        if value or time.monotonic() >= deadline:
            return value
        time.sleep(every)


def wait_for(probe: Callable[[], T], timeout: float = 5.0, what: str = "condition", interval: float = 0.01) -> T:
    value = poll(probe, timeout, interval)
    if not value:
        raise AssertionError(f"timed out after {timeout}s waiting for {what}")
    return value


def wait_until(probe: Callable[[], object], timeout: float, interval: float = 0.1) -> bool:
    """True once `probe` is; exceptions count as not yet."""
    return bool(poll(probe, timeout, interval, ignore_errors=True))
