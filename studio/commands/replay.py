"""`studio replay FILE --show SHOW`: play a recorded comment log into a running studio over its HTTP API.

The log is JSONL (one comment object per line) or CSV with a header (id, user, text, ts, platform). Comments
go out on the log's own timing (`ts`), `--speed` times faster; `--speed 0` sends as fast as the server takes
them. Each comment is sent with the time it is played at, so a log from last month lands in today's show.
"""
from __future__ import annotations

import csv
import json
import sys
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import click

DEFAULT_URL = "http://127.0.0.1:5000"
BATCH = 1000
TICK = 0.1  # seconds between sends while playing in time


@dataclass
class LogEntry:
    line: int
    item: dict
    at: float | None  # the log's time for it, epoch seconds


@dataclass
class Totals:
    sent: int = 0
    accepted: int = 0
    duplicate: int = 0
    rejected: int = 0
    reasons: list[str] = field(default_factory=list)

    def add(self, answer: dict, lines: list[int]) -> None:
        self.sent += len(lines)
        self.accepted += answer.get("accepted", 0)
        self.duplicate += answer.get("duplicate", 0)
        self.rejected += answer.get("rejected", 0)
        for err in answer.get("errors", []):
            if len(self.reasons) < 10:
                self.reasons.append(f"line {lines[err['index']]}: {err['reason']}")

    def summary(self) -> str:
        return (f"sent {self.sent}: accepted {self.accepted}, duplicate {self.duplicate}, "
                f"rejected {self.rejected}")


class Sender:
    """POSTs batches to /api/shows/<show>/comments; any answer but 200 stops with the server's message."""

    def __init__(self, url: str, token: str, show: str):
        import requests
        self.endpoint = f"{url.rstrip('/')}/api/shows/{show}/comments"
        self.http = requests.Session()
        self.http.headers["Authorization"] = f"Bearer {token}"

    def post(self, items: list[dict]) -> dict:
        import requests
        try:
            r = self.http.post(self.endpoint, json=items, timeout=60)
        except requests.RequestException as e:
            raise click.ClickException(f"cannot reach the studio at {self.endpoint}: {e}") from None
        if r.status_code != 200:
            try:
                message = r.json().get("error", r.text)
            except ValueError:
                message = r.text[:200]
            raise click.ClickException(f"the studio answered {r.status_code}: {message}")
        return r.json()


def log_time(value) -> float | None:
    """The log's ts as epoch seconds (ms told apart by size); only differences matter, so a time without
    an offset is read as UTC."""
    if value is None or value == "":
        return None
    try:
        t = float(value)
    except (TypeError, ValueError):
        try:
            dt = datetime.fromisoformat(str(value).strip())
        except ValueError:
            return None
        return (dt if dt.tzinfo else dt.replace(tzinfo=UTC)).timestamp()
    return t / 1000.0 if t > 1e11 else t


def read_log(path: Path) -> tuple[list[LogEntry], list[str]]:
    """Entries in file order, and a warning per line that is not a comment object."""
    entries, warnings = [], []
    with open(path, encoding="utf-8-sig", newline="") as f:
        if path.suffix.lower() == ".csv":
            # An empty cell is an absent field; cells beyond the header (key None) are dropped.
            rows = ((n, {k: v for k, v in row.items() if k is not None and v not in (None, "")})
                    for n, row in enumerate(csv.DictReader(f), start=2))
        else:
            rows = _jsonl_rows(f, warnings)
        for n, row in rows:
            if not isinstance(row, dict):
                warnings.append(f"line {n}: not a JSON object")
                continue
            item = dict(row)
            entries.append(LogEntry(n, item, log_time(item.pop("ts", None))))
    return entries, warnings


def _jsonl_rows(f, warnings: list[str]):
    for n, line in enumerate(f, start=1):
        if not line.strip():
            continue
        try:
            yield n, json.loads(line)
        except ValueError as e:
            warnings.append(f"line {n}: not JSON ({e})")


def schedule(entries: list[LogEntry], speed: float) -> list[float]:
    """Seconds after the start at which each entry is due; an entry without ts goes with the one before."""
    offsets, first, last = [], None, 0.0
    for e in entries:
        if e.at is not None:
            first = e.at if first is None else first
            last = (e.at - first) / speed if speed > 0 else 0.0
        offsets.append(max(0.0, last))
    return offsets


def play(entries: list[LogEntry], speed: float, sender: Sender, progress=None) -> Totals:
    """Send every entry when it is due, in batches; returns what the studio made of them."""
    totals = Totals()
    offsets = schedule(entries, speed)
    start = time.monotonic()
    i = 0
    while i < len(entries):
        wait = offsets[i] - (time.monotonic() - start)
        if wait > 0:
            time.sleep(min(wait, TICK))
            continue
        due = time.monotonic() - start
        j = i
        while j < len(entries) and j - i < BATCH and offsets[j] <= due:
            j += 1
        now = time.time()
        batch = [{**e.item, "ts": now} for e in entries[i:j]]
        totals.add(sender.post(batch), [e.line for e in entries[i:j]])
        if progress is not None:
            progress.update(j - i)
        i = j
    return totals


@click.command("replay")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--show", required=True, help="Show id to play the comments into.")
@click.option("--speed", default=1.0, show_default=True, type=click.FloatRange(min=0),
              help="Times faster than recorded; 0 sends as fast as the server takes them.")
@click.option("--url", default=DEFAULT_URL, show_default=True, help="The running studio.")
@click.option("--token", envvar="STUDIO_TOKEN", help="An ingest token (or STUDIO_TOKEN).")
def replay_command(file: Path, show: str, speed: float, url: str, token: str | None) -> None:
    """Play a JSONL or CSV comment log into a running studio, on its own timing or faster."""
    if not token:
        raise click.UsageError("an ingest token is needed: --token or STUDIO_TOKEN (studio token create --role ingest)")
    entries, warnings = read_log(file)
    for w in warnings[:20]:
        click.echo(f"skipped {w}", err=True)
    if not entries:
        raise click.ClickException(f"{file} holds no comments")
    sender = Sender(url, token, show)
    with click.progressbar(length=len(entries), label=f"replaying {file.name}", file=click.get_text_stream("stderr"),
                           show_pos=True) as bar:
        totals = play(entries, speed, sender, bar)
    for reason in totals.reasons:
        click.echo(f"rejected {reason}", err=True)
    click.echo(totals.summary() + (f"; {len(warnings)} unreadable lines skipped" if warnings else ""))
    sys.exit(0 if totals.accepted + totals.duplicate else 1)
