"""Live platform → studio: throughput and lag through a Bilibili adapter process, beside the same comments POSTed
straight to the ingest API (the baseline: what an adapter adds on top of ingestion).

A `studio run` (temporary SQLite) and a fake Bilibili Open-Live (tests/fakes, 127.0.0.1) with `studio source run`
reading it. Two measurements per path, each on a show of its own:
- throughput: N comments (frames of 20, plain/zlib/brotli, with redelivered frames) sent as fast as the fake can,
  until the studio's stats count all N stored;
- lag: a steady --rate of questions for --seconds, with a probe comment every --probe-every seconds about an item
  the load never asks about (boosted to stay on the board); lag is the time from the fake sending the probe (or the
  baseline POSTing it) to a Socket.IO "ranking" state that shows it. Includes the push throttle (0.25 s).

    .venv/bin/python bench/bench_sources.py [--comments 10000] [--rate 500] [--seconds 10]
"""
from __future__ import annotations

import argparse
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import requests

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
from running_studio import UNLIMITED, ranking_listener, running_studio  # noqa: E402

from tests.support.fakes.bilibili import FakeBilibili  # noqa: E402
from tests.support.fakes.workload import TEMPLATES, frames, plan, stream  # noqa: E402
from tests.support.liveserver import STUDIO  # noqa: E402

PROBE_SLUG, PROBE_TEXT = "invoice", "能开发票吗"
LOAD_TEXTS = [t for slug, texts in TEMPLATES.items() if slug != PROBE_SLUG for t in texts]


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def probe_text(k: int) -> str:
    """Unique raw text, same normalized text (punctuation is stripped before matching)."""
    return PROBE_TEXT + "?" * (k % 7 + 1) + "!" * (k // 7 + 1)


def new_show(srv, name: str) -> str:
    r = srv.session(srv.tokens["admin"]).post(f"{srv.url}/api/shows", json={"title": name, "id": name})
    r.raise_for_status()
    return name


def stored(srv, show: str) -> int:
    return requests.get(f"{srv.url}/api/shows/{show}/stats", timeout=10).json()["comments_stored"]


def wait_stored(srv, show: str, n: int, timeout: float = 120) -> float:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if stored(srv, show) >= n:
            return time.monotonic()
        time.sleep(0.05)
    raise SystemExit(f"{show}: only {stored(srv, show)} of {n} stored after {timeout}s")


class DirectPath:
    """The baseline: the same frames POSTed to the ingest API by a plain client."""
    name = "direct HTTP POST (baseline)"

    def __init__(self, srv, show: str, batch: int):
        self.batch = batch
        self.http = srv.session(srv.tokens["ingest"])
        self.url = f"{srv.url}/api/shows/{show}/comments"

    def send(self, comments: list[tuple[str, str, str]]) -> None:
        items = [{"id": i, "user": u, "text": t, "platform": "bilibili"} for i, t, u in comments]
        self.http.post(self.url, json=items, timeout=30).raise_for_status()

    def close(self) -> None:
        pass


class AdapterPath:
    """A fake Bilibili and `studio source run` reading it into the studio."""
    name = "fake Bilibili → adapter process"

    def __init__(self, srv, show: str, batch: int):
        self.fake = FakeBilibili()
        self.proc = subprocess.Popen(
            [STUDIO, "source", "run", "--platform", "bilibili", "--show", show, "--room", "4242", "--url", srv.url,
             "--token", srv.tokens["ingest"], "--set", f"app_id={self.fake.app_id}",
             "--set", f"access_key_id={self.fake.key_id}", "--set", f"code={self.fake.code}",
             "--set", f"api_url={self.fake.url}", "--set", "batch_interval=0.05", "--set", f"batch_max={batch}"],
            env={**srv.env, "STUDIO_BILIBILI_ACCESS_KEY_SECRET": self.fake.secret},
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 30
        while self.fake.ws.open_count < 1:
            if time.monotonic() > deadline:
                raise SystemExit("the adapter did not connect")
            time.sleep(0.05)
        time.sleep(0.3)

    def send(self, comments: list[tuple[str, str, str]]) -> None:
        self.fake.send([self.fake.dm(0, t, open_id=u, msg_id=i) for i, t, u in comments], ver=2)

    def close(self) -> None:
        self.proc.send_signal(signal.SIGTERM)
        self.proc.wait(20)
        self.fake.close()


def throughput(srv, path_cls, show: str, n: int, batch: int) -> float:
    path = path_cls(srv, show, batch)
    encoded = frames(n)
    comments = [(f"dm-{i}", text, f"viewer-{i % 2000}") for i, (_, text) in enumerate(plan(n))]
    try:
        start = time.monotonic()
        if isinstance(path, AdapterPath):
            stream(path.fake, encoded, rate=1e9)
        else:  # in the adapter's own batch size, as a well-behaved direct client would
            for k in range(0, n, batch):
                path.send(comments[k:k + batch])
        return n / (wait_stored(srv, show, n) - start)
    finally:
        path.close()


def lag(srv, path_cls, show: str, rate: float, seconds: float, probe_every: float, batch: int) -> list[float]:
    client, seen = ranking_listener(srv.url, show, PROBE_SLUG, time.time, token=srv.tokens["host"])
    assert client.call("subscribe", {"show": show, "topics": ["ranking"]}, namespace="/live", timeout=5)["ok"]
    srv.session(srv.tokens["producer"]).post(f"{srv.url}/api/shows/{show}/boost",
                                             json={"slug": PROBE_SLUG, "amount": 1000}).raise_for_status()
    path = path_cls(srv, show, batch)
    sent: dict[str, float] = {}
    lock = threading.Lock()
    try:
        start, n, probes, next_probe = time.monotonic(), 0, 0, 0.0
        while time.monotonic() - start < seconds:
            elapsed = time.monotonic() - start
            due = int(rate * elapsed) - n
            frame = [(f"load-{n + j}", LOAD_TEXTS[(n + j) % len(LOAD_TEXTS)], f"viewer-{(n + j) % 2000}")
                     for j in range(max(0, min(due, 200)))]
            if elapsed >= next_probe:
                text = probe_text(probes)
                frame.append((f"probe-{probes}", text, f"prober-{probes}"))
                with lock:
                    sent[text] = time.time()
                probes += 1
                next_probe += probe_every
            if frame:
                path.send(frame)
            n += len([f for f in frame if f[0].startswith("load-")])
            time.sleep(0.02)
        time.sleep(2.0)  # the last probes' pushes
    finally:
        path.close()
        client.disconnect()
    missing = [t for t in sent if t not in seen]
    if missing:
        raise SystemExit(f"{path.name}: {len(missing)} of {len(sent)} probes never reached the ranking")
    return [(seen[t] - t0) * 1000 for t, t0 in sent.items()]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--comments", type=int, default=10_000)
    ap.add_argument("--rate", type=float, default=500)
    ap.add_argument("--seconds", type=float, default=10)
    ap.add_argument("--probe-every", type=float, default=0.25)
    ap.add_argument("--batch", type=int, default=500, help="the adapter's batch_max, and the baseline's batch size")
    args = ap.parse_args()
    with running_studio("bench-sources-", UNLIMITED) as srv:
        rows = {}
        for key, cls in (("direct", DirectPath), ("adapter", AdapterPath)):
            tput = throughput(srv, cls, new_show(srv, f"tput-{key}"), args.comments, args.batch)
            ms = lag(srv, cls, new_show(srv, f"lag-{key}"), args.rate, args.seconds, args.probe_every, args.batch)
            rows[key] = (cls.name, tput, pct(ms, 50), pct(ms, 95), len(ms))
    print(f"{args.comments:,} comments for throughput (batches of {args.batch}); {args.rate:.0f}/s for "
          f"{args.seconds:.0f} s with a probe every {args.probe_every} s for lag (to the ranking push, "
          f"throttle 0.25 s included)\n")
    print(f"{'path':36}{'comments/s':>12}{'lag p50 ms':>12}{'lag p95 ms':>12}{'probes':>8}")
    for name, tput, p50, p95, n in rows.values():
        print(f"{name:36}{tput:12,.0f}{p50:12.0f}{p95:12.0f}{n:8}")
    (_, bt, b50, b95, _), (_, at, a50, a95, _) = rows["direct"], rows["adapter"]
    print(f"{'adapter / baseline':36}{at / bt:12.2f}{a50 / b50:12.2f}{a95 / b95:12.2f}")


if __name__ == "__main__":
    main()
