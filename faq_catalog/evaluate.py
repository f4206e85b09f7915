"""Measure the matcher on a labelled comment file: question accuracy, false matches, per-item recall.

A comment file is JSONL, one `{"id", "text", "label", "kind"}` per line; `kind` is `question` (label is
the item it asks about), `chatter` or `novel` (label null: the right answer is no item).
"""
from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from faq_catalog.catalog_io import load_catalog
from faq_catalog.feedback import Feedback
from faq_catalog.matcher import Matcher
from faq_catalog.model import FaqItem, build_item

KINDS = ("question", "chatter", "novel")


class CatalogLoadError(ValueError):
    """The catalog could not be read; `errors` lists every problem found."""

    def __init__(self, errors: list[str]):
        super().__init__("; ".join(errors))
        self.errors = errors


def items_from_yaml(path: str | Path) -> list[FaqItem]:
    """A YAML file with top-level `items:` (slug, question, answer, category, keywords, examples) as
    FaqItems numbered 1..N in file order, on the shelf."""
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as e:
        raise CatalogLoadError([f"{path}: {e}"]) from e
    raw = data.get("items") if isinstance(data, dict) else None
    if not isinstance(raw, list):
        raise CatalogLoadError([f"{path}: expected a top-level 'items:' list"])
    items, errors = [], []
    for n, entry in enumerate(raw, start=1):
        try:
            items.append(build_item({**entry, "number": n, "status": "on_shelf"}))
        except (ValueError, TypeError) as e:
            errors.append(f"{path}: item {n}: {e}")
    if errors:
        raise CatalogLoadError(errors)
    return items


def load_items(path: str | Path) -> list[FaqItem]:
    """Catalog items from a Markdown folder, a .md or .csv file (the import format), or a .yaml file."""
    if str(path).lower().endswith((".yaml", ".yml")):
        return items_from_yaml(path)
    parsed = load_catalog(path)
    if parsed.errors:
        raise CatalogLoadError([str(e) for e in parsed.errors])
    return parsed.items


@dataclass
class Failure:
    id: str
    text: str
    kind: str
    expected: str | None
    got: str | None
    score: float
    canonical: str  # the tokens the matcher saw
    evidence: list[tuple[str, float]]  # best items by evidence


@dataclass
class Report:
    counts: Counter = field(default_factory=Counter)  # kind -> lines
    right: Counter = field(default_factory=Counter)  # kind -> lines answered right
    slug_total: Counter = field(default_factory=Counter)
    slug_right: Counter = field(default_factory=Counter)
    failures: list[Failure] = field(default_factory=list)

    def share(self, kind: str) -> float:
        return self.right[kind] / self.counts[kind] if self.counts[kind] else 0.0

    @property
    def question_accuracy(self) -> float:
        return self.share("question")

    @property
    def chatter_false_match(self) -> float:
        return 1.0 - self.share("chatter") if self.counts["chatter"] else 0.0

    @property
    def novel_false_match(self) -> float:
        return 1.0 - self.share("novel") if self.counts["novel"] else 0.0

    @property
    def overall_accuracy(self) -> float:
        total = sum(self.counts.values())
        return sum(self.right.values()) / total if total else 0.0

    def recall(self, slug: str) -> float:
        return self.slug_right[slug] / self.slug_total[slug] if self.slug_total[slug] else 0.0

    def table(self, failures: bool = False) -> str:
        lines = [
            f"{'measure':<34}{'value':>8}{'lines':>8}",
            f"{'question top-1 accuracy':<34}{self.question_accuracy:>8.1%}{self.counts['question']:>8}",
            f"{'chatter wrongly given an item':<34}{self.chatter_false_match:>8.1%}{self.counts['chatter']:>8}",
            f"{'novel wrongly given an item':<34}{self.novel_false_match:>8.1%}{self.counts['novel']:>8}",
            f"{'overall accuracy':<34}{self.overall_accuracy:>8.1%}{sum(self.counts.values()):>8}",
            "",
            f"{'per-item recall':<34}{'recall':>8}{'lines':>8}",
        ]
        for slug, total in sorted(self.slug_total.items(), key=lambda kv: (-kv[1], kv[0])):
            lines.append(f"  {slug:<32}{self.recall(slug):>8.0%}{total:>8}")
        if failures and self.failures:
            lines += ["", f"failures ({len(self.failures)}): "
                      "id kind expected -> got (confidence) text  tokens  evidence"]
            for f in self.failures:
                evidence = ", ".join(f"{slug} {s:.2f}" for slug, s in f.evidence[:3]) or "none"
                lines.append(f"  {f.id} {f.kind:<8} {f.expected or '-'} -> {f.got or '-'} ({f.score:.2f}) "
                             f"{f.text}  {f.canonical}  [{evidence}]")
        return "\n".join(lines)


def read_comments(path: str | Path) -> list[dict]:
    rows = []
    with open(path, encoding="utf-8") as fh:
        for number, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            row = json.loads(line)
            if row.get("kind") not in KINDS or not isinstance(row.get("text"), str):
                raise ValueError(f"{path}:{number}: need a text and a kind of {', '.join(KINDS)}")
            rows.append(row)
    return rows


def evaluate_matcher(matcher: Matcher, rows: list[dict]) -> Report:
    report = Report()
    results = matcher.match_many([r["text"] for r in rows])
    for row, m in zip(rows, results):
        kind, expected = row["kind"], row.get("label") if row["kind"] == "question" else None
        report.counts[kind] += 1
        if kind == "question":
            report.slug_total[expected] += 1
        if m.slug == expected:
            report.right[kind] += 1
            if kind == "question":
                report.slug_right[expected] += 1
        else:
            canonical, evidence = matcher.explain(row["text"])
            report.failures.append(Failure(str(row.get("id")), row["text"], kind, expected, m.slug, m.score,
                                           canonical, evidence))
    return report


def evaluate(catalog_path: str | Path, comments_path: str | Path) -> Report:
    """Build a matcher from the catalog and score it on the labelled comments."""
    return evaluate_matcher(Matcher.from_items(load_items(catalog_path)), read_comments(comments_path))


def _false_match(report: Report) -> float:
    """Share of chatter and novel lines (together) wrongly given an item."""
    lines = report.counts["chatter"] + report.counts["novel"]
    return 1.0 - (report.right["chatter"] + report.right["novel"]) / lines if lines else 0.0


def _label(row: dict) -> str | None:
    return row.get("label") if row["kind"] == "question" else None


def review_summary(matcher: Matcher, rows: list[dict]) -> str:
    """How the review queue would do on the set: how many lines it shows, and how many of the matcher's
    wrong answers are among them."""
    results = matcher.match_many([r["text"] for r in rows])
    flagged = sum(m.review for m in results)
    wrong = [m.review for r, m in zip(rows, results) if m.slug != _label(r)]
    caught = sum(wrong)
    return (f"review queue: {flagged} of {len(rows)} lines flagged ({flagged / max(len(rows), 1):.1%}); "
            f"{caught} of {len(wrong)} wrong answers among them ({caught / max(len(wrong), 1):.0%}), "
            f"{caught / max(flagged, 1):.0%} of the flagged are wrong")


def learning_curve(items: list[FaqItem], rows: list[dict], steps: tuple[int, ...] = (0, 10, 25, 50),
                   part: float = 0.3) -> str:
    """Teach the first N comments the review queue flags in the first `part` of the set (with the set's
    labels, as the crew would), then measure on the rest, beside the cold matcher on the same rest."""
    cut = int(len(rows) * part)
    first, rest = rows[:cut], rows[cut:]
    cold = Matcher(items)
    flagged = [r for r, m in zip(first, cold.match_many([r["text"] for r in first])) if m.review]
    base = evaluate_matcher(cold, rest)
    lines = [f"learning curve: teach the first N flagged comments of the first {part:.0%} of the set "
             f"({len(first)} lines, {len(flagged)} flagged), measure on the other {len(rest)} lines",
             f"{'taught':<10}{'top-1':>8}{'vs cold':>9}{'false matches':>15}{'vs cold':>9}"]
    for n in steps:
        taught = flagged[:n]
        if n == 0:
            report, name = base, "0 (cold)"
        else:
            feedback = [Feedback(r["text"], _label(r)) for r in taught]
            report = evaluate_matcher(Matcher(items, feedback), rest)
            name = str(n) if len(taught) == n else f"{n} ({len(taught)})"  # fewer flagged than asked
        lines.append(f"{name:<10}{report.question_accuracy:>8.1%}"
                     f"{(report.question_accuracy - base.question_accuracy) * 100:>+8.1f}p"
                     f"{_false_match(report):>15.1%}{(_false_match(report) - _false_match(base)) * 100:>+8.1f}p")
    return "\n".join(lines)
