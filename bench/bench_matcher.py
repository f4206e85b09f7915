"""Comments per second through the matcher, beside a plain normalize → Aho-Corasick → count pipeline.

The comment mix is built from the catalog itself: mostly chatter, questions in many phrasings (catalog
keywords and examples inside common question frames, English and pinyin forms, emoji, some converted to
Traditional), a few off-catalog questions. With --comments, the lines of a JSONL file (such as the
labelled development set) join the mix as they are.

  baseline     OpenCC t2s → ahocorasick_rs over catalog keywords → Counter per item (no decision)
  normalize    faq_catalog.normalize alone
  cold         Matcher.match with the cache off (every comment computed)
  cold batch   Matcher.match_many with the cache off (one OpenCC call per batch)
  warm         Matcher.match with the cache on, after one pass over the mix (live chat repeats itself)
  taught       the same with every stage at work: the crew's decisions applied (50 comments of the mix taught,
               half to an item, half "not a shelf question", so counter-examples are checked on every comment)

Runs on one core (pinned when the OS allows). Every loop is bounded by --rounds.

    .venv/bin/python bench/bench_matcher.py [--catalog PATH] [--comments FILE] [--rounds 5]
"""
from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import ahocorasick_rs
import opencc

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from faq_catalog.evaluate import load_items  # noqa: E402
from faq_catalog.feedback import Feedback  # noqa: E402
from faq_catalog.match_text import pinyin_forms  # noqa: E402
from faq_catalog.matcher import Matcher  # noqa: E402
from faq_catalog.model import FaqItem, build_item  # noqa: E402
from faq_catalog.normalize import normalize  # noqa: E402

BATCH = 50  # comments per match_many call, as an ingest batch would carry
CHATTER = ["主播好美", "666", "哈哈哈哈哈", "来了来了", "已拍", "拍了拍了", "冲冲冲", "扣1", "好好看", "支持主播",
           "晚上好", "🎉🎉🎉", "[强]", "买买买", "太划算了", "刚来", "好用", "回购了", "等尾款", "下单了",
           "主播辛苦了", "好热闹啊", "关注了", "谢谢主播", "姐妹们冲", "我也要", "老粉报道", "笑死", "好便宜",
           "声音好好听"]
NOVEL = ["这个是什么材质的", "有男款吗", "主播多高", "能用电磁炉吗", "有卖手机的吗", "明天还直播吗", "防水吗",
         "一盒几片", "是什么牌子", "主播的耳环在哪买的"]
FRAMES = ["{}", "{}吗", "{}呢", "请问{}", "{}怎么弄", "{}啊？？", "主播 {}", "{}😭😭", "@小助手 {}", "{}在哪"]
DEMO = [
    {"slug": "ship-time", "question": "什么时候发货？", "keywords": ["发货", "发货时间"], "examples": ["几天发货"]},
    {"slug": "coupon", "question": "优惠券在哪领？", "keywords": ["优惠券", "领券"], "examples": ["券在哪"]},
    {"slug": "link", "question": "这是几号链接？", "keywords": ["链接", "几号链接"], "examples": ["在哪拍"]},
]


def build_mix(items: list[FaqItem], extra: list[str], size: int, seed: int = 7) -> list[str]:
    """About 70% chatter, 25% questions about catalog items, 5% off-catalog questions."""
    rnd = random.Random(seed)
    s2t = opencc.OpenCC("s2t")
    phrasings = []
    for it in items:
        words = [*it.keywords, *it.examples, it.question]
        phrasings += [rnd.choice(FRAMES).format(w) for w in words]
        phrasings += [f"{form}呢" for k in it.keywords for form in pinyin_forms(k)[1:]]
    phrasings += [s2t.convert(p) for p in rnd.sample(phrasings, len(phrasings) // 8)]
    mix = []
    for _ in range(size):
        r = rnd.random()
        pool = CHATTER if r < 0.70 else phrasings if r < 0.95 else NOVEL
        mix.append(rnd.choice(pool))
    return mix + extra


def unique(texts: list[str], rounds: int) -> list[list[str]]:
    """Per round, the mix made distinct (a counter suffix), so a cold matcher sees no repeats at all."""
    return [[f"{t}{r}{i}" for i, t in enumerate(texts)] for r in range(rounds)]


def baseline_pipeline(items: list[FaqItem]) -> Callable[[str], Counter]:
    words = [k for it in items for k in it.keywords]
    owner = [i for i, it in enumerate(items) for _ in it.keywords]
    ac = ahocorasick_rs.AhoCorasick(words)
    t2s = opencc.OpenCC("t2s")

    def run(text: str) -> Counter:
        return Counter(owner[i] for i, _, _ in ac.find_matches_as_indexes(t2s.convert(text).lower()))
    return run


def rate(fn: Callable[[list[str]], None], batches: list[list[str]]) -> float:
    """Median comments/s over the batches (one timed call each)."""
    speeds = []
    for batch in batches:
        start = time.perf_counter()
        fn(batch)
        speeds.append(len(batch) / (time.perf_counter() - start))
    return statistics.median(speeds)


def per_comment(fn: Callable[[str], object]) -> Callable[[list[str]], None]:
    def run(batch: list[str]) -> None:
        for t in batch:
            fn(t)
    return run


def in_batches(matcher: Matcher) -> Callable[[list[str]], None]:
    def run(texts: list[str]) -> None:
        for i in range(0, len(texts), BATCH):
            matcher.match_many(texts[i:i + BATCH])
    return run


def second_stage_delay(items: list[FaqItem], texts: list[str]) -> tuple[int, float, float, float]:
    """The second stage (resemblance, match_resemble) runs inline for the question-like comments the first stage
    leaves unanswered: how many reach it, the p95 of its own time, and the p95 of those comments' whole match beside
    every comment's, in ms (cache off)."""
    matcher = Matcher(items, cache_size=0)
    stage = matcher._resemble
    best, spent = stage.best, []

    def timed(feats):
        start = time.perf_counter()
        out = best(feats)
        spent.append(time.perf_counter() - start)
        return out
    stage.best = timed
    reached, every = [], []
    for t in texts:
        before = len(spent)
        start = time.perf_counter()
        matcher.match(t)
        took = time.perf_counter() - start
        every.append(took)
        if len(spent) > before:
            reached.append(took)

    def p95(xs: list[float]) -> float:
        return statistics.quantiles(xs, n=20)[-1] * 1000 if len(xs) >= 2 else (xs[0] * 1000 if xs else 0.0)
    return len(reached), p95(spent), p95(reached), p95(every)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--catalog", help="catalog folder, .csv or .yaml (default: the evaluation catalog if "
                                      "present, else a three-item demo)")
    ap.add_argument("--comments", help="JSONL with a text field, added to the mix")
    ap.add_argument("--size", type=int, default=20_000, help="synthetic comments per round")
    ap.add_argument("--rounds", type=int, default=5)
    args = ap.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})

    here = Path(__file__).resolve()
    defaults = [p / "shared" / "eval" / "catalog.yaml" for p in (here.parents[2], here.parents[3])]
    default = next((d for d in defaults if d.is_file()), None)
    path = args.catalog or (str(default) if default else None)
    items = load_items(path) if path else [build_item({**d, "status": "on_shelf"}) for d in DEMO]
    extra = []
    if args.comments:
        with open(args.comments, encoding="utf-8") as fh:
            extra = [json.loads(line)["text"] for line in fh if line.strip()]
    mix = build_mix(items, extra, args.size)
    rounds = unique(mix, args.rounds)

    start = time.perf_counter()
    Matcher.from_items(items)
    build_ms = (time.perf_counter() - start) * 1000

    baseline = rate(per_comment(baseline_pipeline(items)), rounds)
    cold = Matcher(items, cache_size=0)
    warm = Matcher.from_items(items)
    per_comment(warm.match)(mix)  # one pass fills the cache
    rnd = random.Random(11)
    feedback = [Feedback(t, rnd.choice(items).slug if k % 2 else None)
                for k, t in enumerate(rnd.sample(sorted(set(mix)), min(50, len(set(mix)))))]
    start = time.perf_counter()
    taught_cold = Matcher(items, feedback, cache_size=0)
    taught_ms = (time.perf_counter() - start) * 1000
    taught_warm = Matcher(items, feedback)
    per_comment(taught_warm.match)(mix)
    results = [
        ("baseline normalize→AC→count", baseline),
        ("normalize only", rate(per_comment(normalize), rounds)),
        ("matcher cold (no cache)", rate(per_comment(cold.match), rounds)),
        (f"matcher cold, match_many x{BATCH}", rate(in_batches(cold), rounds)),
        ("matcher warm cache", rate(per_comment(warm.match), [mix] * args.rounds)),
        (f"matcher warm, match_many x{BATCH}", rate(in_batches(warm), [mix] * args.rounds)),
        (f"all stages, {len(feedback)} taught, cold", rate(per_comment(taught_cold.match), rounds)),
        (f"all stages, {len(feedback)} taught, warm", rate(per_comment(taught_warm.match), [mix] * args.rounds)),
    ]
    matched = sum(m.slug is not None for m in warm.match_many(mix)) / len(mix)
    print(f"catalog: {len(items)} items ({path or 'demo'}), build {build_ms:.1f} ms "
          f"({taught_ms:.1f} ms with {len(feedback)} decisions); mix: {len(mix)} comments "
          f"per round ({len(extra)} from file), {matched:.0%} given an item; {args.rounds} rounds, one core")
    print(f"{'pipeline':<36}{'comments/s':>12}{'vs baseline':>13}")
    for name, value in results:
        print(f"{name:<36}{value:>12,.0f}{value / baseline:>12.2f}x")
    reached, own, theirs, every = second_stage_delay(items, rounds[0])
    print(f"second stage (inline: no verdict to wait for): {reached} of {len(rounds[0])} comments reach it; its time "
          f"p95 {own:.3f} ms, their whole match p95 {theirs:.3f} ms beside {every:.3f} ms for every comment")


if __name__ == "__main__":
    main()
