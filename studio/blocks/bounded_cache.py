"""A dict that forgets everything when it is full.

Clearing at once (rather than evicting the oldest) is deliberate for these caches: their keys carry a revision or a
generation, so what fills them is mostly one working set, and a clear costs one rebuild of it, never a lock per read."""
from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class BoundedCache(Generic[K, V]):
    def __init__(self, max_entries: int):
        self.max_entries = max_entries
        self._data: dict[K, V] = {}
        self._lock = threading.Lock()

    def get(self, key: K) -> V | None:
        return self._data.get(key)

    def put(self, key: K, value: V) -> V:
        with self._lock:
            if len(self._data) >= self.max_entries:
                self._data.clear()
            self._data[key] = value
        return value

    def get_or_make(self, key: K, make: Callable[[], V]) -> V:
        """The cached value, or `make()` stored; two callers may both make it (cheaper than holding a lock)."""
        value = self._data.get(key)
        return value if value is not None else self.put(key, make())

    def clear(self) -> None:
        with self._lock:
            self._data.clear()

    def __len__(self) -> int:
        return len(self._data)
