"""The matcher on the labelled development set: a regression below the targets fails the build."""
from __future__ import annotations

from pathlib import Path

import pytest

from faq_catalog.evaluate import evaluate

EVAL = Path(__file__).resolve().parents[2] / "shared" / "eval"


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
