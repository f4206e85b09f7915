"""Douyin interactive-game data push: the signed webhook receiver in the real studio, and the push-task adapter,
against a local fake of the platform."""
from __future__ import annotations

import sqlite3
import time

import pytest

from studio.sources.douyin import DouyinPushTaskAdapter, push_signature, verify_push
from tests.support.fakes.douyin import FakeDouyin
from tests.support.fakes.harness import Running, as_role, stats, wait_stored
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
    return Running(DouyinPushTaskAdapter, fake.room, **settings)


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
