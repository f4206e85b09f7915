"""Intake soak: a supervised Bilibili adapter process (`studio source run`) against the fake Open-Live under random
link drops, frozen links (open but silent both ways) and platform-ended games, at a steady comment rate, into a real
`studio run`. Every comment the fake wrote to a working link must be stored exactly once; comments the fake pushed
into a frozen link are lost on the platform side (as they would be) and counted apart.

Baseline, same run: the same rate with no faults for a quarter of the duration, on a show of its own.

    .venv/bin/python bench/soak_intake.py [--seconds 600] [--rate 50] [--seed 11]
"""
from __future__ import annotations

import argparse
import os
import random
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import requests

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))
from running_studio import running_studio  # noqa: E402

from tests.support.fakes.bilibili import FakeBilibili  # noqa: E402
from tests.support.liveserver import STUDIO  # noqa: E402


def new_show(srv, title: str) -> str:
    r = requests.post(f"{srv.url}/api/shows", json={"title": title, "id": title},
                      headers={"Authorization": f"Bearer {srv.tokens['admin']}"})
    r.raise_for_status()
    return title


def adapter(srv, show: str, fake: FakeBilibili) -> subprocess.Popen:
    return subprocess.Popen(
        [STUDIO, "source", "run", "--platform", "bilibili", "--show", show, "--room", "4242", "--url", srv.url,
         "--token", srv.tokens["ingest"], "--set", f"app_id={fake.app_id}", "--set", f"access_key_id={fake.key_id}",
         "--set", f"code={fake.code}", "--set", f"api_url={fake.url}", "--set", "batch_interval=0.1",
         "--set", "backoff_base=0.2", "--set", "backoff_cap=2"],
        env={**srv.env, "STUDIO_BILIBILI_ACCESS_KEY_SECRET": fake.secret},
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def stored_ids(srv, show: str) -> Counter:
    db = sqlite3.connect(f"file:{srv.var_dir / 'studio.db'}?mode=ro", uri=True)
    try:
        return Counter(row[0] for row in db.execute("SELECT ext_id FROM comments WHERE show_id = ?", (show,)))
    finally:
        db.close()


def health(srv, show: str) -> dict:
    r = requests.get(f"{srv.url}/api/shows/{show}/sources", headers={"Authorization": f"Bearer {srv.tokens['host']}"})
    return (r.json().get("health") or [{}])[0]


def phase(srv, show: str, seconds: float, rate: float, chaos: bool, rng: random.Random) -> dict:
    fake = FakeBilibili()
    proc = adapter(srv, show, fake)
    faults: Counter = Counter()
    sent_at: dict[str, float] = {}
    fault_log: list[tuple[float, str]] = []
    try:
        deadline = time.monotonic() + 30
        while health(srv, show).get("state") not in ("connected", "receiving") and time.monotonic() < deadline:
            time.sleep(0.2)
        stop = threading.Event()

        def sender() -> None:
            start, i = time.monotonic(), 0
            while not stop.is_set():
                sent_at[f"{show}-{i}"] = time.monotonic()
                fake.send([fake.dm(i, f"保修多久{i % 50}", msg_id=f"{show}-{i}")])
                i += 1
                time.sleep(max(0.0, start + i / rate - time.monotonic()))
            faults["sent"] = i

        def chaos_monkey() -> None:
            while not stop.wait(rng.uniform(4.0, 15.0)):
                kind = rng.choice(("drop", "drop", "freeze", "session end"))
                if kind == "drop":
                    fake.drop()
                elif kind == "freeze":
                    fake.freeze()
                else:
                    for game in fake.live_games():
                        fake.end_interaction(game)
                faults[kind] += 1
                fault_log.append((time.monotonic(), kind))

        threads = [threading.Thread(target=sender, daemon=True)]
        if chaos:
            threads.append(threading.Thread(target=chaos_monkey, daemon=True))
        for t in threads:
            t.start()
        time.sleep(seconds)
        stop.set()
        for t in threads:
            t.join()
        delivered = set(fake.delivered)
        settle = time.monotonic() + 30
        while not delivered <= set(stored_ids(srv, show)) and time.monotonic() < settle:
            time.sleep(0.5)
        h = health(srv, show)
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
        fake.close()
    stored = stored_ids(srv, show)
    for msg_id in sorted(delivered - set(stored), key=lambda m: sent_at.get(m, 0))[:10]:
        t = sent_at.get(msg_id, 0.0)
        before = [(t - at, kind) for at, kind in fault_log if at <= t + 1.0]
        near = f"{before[-1][0]:+.2f} s after a {before[-1][1]}" if before else "before any fault"
        print(f"  missing {msg_id}: sent {near}")
    return {"sent": faults["sent"], "sent_while_up": len(delivered), "lost_in_frozen_links": len(set(fake.lost)),
            "stored": sum(stored.values()), "stored_of_sent_while_up": len(delivered & set(stored)),
            "missing": len(delivered - set(stored)), "stored_twice": sum(n - 1 for n in stored.values() if n > 1),
            "adapter_dropped_repeats": h.get("duplicates", 0), "reconnects": h.get("reconnects", 0),
            "restarts": h.get("restarts", 0), "games_started": len(fake.http.calls("/v2/app/start")),
            "drops": faults["drop"], "freezes": faults["freeze"], "session_ends": faults["session end"]}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=600.0)
    ap.add_argument("--rate", type=float, default=50.0)
    ap.add_argument("--seed", type=int, default=11)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    with running_studio("soak-intake-") as srv:
        base = phase(srv, new_show(srv, "soak-base"), max(10.0, args.seconds / 4), args.rate, False, rng)
        soak = phase(srv, new_show(srv, "soak-chaos"), args.seconds, args.rate, True, rng)
    print(f"intake soak: {args.seconds:g} s at {args.rate:g} comments/s, seed {args.seed}")
    print(f"{'':28}{'baseline (no faults)':>22}{'soak (faults)':>16}")
    for key in soak:
        print(f"{key:28}{base[key]:>22}{soak[key]:>16}")
    ratio = lambda r: r["stored_of_sent_while_up"] / max(1, r["sent_while_up"])  # noqa: E731
    print(f"{'stored / sent-while-up':28}{ratio(base):>22.4f}{ratio(soak):>16.4f}")
    ok = soak["missing"] == 0 and soak["stored_twice"] == 0 and base["missing"] == 0
    print("every comment sent while a link was up stored exactly once" if ok else "LOSS OR DUPLICATES")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    main()
