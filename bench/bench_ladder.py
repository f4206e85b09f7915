"""What the service ladder adds to each comment's matching: the triage (tier 3) and the reply offer (tier 1), in
process, beside the matcher's own cost on the same texts in the same run.

The engine's per-batch work after matching (CommentEngine._route and _answer) over the simulator's comments:
  matcher              match_many, warm cache (what every comment costs already);
  + triage             the same batches, then the repeat counter and the cached verdict per comment;
  + triage + offers    also the high-confidence candidates handed to a reply desk in suggest mode.
The issue's budget: at most 10% over the matcher.

    .venv/bin/python bench/bench_ladder.py [--comments 100000] [--batch 1000] [--rounds 5]
"""
from __future__ import annotations

import argparse
import time
from pathlib import Path

from faq_catalog.catalog_io import load_catalog
from faq_catalog.matcher import Matcher
from faq_catalog.replies import MIN_SCORE, ReplyComposer
from faq_catalog.triage import RepeatAsks, Triage
from studio.commands.simulate import CommentStream, load_stream

REPO = Path(__file__).resolve().parents[1]


def route(triage: Triage, repeats: RepeatAsks | None, rows: list[dict], matches: list) -> dict:
    """The engine's _route (CommentEngine._route), without the database (the case desk only queues)."""
    askers = [r["user"] if m.slug is not None or m.is_question else "" for r, m in zip(rows, matches)]
    return triage.route_batch("bench", [r["text"] for r in rows], lambda i: matches[i].normalized, askers,
                              rows[-1]["ts"])


def offer(composer: ReplyComposer, rows: list[dict], matches: list, routed: dict) -> int:
    """The engine's _answer loop and the desk's composing (suggest mode, every item on)."""
    n = 0
    for i, (r, m) in enumerate(zip(rows, matches)):
        if m.slug is not None and m.score >= MIN_SCORE and i not in routed:
            if composer.compose("bench", r["platform"], r["user"], r.get("name"), m.slug, 1, "问题", "答案").text:
                n += 1
    return n


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--comments", type=int, default=100_000)
    ap.add_argument("--batch", type=int, default=1000)
    ap.add_argument("--rounds", type=int, default=5)
    args = ap.parse_args()
    items = [i for i in load_catalog(REPO / "faq_catalog" / "demo").items if i.status != "archived"]
    shelf = [{"slug": i.slug, "number": n + 1, "question": i.question} for n, i in enumerate(items)]
    t0 = time.time()
    rows = CommentStream(shelf, load_stream(), seed=42).batch(args.comments, t0)
    # the simulator stamps a burst with one time; spread it over an hour, as a show would see it
    for k, r in enumerate(rows):
        r["ts"] = t0 + 3600.0 * k / len(rows)
    batches = [rows[i:i + args.batch] for i in range(0, len(rows), args.batch)]
    matcher = Matcher.from_items(items)
    cold_triage = Triage()
    start = time.process_time()
    for b in batches:
        matcher.match_many([r["text"] for r in b])
    cold_matcher = time.process_time() - start
    start = time.process_time()
    for b in batches:  # warm both caches, as a running show has them; the first pass is the cold figure
        route(cold_triage, None, b, matcher.match_many([r["text"] for r in b]))
    cold_both = time.process_time() - start

    best = {"matcher": float("inf"), "+ triage": float("inf"), "+ triage + offers": float("inf")}
    routed_n = offered = 0
    for _ in range(args.rounds):
        start = time.process_time()
        for b in batches:
            matcher.match_many([r["text"] for r in b])
        best["matcher"] = min(best["matcher"], time.process_time() - start)

        triage, repeats = cold_triage, None
        triage.repeats = RepeatAsks()
        start = time.process_time()
        routed_n = 0
        for b in batches:
            routed_n += len(route(triage, repeats, b, matcher.match_many([r["text"] for r in b])))
        best["+ triage"] = min(best["+ triage"], time.process_time() - start)

        triage, repeats, composer = cold_triage, None, ReplyComposer()
        triage.repeats = RepeatAsks()
        start = time.process_time()
        offered = 0
        for b in batches:
            ms = matcher.match_many([r["text"] for r in b])
            offered += offer(composer, b, ms, route(triage, repeats, b, ms))
        best["+ triage + offers"] = min(best["+ triage + offers"], time.process_time() - start)

    base = best["matcher"]
    print(f"{len(rows):,} simulator comments (seed 42) over an hour, batches of {args.batch}, best of {args.rounds} "
          f"rounds, CPU time")
    print(f"{'':22}{'µs/comment':>12}{'vs matcher':>12}")
    for label, seconds in best.items():
        print(f"{label:22}{seconds / len(rows) * 1e6:12.2f}{seconds / base:11.2f}×")
    print(f"{'cold caches: matcher':22}{cold_matcher / len(rows) * 1e6:12.2f}{1:11.2f}×")
    print(f"{'cold: + triage':22}{cold_both / len(rows) * 1e6:12.2f}{cold_both / cold_matcher:11.2f}×")
    print(f"\nrouted to the specialist queue: {routed_n:,} ({routed_n / len(rows):.1%}); replies composed: {offered:,}")
    extra = best["+ triage + offers"] / base - 1
    print(f"the ladder adds {extra:.1%} to the matcher's cost per comment (budget 10%: "
          f"{'met' if extra <= 0.10 else 'MISSED'})")


if __name__ == "__main__":
    main()
