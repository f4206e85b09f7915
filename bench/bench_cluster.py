"""Viewer pages through nginx in front of N studio processes, against one studio process alone, same run.

Starts `studio cluster --processes N --demo` (PostgreSQL database of its own, local Redis) and, on the same database,
one plain `studio run`; then wrk (keep-alive, --connections) on each viewer URL: the shelf page, a solution page and
the on-air poll, as a returning viewer (with a viewer cookie: nginx answers those from its one-second cache), and the
shelf as a first visit (no cookie: never cached, so it measures the processes themselves). Prints requests/s and
latency percentiles side by side and the ratio cluster / one process. Rate limits are lifted: wrk is one address.

    .venv/bin/python bench/bench_cluster.py [--processes 2] [--seconds 10] [--connections 64] [--repeat 2]
"""
from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import requests

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
from tests.support.harness import RunningCluster, drop_database, require_services  # noqa: E402
from tests.support.liveserver import LiveServer  # noqa: E402

UNLIMITED = {"STUDIO_RATE_LIMIT_SCALE": "100000"}


def wrk(url: str, seconds: int, connections: int, cookie: str | None) -> dict:
    headers = ["-H", f"Cookie: {cookie}"] if cookie else []
    out = subprocess.run(["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", *headers, url],
                         capture_output=True, text=True, check=True).stdout
    pct = dict(re.findall(r"^\s+(50|99)%\s+(\S+)", out, re.M))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)), "p50": pct.get("50", "?"),
            "p99": pct.get("99", "?"), "errors": int(errors.group(1)) if errors else 0}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--processes", type=int, default=2)
    ap.add_argument("--seconds", type=int, default=10)
    ap.add_argument("--connections", type=int, default=64)
    ap.add_argument("--repeat", type=int, default=2)
    args = ap.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed: `make system-deps` installs it")
    require_services()

    with tempfile.TemporaryDirectory(prefix="bench-cluster-") as tmp:
        cluster = RunningCluster(Path(tmp) / "cluster", processes=args.processes, extra_env=UNLIMITED)
        single = LiveServer(Path(tmp) / "single", database_url=cluster.database_url, extra_env=UNLIMITED)
        try:
            single.start()
            slug = requests.get(cluster.url + "/api/shows/demo/shelf").json()["items"][0]["slug"]
            cookie = "fls_vid=" + requests.get(cluster.url + "/live/demo").cookies["fls_vid"]
            # (label, path, as a returning viewer?) A first visit is never cached: it measures the processes alone.
            pages = [("shelf, first visit", "/live/demo", False), ("shelf page", "/live/demo", True),
                     ("solution page", f"/faq/{slug}?show=demo", True),
                     ("on-air poll (JSON)", "/api/shows/demo/now", True)]
            print(f"wrk -t2 -c{args.connections} -d{args.seconds}s, best of {args.repeat} interleaved; "
                  f"{args.processes} processes behind nginx vs 1 process alone, same database\n")
            print(f"{'page':<20} {'1 process req/s':>16} {'p50/p99':>17} {'nginx+' + str(args.processes):>10} req/s"
                  f" {'p50/p99':>17} {'ratio':>6}")
            for label, path, returning in pages:
                # Interleaved, best of --repeat each: the box is shared, and a burst of other work hits one side.
                runs: dict[str, list[dict]] = {"one": [], "many": []}
                for _ in range(args.repeat):
                    for side, base in (("one", single.url), ("many", cluster.url)):
                        runs[side].append(wrk(base + path, args.seconds, args.connections,
                                              cookie if returning else None))
                one, many = (max(runs[side], key=lambda r: r["rps"]) for side in ("one", "many"))
                errors = "" if not (one["errors"] or many["errors"]) else \
                    f"  (non-2xx: {one['errors']} / {many['errors']})"
                print(f"{label:<20} {one['rps']:>16.0f} {one['p50'] + '/' + one['p99']:>17} {many['rps']:>16.0f}"
                      f" {many['p50'] + '/' + many['p99']:>17} {many['rps'] / one['rps']:>5.2f}×{errors}")
        finally:
            single.stop()
            cluster.stop()
            drop_database(cluster.db_name)


if __name__ == "__main__":
    main()
