"""YouTube Live chat adapter against a local fake of the Data API (streamList and list)."""
from __future__ import annotations

import json
import os
import threading
import time

import pytest

from studio.sources.youtube import YoutubeAdapter, json_stream
from tests.support.fakes.harness import Running, assert_each_once, busy_then, frozen_timings, paced, under_faults
from tests.support.fakes.youtube import FakeYoutube
from tests.support.waiting import wait_for


def start(fake: FakeYoutube, **overrides) -> Running:
    settings = {"access_token": fake.token, "api_url": fake.url, "token_url": fake.token_url,
                "min_poll_interval": 0.05, **overrides}
    return Running(YoutubeAdapter, fake.chat_id, **settings)


@pytest.fixture
def yt():
    fake = FakeYoutube()
    yield fake
    fake.close()


@pytest.mark.parametrize("framing", ["array", "lines"])
def test_json_stream_reassembles_objects_split_anywhere(framing):
    objects = [{"items": [{"id": i, "snippet": {"displayMessage": "请问多久发货😀"}}]} for i in range(3)]
    if framing == "array":
        raw = ("[" + ",\n".join(json.dumps(o, ensure_ascii=False) for o in objects) + "]").encode()
    else:
        raw = "".join(json.dumps(o, ensure_ascii=False) + "\n" for o in objects).encode()
    pieces = [raw[i:i + 7] for i in range(0, len(raw), 7)]  # cuts through UTF-8 characters too
    assert list(json_stream(iter(pieces))) == objects


@pytest.mark.parametrize("stream_format", ["array", "ndjson"])
def test_stream_sends_history_then_live_messages(stream_format):
    fake = FakeYoutube(stream_format=stream_format)
    try:
        fake.post("历史消息：还有货吗")
        run = start(fake)
        run.wait_count(1)
        for i in range(5):
            fake.post(f"直播消息 {i}", channel=f"UC-{i}")
        run.wait_count(6)
        assert run.texts[0] == "历史消息：还有货吗"
        assert {c.user_id_quality for c in run.comments} == {"stable"}
        assert run.adapter.status.extra == {"quota_units": 5, "mode": "stream"}
        run.stop()
    finally:
        fake.close()


def test_dropped_stream_resumes_from_the_last_page_token(yt):
    run = start(yt)
    yt.post("一")
    run.wait_count(1)
    yt.drop_streams()
    wait_for(lambda: yt.streams_opened() >= 2, what="a second stream")
    yt.post("二")
    run.wait_count(2)
    assert run.texts == ["一", "二"], "no message lost or repeated across the reconnect"
    second = yt.http.calls("/youtube/v3/liveChat/messages/stream")[1]
    assert second.query["pageToken"] == "1"
    assert run.adapter.status.extra["quota_units"] == 10
    run.stop()


def test_falls_back_to_polling_and_honours_polling_interval():
    fake = FakeYoutube(stream=False, polling_ms=150)
    try:
        fake.post("第一条")
        run = start(fake)
        run.wait_count(1)
        fake.post("第二条")
        run.wait_count(2)
        wait_for(lambda: len(fake.list_times) >= 4, what="four list calls")
        gaps = [b - a for a, b in zip(fake.list_times[1:], fake.list_times[2:])]
        assert min(gaps) >= 0.14, f"polled faster than pollingIntervalMillis: {gaps}"
        assert run.adapter.status.extra["mode"] == "poll"
        assert fake.http.calls("/youtube/v3/liveChat/messages")[-1].query["pageToken"] == "2"
        run.stop()
        assert run.adapter.status.extra["quota_units"] == 5 * (len(fake.list_times) + 1)  # + the 404'd stream
    finally:
        fake.close()


def test_quota_exceeded_waits_the_quota_backoff_then_recovers(yt):
    yt.quota_exhausted = True
    run = start(yt, quota_backoff=0.3)
    wait_for(lambda: "quota" in run.adapter.status.last_error, what="quota error in health")
    assert run.adapter.status.state == "backoff"
    calls = yt.streams_opened()
    yt.quota_exhausted = False
    yt.post("配额恢复了")
    run.wait_count(1)
    assert yt.streams_opened() == calls + 1, "waited out the quota backoff instead of hammering the API"
    run.stop()


def test_expired_token_is_renewed_with_the_refresh_token(yt):
    yt.post("要刷新令牌")
    run = start(yt, access_token="ya29.expired", refresh_token=yt.refresh_token, client_id="cid",
                client_secret="cs")
    run.wait_count(1)
    assert len(yt.http.calls("/token")) == 1
    run.stop()


@pytest.mark.parametrize("change, reason", [({"access_token": "ya29.wrong"}, "OAuth token refused"),
                                            ({"room": "no-such-chat"}, "liveChatNotFound")])
def test_refusals_are_fatal(yt, change, reason):
    room = change.pop("room", yt.chat_id)
    settings = {"access_token": yt.token, "api_url": yt.url, **change}
    run = Running(YoutubeAdapter, room, **settings)
    assert run.wait_done() == "failed"
    assert reason in run.adapter.status.last_error


def test_chat_end_fails_the_adapter_saying_what_to_do(yt):
    run = start(yt)
    yt.post("再见")
    run.wait_count(1)
    yt.end_chat()
    assert run.wait_done() == "failed"
    assert "live chat id" in run.adapter.status.last_error
    assert "ended" in run.adapter.status.last_error


def test_live_chat_ended_error_fails_the_adapter(yt):
    yt.ended_error = True
    run = start(yt, mode="poll")
    assert run.wait_done() == "failed"


# --- under faults ----------------------------------------------------------------------------------------------
# YouTube keeps the chat: a client that resumes from its page token gets what was posted while its link was down,
# so here "every comment sent between drops" is every message posted, and none may be stored twice.

def _all_ids(fake: FakeYoutube) -> list[str]:
    return [i["id"] for i in fake.items if i["snippet"]["type"] == "textMessageEvent"]


def _stream_drops(yt: FakeYoutube, every: float, total: float, **settings) -> None:
    run = start(yt, **settings)
    run.wait_state("connected")
    sent = under_faults(lambda i: yt.post(f"断线{i}"), yt.drop_streams, every, total)
    assert_each_once(run, _all_ids(yt))
    assert len(run.comments) == sent
    assert run.adapter.status.reconnects >= int(total / every) - 1
    tokens = [r.query.get("pageToken") for r in yt.http.calls("/youtube/v3/liveChat/messages/stream")[1:]]
    assert all(tokens), "every new stream resumed from a page token"
    run.stop()


def test_stream_drops_every_second_lose_nothing(yt):
    _stream_drops(yt, every=1.0, total=10.0)


@pytest.mark.skipif(not os.environ.get("STUDIO_SLOW_TESTS"), reason="two minutes; STUDIO_SLOW_TESTS=1 runs it")
def test_stream_drops_every_ten_seconds_for_two_minutes(yt):
    _stream_drops(yt, every=10.0, total=120.0, backoff_base=1.0, backoff_cap=60.0, min_poll_interval=1.0)


def test_polling_through_errors_and_resets_loses_nothing():
    fake = FakeYoutube(stream=False, polling_ms=100)
    try:
        run = start(fake)
        run.wait_state("connected")
        flip = iter(range(10_000))

        def fault() -> None:  # a 503 backendError pair, then a reset connection, in turn
            if next(flip) % 2:
                fake.fail_lists = 2
            else:
                fake.reset_lists = 1

        sent = under_faults(lambda i: fake.post(f"轮询{i}"), fault, every=0.7, total=7.0)
        assert_each_once(run, _all_ids(fake))
        assert len(run.comments) == sent and run.adapter.status.reconnects >= 8
        assert "backendError" in " ".join(e["reason"] for e in run.adapter.status.events)
        run.stop()
    finally:
        fake.close()


def test_a_stream_the_server_ends_is_resumed_within_5_s(yt):
    run = start(yt)
    yt.post("结束前")
    run.wait_count(1)
    yt.end_streams()
    ended = time.monotonic()
    wait_for(lambda: yt.streams_opened() >= 2 and run.adapter.status.state == "connected", timeout=5,
             what="a new stream")
    print(f"resumed after {time.monotonic() - ended:.2f} s")
    yt.post("结束后")
    run.wait_count(2)
    assert run.texts == ["结束前", "结束后"]
    assert yt.http.calls("/youtube/v3/liveChat/messages/stream")[1].query["pageToken"] == "1"
    run.stop()


def test_an_access_token_expiring_mid_show_is_renewed_within_5_s(yt):
    run = start(yt, refresh_token=yt.refresh_token, client_id="cid", client_secret="cs")
    yt.post("过期前")
    run.wait_count(1)
    yt.expire_token()
    yt.drop_streams()  # the stream ends with the token; the next request is refused with 401
    expired = time.monotonic()
    wait_for(lambda: len(yt.http.calls("/token")) == 1 and run.adapter.status.state == "connected", timeout=5,
             what="a renewed token, streaming")
    print(f"renewed after {time.monotonic() - expired:.2f} s")
    yt.post("过期后")
    run.wait_count(2)
    assert run.texts == ["过期前", "过期后"]
    run.stop()


def test_a_refused_token_without_a_refresh_token_says_what_to_do(yt):
    run = start(yt)
    yt.post("一条")
    run.wait_count(1)
    yt.expire_token()
    yt.drop_streams()
    assert run.wait_done() == "failed"
    assert "authorize again" in run.adapter.status.last_error


def test_chat_ended_event_fails_saying_what_to_do(yt):
    run = start(yt)
    yt.post("最后一条")
    run.wait_count(1)
    yt.end_with_event()
    assert run.wait_done() == "failed"
    error = run.adapter.status.last_error
    assert "ended" in error and "run the source with its live chat id" in error
    assert run.texts == ["最后一条"]


def test_a_frozen_stream_is_silent_within_15_s_and_replaced_within_35_s(yt):
    run = start(yt, silent_min=paced(10.0), probe_timeout=paced(5.0))
    run.wait_state("connected")
    busy_then(run, lambda i: yt.post(f"问{i}"))
    during = threading.Thread(target=lambda: [yt.post(f"冻结中{i}") or time.sleep(paced(1.0)) for i in range(12)],
                              daemon=True)
    silent_after, replaced_after = frozen_timings(run, lambda: (yt.freeze_streams(), during.start()))
    assert silent_after <= paced(15) and replaced_after <= paced(35)
    assert "frozen" in [e["reason"] for e in run.adapter.status.events if e["kind"] == "reconnect"][0]
    during.join()
    assert_each_once(run, _all_ids(yt))  # resumed from the page token: what was posted meanwhile arrives too
    assert len(run.comments) == 52
    assert yt.http.calls("/youtube/v3/liveChat/messages"), "the probe asked list once"
    run.stop()


def test_a_quiet_room_is_probed_once_and_its_stream_kept(yt):
    run = start(yt, silent_min=1.0, probe_timeout=1.0)
    run.wait_state("connected")
    busy_then(run, lambda i: yt.post(f"问{i}"), n=15, gap=0.05)
    wait_for(lambda: run.adapter.status.state == "silent", timeout=5, what="silent")
    time.sleep(2.5)  # past the probe timeout: nothing was missing, so the stream stays
    assert run.adapter.status.reconnects == 0 and yt.streams_opened() == 1
    assert len(yt.http.calls("/youtube/v3/liveChat/messages")) == 1
    yt.post("又有人问了")
    run.wait_count(16)
    run.stop()
