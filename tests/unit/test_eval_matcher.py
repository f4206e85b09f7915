"""The matcher on the labelled development set: a regression below the targets fails the build."""
from __future__ import annotations

from pathlib import Path

import pytest

from faq_catalog.evaluate import evaluate

# ../shared/eval beside the repository (a worktree sits one level deeper, under wt/).
_HERE = Path(__file__).resolve()
EVAL = next((p / "shared" / "eval" for p in (_HERE.parents[3], _HERE.parents[4]) if (p / "shared" / "eval").is_dir()),
            _HERE.parents[3] / "shared" / "eval")
# Written blind to the matcher (no look at its word lists or rules), so it measures how the matcher
# generalizes; it is never used to pick words, only to check that rules written for viewers in general hold.
HOLDOUT = Path(__file__).resolve().parents[1] / "fixtures" / "matcher_holdout.jsonl"


@pytest.fixture(scope="module")
def report():
    if not (EVAL / "catalog.yaml").is_file() or not (EVAL / "comments_dev.jsonl").is_file():
        pytest.skip(f"labelled development set not found at {EVAL}")
    return evaluate(EVAL / "catalog.yaml", EVAL / "comments_dev.jsonl")


def test_dev_set_meets_targets(report) -> None:
    table = report.table(failures=True)
    assert report.counts["question"] > 0 and report.counts["chatter"] > 0 and report.counts["novel"] > 0
    assert report.question_accuracy >= 0.85, table
    assert report.chatter_false_match <= 0.05, table
    assert report.novel_false_match <= 0.05, table


def test_every_item_is_reachable(report) -> None:
    """No item is dead: each one with labelled lines gets at least one of them right."""
    dead = [slug for slug in report.slug_total if report.slug_right[slug] == 0]
    assert not dead, report.table()


def test_blind_holdout_set_holds_its_level() -> None:
    """Measured 93.9% question top-1, 1.1% chatter and 0.0% novel wrongly matched (92.8%, 1.1%, 3.3% before
    homophones and taught decisions); bounds leave room for noise."""
    if not (EVAL / "catalog.yaml").is_file():
        pytest.skip(f"evaluation catalog not found at {EVAL}")
    holdout = evaluate(EVAL / "catalog.yaml", HOLDOUT)
    table = holdout.table(failures=True)
    assert holdout.counts["question"] > 0 and holdout.counts["chatter"] > 0 and holdout.counts["novel"] > 0
    assert holdout.question_accuracy >= 0.91, table
    assert holdout.chatter_false_match <= 0.03, table
    assert holdout.novel_false_match <= 0.05, table


HOLDOUT2 = Path(__file__).resolve().parents[1] / "fixtures" / "matcher_holdout2.jsonl"


def test_second_holdout_holds_its_level() -> None:
    """Written blind to the matcher. Its first (blind) measurement was 77.3% question top-1, 2.7% chatter and
    6.0% novel wrongly matched; it has been a development set since, measured at 88.8%, 0.9% and 0.0%."""
    if not (EVAL / "catalog.yaml").is_file():
        pytest.skip(f"evaluation catalog not found at {EVAL}")
    report = evaluate(EVAL / "catalog.yaml", HOLDOUT2)
    table = report.table(failures=True)
    assert report.counts["question"] == 260 and report.counts["chatter"] == 110 and report.counts["novel"] == 50
    assert report.question_accuracy >= 0.87, table
    assert report.chatter_false_match <= 0.02, table
    assert report.novel_false_match <= 0.03, table


LATER_HOLDOUTS = [
    # (file, first blind measurement, floors now: question top-1, chatter and novel wrongly matched)
    ("matcher_holdout4.jsonl", "76.3% / 2.9% / 0.0%", 0.83, 0.04, 0.02),
    ("matcher_holdout5.jsonl", "74.0% / 1.9% / 2.0%, then 77.2% / 1.9% / 6.0% with the second stage", 0.75, 0.03,
     0.08),
    ("matcher_holdout6.jsonl", "79.2% / 1.7% / 13.3%", 0.80, 0.02, 0.14),
    ("matcher_holdout7.jsonl", "84.0% / 4.5% / 5.0%", 0.87, 0.03, 0.04),
    ("matcher_holdout8.jsonl", "82.0% / 2.7% / 2.5%", 0.81, 0.03, 0.03),
]


@pytest.mark.parametrize(("name", "first", "top1", "chatter", "novel"), LATER_HOLDOUTS)
def test_later_holdouts_hold_their_level(name: str, first: str, top1: float, chatter: float, novel: float) -> None:
    """Each written blind to the matcher and measured once (`first`); development sets since, kept at their level."""
    if not (EVAL / "catalog.yaml").is_file():
        pytest.skip(f"evaluation catalog not found at {EVAL}")
    report = evaluate(EVAL / "catalog.yaml", Path(__file__).resolve().parents[1] / "fixtures" / name)
    table = report.table(failures=True)
    assert report.question_accuracy >= top1, table
    assert report.chatter_false_match <= chatter, table
    assert report.novel_false_match <= novel, table
