"""Solution pages under load: /faq/<slug> beside the same HTML served as a static file, same server, same run.

Starts `studio run` on a free loopback port with a temporary database, the demo catalog and show, then drives it with
wrk (Debian's `wrk`: keep-alive connections, as browsers use them):

  static file      the rendered solution page saved under static/ and served by the same process (baseline)
  faq, returning   GET /faq/<slug>?show=<show> with a viewer cookie (a viewer who has been here before)
  faq, first visit the same without a cookie: the page also hands out the viewer id (Set-Cookie)

    .venv/bin/python bench/bench_pages.py [--connections 10] [--seconds 5] [--rounds 3] [--slug coupon-claim]

Target: ≥ 3,000 requests/s with p50 ≤ 5 ms at 10 connections on one process.
"""
from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import urllib.request
from pathlib import Path

from running_studio import REPO, running_studio

SHOW = "demo"
TARGET_RPS, TARGET_P50_MS = 3000, 5.0
VIEWER_COOKIE = "fls_vid=benchviewer0000000000"


def fetch(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=5) as resp:
        return resp.read()


_UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def _ms(text: str) -> float:
    value, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", text).groups()
    return float(value) * _UNITS_MS[unit]


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def wrk(url: str, connections: int, seconds: int, server_pid: int, headers: tuple[str, ...] = ()) -> dict:
    """requests/s, p50 and p99 (ms), non-2xx count, and requests per CPU-second of the server from one wrk run.
    The last one still means something when other work shares the machine's cores."""
    cmd = ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--latency"]
    for h in headers:
        cmd += ["-H", h]
    cpu = cpu_seconds(server_pid)
    out = subprocess.run([*cmd, url], capture_output=True, text=True, check=True, timeout=seconds + 30).stdout
    cpu = cpu_seconds(server_pid) - cpu
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    total = int(re.search(r"(\d+) requests in", out).group(1))
    return {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
            "p50": _ms(re.search(r"\s50%\s+(\S+)", out).group(1)),
            "p99": _ms(re.search(r"\s99%\s+(\S+)", out).group(1)),
            "errors": int(bad.group(1)) if bad else 0,
            "per_cpu_s": total / cpu if cpu > 0 else float("nan")}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--connections", type=int, default=10)
    ap.add_argument("--seconds", type=int, default=5, help="per run")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--slug", default="coupon-claim")
    args = ap.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is missing: `make system-deps` installs it (Debian package wrk)")

    with running_studio("bench-pages-") as srv:
        page_url = f"{srv.url}/faq/{args.slug}?show={SHOW}"
        static_file = REPO / "static" / f"_bench_{os.getpid()}.html"
        pid = srv.proc.pid
        try:
            static_file.write_bytes(fetch(page_url))
            runs = [("static file (same HTML)", f"{srv.url}/static/{static_file.name}", ()),
                    ("/faq/<slug>, returning viewer", page_url, (f"Cookie: {VIEWER_COOKIE}",)),
                    ("/faq/<slug>, first visit", page_url, ())]
            for _, url, headers in runs:  # warm up: rendered page cache, item map
                wrk(url, args.connections, 1, pid, headers)
            # Interleaved rounds, median of each figure: a busy neighbour on the machine hits every target alike.
            rounds = [[wrk(url, args.connections, args.seconds, pid, headers) for _, url, headers in runs]
                      for _ in range(args.rounds)]
            results = [(name, {k: statistics.median(r[i][k] for r in rounds) for k in rounds[0][i]})
                       for i, (name, _, _) in enumerate(runs)]
        finally:
            static_file.unlink(missing_ok=True)

    print(f"Solution page /faq/{args.slug}: {args.connections} keep-alive connections, median of {args.rounds} "
          f"interleaved {args.seconds} s runs, one `studio run` process (gevent), wrk -t1, {os.cpu_count()} CPUs, "
          f"load average {os.getloadavg()[0]:.1f}")
    print(f"{'':32}{'req/s':>8}{'p50 ms':>9}{'p99 ms':>9}{'non-2xx':>9}{'vs static':>11}{'req/CPU-s':>11}")
    baseline = results[0][1]["rps"]
    for name, r in results:
        print(f"{name:32}{r['rps']:>8.0f}{r['p50']:>9.2f}{r['p99']:>9.2f}{r['errors']:>9}"
              f"{r['rps'] / baseline:>10.2f}x{r['per_cpu_s']:>11.0f}")
    faq = results[1][1]
    ok = faq["rps"] >= TARGET_RPS and faq["p50"] <= TARGET_P50_MS
    print(f"target for /faq/<slug>: >= {TARGET_RPS} req/s with p50 <= {TARGET_P50_MS:.0f} ms: "
          f"{'met' if ok else 'NOT met'}")


if __name__ == "__main__":
    main()
