"""Read the viewer events a test server stored, straight from its database file."""
from __future__ import annotations

import time
from collections import Counter

from sqlalchemy import create_engine, text

FLUSH_WAIT = 1.5  # the server writes viewer events in batches every 0.5 s


def event_counts(server, show_id: str) -> Counter:
    """(slug, type) → rows for one show."""
    engine = create_engine(f"sqlite:///{server.var_dir / 'studio.db'}")
    try:
        with engine.connect() as conn:
            rows = conn.execute(text("SELECT slug, type, COUNT(*) FROM viewer_events WHERE show_id = :s "
                                     "GROUP BY slug, type"), {"s": show_id}).all()
    finally:
        engine.dispose()
    return Counter({(slug, kind): n for slug, kind, n in rows})


def settled_counts(server, show_id: str, expected: dict, timeout: float = 6.0) -> Counter:
    """Wait (bounded) until the stored counts equal `expected`, then once more past a flush so that a late
    duplicate would show; returns what is stored in the end."""
    deadline = time.monotonic() + timeout
    counts = event_counts(server, show_id)
    while counts != Counter(expected) and time.monotonic() < deadline:
        time.sleep(0.2)
        counts = event_counts(server, show_id)
    time.sleep(FLUSH_WAIT)
    return event_counts(server, show_id)
