"""End to end: a fake Bilibili streams 10,000 comments into a running studio through an adapter process
(`studio source run`). Every comment is counted once — redelivered frames are dropped by the adapter, or by the
studio's unique constraint once the adapter's window has forgotten them — and the ranking reflects the stream."""
from __future__ import annotations

import signal
import subprocess
import time

from tests.support.fakes.bilibili import FakeBilibili
from tests.support.fakes.harness import as_role, stats
from tests.support.fakes.workload import expected, frames, stream
from tests.support.liveserver import STUDIO
from tests.support.shows import new_show
from tests.support.waiting import wait_for

N = 10_000


def test_ten_thousand_comments_through_an_adapter_process(server):
    fake = FakeBilibili()
    show_id = new_show(server, "e2e")
    proc = subprocess.Popen(
        [STUDIO, "source", "run", "--platform", "bilibili", "--show", show_id, "--room", "4242", "--url", server.url,
         "--token", server.tokens["ingest"], "--set", f"app_id={fake.app_id}", "--set", f"access_key_id={fake.key_id}",
         "--set", f"code={fake.code}", "--set", f"api_url={fake.url}", "--set", "dedupe_size=100",
         "--set", "batch_interval=0.05", "--set", "health_interval=0.5"],
        env={**server.env, "STUDIO_BILIBILI_ACCESS_KEY_SECRET": fake.secret},
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        encoded = frames(N)
        wait_for(lambda: fake.ws.open_count == 1, timeout=20, what="the adapter's WebSocket")
        time.sleep(0.2)  # auth reply on its way
        took = stream(fake, encoded, rate=2500)
        last_sent = time.monotonic()
        wait_for(lambda: stats(server, show_id)["comments_stored"] >= N, timeout=30, what=f"{N} stored", interval=0.05)
        settle = time.monotonic() - last_sent
        time.sleep(0.5)  # anything still in flight would show up now
        s = stats(server, show_id)
        assert s["comments_stored"] == N, "every comment stored once"
        want = expected(N)
        assert {k: s["per_item"].get(k) for k in want} == dict(want)
        ranking = as_role(server, "host").get(f"{server.url}/api/shows/{show_id}/ranking").json()["items"]
        assert [r["slug"] for r in ranking[:3]] == ["appliance-warranty", "size-guide", "invoice"]
        assert took < 60 and settle < 10, f"stream {took:.1f}s, last comment stored {settle:.1f}s after sending"
        def health() -> dict:
            return as_role(server, "host").get(f"{server.url}/api/shows/{show_id}/sources").json()["health"][0]
        wait_for(lambda: health().get("studio_accepted") == N, what="the adapter's health report to catch up",
                 interval=0.05)
        h = health()
        assert h["state"] in ("receiving", "silent")
        assert h["duplicates"] > 0, "redelivered frames dropped by the adapter"
        assert h["studio_duplicate"] > 0, "redeliveries the adapter had forgotten dropped by the studio"
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            _, err = proc.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            raise
        fake.close()
    assert proc.returncode == 0, err[-2000:]
