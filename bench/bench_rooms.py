"""Many rooms in one process: comment → console push latency while three shows (each with a 500-product run
sheet) take --rate comments/s each, beside the same run's baseline of one show alone at the same rate.

Each show gets the simulator's stream (batches every 50 ms) with a probe comment every --probe-every seconds about
an item boosted to the top; the latency is from the probe's POST until a ranking push carrying its text reaches
a Socket.IO subscriber of that show (as in bench_push_latency.py, which measures one show).

    .venv/bin/python bench/bench_rooms.py [--rate 2000] [--seconds 20] [--no-sheet]
"""
from __future__ import annotations

import argparse
import os
import threading
import time

from bench_ingest import run_sheet_csv
from bench_push_latency import PROBE_SLUG, PROBE_TEXT, TARGET_P95_MS, Load, mark, pct
from running_studio import ranking_listener, running_studio


class Probe(threading.Thread):
    """Probes one show while its load runs; `latencies` in ms once joined."""

    def __init__(self, srv, show: str, seconds: float, every: float):
        super().__init__(daemon=True)
        self.srv, self.show, self.seconds, self.every = srv, show, seconds, every
        self.client, self.seen = ranking_listener(srv.url, show, PROBE_SLUG, time.perf_counter,
                                                  token=srv.tokens["host"])
        ack = self.client.call("subscribe", {"show": show, "topics": ["ranking"]}, namespace="/live", timeout=5)
        assert ack["ok"], ack
        self.sent: dict[str, float] = {}
        self.latencies: list[float] = []

    def run(self) -> None:
        http = self.srv.session(self.srv.tokens["ingest"])
        start, n = time.monotonic(), 0
        while time.monotonic() - start < self.seconds:
            text = PROBE_TEXT + mark(n)
            self.sent[text] = time.perf_counter()
            http.post(f"{self.srv.url}/api/shows/{self.show}/comments",
                      json=[{"user": f"probe{n}", "text": text}], timeout=30).raise_for_status()
            n += 1
            time.sleep(max(0.0, self.every - (time.perf_counter() - self.sent[text])))
        time.sleep(1.5)  # the last probes' pushes
        self.client.disconnect()
        self.latencies = [(self.seen[t] - t0) * 1000 for t, t0 in self.sent.items() if t in self.seen]


def prepare(srv, show: str, sheet: bool) -> None:
    producer = srv.session(srv.tokens["producer"])
    producer.post(f"{srv.url}/api/shows", json={"title": show, "id": show}).raise_for_status()
    if sheet:
        producer.post(f"{srv.url}/api/shows/{show}/runsheet",
                      files={"file": ("sheet.csv", run_sheet_csv(500))}).raise_for_status()
    producer.post(f"{srv.url}/api/shows/{show}/boost", json={"slug": PROBE_SLUG, "amount": 1000}).raise_for_status()


def phase(srv, shows: list[str], rate: float, seconds: float, every: float) -> dict[str, tuple[list[float], int]]:
    loads = [Load(srv.url, srv.tokens["ingest"], s, rate, seconds) for s in shows]
    probes = [Probe(srv, s, seconds, every) for s in shows]
    for t in loads:
        t.start()
    time.sleep(1.0)
    for p in probes:
        p.start()
    for t in (*loads, *probes):
        t.join(seconds + 60)
    return {p.show: (p.latencies, len(p.sent), load.sent) for p, load in zip(probes, loads)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rate", type=float, default=2000)
    ap.add_argument("--seconds", type=float, default=20)
    ap.add_argument("--probe-every", type=float, default=0.5)
    ap.add_argument("--no-sheet", action="store_true", help="shows without run sheets (what the sheets cost)")
    args = ap.parse_args()
    os.environ.setdefault("STUDIO_RATE_LIMIT_SCALE", "100000")  # the per-token comment budget is not measured here
    with running_studio("bench-rooms-") as srv:
        for show in ("alone", "room-a", "room-b", "room-c"):
            prepare(srv, show, not args.no_sheet)
        print(f"load average {os.getloadavg()[0]:.2f}; {args.rate:,.0f} comments/s per show for {args.seconds:.0f} s, "
              f"a probe every {args.probe_every} s per show; "
              f"{'no run sheets' if args.no_sheet else 'each show has a 500-product run sheet'}")
        results = {"baseline: one show alone": phase(srv, ["alone"], args.rate, args.seconds, args.probe_every)}
        results["three shows at once"] = phase(srv, ["room-a", "room-b", "room-c"], args.rate, args.seconds,
                                               args.probe_every)
    print(f"\n{'':34}{'sent/s':>10}{'probes':>8}{'p50 ms':>8}{'p95 ms':>8}{'max ms':>8}")
    base_p95 = None
    for label, per_show in results.items():
        everything: list[float] = []
        for show, (ms, probes, sent) in per_show.items():
            everything += ms
            if ms:
                print(f"{label + ' · ' + show:34}{sent / args.seconds:10,.0f}{f'{len(ms)}/{probes}':>8}"
                      f"{pct(ms, 50):8.0f}{pct(ms, 95):8.0f}{max(ms):8.0f}")
        if everything:
            p95 = pct(everything, 95)
            base_p95 = base_p95 or p95
            print(f"{label + ' · all':34}{'':10}{len(everything):8}{pct(everything, 50):8.0f}{p95:8.0f}"
                  f"{max(everything):8.0f}   {p95 / base_p95:.1f}× baseline p95; target ≤ {TARGET_P95_MS} ms: "
                  f"{'met' if p95 <= TARGET_P95_MS else 'MISSED'}")


if __name__ == "__main__":
    main()
