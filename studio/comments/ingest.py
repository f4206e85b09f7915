"""Comment intake: validate a batch item by item, then store it through one writer in grouped transactions.

Validation never sinks a batch: every bad item gets its index and a reason, the rest go on. The rules:
- `text` is a string of 1..500 characters after cleaning. C0/C1 control characters, zero-width and bidi
  control characters are cleaned out (tabs and line breaks become spaces): they are invisible or garble
  the console, and no question needs them. Text with unpaired surrogates (invalid UTF-8 in the body, or a
  lone \\ud800 escape) is rejected: it cannot be stored as UTF-8.
- `user` (string or integer) is required unless `user_quality` is "absent"; it is stored only as a salted
  hash of platform:user. `user_quality` is stable | session | absent (default stable).
- `id` (string or integer, ≤128 characters) is optional; with it, (show, platform, id) is unique and a
  repeat counts as a duplicate, not an error. Without it every item is new.
- `platform` (lower-case letters, digits, - and _, ≤32) defaults to the source ("http", "socketio").
- `ts` is epoch seconds (or milliseconds, told apart by size), a numeric string, or ISO 8601 with a UTC
  offset; absent means now. A time in the future is clamped to now (bridge clocks drift); one older than
  48 hours is rejected (it belongs to another show, or the clock is wrong). A time without an offset is
  rejected: Chinese platforms speak UTC+8 and guessing would shift the show by hours.
- Unknown fields are ignored.

Durability: `CommentWriter.write` returns only after the rows are committed ("accepted means durable").
While the server runs, one writer greenlet takes every waiting batch in one transaction (executemany),
so many small batches cost one commit; without a running writer (CLI, app-only tests) the caller writes.
What a batch's new comments lead to that must not be lost with them (the cases routed to the specialist queue)
is written in the same transaction: `write(rows, then)` calls then(inserted) once the comments are in, and
stores the rows it returns beside them.
"""
from __future__ import annotations

import logging
import math
import re
import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import insert
from sqlalchemy.engine import Connection

from studio.blocks.bounded_cache import BoundedCache
from studio.blocks.group_commit import GroupCommitWriter
from studio.blocks.off_loop import off_loop
from studio.errors import Invalid
from studio.sources.contract import MAX_BATCH, MAX_ID, MAX_TEXT, MAX_USER, PLATFORM_RE, QUALITIES
from studio.store.db import dialect_insert
from studio.store.models import Case, Comment, CommentCount

log = logging.getLogger(__name__)

MAX_AGE = 48 * 3600
_PLATFORMS_SEEN: set[str] = set()  # names that passed PLATFORM_RE: the next comment skips the regex

# Anything here sends the text down the slow path: controls to clean, or surrogates to reject.
_SUSPECT = re.compile("[\x00-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff\ud800-\udfff]")
_SURROGATE = re.compile("[\ud800-\udfff]")
_CLEAN = {**{c: None for c in (*range(0x20), *range(0x7F, 0xA0), *range(0x200B, 0x2010), *range(0x202A, 0x202F),
                                  *range(0x2060, 0x206A), 0xFEFF)},
          0x09: 0x20, 0x0A: 0x20, 0x0D: 0x20}


class Rejected(ValueError):
    """One item cannot be stored; the message says why, for the batch's `errors` list."""


@dataclass
class Validated:
    rows: list[dict] = field(default_factory=list)  # column values, ready for INSERT (slug etc. filled later)
    errors: list[dict] = field(default_factory=list)
    duplicate: int = 0  # repeats of (platform, id) inside the batch itself
    indices: list[int] = field(default_factory=list)  # each row's position in the batch


class ViewerPseudonyms:
    """platform:user → salted hash, remembered: live chat is the same viewers over and over."""

    def __init__(self, pseudonym: Callable[[str, str], str], size: int = 50_000):
        self._pseudonym = pseudonym
        self._cache: BoundedCache[str, str] = BoundedCache(size)

    def __call__(self, platform: str, user: str) -> str:
        key = f"{platform}:{user}"
        h = self._cache.get(key)
        return h if h is not None else self._cache.put(key, self._pseudonym("viewer", key))


def clean_text(text: str) -> str:
    """Controls and invisible formatting out; Rejected for text that is not valid Unicode."""
    if _SUSPECT.search(text) is None:
        return text.strip()
    if _SURROGATE.search(text):
        raise Rejected("text is not valid UTF-8 (unpaired surrogate or undecodable bytes)")
    return text.translate(_CLEAN).strip()


def parse_ts(value: Any, now: float) -> float:
    """Epoch seconds (or ms), numeric string or ISO 8601 with offset → epoch seconds, clamped to now."""
    if value is None:
        return now
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise Rejected("ts must be epoch seconds or an ISO 8601 string")
    if isinstance(value, str):
        if len(value) > 40:
            raise Rejected("ts is not a time")
        try:
            value = float(value)
        except ValueError:
            try:
                dt = datetime.fromisoformat(value.strip())
            except ValueError:
                raise Rejected(f"ts {value!r} is neither epoch seconds nor ISO 8601") from None
            if dt.tzinfo is None:
                raise Rejected("ts needs a UTC offset (like 2025-01-01T20:00:00+08:00)") from None
            value = dt.timestamp()
    if not math.isfinite(value):
        raise Rejected("ts is not a finite number")
    if value > 1e11:  # milliseconds: 1e11 s is the year 5138
        value /= 1000.0
    if value > now:
        return now
    if value < now - MAX_AGE:
        raise Rejected("ts is more than 48 hours old")
    return float(value)


def _id_text(value: Any, name: str, limit: int) -> str:
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise Rejected(f"{name} must be a string or an integer")
    text = str(value)
    if not text or len(text) > limit:
        raise Rejected(f"{name} must be 1-{limit} characters")
    if _SUSPECT.search(text):
        raise Rejected(f"{name} contains control characters or invalid UTF-8")
    return text


def validate(show_id: str, items: list, source: str, now: float, viewer: ViewerPseudonyms,
             tick: Callable[[], None] | None = None) -> Validated:
    """Check every item; good ones become comment rows (slug/score/is_question still unset). `tick` is called
    between items (the caller's time slices)."""
    out = Validated()
    seen: set[tuple[str, str]] = set()
    for index, item in enumerate(items):
        if tick is not None and index % 64 == 63:
            tick()
        try:
            row = _row(show_id, item, source, now, viewer)
        except Rejected as e:
            out.errors.append({"index": index, "reason": str(e)})
            continue
        if row["ext_id"] is not None:
            key = (row["platform"], row["ext_id"])
            if key in seen:
                out.duplicate += 1
                continue
            seen.add(key)
        out.rows.append(row)
        out.indices.append(index)
    return out


def _row(show_id: str, item: Any, source: str, now: float, viewer: ViewerPseudonyms) -> dict:
    """One item → a comment row, or Rejected. Checks are inlined for the common case (plain strings, a recent
    numeric ts): this runs for every comment, and the careful helpers only see the unusual values."""
    if type(item) is not dict:
        raise Rejected("item must be an object")
    text = item.get("text")
    if type(text) is not str:
        raise Rejected("text is missing" if text is None else "text must be a string")
    text = clean_text(text)
    if not text:
        raise Rejected("text is empty")
    if len(text) > MAX_TEXT:
        raise Rejected(f"text is longer than {MAX_TEXT} characters ({len(text)})")
    platform = item.get("platform", source)
    if type(platform) is not str or platform not in _PLATFORMS_SEEN:
        _check_platform(platform)
    quality = item.get("user_quality", "stable")
    if quality not in QUALITIES:
        raise Rejected("user_quality must be stable, session or absent")
    user = item.get("user")
    if type(user) is str and 0 < len(user) <= MAX_USER and _SUSPECT.search(user) is None:
        user_hash = viewer(platform, user)
    elif user is None or user == "":
        if quality != "absent":
            raise Rejected("user is missing (send user_quality \"absent\" when the platform gives none)")
        user_hash = ""
    else:
        user_hash = viewer(platform, _id_text(user, "user", MAX_USER))
    ext_id = item.get("id")
    if ext_id is not None and not (type(ext_id) is str and 0 < len(ext_id) <= MAX_ID
                                   and _SUSPECT.search(ext_id) is None):
        ext_id = _id_text(ext_id, "id", MAX_ID)
    ts = item.get("ts")
    if type(ts) is not float or not now - MAX_AGE <= ts <= now:
        ts = parse_ts(ts, now)
    return {"show_id": show_id, "platform": platform, "ext_id": ext_id, "user_hash": user_hash,
            "user_quality": quality, "text": text, "ts": ts, "slug": None, "score": 0.0, "is_question": False}


def _check_platform(platform: Any) -> None:
    if type(platform) is not str or not PLATFORM_RE.fullmatch(platform):
        raise Rejected("platform must be 1-32 lower-case letters, digits, '-' or '_'")
    if len(_PLATFORMS_SEEN) < 1000:
        _PLATFORMS_SEEN.add(platform)


def checked_batch(data) -> list:
    """A batch as sent over HTTP or Socket.IO: a list of at most MAX_BATCH items (each is validated later)."""
    if not isinstance(data, list):
        raise Invalid("send a JSON array of comments: [{\"user\", \"text\", \"id\"?, \"ts\"?, \"platform\"?}]")
    if len(data) > MAX_BATCH:
        raise Invalid(f"at most {MAX_BATCH} comments per request, got {len(data)}: split the batch", 413)
    return data


STORE_FAILED = "comments could not be stored right now; nothing of this batch was kept, send it again"


class StoreFailed(RuntimeError):
    """The database refused the transaction; nothing of the batch was stored."""


Then = Callable[[list[bool]], list[dict]]  # a batch's inserted flags → its case rows, in its transaction


class CommentWriter:
    """The single writer. `write(rows, then)` blocks its caller (a greenlet) until the rows are committed and
    returns, per row, whether it was new (False: a stored duplicate of platform and id). `then(inserted)`, run in
    the same transaction once the comments are in, returns the cases the new ones lead to (stored with them); a
    `then` that fails costs its cases, never the comments."""

    def __init__(self, db, max_rows: int = 20_000):
        self.db = db
        self._group = GroupCommitWriter(self._commit, max_rows, tagged=True)
        self._lock = threading.Lock()  # one transaction at a time, whichever path writes
        self._conn: Connection | None = None

    def start(self, spawn: Callable) -> None:
        self._group.start(spawn)

    def write(self, rows: list[dict], then: Then | None = None) -> list[bool]:
        try:
            return self._group.write(rows, then)
        except StoreFailed:
            raise
        except Exception as e:
            raise StoreFailed(str(e)) from e

    def flush(self) -> None:
        """Commit everything waiting, now (on SIGTERM, before the process exits)."""
        self._group.flush()

    def _commit(self, batches: list[tuple[list[dict], Then | None]]) -> list[list[bool]]:
        try:
            with self._lock:
                # SQLite works in the calling thread and lets go of the GIL while it does: in a native thread
                # its inserts overlap with the next batches being validated and matched on the event loop.
                # PostgreSQL works in its own process already, and psycopg waits cooperatively.
                running = self._group.running
                return off_loop(self._store, batches) if running and self.db.is_sqlite else self._store(batches)
        except Exception:
            log.exception("storing %d comments failed", sum(len(rows) for rows, _ in batches))
            if self._conn is not None:
                self._conn.invalidate()
                self._conn = None
            raise

    def _store(self, batches: list[tuple[list[dict], Then | None]]) -> list[list[bool]]:
        """One transaction on the writer's own connection: held for the writer's life, so the thread that
        runs it never touches the connection pool."""
        if self._conn is None:
            self._conn = self.db.engine.connect()
        with self._conn.begin():
            inserted = store_comments(self._conn, [r for rows, _ in batches for r in rows])
            out, cases, start = [], [], 0
            for rows, then in batches:
                mine = inserted[start:start + len(rows)]
                start += len(rows)
                out.append(mine)
                if then is not None and any(mine):
                    try:
                        cases += then(mine)
                    except Exception:  # noqa: BLE001 - the comments are what the caller is told about
                        log.exception("routing a batch of %d comments failed; they are stored without cases",
                                      len(rows))
            if cases:
                self._conn.execute(insert(Case.__table__), [{**c, "state": "open"} for c in cases])
            return out


def store_comments(conn: Connection, rows: list[dict]) -> list[bool]:
    """Insert comments (a repeat of show, platform and id is skipped) and add the new matched ones to the
    per-minute counts, in the caller's transaction. Returns, per row, whether it was inserted."""
    postgres = conn.dialect.name == "postgresql"
    upsert = dialect_insert(conn.dialect.name)
    keyed = [r for r in rows if r["ext_id"] is not None]
    new_keys: set[tuple] = set()
    if keyed:
        if postgres:
            new_keys = set(_pg_insert_comments(conn, keyed, skip_repeats=True))
        else:
            stmt = (upsert(Comment.__table__).on_conflict_do_nothing()
                    .returning(Comment.show_id, Comment.platform, Comment.ext_id))
            new_keys = {tuple(r) for r in conn.execute(stmt, keyed)}
    plain = [r for r in rows if r["ext_id"] is None]
    if plain:
        if postgres:
            _pg_insert_comments(conn, plain, skip_repeats=False)
        else:
            conn.execute(insert(Comment.__table__), plain)
    inserted = [r["ext_id"] is None or (r["show_id"], r["platform"], r["ext_id"]) in new_keys for r in rows]
    minutes = Counter((r["show_id"], r["slug"], int(r["ts"] // 60))
                      for r, new in zip(rows, inserted) if new and r["slug"])
    if minutes and postgres:
        (show_ids, slugs, mins), counts = zip(*minutes), list(minutes.values())
        conn.exec_driver_sql(_PG_COUNTS, {"show_id": list(show_ids), "slug": list(slugs), "minute": list(mins),
                                          "count": counts})
    elif minutes:
        stmt = upsert(CommentCount.__table__)
        stmt = stmt.on_conflict_do_update(index_elements=["show_id", "slug", "minute"],
                                          set_={"count": CommentCount.__table__.c.count + stmt.excluded.count})
        conn.execute(stmt, [{"show_id": s, "slug": g, "minute": m, "count": n} for (s, g, m), n in minutes.items()])
    return inserted


# PostgreSQL takes a batch as one array per column (unnest): one short statement whatever the batch size. A VALUES
# list of a few hundred rows is a statement of tens of kilobytes with thousands of placeholders, which psycopg parses
# again on every batch (it caches only statements under 4 KB and 50 parameters): 85 µs a row, most of a comment's
# cost in the scaled mode. The arrays are one parse, one round trip, and a statement the server keeps prepared.
_PG_COLUMNS = (("show_id", "varchar"), ("platform", "varchar"), ("ext_id", "varchar"), ("user_hash", "varchar"),
               ("user_quality", "varchar"), ("text", "varchar"), ("ts", "float8"), ("slug", "varchar"),
               ("score", "float8"), ("is_question", "bool"))
_PG_INSERT = (f"INSERT INTO {Comment.__tablename__} ({', '.join(c for c, _ in _PG_COLUMNS)}) SELECT * FROM unnest("
              + ", ".join(f"%({c})s::{t}[]" for c, t in _PG_COLUMNS) + ")")
_PG_COUNTS = (f"INSERT INTO {CommentCount.__tablename__} (show_id, slug, minute, count) SELECT * FROM unnest("
              "%(show_id)s::varchar[], %(slug)s::varchar[], %(minute)s::int[], %(count)s::int[]) "
              f"ON CONFLICT (show_id, slug, minute) DO UPDATE SET count = {CommentCount.__tablename__}.count "
              "+ excluded.count")


def _pg_insert_comments(conn: Connection, rows: list[dict], skip_repeats: bool) -> list[tuple]:
    """The rows in one statement; with skip_repeats, a repeat of show, platform and id is skipped and the keys of
    those inserted are returned."""
    params = {c: [r[c] for r in rows] for c, _ in _PG_COLUMNS}
    if not skip_repeats:
        conn.exec_driver_sql(_PG_INSERT, params)
        return []
    return [tuple(r) for r in conn.exec_driver_sql(
        _PG_INSERT + " ON CONFLICT DO NOTHING RETURNING show_id, platform, ext_id", params)]
