"""Command-line access to the matcher: `match` (JSONL in, JSONL out) and `eval-matcher` (report table).

The commands are plain click commands; the studio CLI registers them as `studio match` and
`studio eval-matcher`. `python -m faq_catalog.cli match ...` runs them without the studio.
"""
from __future__ import annotations

import json
import sys
from typing import IO, Any

import click

from faq_catalog.evaluate import (
    CatalogLoadError,
    evaluate_matcher,
    learning_curve,
    load_items,
    read_comments,
    review_summary,
)
from faq_catalog.feedback import Feedback
from faq_catalog.matcher import Matcher
from faq_catalog.model import FaqItem

# Comments are short; a longer "comment" is cut rather than allowed to cost a second of matching.
MAX_TEXT = 2000


def _load_items(catalog: str, archived: bool = False) -> list[FaqItem]:
    """The catalog's matchable items (with archived ones too when asked), or exit 2 with every catalog
    error on stderr."""
    try:
        items = load_items(catalog)
    except CatalogLoadError as e:
        for err in e.errors:
            click.echo(err, err=True)
        sys.exit(2)
    # Archived items are off the shelf for good; drafts are matched (a CSV without status is all drafts).
    return items if archived else [it for it in items if it.status != "archived"]


def read_feedback(path: str, slugs: set[str]) -> list[Feedback]:
    """The crew's decisions from a JSONL file of {"text": ..., "faq": slug or null}, oldest first; every bad
    line is reported and nothing is applied (ValueError with one message per line)."""
    out, errors = [], []
    with open(path, "rb") as fh:
        for number, raw in enumerate(fh, start=1):
            if not raw.strip():
                continue
            try:
                row = json.loads(raw.decode("utf-8-sig"))
            except (UnicodeDecodeError, json.JSONDecodeError) as e:
                errors.append(f"{path}:{number}: not a JSON line: {e}")
                continue
            if not isinstance(row, dict) or not isinstance(row.get("text"), str) or "faq" not in row:
                errors.append(f'{path}:{number}: expected {{"text": string, "faq": slug or null}}')
                continue
            faq = row["faq"]
            if faq is not None and (not isinstance(faq, str) or faq not in slugs):
                errors.append(f"{path}:{number}: faq {faq!r} is not an item of the catalog")
                continue
            out.append(Feedback(row["text"][:MAX_TEXT], faq))
    if errors:
        raise ValueError("\n".join(errors))
    return out


def _answer(matcher: Matcher, raw: bytes) -> dict[str, Any]:
    if not raw.strip():
        return _error("empty line")
    try:
        row = json.loads(raw.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        return _error(f"not a JSON line: {e}")
    if not isinstance(row, dict):
        return _error("expected a JSON object with id and text")
    text = row.get("text")
    if not isinstance(text, str):
        return _error("'text' must be a string")
    m = matcher.match(text[:MAX_TEXT])
    return {"id": row.get("id"), "faq": m.slug, "score": m.score, "review": m.review}


def _error(message: str) -> dict[str, Any]:
    return {"id": None, "faq": None, "score": 0, "review": False, "error": message}


def _write(out: IO[bytes], obj: dict[str, Any]) -> None:
    out.write(json.dumps(obj, ensure_ascii=False).encode("utf-8") + b"\n")


@click.command("match")
@click.option("--catalog", "catalog", required=True,
              help="Catalog folder of Markdown files, a .md or .csv file in the import format, or a .yaml list.")
@click.option("--input", "input_path", type=click.Path(exists=True, dir_okay=False), default=None,
              help='JSONL file of {"id": ..., "text": ...}; standard input when omitted.')
@click.option("--feedback", "feedback_path", type=click.Path(exists=True, dir_okay=False), default=None,
              help='JSONL file of the crew\'s decisions, {"text": ..., "faq": slug or null (not a shelf question)}, '
                   "oldest first; applied as the review queue applies them, before matching.")
def match_command(catalog: str, input_path: str | None, feedback_path: str | None) -> None:
    """Match each comment to a catalog item: one {"id", "faq", "score", "review"} JSON line per input line."""
    every = _load_items(catalog, archived=True)
    feedback: list[Feedback] = []
    if feedback_path:
        try:
            # A decision for an archived item is kept on file but, as in the studio, taught to no one.
            feedback = read_feedback(feedback_path, {it.slug for it in every})
        except (OSError, ValueError) as e:
            click.echo(str(e), err=True)
            sys.exit(2)
    matcher = Matcher([it for it in every if it.status != "archived"], feedback)
    # Bytes in and out: UTF-8 whatever the terminal's locale, and a bad line cannot stop the stream.
    out = sys.stdout.buffer
    source = open(input_path, "rb") if input_path else sys.stdin.buffer
    try:
        for raw in source:
            _write(out, _answer(matcher, raw.rstrip(b"\r\n")))
    finally:
        if input_path:
            source.close()
        out.flush()


@click.command("eval-matcher")
@click.option("--catalog", "catalog", required=True, help="Catalog (folder, .md, .csv or .yaml).")
@click.option("--comments", "comments", required=True, type=click.Path(exists=True, dir_okay=False),
              help="Labelled comments, JSONL with id, text, label, kind.")
@click.option("--failures", is_flag=True, help="Also list every comment answered wrongly.")
def eval_command(catalog: str, comments: str, failures: bool) -> None:
    """Print question accuracy, false matches on chatter and novel questions, per-item recall, what the review
    queue would show, and a learning curve: the first N flagged comments of the first 30% taught (with the
    set's labels), measured on the other 70% beside the cold matcher on the same lines."""
    items = _load_items(catalog)
    matcher = Matcher(items)
    try:
        rows = read_comments(comments)
    except (OSError, ValueError) as e:
        click.echo(str(e), err=True)
        sys.exit(2)
    click.echo(evaluate_matcher(matcher, rows).table(failures=failures))
    click.echo("")
    click.echo(review_summary(matcher, rows))
    click.echo("")
    click.echo(learning_curve(items, rows))


if __name__ == "__main__":
    @click.group()
    def _main() -> None:
        """FAQ matcher commands."""

    _main.add_command(match_command)
    _main.add_command(eval_command)
    _main()
