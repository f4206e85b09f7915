"""`studio source run` supervises: the adapter runs in a child process, restarted with backoff when it crashes or
ends without being asked to, with every restart counted and its reason reported to the studio. It is not
restarted after a failure a person must fix (exit 2: refused credentials, a chat that ended) or a stop (exit 0:
SIGTERM, `studio source stop`)."""
from __future__ import annotations

import json
import logging
import os
import signal
import subprocess
import threading
import time

from studio.blocks.backoff import Backoff
from studio.sources.runner import RESTARTS_ENV
from studio.sources.sink import IngestSink, SinkRefused

log = logging.getLogger(__name__)

EXIT_STOPPED, EXIT_FAILED, EXIT_ENDED = 0, 2, 3


def _reason(code: int) -> str:
    if code < 0:
        try:
            name = signal.Signals(-code).name
        except ValueError:
            name = str(-code)
        return f"the adapter process was killed ({name})"
    if code == EXIT_ENDED:
        return "the adapter ended without being asked to"
    return f"the adapter process exited with code {code}"


def supervise(argv: list[str], sink: IngestSink, platform: str, room: str, base: float = 1.0, cap: float = 30.0,
              stable_after: float = 60.0, env: dict | None = None) -> int:
    """Run `argv` until it stops or fails for good; returns the exit code for this process."""
    stop = threading.Event()
    child: list[subprocess.Popen] = []

    def on_signal(signum, _frame) -> None:
        stop.set()
        if child and child[0].poll() is None:
            child[0].send_signal(signal.SIGTERM)  # the adapter ends its platform session and flushes

    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, on_signal)
    backoff, restarts = Backoff(base, cap), []
    while True:
        started = time.monotonic()
        child[:] = [subprocess.Popen(argv, env={**os.environ, **(env or {}), RESTARTS_ENV: json.dumps(restarts)})]
        while (code := child[0].poll()) is None:
            time.sleep(0.2)
        if stop.is_set() or code in (EXIT_STOPPED, EXIT_FAILED):
            return code
        if time.monotonic() - started >= stable_after:
            backoff.reset()
        delay = backoff.next_delay()
        reason = _reason(code)
        restarts.append({"at": round(time.time(), 3), "kind": "restart", "reason": reason})
        log.warning("%s/%s: %s; restarting in %.1f s", platform, room, reason, delay)
        try:
            sink.report_health({"platform": platform, "room": room, "state": "backoff", "kind": "adapter",
                                "last_error": f"{reason}; restarting in {delay:.1f} s", "since": time.time(),
                                "restarts": len(restarts), "events": restarts[-30:]})
        except SinkRefused as e:
            log.error("%s/%s: the studio refused the health report: %s", platform, room, e)
            return EXIT_FAILED
        if stop.wait(delay):
            return EXIT_STOPPED
