"""`studio simulate --show SHOW --rate 50`: a live room's comments, made from the show's shelf, sent to a
running studio so the ranking moves the way it does on a real night.

What makes it look real:
- chatter is most of it (the stream file's `chatter`), questions a third, and a few questions the catalog
  lacks (`novel`), a handful at a time, asked by several viewers in their own words, so emerging questions form;
- each item is asked in many phrasings: its examples, the stream file's `variants`, its question, dressed
  with forms of address, particles, emoji and sometimes Traditional characters;
- item popularity is Zipf-like and drifts: every few seconds an item from the long tail turns hot, so the
  top of the ranking changes within a minute;
- viewers have stable ids and uneven activity, and some repeat their question verbatim;
- now and then a burst multiplies the rate for a few seconds.
"""
from __future__ import annotations

import random
import secrets
import time
from bisect import bisect
from itertools import accumulate
from pathlib import Path

import click

from studio.commands.replay import DEFAULT_URL, Sender, Totals
from studio.config import REPO_ROOT

STREAM_FILE = REPO_ROOT / "faq_catalog" / "demo_stream.yaml"
PREFIXES = ("", "", "", "", "主播", "请问", "姐妹们", "宝宝", "主播主播", "@主播 ", "家人们")
SUFFIXES = ("", "", "", "？", "??", "呀", "啊", "😭", "[疑问]", "！", "~", "🙏")
PLATFORMS = ("douyin", "douyin", "douyin", "kuaishou", "bilibili")
TICK = 0.2
MIX = {"repeat": 0.05, "chatter": 0.62, "question": 0.93}  # cumulative shares; the rest is novel


def _to_traditional():
    import opencc
    return opencc.OpenCC("s2t")


class CommentStream:
    """Comments with stable viewer ids; `batch(n, now)` draws the next n. Seeded, so runs can repeat."""

    def __init__(self, items: list[dict], stream: dict, seed: int | None = None, viewers: int = 2000,
                 drift_every: float = 8.0):
        self.rng = random.Random(seed)
        self.phrasings = {i["slug"]: _phrasings(i, stream.get("variants") or {}) for i in items if i.get("slug")}
        if not self.phrasings:
            raise ValueError("the shelf is empty: nothing to ask about")
        self.chatter = list(stream.get("chatter") or ["666", "主播好美", "来了"])
        self.novel = list(stream.get("novel") or [])
        self.ranks = list(self.phrasings)
        self.rng.shuffle(self.ranks)
        self._item_cum = list(accumulate(1 / (r + 1) ** 1.1 for r in range(len(self.ranks))))
        self.viewers = [f"v{n:05d}" for n in range(viewers)]
        self._viewer_cum = list(accumulate(1 / (r + 1) ** 0.7 for r in range(viewers)))
        self.active_novel = self.rng.sample(self.novel, min(3, len(self.novel)))
        self.last_ask: dict[str, str] = {}
        self.drift_every = drift_every
        self._next_drift: float | None = None
        self._drifts = 0
        self._run = secrets.token_hex(3)
        self._seq = 0
        self._s2t = _to_traditional()

    def _pick(self, seq: list, cum: list[float]):
        return seq[min(len(seq) - 1, bisect(cum, self.rng.random() * cum[-1]))]

    def drift(self, now: float) -> None:
        """Every `drift_every` seconds one item from the lower half jumps into the top three; every third
        time one novel question is replaced by another."""
        if self._next_drift is None:
            self._next_drift = now + self.drift_every
        if now < self._next_drift:
            return
        self._next_drift = now + self.drift_every
        self._drifts += 1
        half = len(self.ranks) // 2
        if half:
            hot = self.ranks.pop(self.rng.randrange(half, len(self.ranks)))
            self.ranks.insert(self.rng.randrange(0, min(3, len(self.ranks) + 1)), hot)
        if self._drifts % 3 == 0 and len(self.novel) > len(self.active_novel):
            fresh = self.rng.choice([q for q in self.novel if q not in self.active_novel])
            self.active_novel[self.rng.randrange(len(self.active_novel))] = fresh

    def dress(self, text: str) -> str:
        rng = self.rng
        if rng.random() < 0.15:
            text = self._s2t.convert(text)
        return f"{rng.choice(PREFIXES)}{text}{rng.choice(SUFFIXES)}"

    def one(self, now: float) -> dict:
        viewer = self._pick(self.viewers, self._viewer_cum)
        r = self.rng.random()
        if r < MIX["repeat"] and viewer in self.last_ask:
            text = self.last_ask[viewer]
        elif r < MIX["chatter"] or (r >= MIX["question"] and not self.active_novel):
            text = self.rng.choice(self.chatter)
        elif r < MIX["question"]:
            slug = self._pick(self.ranks, self._item_cum)
            text = self.last_ask[viewer] = self.dress(self.rng.choice(self.phrasings[slug]))
        else:
            text = self.last_ask[viewer] = self.dress(self.rng.choice(self.active_novel))
        self._seq += 1
        return {"id": f"sim-{self._run}-{self._seq}", "user": viewer, "text": text, "ts": now,
                "platform": self.rng.choice(PLATFORMS)}

    def batch(self, n: int, now: float) -> list[dict]:
        return [self.one(now) for _ in range(n)]


def _phrasings(item: dict, variants: dict) -> list[str]:
    found = [*(item.get("examples") or []), *(variants.get(item["slug"]) or [])]
    return found + [item["question"]] if found else [item["question"], *[f"{k}？" for k in item.get("keywords", [])]]


def load_stream(path: Path = STREAM_FILE) -> dict:
    import yaml
    with open(path, encoding="utf-8") as f:
        data = yaml.safe_load(f) or {}
    if not isinstance(data, dict):
        raise click.ClickException(f"{path} must hold chatter, novel and variants")
    return data


def run(sender: Sender, stream: CommentStream, rate: float, duration: float | None, echo=None) -> Totals:
    """Send `rate` comments a second on average (with bursts) for `duration` seconds (None: until stopped)."""
    rng = stream.rng
    totals = Totals()
    start = time.monotonic()
    next_burst, burst_until, next_report = start + rng.uniform(10, 25), 0.0, start + 5
    try:
        while duration is None or time.monotonic() - start < duration:
            t0 = time.monotonic()
            if t0 >= next_burst:
                burst_until, next_burst = t0 + rng.uniform(3, 6), t0 + rng.uniform(20, 40)
            expected = rate * TICK * (4 if t0 < burst_until else 1)
            n = int(expected) + (rng.random() < expected - int(expected))
            stream.drift(time.time())
            if n:
                totals.add(sender.post(stream.batch(n, time.time())), list(range(n)))
            if echo and t0 >= next_report:
                next_report = t0 + 5
                echo(f"{t0 - start:4.0f}s  {totals.summary()}")
            time.sleep(max(0.0, TICK - (time.monotonic() - t0)))
    except KeyboardInterrupt:  # Ctrl-C is how an open-ended run ends: still report what was sent
        pass
    return totals


def shelf_items(url: str, show: str) -> list[dict]:
    import requests
    try:
        r = requests.get(f"{url.rstrip('/')}/api/shows/{show}/shelf", timeout=10)
    except requests.RequestException as e:
        raise click.ClickException(f"cannot reach the studio at {url}: {e}") from None
    if r.status_code != 200:
        raise click.ClickException(f"cannot read the shelf of '{show}': {r.status_code} {r.text[:200]}")
    return r.json()["items"]


@click.command("simulate")
@click.option("--show", required=True, help="Show id to send the comments to.")
@click.option("--rate", default=50.0, show_default=True, type=click.FloatRange(0.1, 20000),
              help="Comments per second on average.")
@click.option("--duration", default=0.0, type=click.FloatRange(0), help="Seconds to run; 0 runs until stopped.")
@click.option("--url", default=DEFAULT_URL, show_default=True, help="The running studio.")
@click.option("--token", envvar="STUDIO_TOKEN", help="An ingest token (or STUDIO_TOKEN).")
@click.option("--seed", type=int, default=None, help="Repeat the same stream.")
@click.option("--stream", "stream_file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              default=STREAM_FILE, help="Chatter, novel questions and variants (YAML).")
def simulate_command(show: str, rate: float, duration: float, url: str, token: str | None, seed: int | None,
                     stream_file: Path) -> None:
    """Send a realistic simulated comment stream for SHOW's shelf to a running studio."""
    if not token:
        raise click.UsageError("an ingest token is needed: --token or STUDIO_TOKEN (studio token create --role ingest)")
    try:
        stream = CommentStream(shelf_items(url, show), load_stream(stream_file), seed=seed)
    except ValueError as e:
        raise click.ClickException(str(e)) from None
    click.echo(f"simulating {rate:g} comments/s into '{show}' at {url}" + ("" if duration else " (Ctrl-C stops)"),
               err=True)
    totals = run(Sender(url, token, show), stream, rate, duration or None, lambda m: click.echo(m, err=True))
    click.echo(totals.summary())
