"""One adapter in its own process: the adapter reads on a worker thread, a batcher posts comments to the studio,
a reporter posts health every few seconds. SIGTERM/SIGINT stop the adapter (platform 'end' calls run), flush the
last batch and send a final health report, so the console shows "stopped" rather than a silent adapter."""
from __future__ import annotations

import logging
import signal
import threading

from studio.sources.base import Adapter
from studio.sources.sink import Batcher, IngestSink, SinkRefused

log = logging.getLogger(__name__)


def health_report(adapter: Adapter, batcher: Batcher, sink: IngestSink, interval: float) -> dict:
    return {**adapter.status.snapshot(), "kind": "adapter", "health_interval": interval,
            "pending": batcher.pending, "sent": batcher.sent, "dropped": batcher.dropped,
            "studio_accepted": sink.accepted, "studio_duplicate": sink.duplicate}


def run_adapter(adapter: Adapter, sink: IngestSink, install_signals: bool = True) -> str:
    """Run until the adapter stops; returns its final state ("stopped" or "failed")."""
    settings = adapter.settings
    interval = float(settings["health_interval"])
    batcher = Batcher(sink.post_items, int(settings["batch_max"]), float(settings["batch_interval"]),
                      on_fatal=adapter.fail).start()
    adapter.on_comments = batcher.add
    done = threading.Event()

    def report() -> None:
        try:
            sink.report_health(health_report(adapter, batcher, sink, interval))
        except SinkRefused as e:
            adapter.fail(f"the studio refused the health report: {e}")

    def reporter() -> None:
        while not done.wait(interval):
            report()

    if install_signals:
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_: adapter.stop())
    worker = threading.Thread(target=adapter.run, name=f"{adapter.platform}-adapter", daemon=True)
    worker.start()
    report()
    threading.Thread(target=reporter, name="health-reporter", daemon=True).start()
    while worker.is_alive():
        worker.join(0.5)  # short joins keep the main thread responsive to signals
    done.set()
    batcher.close()
    sink.stop_event.set()
    report()
    log.info("%s/%s: %s (%d comments sent, %d accepted by the studio)", adapter.platform, adapter.room,
             adapter.status.state, batcher.sent, sink.accepted)
    return adapter.status.state
