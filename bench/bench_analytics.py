"""The lead dashboard's queries over a 12-hour show: 2 million comments, 500,000 viewer events and a day and a half
of helpdesk contacts, on SQLite and on PostgreSQL (127.0.0.1:5432, trust auth). Target: the whole report under 1 s.

    .venv/bin/python bench/bench_analytics.py [--comments N] [--events N] [--contacts N] [--backends sqlite,postgresql]

Prints the load time, every query the report runs (time, best of --repeat), and a same-run baseline: a plain
COUNT(*) over the comments and over the viewer events, which any dashboard would have to beat.
"""
from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
import uuid
from pathlib import Path

import psycopg
from sqlalchemy import event, text

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from faq_catalog.catalog_io import load_catalog  # noqa: E402
from studio.analytics.report import Params, deflection_report  # noqa: E402
from studio.store.catalog import CatalogStore  # noqa: E402
from studio.store.db import Database  # noqa: E402
from studio.store.migrate import upgrade  # noqa: E402
from studio.store.shows import create_show  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
SHOW = "bench"
T0 = 1_731_240_000.0          # 2024-11-10 12:00 UTC
HOURS = 12
TEXTS = ("什么时候发货", "能退吗", "优惠券怎么用", "哈哈哈哈", "主播好美", "几号链接", "有赠品吗", "尺码偏大吗")


def generate(slugs: list[str], n_comments: int, n_events: int, n_contacts: int, seed: int = 1) -> dict:
    """Rows as tuples, shaped like what ingest, the viewer pages and the helpdesk would have written."""
    rnd = random.Random(seed)
    span = HOURS * 3600
    comments = []
    for i in range(n_comments):
        matched = rnd.random() < 0.35
        comments.append((SHOW, "douyin", f"c{i}", f"u{rnd.randrange(300_000):06d}", "stable", rnd.choice(TEXTS),
                         T0 + rnd.random() * span, rnd.choice(slugs) if matched else None, 0.9 if matched else 0.0,
                         matched))
    segments = [(SHOW, slugs[i % len(slugs)], T0 + i * 900, T0 + i * 900 + 240) for i in range(HOURS * 4)]
    events, seen = [], set()
    kinds = ("page_view",) * 6 + ("shelf_view", "helpful", "not_helpful", "escalate")
    while len(events) < n_events:
        viewer, kind = f"v{rnd.randrange(n_events // 3):07d}", rnd.choice(kinds)
        slug = "" if kind == "shelf_view" else rnd.choice(slugs)
        if (viewer, slug, kind) in seen:
            continue
        seen.add((viewer, slug, kind))
        events.append((SHOW, slug, kind, viewer, T0 + rnd.random() * (span + 1800)))
    contacts = []
    for i in range(n_contacts):  # 24 h before the show, the show and its 30-minute tail
        ts = T0 - 86400 + rnd.random() * (86400 + span + 1800)
        contacts.append((f"k{i}", ts, "im", "", rnd.choice(slugs), f"p{rnd.randrange(n_contacts // 2):07d}",
                         rnd.uniform(5, 300), rnd.uniform(60, 600)))
    return {"comments": comments, "segments": segments, "viewer_events": events, "one_to_one_contacts": contacts}


COLUMNS = {
    "comments": "show_id, platform, ext_id, user_hash, user_quality, text, ts, slug, score, is_question",
    "segments": "show_id, slug, started_at, ended_at",
    "viewer_events": "show_id, slug, type, viewer_hash, ts",
    "one_to_one_contacts": "ext_id, ts, channel, topic, slug, customer_hash, wait_seconds, handle_seconds",
}
ROLLUP = ("INSERT INTO comment_counts (show_id, slug, minute, count) SELECT show_id, slug, {minute}, COUNT(*) "
          "FROM comments WHERE slug IS NOT NULL GROUP BY show_id, slug, {minute}")


def load_sqlite(db: Database, rows: dict) -> None:
    raw = db.engine.raw_connection()
    try:
        cur = raw.cursor()
        for table, data in rows.items():
            marks = ", ".join("?" * len(COLUMNS[table].split(",")))
            cur.executemany(f"INSERT INTO {table} ({COLUMNS[table]}) VALUES ({marks})", data)
        cur.execute(ROLLUP.format(minute="CAST(ts / 60 AS INTEGER)"))
        raw.commit()
        cur.execute("ANALYZE")
    finally:
        raw.close()


def load_postgres(url: str, rows: dict) -> None:
    with psycopg.connect(url.replace("+psycopg", "")) as conn:
        with conn.cursor() as cur:
            for table, data in rows.items():
                with cur.copy(f"COPY {table} ({COLUMNS[table]}) FROM STDIN") as copy:
                    for row in data:
                        copy.write_row(row)
            cur.execute(ROLLUP.format(minute="CAST(FLOOR(ts / 60) AS INTEGER)"))
        conn.commit()
        conn.autocommit = True
        conn.execute("VACUUM ANALYZE")


class StatementLog:
    """Records every SQL statement the report sends, so each can be timed alone afterwards, rows fetched and all
    (SQLite does most of a query's work while rows are fetched, after the execute call has returned)."""

    def __init__(self, engine):
        self.statements: dict[str, object] = {}
        event.listen(engine, "before_cursor_execute", self._record)

    def _record(self, conn, cursor, statement, parameters, *args):
        self.statements.setdefault(statement, parameters)

    def timings(self, engine, repeat: int) -> list[tuple[str, float, int]]:
        settings = [st for st in self.statements if st.startswith("SET ")]  # the report's own planner settings
        out = []
        for statement, parameters in self.statements.items():
            if statement in settings:
                continue
            raw = engine.raw_connection()
            try:
                for st in settings:
                    raw.cursor().execute(st)
                best, rows = timed(lambda: raw.cursor().execute(statement, parameters).fetchall(), repeat)
            finally:
                raw.close()
            out.append((statement, best, len(rows)))
        return sorted(out, key=lambda x: -x[1])


def label(statement: str) -> str:
    flat = " ".join(statement.split())
    tables = [t for t in ("comment_counts", "viewer_events", "one_to_one_contacts", "segments", "shelf_entries",
                          "faq_items", "shows") if t in flat]
    kind = ("per bucket" if "WITH RECURSIVE" in flat else "escalated" if "EXISTS" in flat
            else "distinct" if "count(distinct" in flat.lower() else "grouped" if "GROUP BY" in flat else "rows")
    return f"{tables[0] if tables else '?'} ({kind})"


def timed(fn, repeat: int) -> tuple[float, object]:
    best, result = float("inf"), None
    for _ in range(repeat):
        t = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - t)
    return best, result


def run_backend(name: str, url: str, rows: dict, repeat: int) -> bool:
    upgrade(url)
    db = Database(url)
    CatalogStore(db).apply_import(load_catalog(REPO / "faq_catalog" / "demo"))
    create_show(db, "12 小时压测专场", SHOW)
    with db.engine.begin() as c:
        c.execute(text("UPDATE shows SET status='ended', started_at=:a, ended_at=:b WHERE id=:s"),
                  {"a": T0, "b": T0 + HOURS * 3600, "s": SHOW})
    t = time.perf_counter()
    (load_sqlite(db, rows) if name == "sqlite" else load_postgres(url, rows))
    print(f"\n== {name}: loaded in {time.perf_counter() - t:.1f} s")
    with db.engine.connect() as c:
        for table in ("comments", "comment_counts", "viewer_events", "one_to_one_contacts", "segments"):
            print(f"   {table:<22}{c.execute(text(f'SELECT COUNT(*) FROM {table}')).scalar():>12,} rows")

    def count(table: str):
        with db.engine.connect() as c:
            return c.execute(text(f"SELECT COUNT(*) FROM {table} WHERE show_id = :s"), {"s": SHOW}).scalar()
    base_c, _ = timed(lambda: count("comments"), repeat)
    base_v, _ = timed(lambda: count("viewer_events"), repeat)
    params = Params(now=T0 + 86400 * 2, agents=40, aht=300, tz_offset=8 * 3600)
    log = StatementLog(db.engine)
    deflection_report(db, SHOW, params)  # warm the caches the way a dashboard that is already open has them
    event.remove(db.engine, "before_cursor_execute", log._record)
    total, report = timed(lambda: deflection_report(db, SHOW, params), repeat)
    print(f"   baseline COUNT(*) comments        {base_c * 1000:8.1f} ms")
    print(f"   baseline COUNT(*) viewer_events   {base_v * 1000:8.1f} ms")
    in_sql = 0.0
    for statement, best, n in log.timings(db.engine, repeat):
        in_sql += best
        if best >= 0.001:
            print(f"   query {label(statement):<34}{best * 1000:8.1f} ms  {n:>6} rows out")
    print(f"   all queries                       {in_sql * 1000:8.1f} ms")
    print(f"   whole report (best of {repeat})       {total * 1000:8.1f} ms = {total / base_c:.2f}× COUNT(comments),"
          f" {total / base_v:.2f}× COUNT(viewer_events)")
    print(f"   report: {len(report['items'])} items, {len(report['series']['t'])} buckets of "
          f"{report['series']['bucket_seconds']} s, {report['totals']['page_viewers']:,} page viewers, "
          f"{report['totals']['one_to_one_contacts']:,} contacts, score {report['self_service_score']:.2f}")
    ok = total < 1.0
    print(f"   {'OK' if ok else 'TOO SLOW'}: under 1 s" if ok else "   TOO SLOW: over 1 s")
    db.engine.dispose()
    return ok


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--comments", type=int, default=2_000_000)
    ap.add_argument("--events", type=int, default=500_000)
    ap.add_argument("--contacts", type=int, default=100_000)
    ap.add_argument("--backends", default="sqlite,postgresql")
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    t = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        db = Database(f"sqlite:///{tmp}/catalog.db")
        upgrade(db.url)
        CatalogStore(db).apply_import(load_catalog(REPO / "faq_catalog" / "demo"))
        slugs = [i.slug for i in CatalogStore(db).all()]
        rows = generate(slugs, args.comments, args.events, args.contacts)
        print(f"generated {args.comments:,} comments, {args.events:,} viewer events, {args.contacts:,} contacts "
              f"over {len(slugs)} items in {time.perf_counter() - t:.1f} s")
        ok = True
        for name in args.backends.split(","):
            if name == "sqlite":
                ok &= run_backend(name, f"sqlite:///{tmp}/bench.db", rows, args.repeat)
            elif name == "postgresql":
                db_name = f"bench_analytics_{uuid.uuid4().hex[:8]}"
                with psycopg.connect(PG_ADMIN, autocommit=True) as c:
                    c.execute(f'CREATE DATABASE "{db_name}"')
                try:
                    ok &= run_backend(name, f"postgresql+psycopg://postgres@127.0.0.1:5432/{db_name}", rows,
                                      args.repeat)
                finally:
                    with psycopg.connect(PG_ADMIN, autocommit=True) as c:
                        c.execute(f'DROP DATABASE IF EXISTS "{db_name}" WITH (FORCE)')
            else:
                raise SystemExit(f"unknown backend {name!r}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
