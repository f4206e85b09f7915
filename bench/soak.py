"""Soak: a 12-hour show replayed in 10 minutes at peak rate, with consoles and overlays connected. Not part of CI.

A `studio run` (temporary SQLite database, the demo catalog) takes the simulated room's comments over HTTP at
--rate comments/s, with a --burst-rate burst of --burst-seconds every minute (the host saying "去 3 号链接"), from two
sender threads. The show's time runs 72× faster than the wall clock: every --onair-every seconds (12 minutes of show
time) the host puts the top of the ranking on air. Connected meanwhile: --consoles consoles (ranking, onair, health,
emerging) and --overlays overlays (onair, ranking), Socket.IO clients of this process.

Every --sample seconds it records the server's RSS, the comment → console latency (a probe comment about an item the
stream never asks, boosted to stay in the ranking, until a ranking snapshot shows its unique text) and, at each on-air
change, the host action → every overlay latency. Baselines, same run: RSS and both latencies measured idle before the
load starts; the report prints ratios to them and says whether memory stayed flat: whether the last third of the run
(three or more bursts) set a new high more than 5% above the highest RSS before it.

    .venv/bin/python bench/soak.py [--minutes 10] [--rate 2000] [--burst-rate 10000]
"""
from __future__ import annotations

import argparse
import statistics
import sys
import threading
import time
from pathlib import Path

import requests
import socketio

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
from running_studio import UNLIMITED, running_studio  # noqa: E402

from studio.commands.simulate import CommentStream, load_stream  # noqa: E402

SHOW = "demo"
PROBE_SLUG = "invoice"
PROBE_TEXT = "能开发票吗"
MARKS = "?!.,~"  # a probe's number as punctuation: a unique raw text that still matches the same item
TICK = 0.05
FLAT_GROWTH = 0.05  # flat: the last third of the run rises less than 5% above the highest RSS before it


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


def pct(samples: list[float], p: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))] if ordered else float("nan")


class Sender(threading.Thread):
    """Comments at rate_of(t) per second (half of it: two senders share the room), in batches every TICK; a slow
    answer makes the next batch bigger, so the offered load holds."""

    def __init__(self, url: str, token: str, stream: CommentStream, rate_of, until: float):
        super().__init__(daemon=True)
        self.url = f"{url}/api/shows/{SHOW}/comments"
        self.http = requests.Session()
        self.http.headers["Authorization"] = f"Bearer {token}"
        self.stream, self.rate_of, self.until = stream, rate_of, until
        self.sent = self.accepted = self.errors = 0

    def run(self) -> None:
        owed, last = 0.0, time.monotonic()
        while (now := time.monotonic()) < self.until:
            owed += (now - last) * self.rate_of(now) / 2
            last = now
            n = min(int(owed), 5000)
            if n:
                owed -= n
                try:
                    r = self.http.post(self.url, json=self.stream.batch(n, time.time()), timeout=30)
                    self.accepted += r.json().get("accepted", 0) if r.status_code == 200 else 0
                    self.errors += r.status_code != 200
                except requests.RequestException:
                    self.errors += 1
                self.sent += n
            time.sleep(max(0.0, TICK - (time.monotonic() - now)))


class Screen:
    """A console or an overlay: subscribed to its topics, noting when each state arrives."""

    def __init__(self, url: str, topics: list[str], token: str | None = None):
        self.ranking_texts: list[tuple[float, set]] = []
        self.on_air: list[tuple[float, str | None]] = []
        self.messages = 0
        self.client = socketio.Client(reconnection=True)
        self.client.on("state", self._state, namespace="/live")
        self.client.connect(url, namespaces=["/live"], transports=["websocket"], wait_timeout=10,
                            auth={"token": token} if token else None)  # consoles read staff topics
        ack = self.client.call("subscribe", {"show": SHOW, "topics": topics}, namespace="/live", timeout=10)
        assert ack.get("ok"), ack

    def _state(self, msg: dict) -> None:
        now = time.monotonic()
        self.messages += 1
        if msg["topic"] == "ranking":
            texts = {s if isinstance(s, str) else s.get("text", "") for r in msg["data"]["items"]
                     if r["slug"] == PROBE_SLUG for s in r.get("samples", [])}
            self.ranking_texts.append((now, texts))
            del self.ranking_texts[:-50]
        elif msg["topic"] == "onair":
            current = msg["data"].get("current")
            self.on_air.append((now, current["slug"] if current else None))
            del self.on_air[:-50]


def wait_for(predicate, timeout: float) -> float | None:
    t0 = time.monotonic()
    while time.monotonic() - t0 < timeout:
        if predicate():
            return time.monotonic() - t0
        time.sleep(0.002)
    return None


class Probe:
    """The two latencies: a comment to the console that shows it, and the host's action to every overlay."""

    def __init__(self, url: str, tokens: dict, console: Screen, overlays: list[Screen]):
        self.url, self.console, self.overlays = url, console, overlays
        self.ingest = requests.Session()
        self.ingest.headers["Authorization"] = f"Bearer {tokens['ingest']}"
        self.host = requests.Session()
        self.host.headers["Authorization"] = f"Bearer {tokens['host']}"
        self.n = 0

    def comment_to_console(self) -> float | None:
        self.n += 1
        text, k = PROBE_TEXT, self.n
        while True:
            k, d = divmod(k, len(MARKS))
            text += MARKS[d]
            if not k:
                break
        sent = time.monotonic()
        self.ingest.post(f"{self.url}/api/shows/{SHOW}/comments",
                         json=[{"id": f"probe-{self.n}", "user": f"prober{self.n}", "text": text}], timeout=30)
        return wait_for(lambda: any(t >= sent and text in texts for t, texts in self.console.ranking_texts[-20:]), 10)

    def host_to_overlays(self, slug: str) -> list[float]:
        sent = time.monotonic()
        self.host.post(f"{self.url}/api/shows/{SHOW}/on-air", json={"slug": slug}, timeout=30)
        latencies = []
        for screen in self.overlays:
            def arrived() -> float | None:
                return next((t for t, s in screen.on_air[-10:] if t >= sent and s == slug), None)
            if wait_for(lambda: arrived() is not None, 10) is not None:
                latencies.append(arrived() - sent)
        return latencies


def top_item(url: str) -> str | None:
    items = requests.get(f"{url}/api/shows/{SHOW}/ranking", timeout=10).json()["items"]
    return next((r["slug"] for r in items if r["slug"] != PROBE_SLUG), None)


def ms(seconds: float | None) -> str:
    return "lost" if seconds is None else f"{seconds * 1000:.0f} ms"


def run(srv, args) -> None:
    pid, url = srv.proc.pid, srv.url
    host = srv.session(srv.tokens["host"])
    assert host.post(f"{url}/api/shows/{SHOW}/start").status_code == 200
    r = host.post(f"{url}/api/shows/{SHOW}/boost", json={"slug": PROBE_SLUG, "amount": 1000})
    assert r.status_code == 200, r.text  # the probe item stays in the top of the ranking, so its samples show
    items = [i for i in requests.get(f"{url}/api/shows/{SHOW}/shelf").json()["items"] if i["slug"] != PROBE_SLUG]
    stream_file = load_stream()
    consoles = [Screen(url, ["ranking", "onair", "health", "emerging"], srv.tokens["host"])
                for _ in range(args.consoles)]
    overlays = [Screen(url, ["onair", "ranking"]) for _ in range(args.overlays)]
    probe = Probe(url, srv.tokens, consoles[0], overlays)

    # Baselines: the same probes with the studio idle.
    time.sleep(2)
    idle_rss = rss_mb(pid)
    idle_comment = [probe.comment_to_console() for _ in range(5)]
    idle_overlay = [lat for slug in [i["slug"] for i in items[:3]] for lat in probe.host_to_overlays(slug)]
    print(f"idle: RSS {idle_rss:.0f} MB, comment → console p50 {ms(statistics.median(filter(None, idle_comment)))}, "
          f"host → overlays p50 {ms(statistics.median(idle_overlay))}")

    start = time.monotonic()
    until = start + args.minutes * 60

    def rate_of(now: float) -> float:
        return args.burst_rate if (now - start) % 60 < args.burst_seconds else args.rate

    senders = [Sender(url, srv.tokens["ingest"], CommentStream(items, stream_file, seed=n), rate_of, until)
               for n in range(2)]
    for s in senders:
        s.start()
    samples, overlay_lat = [], []
    next_sample, next_onair, last_accepted = start + args.sample, start + args.onair_every, 0
    print(f"{'t':>6} {'RSS MB':>7} {'comments/s':>11} {'comment→console':>16}")
    while (now := time.monotonic()) < until:
        if now >= next_onair:
            slug = top_item(url)
            if slug:
                overlay_lat += probe.host_to_overlays(slug)
            next_onair += args.onair_every
        if now >= next_sample:
            accepted = sum(s.accepted for s in senders)
            sample = (now - start, rss_mb(pid), (accepted - last_accepted) / args.sample, probe.comment_to_console())
            samples.append(sample)
            last_accepted = accepted
            print(f"{sample[0]:6.0f} {sample[1]:7.0f} {sample[2]:11.0f} {ms(sample[3]):>16}", flush=True)
            next_sample += args.sample
        time.sleep(0.1)
    for s in senders:
        s.join(60)
    report(args, samples, senders, idle_rss, idle_comment, idle_overlay, overlay_lat, consoles + overlays)


def report(args, samples, senders, idle_rss, idle_comment, idle_overlay, overlay_lat, screens) -> None:
    total = args.minutes * 60
    # Caches and allocator arenas step up at the first bursts and then stop; a leak keeps setting new highs.
    before = max((rss for t, rss, _, _ in samples if t < total * 2 / 3), default=float("nan"))
    last = max((rss for t, rss, _, _ in samples if t >= total * 2 / 3), default=float("nan"))
    growth = last / before - 1
    comment = [lat for *_, lat in samples]
    lost = comment.count(None)
    comment = [lat for lat in comment if lat is not None]
    sent, accepted = sum(s.sent for s in senders), sum(s.accepted for s in senders)
    idle_c = statistics.median(filter(None, idle_comment))
    idle_o = statistics.median(idle_overlay)
    print(f"\n== soak: {args.minutes:g} min, {args.rate:g}/s with {args.burst_seconds:g} s of {args.burst_rate:g}/s "
          f"every minute, {args.consoles} consoles + {args.overlays} overlays")
    print(f"comments: {sent} sent, {accepted} accepted ({accepted / total:.0f}/s on average), "
          f"{sum(s.errors for s in senders)} failed batches; screens received "
          f"{sum(s.messages for s in screens)} messages")
    print(f"memory: idle {idle_rss:.0f} MB, highest in the first two thirds {before:.0f} MB, in the last third "
          f"{last:.0f} MB ({growth:+.1%}; ×{last / idle_rss:.2f} idle) → memory "
          f"{'stays flat' if growth < FLAT_GROWTH else 'GROWS'}")
    print(f"comment → console: p50 {ms(pct(comment, 50))}, p95 {ms(pct(comment, 95))}, max {ms(max(comment))}, "
          f"{lost} lost; idle p50 {ms(idle_c)} (p95 ×{pct(comment, 95) / idle_c:.1f}); target p95 ≤ 1 s")
    print(f"host → overlays: p50 {ms(pct(overlay_lat, 50))}, p95 {ms(pct(overlay_lat, 95))}, "
          f"max {ms(max(overlay_lat))} over {len(overlay_lat)} deliveries; idle p50 {ms(idle_o)} "
          f"(p95 ×{pct(overlay_lat, 95) / idle_o:.1f}); target p95 ≤ 100 ms")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--minutes", type=float, default=10.0)
    ap.add_argument("--rate", type=float, default=2000.0)
    ap.add_argument("--burst-rate", type=float, default=10000.0)
    ap.add_argument("--burst-seconds", type=float, default=10.0)
    ap.add_argument("--consoles", type=int, default=3)
    ap.add_argument("--overlays", type=int, default=6)
    ap.add_argument("--sample", type=float, default=10.0)
    ap.add_argument("--onair-every", type=float, default=10.0)
    args = ap.parse_args()

    with running_studio("soak-", UNLIMITED) as srv:
        run(srv, args)


if __name__ == "__main__":
    main()
