"""One ingest client cannot stall the studio: while it posts the worst batches the API accepts, as fast as it is
allowed, another client's `GET /api/shows/<show>/ranking` and a console's Socket.IO round trip stay fast.

The worst batch: 5,000 comments (the most a request takes) of 500 characters (the longest text accepted), 700
distinct viewers, texts of random Han characters (every character a sound-alike candidate: the matcher's costliest
input; `--mix shop` uses shop vocabulary instead). The ingest client posts them back to back from `--senders`
threads with one ingest token, and waits out Retry-After whenever the studio answers 429. A `studio run` with
the real limits (no STUDIO_RATE_LIMIT_SCALE), temporary SQLite database.

Measured, idle and then under that load, in the same run: the ranking GET of the show being flooded (a fresh
HTTP connection's worth of latency: one keep-alive session), and the console's `/live` round trip (an acked
`ping_state`, host token, paced at 4 per second: /live allows a connection 5 events a second).

    .venv/bin/python bench/bench_ingest_isolation.py [--seconds 60] [--senders 2] [--mix han|shop]
"""
from __future__ import annotations

import argparse
import json
import random
import threading
import time

import requests
import socketio
from running_studio import running_studio

TARGET_P95_MS = 100.0
BATCH, TEXT, USERS = 5000, 500, 700
HAN = [chr(c) for c in range(0x4E00, 0x9FA5)]
SHOP = ["什么时候发货", "能开发票吗", "怎么退货", "尺码偏大吗", "优惠券能叠加吗", "有没有现货", "几天能到", "包邮吗",
        "主播好漂亮", "哈哈哈", "链接在哪", "颜色有几种", "质量怎么样", "能便宜点吗", "7天无理由吗", "已拍"]


def pct(samples: list[float], p: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))] if ordered else float("nan")


_POOLS: dict[str, str] = {}


def _pool(mix: str) -> str:
    """A long random text to cut comments from (cheap for the client, so it does not compete with the studio
    for the CPU): every window of it is a text the matcher has not seen."""
    if mix not in _POOLS:
        rnd = random.Random(mix)
        if mix == "han":
            _POOLS[mix] = "".join(rnd.choice(HAN) for _ in range(400_000))
        else:
            _POOLS[mix] = "".join(rnd.choice(SHOP) + rnd.choice(["", "，", "？", "呀", " "]) for _ in range(80_000))
    return _POOLS[mix]


def worst_batch(rnd: random.Random, mix: str, tag: str) -> bytes:
    pool = _pool(mix)
    items = []
    for i in range(BATCH):
        at = rnd.randrange(len(pool) - TEXT)
        items.append({"user": f"u{rnd.randrange(USERS)}", "text": pool[at:at + TEXT], "id": f"{tag}-{i}",
                      "platform": "douyin"})
    return json.dumps(items, ensure_ascii=False).encode()


class Sender(threading.Thread):
    def __init__(self, url: str, token: str, show: str, mix: str, seed: int, stop: threading.Event):
        super().__init__(daemon=True)
        self.url, self.show, self.mix, self.stop = url, show, mix, stop
        self.session = requests.Session()
        self.session.headers.update({"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
        self.rnd = random.Random(seed)
        self.seed = seed
        self.accepted = self.batches = self.refused = 0
        self.seconds: list[float] = []
        self.next_body = worst_batch(self.rnd, mix, f"{seed}-0")

    def run(self) -> None:
        n = 0
        while not self.stop.is_set():
            body, n = self.next_body, n + 1
            t = time.perf_counter()
            r = self.session.post(f"{self.url}/api/shows/{self.show}/comments", data=body, timeout=600)
            if r.status_code == 429:
                self.refused += 1
                self.stop.wait(float(r.headers.get("Retry-After", "1")))
                continue
            r.raise_for_status()
            self.seconds.append(time.perf_counter() - t)
            self.accepted += r.json()["accepted"]
            self.batches += 1
            self.next_body = worst_batch(self.rnd, self.mix, f"{self.seed}-{n}")


def measure(url: str, show: str, token: str, seconds: float, until: threading.Event | None = None
            ) -> tuple[list[float], list[float]]:
    """Ranking GETs (back to back, 20 ms apart) and console pings (every 250 ms) for `seconds`."""
    gets: list[float] = []
    pings: list[float] = []
    end = time.monotonic() + seconds
    console = socketio.Client(reconnection=False)
    console.connect(url, namespaces=["/live"], transports=["websocket"], wait_timeout=10, auth={"token": token})

    def pinger() -> None:
        i = 0
        while time.monotonic() < end and not (until and until.is_set()):
            t = time.perf_counter()
            console.call("ping_state", i, namespace="/live", timeout=30)
            pings.append(time.perf_counter() - t)
            i += 1
            time.sleep(max(0.0, 0.25 - (time.perf_counter() - t)))

    th = threading.Thread(target=pinger, daemon=True)
    th.start()
    s = requests.Session()
    while time.monotonic() < end and not (until and until.is_set()):
        t = time.perf_counter()
        r = s.get(f"{url}/api/shows/{show}/ranking", timeout=30)
        gets.append(time.perf_counter() - t)
        assert r.status_code == 200, r.text
        time.sleep(0.02)
    th.join()
    console.disconnect()
    return gets, pings


def line(name: str, idle: list[float], loaded: list[float]) -> str:
    f = lambda xs, p: pct(xs, p) * 1000  # noqa: E731
    ratio = f(loaded, 95) / f(idle, 95) if idle else float("nan")
    verdict = "ok" if f(loaded, 95) <= TARGET_P95_MS else "OVER"
    return (f"{name:<28} idle p50 {f(idle, 50):6.1f}  p95 {f(idle, 95):6.1f} ms (n={len(idle)})   "
            f"loaded p50 {f(loaded, 50):6.1f}  p95 {f(loaded, 95):6.1f}  max {max(loaded) * 1000:7.1f} ms "
            f"(n={len(loaded)})   p95 x{ratio:.1f}   {verdict} (target p95 <= {TARGET_P95_MS:.0f} ms)")


def print_blocking(log: str) -> None:
    """gevent's monitor reports: how often the loop was blocked, and the deepest frames of the blocked stacks."""
    from collections import Counter
    stacks = [b.split("Info:")[0] for b in log.split("Blocked Stack")[1:]]
    where = Counter()
    for stack in stacks:
        frames = [ln.strip() for ln in stack.splitlines() if ln.strip().startswith("File ")]
        ours = [f for f in frames if "/studio/" in f or "/faq_catalog/" in f or "site-packages" in f]
        where[" <- ".join(f.split("/")[-1] for f in ours[-3:][::-1])] += 1
    print(f"event loop blocked > 50 ms: {len(stacks)} reports")
    for frames, n in where.most_common(8):
        print(f"  {n:4d}  {frames}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=60, help="measuring time under load")
    ap.add_argument("--idle-seconds", type=float, default=15)
    ap.add_argument("--senders", type=int, default=2, help="concurrent posting threads of the one ingest client")
    ap.add_argument("--mix", choices=("han", "shop"), default="han")
    ap.add_argument("--monitor", action="store_true", help="print where the server's event loop blocked > 50 ms")
    args = ap.parse_args()
    env = {"GEVENT_MONITOR_THREAD_ENABLE": "true", "GEVENT_MAX_BLOCKING_TIME": "0.05"} if args.monitor else None
    with running_studio("bench-isolation-", env) as srv:
        show = "demo"
        host = srv.tokens["host"]
        # warm the ranking with some ordinary demand, so the GET has rows to describe
        seed = [{"user": f"w{i}", "text": t, "platform": "douyin"} for i, t in enumerate(SHOP * 10)]
        srv.session(srv.tokens["ingest"]).post(f"{srv.url}/api/shows/{show}/comments", json=seed).raise_for_status()
        idle_gets, idle_pings = measure(srv.url, show, host, args.idle_seconds)
        stop = threading.Event()
        senders = [Sender(srv.url, srv.tokens["ingest"], show, args.mix, k, stop) for k in range(args.senders)]
        for s in senders:
            s.start()
        time.sleep(1.0)  # the first batches are in flight
        t0 = time.monotonic()
        gets, pings = measure(srv.url, show, host, args.seconds)
        load_s = time.monotonic() - t0
        stop.set()
        for s in senders:
            s.join(timeout=600)
        accepted = sum(s.accepted for s in senders)
        batches = sum(s.batches for s in senders)
        per_batch = [x for s in senders for x in s.seconds]
        if args.monitor:
            print_blocking(srv.log_path.read_text(errors="replace"))
    print(f"worst batches ({args.mix}): {BATCH} comments x {TEXT} characters, {USERS} viewers; {args.senders} "
          f"senders, one ingest token, real limits")
    print(f"ingest: {batches} batches, {accepted} comments accepted in about {load_s:.0f} s of load "
          f"({accepted / max(load_s, 1e-9):.0f} comments/s); one batch took p50 {pct(per_batch, 50):.1f} s; "
          f"429 answers: {sum(s.refused for s in senders)}")
    print(line("GET .../ranking", idle_gets, gets))
    print(line("console /live round trip", idle_pings, pings))


if __name__ == "__main__":
    main()
