"""Many rooms in one process: comment → console push latency and comments/s per show, for one show alone and three
shows at once, each pair without and with a 500-product run sheet (where a --product-share of the comments are
product questions), all in the same run so the ratios compare like with like on a shared machine.

Each show gets the simulator's stream (batches every 50 ms) with a probe comment every --probe-every seconds about
an item boosted to the top; the latency is from the probe's POST until a ranking push carrying its text reaches
a Socket.IO subscriber of that show (probes are spaced at random, ±50%, so they meet the push cadence at every
phase) (as in bench_push_latency.py, which measures one show). The server's own CPU
seconds per phase (all its threads) say what a comment costs, apart from the load generator beside it.

    .venv/bin/python bench/bench_rooms.py [--rate 2000] [--seconds 20] [--product-share 0.1] [--shows 3]

--cluster: the scaled mode instead (`studio cluster --processes 2`: nginx, PostgreSQL, Redis). --shows (default 6
there) shows at once through nginx, every show with a sheet, beside one show alone through the same cluster and the
same --shows split in half on one plain `studio run` on the same database (what the second process buys). Each show
has one owner process (its Redis lease, printed); comments reach either process through nginx and are forwarded
to the owner, and the probe's console is a Socket.IO client of whichever process nginx gives it.
"""
from __future__ import annotations

import argparse
import os
import random
import tempfile
import threading
import time
from pathlib import Path
from types import SimpleNamespace

import redis
import requests
from bench_ingest import mix_product_questions, proc_cpu_seconds, run_sheet_csv
from bench_push_latency import PROBE_SLUG, PROBE_TEXT, TARGET_P95_MS, Load, mark, pct
from running_studio import UNLIMITED, ranking_listener, running_studio

from studio.scale.redis_link import key_prefix
from tests.support.harness import REDIS_URL, RunningCluster, drop_database, require_services
from tests.support.liveserver import LiveServer

TARGET_RATE = 2000


class Probe(threading.Thread):
    """Probes one show while its load runs; `latencies` in ms once joined."""

    def __init__(self, url: str, tokens: dict, session, show: str, seconds: float, every: float):
        super().__init__(daemon=True)
        self.url, self.show, self.seconds, self.every = url, show, seconds, every
        self.http = session(tokens["ingest"])
        self.client, self.seen = ranking_listener(url, show, PROBE_SLUG, time.perf_counter, token=tokens["host"])
        ack = self.client.call("subscribe", {"show": show, "topics": ["ranking"]}, namespace="/live", timeout=5)
        assert ack["ok"], ack
        self.sent: dict[str, float] = {}
        self.latencies: list[float] = []
        self.answered: list[float] = []  # ms from the probe's POST to its answer (stored, matched, counted)
        # Probes at random phases of the push cadence: a fixed period would meet the flusher at the same phase
        # every time and measure one point of its interval.
        self.rng = random.Random(show)

    def run(self) -> None:
        start, n = time.monotonic(), 0
        while time.monotonic() - start < self.seconds:
            text = PROBE_TEXT + mark(n)
            self.sent[text] = time.perf_counter()
            self.http.post(f"{self.url}/api/shows/{self.show}/comments",
                           json=[{"user": f"probe{n}", "text": text}], timeout=30).raise_for_status()
            self.answered.append((time.perf_counter() - self.sent[text]) * 1000)
            n += 1
            gap = self.every * self.rng.uniform(0.5, 1.5)
            time.sleep(max(0.0, gap - (time.perf_counter() - self.sent[text])))
        time.sleep(1.5)  # the last probes' pushes
        self.client.disconnect()
        self.latencies = [(self.seen[t] - t0) * 1000 for t, t0 in self.sent.items() if t in self.seen]


class ProductLoad(Load):
    """The simulator's stream with every 1/share-th comment a product question of the fixture."""

    def __init__(self, *args, share: float = 0.0):
        super().__init__(*args)
        if share > 0:
            draw = self.stream.batch

            def batch(n: int, now: float) -> list[dict]:
                comments = draw(n, now)
                mix_product_questions(comments, share)
                return comments
            self.stream.batch = batch


def session(token: str) -> requests.Session:
    s = requests.Session()
    s.headers["Authorization"] = f"Bearer {token}"
    return s


def prepare(srv, show: str, sheet: bool) -> None:
    producer = srv.session(srv.tokens["producer"])
    producer.post(f"{srv.url}/api/shows", json={"title": show, "id": show}).raise_for_status()
    if sheet:
        producer.post(f"{srv.url}/api/shows/{show}/runsheet",
                      files={"file": ("sheet.csv", run_sheet_csv(500))}).raise_for_status()
    producer.post(f"{srv.url}/api/shows/{show}/boost", json={"slug": PROBE_SLUG, "amount": 1000}).raise_for_status()


def phase(url: str, tokens: dict, session, shows: list[str], args, share: float, pids: list[int]) -> dict:
    """{"shows": {show: (latencies ms, probes sent, comments sent)}, "answered": POST ms, "cpu": server CPU s,
    "client": this process's CPU s, "wall": s}"""
    loads = [ProductLoad(url, tokens["ingest"], s, args.rate, args.seconds, share=share) for s in shows]
    probes = [Probe(url, tokens, session, s, args.seconds, args.probe_every) for s in shows]
    cpu0, t0, own0 = sum(map(proc_cpu_seconds, pids)), time.perf_counter(), time.process_time()
    for t in loads:
        t.start()
    time.sleep(1.0)
    for p in probes:
        p.start()
    for t in loads:
        t.join(args.seconds + 60)
    cpu, wall = sum(map(proc_cpu_seconds, pids)) - cpu0, time.perf_counter() - t0
    own = time.process_time() - own0
    for p in probes:
        p.join(args.seconds + 60)
    return {"shows": {p.show: (p.latencies, len(p.sent), load.sent) for p, load in zip(probes, loads)},
            "answered": [ms for p in probes for ms in p.answered], "cpu": cpu, "client": own, "wall": wall}


def report(results: dict, seconds: float) -> None:
    print(f"\n{'':40}{'sent/s':>9}{'probes':>8}{'p50 ms':>8}{'p95 ms':>8}{'max ms':>8}{'POST p95':>9}"
          f"{'CPU ms/1k':>11}")
    base = {}
    for label, res in results.items():
        everything: list[float] = []
        total = sum(sent for _, _, sent in res["shows"].values())
        for show, (ms, probes, sent) in res["shows"].items():
            everything += ms
            if ms and len(res["shows"]) > 1:
                print(f"{'  ' + show:40}{sent / seconds:9,.0f}{f'{len(ms)}/{probes}':>8}"
                      f"{pct(ms, 50):8.0f}{pct(ms, 95):8.0f}{max(ms):8.0f}")
        if not everything:
            print(f"{label:40} no probe reached its subscriber")
            continue
        p95, per_k = pct(everything, 95), res["cpu"] / max(1, total) * 1e6
        base.setdefault("p95", p95)
        base.setdefault("cpu", per_k)
        slowest = min(sent for _, _, sent in res["shows"].values()) / seconds
        print(f"{label:40}{total / seconds:9,.0f}{len(everything):8}{pct(everything, 50):8.0f}{p95:8.0f}"
              f"{max(everything):8.0f}{pct(res['answered'], 95):9.0f}{per_k:11.1f}   p95 {p95 / base['p95']:.1f}×, "
              f"CPU/comment {per_k / base['cpu']:.2f}× the first; server {res['cpu'] / res['wall']:.0%}, "
              f"load generator {res['client'] / res['wall']:.0%} of a core; "
              f"{'met' if p95 <= TARGET_P95_MS and slowest >= TARGET_RATE * 0.98 else 'MISSED'}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rate", type=float, default=2000)
    ap.add_argument("--seconds", type=float, default=20)
    ap.add_argument("--probe-every", type=float, default=0.5)
    ap.add_argument("--product-share", type=float, default=0.1)
    ap.add_argument("--shows", type=int, default=None, help="shows at once (3; 6 with --cluster)")
    ap.add_argument("--only-sheet", action="store_true", help="skip the shows without run sheets")
    ap.add_argument("--cluster", action="store_true", help="the scaled mode: two processes behind nginx")
    args = ap.parse_args()
    if args.cluster:
        args.shows = args.shows or 6
        return scaled(args)
    args.shows = args.shows or 3
    rooms = [f"room-{chr(97 + k)}" for k in range(args.shows)]
    with running_studio("bench-rooms-", UNLIMITED) as srv:
        kinds = (("with 500-product sheets", True),) if args.only_sheet else (
            ("no run sheet", False), ("with 500-product sheets", True))
        for _, sheet in kinds:
            for show in ("alone", *rooms):
                prepare(srv, show + ("-s" if sheet else ""), sheet)
        print(f"load average {os.getloadavg()[0]:.2f}; {args.rate:,.0f} comments/s per show for {args.seconds:.0f} s, "
              f"a probe every {args.probe_every} s per show; shows with a sheet get {args.product_share:.0%} "
              f"product questions; target per show ≥ {TARGET_RATE:,}/s sent, p95 ≤ {TARGET_P95_MS} ms")
        results = {}
        for suffix, sheet in kinds:
            tag, share = ("-s", args.product_share) if sheet else ("", 0.0)
            results[f"one show alone, {suffix}"] = phase(srv.url, srv.tokens, srv.session, ["alone" + tag], args,
                                                         share, [srv.proc.pid])
            results[f"{args.shows} shows at once, {suffix}"] = phase(srv.url, srv.tokens, srv.session,
                                                                     [r + tag for r in rooms], args, share,
                                                                     [srv.proc.pid])
    report(results, args.seconds)


def scaled(args) -> None:
    require_services()
    rooms = [f"room-{chr(97 + k)}" for k in range(args.shows)]
    half = rooms[:max(1, args.shows // 2)]
    with tempfile.TemporaryDirectory(prefix="bench-rooms-cluster-") as tmp:
        cluster = RunningCluster(Path(tmp) / "cluster", processes=2, extra_env=UNLIMITED)
        single = None
        try:
            tokens = {role: cluster.token(role) for role in ("producer", "host", "ingest")}
            srv = SimpleNamespace(url=cluster.url, tokens=tokens, session=session)
            for show in ("alone", *rooms):
                prepare(srv, show, True)
            pids = [cluster.pid(f"studio-{i}") for i in (1, 2)]
            print(f"load average {os.getloadavg()[0]:.2f}; scaled mode: nginx + 2 studio processes, PostgreSQL, "
                  f"Redis; {args.rate:,.0f} comments/s per show for {args.seconds:.0f} s, every show with a "
                  f"500-product sheet and {args.product_share:.0%} product questions; CPU is the studio processes' own")
            results = {"one show alone, 2 processes": phase(cluster.url, tokens, session, ["alone"], args,
                                                            args.product_share, pids)}
            results[f"{args.shows} shows at once, 2 processes"] = phase(cluster.url, tokens, session, rooms, args,
                                                                       args.product_share, pids)
            owners = lease_owners(cluster.database_url, ["alone", *rooms], pids)
            single = LiveServer(Path(tmp) / "single", database_url=cluster.database_url, extra_env=UNLIMITED)
            single.start()
            for show in half:  # prepared here: a boost lives in the board of the process that owns the show
                prepare(SimpleNamespace(url=single.url, tokens=tokens, session=session), f"one-{show}", True)
            results[f"{len(half)} shows at once, 1 process"] = phase(
                single.url, tokens, session, [f"one-{r}" for r in half], args, args.product_share, [single.proc.pid])
        finally:
            if single is not None:
                single.stop()
            cluster.stop()
            drop_database(cluster.db_name)
    print("owner process per show: " + ", ".join(f"{s} → {o}" for s, o in owners.items()))
    report(results, args.seconds)


def lease_owners(database_url: str, shows: list[str], pids: list[int]) -> dict[str, str]:
    """Which studio process holds each show's lease (the lease value names the pid)."""
    r = redis.Redis.from_url(REDIS_URL, decode_responses=True)
    names = {str(pid): f"studio-{i}" for i, pid in enumerate(pids, 1)}
    out = {}
    for show in shows:
        holder = r.get(f"{key_prefix(database_url)}owner:{show}") or "?"
        out[show] = names.get(holder.split(":")[1] if holder.count(":") >= 2 else "", holder)
    return out


if __name__ == "__main__":
    main()
