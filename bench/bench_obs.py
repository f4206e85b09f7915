"""How long from ObsDriver.apply() until OBS holds the new text, beside raw obs-websocket round trips.

Starts a private headless OBS (tests/obs_harness.py), then, in the same run:
  baseline  GetInputSettings and SetInputSettings round trips on a plain client, and a plain
            SetInputSettings followed by polling GetInputSettings until the text reads back;
  driver    apply() until the question text reads back (same polling), and until the driver reports the
            whole state applied (texts, card shown, program scene checked).

    .venv/bin/python bench/bench_obs.py [--actions 100] [--gevent]
"""
from __future__ import annotations

import argparse
import sys

if "--gevent" in sys.argv:  # patch before anything imports socket or threading, as the server does
    from gevent import monkey

    monkey.patch_all()

import time  # noqa: E402
from collections.abc import Callable  # noqa: E402
from pathlib import Path  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from obswebsocket import obsws, requests  # noqa: E402

from overlays.obs import ObsDriver, ObsMapping, OnAirText, format_question  # noqa: E402
from tests.support.obs_harness import ANSWER, CARD, QUESTION, SCENE, ObsHarness  # noqa: E402

POLL_LIMIT_S = 2.0  # per action: a text that never shows up ends the action instead of hanging the run


def pct(samples: list[float], p: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def read_text(ws: obsws) -> str:
    return ws.call(requests.GetInputSettings(inputName=QUESTION)).getInputSettings().get("text", "")


def until_reads(ws: obsws, expected: str, since: float) -> float:
    """Seconds from `since` until OBS returns `expected`; polls back to back so the poll adds one round trip."""
    deadline = since + POLL_LIMIT_S
    while time.perf_counter() < deadline:
        if read_text(ws) == expected:
            return time.perf_counter() - since
    raise RuntimeError(f"OBS never showed {expected!r} within {POLL_LIMIT_S} s")


def timed(actions: int, action: Callable[[int], object]) -> list[float]:
    samples = []
    for i in range(actions):
        t = time.perf_counter()
        action(i)
        samples.append(time.perf_counter() - t)
    return samples


def bench(harness: ObsHarness, actions: int) -> dict[str, list[float]]:
    writer, reader = harness.client(), harness.client()
    mapping = ObsMapping(port=harness.port, password=harness.password, question_input=QUESTION, answer_input=ANSWER,
                         scene=SCENE, scene_item=CARD, on_air_scene=SCENE)
    driver = ObsDriver(mapping)
    driver.start()
    try:
        results = {
            "GetInputSettings round trip": timed(actions, lambda i: read_text(reader)),
            "SetInputSettings round trip": timed(actions, lambda i: writer.call(requests.SetInputSettings(
                inputName=QUESTION, inputSettings={"text": f"set {i}"}, overlay=True))),
        }

        def plain(i: int) -> float:
            t = time.perf_counter()
            writer.call(requests.SetInputSettings(inputName=QUESTION, inputSettings={"text": f"plain {i}"},
                                                  overlay=True))
            return until_reads(reader, f"plain {i}", t)
        results["SetInputSettings -> readable"] = [plain(i) for i in range(actions)]

        apply_call, applied = [], []

        def through_driver(i: int) -> float:
            on_air = OnAirText(question=f"第{i}个问题：几号发货？", answer="现货48小时内发出。", number=i % 60 + 1,
                               slug=f"q{i}")
            before = driver.status()["last_applied_at"]
            t = time.perf_counter()
            driver.apply(on_air)
            apply_call.append(time.perf_counter() - t)
            readable = until_reads(reader, format_question(on_air), t)
            deadline = t + POLL_LIMIT_S
            while driver.status()["last_applied_at"] == before and time.perf_counter() < deadline:
                time.sleep(0.0002)
            applied.append(time.perf_counter() - t)
            return readable
        if not wait_connected(driver):
            raise RuntimeError(f"driver did not connect: {driver.status()}")
        results["driver apply() -> readable"] = [through_driver(i) for i in range(actions)]
        results["driver apply() -> all applied"] = applied
        results["driver apply() call itself"] = apply_call
        if driver.status()["last_error"]:
            raise RuntimeError(f"driver reported: {driver.status()['last_error']}")
        return results
    finally:
        driver.stop()
        writer.disconnect()
        reader.disconnect()


def wait_connected(driver: ObsDriver, timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while not driver.status()["connected"] and time.monotonic() < deadline:
        time.sleep(0.01)
    return driver.status()["connected"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--actions", type=int, default=100)
    parser.add_argument("--gevent", action="store_true", help="run monkey-patched, like the server")
    args = parser.parse_args()
    harness = ObsHarness()
    try:
        started = harness.start()
        harness.build_faq_scene()
        results = bench(harness, args.actions)
    finally:
        harness.stop()
    base = pct(results["SetInputSettings -> readable"], 50)
    print(f"headless OBS up in {started:.2f} s; {args.actions} actions each; "
          f"{'gevent' if args.gevent else 'threads'}; ms")
    print(f"{'':34}{'p50':>8}{'p95':>8}  p50 vs plain set->readable")
    for name, samples in results.items():
        p50, p95 = pct(samples, 50) * 1000, pct(samples, 95) * 1000
        print(f"{name:34}{p50:8.3f}{p95:8.3f}  x{p50 / 1000 / base:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
