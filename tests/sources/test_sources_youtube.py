"""YouTube Live chat adapter against a local fake of the Data API (streamList and list)."""
from __future__ import annotations

import json

import pytest

from studio.sources.youtube import YoutubeAdapter, json_stream
from tests.support.fakes.harness import Running
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
