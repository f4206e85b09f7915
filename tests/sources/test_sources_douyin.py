"""Douyin interactive-game data push: the signed webhook receiver in the real studio, and the push-task adapter,
against a local fake of the platform."""
from __future__ import annotations

import sqlite3
import time

import pytest

from studio.sources.douyin import DouyinPushTaskAdapter, push_signature, verify_push
from tests.support.fakes.douyin import FakeDouyin
from tests.support.fakes.harness import Running, as_role, paced, stats, wait_stored
from tests.support.shows import new_show
from tests.support.waiting import wait_for


@pytest.fixture
def douyin():
    fake = FakeDouyin()
    yield fake
    fake.close()


def configure(server, show_id: str, fake: FakeDouyin, room: str | None = None) -> str:
    r = as_role(server, "producer").put(f"{server.url}/api/shows/{show_id}/sources", json={"sources": [{
        "platform": "douyin", "room": fake.room if room is None else room, "enabled": True,
        "settings": {"app_id": fake.app_id, "app_secret": fake.app_secret, "push_secret": fake.push_secret}}]})
    assert r.status_code == 200, r.text
    return f"{server.url}/hooks/douyin/{fake.app_id}"


def stored_rows(server, show_id: str) -> list[tuple]:
    db = sqlite3.connect(f"file:{server.var_dir / 'studio.db'}?mode=ro", uri=True)
    try:
        return db.execute("SELECT ext_id, ts, user_quality FROM comments WHERE show_id = ? ORDER BY ext_id",
                          (show_id,)).fetchall()
    finally:
        db.close()


def test_signature_matches_the_published_example():
    headers = {"x-nonce-str": "123456", "x-timestamp": "456789", "x-roomid": "268", "x-msg-type": "user_group"}
    body, secret = "abc123你好".encode(), "123abc"
    assert push_signature(headers, body, secret) == "GAkalGmhzqlUGQO/TgvMug=="
    assert verify_push({**headers, "X-Signature": "GAkalGmhzqlUGQO/TgvMug=="}, body, secret)
    assert not verify_push({**headers, "x-signature": "GAkalGmhzqlUGQO/TgvMug=="}, body + b" ", secret)


def test_pushes_with_repeats_out_of_order_are_stored_once_with_their_own_time(server, douyin):
    show_id = new_show(server, "dy")
    url = configure(server, show_id, douyin)
    base_ms = int(time.time() * 1000) - 60_000
    payloads = [douyin.payload(i, f"问{i % 4}号链接什么时候发货", ts_ms=base_ms + i * 100) for i in range(60)]
    pushes = douyin.shuffled_with_repeats(payloads, repeats=15)
    batches = [pushes[i:i + 3] for i in range(0, len(pushes), 3)]  # several comments per push
    assert set(douyin.push_all(url, batches)) == {200}
    wait_stored(server, show_id, 60)
    rows = stored_rows(server, show_id)
    assert len(rows) == 60, "every comment once, repeats dropped"
    expected = {p["msg_id"]: p["timestamp"] / 1000 for p in payloads}
    assert all(abs(ts - expected[ext_id]) < 1e-3 for ext_id, ts, _ in rows), "each keeps its platform time"
    assert {q for _, _, q in rows} == {"stable"}
    assert max(douyin.push_latencies) < 0.5, f"pushes must be answered fast: {max(douyin.push_latencies):.3f}s"
    health = as_role(server, "producer").get(f"{server.url}/api/shows/{show_id}/sources").json()["health"]
    receiver = next(h for h in health if h["platform"] == "douyin")
    assert receiver["received"] == 60 and receiver["duplicates"] == 15 and receiver["per_minute"] == 60


def test_bad_signature_unknown_app_and_missing_headers_are_refused(server, douyin):
    show_id = new_show(server, "dy-bad")
    url = configure(server, show_id, douyin)
    assert douyin.push(url, [douyin.payload(1, "伪造")], secret="not-the-secret").status_code == 401
    assert douyin.push(url.replace(douyin.app_id, "tt-other"), [douyin.payload(2, "x")]).status_code == 404
    r = douyin.push(url, [douyin.payload(3, "换了房间")], room="7399999999999999999")
    assert r.status_code == 404, "a source bound to a room takes only that room's pushes"
    import requests
    r = requests.post(url, data=b"[]", headers={"content-type": "application/json"}, timeout=5)
    assert r.status_code == 400 and "x-signature" in r.json()["error"]
    assert douyin.push(url, [{"gift": 1}], msg_type="live_gift").json()["err_msg"] == "ignored"
    assert stats(server, show_id)["comments_stored"] == 0


def start_task(fake: FakeDouyin, **overrides) -> Running:
    settings = {"app_id": fake.app_id, "app_secret": fake.app_secret, "api_url": fake.api_url,
                "token_url": fake.token_url, "status_interval": 0.05, **overrides}
    return Running(DouyinPushTaskAdapter, fake.room, **{k: v for k, v in settings.items() if v is not None})


def test_task_starts_is_watched_and_stops(douyin):
    run = start_task(douyin)
    run.wait_state("connected")
    assert douyin.task_status == 3
    wait_for(lambda: len(douyin.http.calls("/api/live_data/task/get")) >= 2, what="status checks")
    assert run.stop() == "stopped"
    assert douyin.task_status == 2, "task/stop is called when the adapter stops"


def test_task_restarts_when_stopped_and_ends_when_gone(douyin):
    run = start_task(douyin)
    run.wait_state("connected")
    douyin.task_status = 2  # stopped behind our back: start it again
    wait_for(lambda: len(douyin.http.calls("/api/live_data/task/start")) >= 2, what="a second task/start")
    douyin.task_status = 1  # the streamer ended the stream: the next stream has a new room id
    assert run.wait_done() == "failed"
    assert "new room id" in run.adapter.status.last_error
    assert "stream ended" in run.adapter.status.last_error


@pytest.mark.parametrize("change, reason", [({"app_secret": "wrong"}, "check app_id and app_secret"),
                                            ({"room": "7311111111111111111"}, "room id is wrong")])
def test_task_refusals_are_fatal(douyin, change, reason):
    room = change.pop("room", douyin.room)
    settings = {"app_id": douyin.app_id, "app_secret": douyin.app_secret, "api_url": douyin.api_url,
                "token_url": douyin.token_url, **change}
    run = Running(DouyinPushTaskAdapter, room, **settings)
    assert run.wait_done() == "failed"
    assert reason in run.adapter.status.last_error


# --- under faults ----------------------------------------------------------------------------------------------

def test_a_task_stopped_behind_our_back_is_started_again_within_5_s(douyin):
    run = start_task(douyin, status_interval=None)  # the default: a check every 3 s
    run.wait_state("connected")
    douyin.task_status = 2
    stopped = time.monotonic()
    wait_for(lambda: len(douyin.http.calls("/api/live_data/task/start")) == 2 and douyin.task_status == 3,
             timeout=5, what="the task started again")
    print(f"started again after {time.monotonic() - stopped:.1f} s")
    assert run.adapter.status.restarts == 1
    assert "status 2" in [e["reason"] for e in run.adapter.status.events if e["kind"] == "restart"][0]
    run.stop()


def test_failing_status_checks_keep_the_task_and_an_expired_token_is_renewed(douyin):
    run = start_task(douyin)
    run.wait_state("connected")
    for i in range(10):  # the link to the platform fails again and again
        if i % 2:
            douyin.fail_gets = 2
        else:
            douyin.reset_gets = 1
        wait_for(lambda: douyin.fail_gets == 0 and douyin.reset_gets == 0, what="the failing checks")
        run.wait_state("connected")
    douyin.expire_tokens()
    wait_for(lambda: len(douyin.http.calls("/api/apps/v2/token")) == 2, what="a renewed access token")
    checks = len(douyin.http.calls("/api/live_data/task/get"))
    wait_for(lambda: len(douyin.http.calls("/api/live_data/task/get")) > checks + 3, what="checks going on")
    assert len(douyin.http.calls("/api/live_data/task/start")) == 1, "the task outlived every failure"
    assert douyin.task_status == 3 and run.adapter.status.reconnects >= 10 and run.adapter.status.restarts == 0
    run.stop()


def test_pushes_that_stop_in_a_busy_room_renew_the_task_and_are_an_intake_gap(paced_server, douyin):
    import os
    import signal
    import subprocess

    from tests.support.liveserver import STUDIO
    server = paced_server
    douyin.room = "7300000000000000777"  # a room of its own: a push goes to the source configured for its room
    show_id = new_show(server, "dysilent")
    assert as_role(server, "host").post(f"{server.url}/api/shows/{show_id}/start").status_code == 200
    url = configure(server, show_id, douyin)
    proc = subprocess.Popen(
        [STUDIO, "source", "run", "--platform", "douyin", "--show", show_id, "--room", douyin.room, "--url",
         server.url, "--token", server.tokens["ingest"], "--set", f"app_id={douyin.app_id}", "--set",
         f"api_url={douyin.api_url}", "--set", f"token_url={douyin.token_url}", "--set", "status_interval=0.5",
         "--set", "health_interval=0.5"],
        env={**server.env, "STUDIO_DOUYIN_APP_SECRET": douyin.app_secret,
             "STUDIO_DOUYIN_PUSH_SECRET": douyin.push_secret},
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def source(kind: str) -> dict:
        r = as_role(server, "host").get(f"{server.url}/api/shows/{show_id}/sources")
        return next((h for h in r.json()["health"] if h["kind"] == kind and h["platform"] == "douyin"), {})

    try:
        wait_for(lambda: source("adapter").get("state") == "connected", timeout=60, what="the task running")
        for i in range(30):  # a busy room
            assert douyin.push(url, [douyin.payload(i, f"多久发货{i}")]).status_code == 200
            time.sleep(0.1)
        wait_stored(server, show_id, 30, timeout=20)
        stopped = time.monotonic()  # the platform stops pushing, the task still says it runs
        wait_for(lambda: source("receiver").get("state") == "silent", timeout=paced(15), what="the receiver silent")
        silent_after = time.monotonic() - stopped
        wait_for(lambda: len(douyin.http.calls("/api/live_data/task/start")) == 2, timeout=paced(35) - silent_after,
                 what="the task renewed")
        renewed_after = time.monotonic() - stopped
        wait_for(lambda: source("adapter").get("restarts") == 1, what="the restart reported")
        reason = [e["reason"] for e in source("adapter")["events"] if e["kind"] == "restart"][0]
        assert "receiver has had no push" in reason
        gaps = as_role(server, "lead").get(f"{server.url}/api/shows/{show_id}/intake-gaps").json()["gaps"]
        receiver_gaps = [g for g in gaps if g["platform"] == "douyin" and g["room"] == ""]
        assert len(receiver_gaps) == 1 and receiver_gaps[0]["open"] and "silent" in receiver_gaps[0]["reason"]
        assert douyin.push(url, [douyin.payload(99, "又能收到了")]).status_code == 200
        wait_stored(server, show_id, 31, timeout=20)
        wait_for(lambda: not [g for g in as_role(server, "lead").get(f"{server.url}/api/shows/{show_id}/intake-gaps")
                              .json()["gaps"] if g["open"]], what="every gap closed")
        time.sleep(3)  # several more reports: one renewal per silence, not one per report
        assert len(douyin.http.calls("/api/live_data/task/start")) == 2
        print(f"receiver silent after {silent_after:.1f} s, task renewed after {renewed_after:.1f} s")
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=20) == 0 and os.name
