"""One adapter in its own process: the adapter reads on a worker thread, a batcher posts comments to the studio,
a reporter posts health at once on every state change (so a sub-second reconnect is seen) and every few seconds
besides. SIGTERM/SIGINT, or `studio source stop` (the studio answers a report with "stop"), stop the adapter
(platform 'end' calls run), flush the last batch and send a final report, so the console shows "stopped" rather
than a silent adapter."""
from __future__ import annotations

import json
import logging
import os
import signal
import threading

from studio.sources.base import Adapter
from studio.sources.sink import Batcher, IngestSink, SinkRefused

log = logging.getLogger(__name__)

# Set by the supervisor (`studio source run`) for the adapter process it restarts: the restarts so far.
RESTARTS_ENV = "STUDIO_SOURCE_RESTARTS"


def health_report(adapter: Adapter, batcher: Batcher, sink: IngestSink, interval: float) -> dict:
    return {**adapter.status.snapshot(), "kind": "adapter", "health_interval": interval,
            "pending": batcher.pending, "sent": batcher.sent, "dropped": batcher.dropped,
            "studio_accepted": sink.accepted, "studio_duplicate": sink.duplicate}


def inherit_restarts(adapter: Adapter, environ=os.environ) -> None:
    """A restarted process carries on the count and the reasons of the restarts before it."""
    try:
        earlier = json.loads(environ.get(RESTARTS_ENV) or "[]")
    except ValueError:
        return
    for event in earlier[-30:]:
        adapter.status.events.append(event)
    adapter.status.restarts = len(earlier)


def run_adapter(adapter: Adapter, sink: IngestSink, install_signals: bool = True) -> str:
    """Run until the adapter stops; returns its final state ("stopped" or "failed")."""
    settings = adapter.settings
    interval = float(settings["health_interval"])
    batcher = Batcher(sink.post_items, int(settings["batch_max"]), float(settings["batch_interval"]),
                      on_fatal=adapter.fail).start()
    adapter.on_comments = batcher.add
    done, changed = threading.Event(), threading.Event()
    adapter.status.on_change = changed.set
    inherit_restarts(adapter)
    adapter.status.note(pid=os.getpid())

    def report() -> None:
        try:
            answer = sink.report_health(health_report(adapter, batcher, sink, interval))
        except SinkRefused as e:
            adapter.fail(f"the studio refused the health report: {e}")
            return
        if answer.get("stop") and not adapter.stopping:
            log.info("%s/%s: stopped from the studio (studio source stop)", adapter.platform, adapter.room)
            adapter.stop()
        elif answer.get("renew") and not adapter.stopping:
            log.warning("%s/%s: the studio asks for a new platform session: %s", adapter.platform, adapter.room,
                        answer["renew"])
            adapter.renew(str(answer["renew"]))

    def reporter() -> None:
        while not done.is_set():
            changed.wait(interval)
            changed.clear()
            if not done.is_set():
                report()
                done.wait(0.1)  # a burst of changes goes out as one report; the events list keeps each one

    if install_signals:
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_: adapter.stop())
    worker = threading.Thread(target=adapter.run, name=f"{adapter.platform}-adapter", daemon=True)
    worker.start()
    reporting = threading.Thread(target=reporter, name="health-reporter", daemon=True)
    reporting.start()
    while worker.is_alive():
        worker.join(0.5)  # short joins keep the main thread responsive to signals
    done.set()
    changed.set()
    # A report still on its way says an older state: it must reach the studio before the final one, not after.
    reporting.join(sink.timeout)
    batcher.close()
    sink.stop_event.set()
    report()
    log.info("%s/%s: %s (%d comments sent, %d accepted by the studio)", adapter.platform, adapter.room,
             adapter.status.state, batcher.sent, sink.accepted)
    return adapter.status.state
