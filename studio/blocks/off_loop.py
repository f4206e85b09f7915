"""Blocking or CPU-heavy work without stalling the event loop."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any


def off_loop(fn: Callable, *args: Any) -> Any:
    """Run blocking or CPU-heavy work in a native thread when serving under gevent, so the event loop keeps
    turning; directly otherwise."""
    from gevent import monkey
    if not monkey.is_module_patched("threading"):
        return fn(*args)
    import gevent
    return gevent.get_hub().threadpool.apply(fn, args)
