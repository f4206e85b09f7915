"""One ingest client cannot stall the studio: while it posts the worst batches the API accepts, as fast as it is
allowed, another client's `GET /api/shows/<show>/ranking` and a console's Socket.IO round trip stay fast.

The worst batch: 5,000 comments (the most a request takes) of 500 characters (the longest text accepted), 700
distinct viewers, texts of random Han characters (every character a sound-alike candidate: the matcher's costliest
input; `--mix shop` uses shop vocabulary instead). The ingest client posts them back to back from `--senders`
processes with one ingest token, and waits out Retry-After whenever the studio answers 429. A `studio run` with
the real limits (no STUDIO_RATE_LIMIT_SCALE), temporary SQLite database.

Measured, idle and then under that load, in the same run: the ranking GET of the show being flooded (a fresh
HTTP connection's worth of latency: one keep-alive session), and the console's `/live` round trip (an acked
`ping_state`, host token, paced at 4 per second: /live allows a connection 5 events a second).

    .venv/bin/python bench/bench_ingest_isolation.py [--seconds 60] [--senders 2] [--mix han|shop]
"""
from __future__ import annotations

import argparse
import json
import multiprocessing
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


def send_worst_batches(url: str, token: str, show: str, mix: str, seed: int, stop, results) -> None:
    """One posting loop of the ingest client, in a process of its own: building and encoding 8 MB bodies must
    not hold up the measuring threads of this one (the encoder holds the interpreter's lock for each body)."""
    session = requests.Session()
    session.headers.update({"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    rnd = random.Random(seed)
    accepted = batches = refused = 0
    seconds: list[float] = []
    n = 0
    body = worst_batch(rnd, mix, f"{seed}-0")
    while not stop.is_set():
        n += 1
        t = time.perf_counter()
        r = session.post(f"{url}/api/shows/{show}/comments", data=body, timeout=600)
        if r.status_code == 429:
            refused += 1
            stop.wait(float(r.headers.get("Retry-After", "1")))
            continue
        r.raise_for_status()
        seconds.append(time.perf_counter() - t)
        accepted += r.json()["accepted"]
        batches += 1
        body = worst_batch(rnd, mix, f"{seed}-{n}")
    results.put({"accepted": accepted, "batches": batches, "refused": refused, "seconds": seconds})


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
        ours = [f for f in frames if "_monitor.py" not in f]
        where[" <- ".join(f.split("/")[-1] for f in ours[-4:][::-1])] += 1
    print(f"event loop blocked > 300 ms: {len(stacks)} reports")
    for frames, n in where.most_common(8):
        print(f"  {n:4d}  {frames}")
    bare = [b for b in stacks if not any("File " in ln and "_monitor.py" not in ln for ln in b.splitlines())]
    if bare:
        print("a report without Python frames of the studio:\n" + bare[0][:1500])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=60, help="measuring time under load")
    ap.add_argument("--idle-seconds", type=float, default=15)
    ap.add_argument("--senders", type=int, default=2, help="concurrent posting loops of the one ingest client")
    ap.add_argument("--mix", choices=("han", "shop"), default="han")
    ap.add_argument("--monitor", action="store_true", help="print where the server's event loop blocked > 300 ms")
    args = ap.parse_args()
    env = {"GEVENT_MONITOR_THREAD_ENABLE": "true", "GEVENT_MAX_BLOCKING_TIME": "0.3"} if args.monitor else None
    with running_studio("bench-isolation-", env) as srv:
        show = "demo"
        host = srv.tokens["host"]
        # warm the ranking with some ordinary demand, so the GET has rows to describe
        seed = [{"user": f"w{i}", "text": t, "platform": "douyin"} for i, t in enumerate(SHOP * 10)]
        srv.session(srv.tokens["ingest"]).post(f"{srv.url}/api/shows/{show}/comments", json=seed).raise_for_status()
        idle_gets, idle_pings = measure(srv.url, show, host, args.idle_seconds)
        ctx = multiprocessing.get_context("spawn")
        stop, results = ctx.Event(), ctx.Queue()
        senders = [ctx.Process(target=send_worst_batches, daemon=True,
                               args=(srv.url, srv.tokens["ingest"], show, args.mix, k, stop, results))
                   for k in range(args.senders)]
        for p in senders:
            p.start()
        time.sleep(3.0)  # the first batches are built and in flight
        t0 = time.monotonic()
        gets, pings = measure(srv.url, show, host, args.seconds)
        load_s = time.monotonic() - t0
        stop.set()
        done = [results.get(timeout=600) for _ in senders]
        for p in senders:
            p.join(timeout=60)
        accepted = sum(d["accepted"] for d in done)
        batches = sum(d["batches"] for d in done)
        per_batch = [x for d in done for x in d["seconds"]]
        refused = sum(d["refused"] for d in done)
        if args.monitor:
            print_blocking(srv.log_path.read_text(errors="replace"))
    print(f"worst batches ({args.mix}): {BATCH} comments x {TEXT} characters, {USERS} viewers; {args.senders} "
          f"senders, one ingest token, real limits")
    print(f"ingest: {batches} batches, {accepted} comments accepted in about {load_s:.0f} s of load "
          f"({accepted / max(load_s, 1e-9):.0f} comments/s); one batch took p50 {pct(per_batch, 50):.1f} s; "
          f"429 answers: {refused}")
    print(line("GET .../ranking", idle_gets, gets))
    print(line("console /live round trip", idle_pings, pings))


if __name__ == "__main__":
    main()
