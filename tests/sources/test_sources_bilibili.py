"""Bilibili Open-Live adapter against a local fake of the platform (signed HTTP API + binary WebSocket)."""
from __future__ import annotations

import pytest

from tests.support.fakes.bilibili import FakeBilibili
from tests.support.fakes.harness import Running
from studio.sources.bilibili import BilibiliAdapter, decode_packets, encode_packet, sign_headers
from tests.support.waiting import wait_for


@pytest.fixture
def bili():
    fake = FakeBilibili()
    yield fake
    fake.close()


def start(fake: FakeBilibili, **overrides) -> Running:
    settings = {"app_id": fake.app_id, "access_key_id": fake.key_id, "access_key_secret": fake.secret,
                "code": fake.code, "api_url": fake.url, **overrides}
    return Running(BilibiliAdapter, "4242", **settings)


def test_signature_is_hmac_sha256_over_sorted_x_bili_headers():
    h = sign_headers("key", "secret", b'{"a":1}', timestamp=1700000000, nonce="n1")
    assert h["x-bili-content-md5"] == "bb6cb5c68df4652941caf652a366f2d8"
    assert h["x-bili-signature-method"] == "HMAC-SHA256" and h["x-bili-signature-version"] == "1.0"
    # Any change to a signed header changes the signature.
    assert sign_headers("key", "secret", b'{"a":1}', timestamp=1700000001, nonce="n1")["Authorization"] \
        != h["Authorization"]
    assert len(h["Authorization"]) == 64


def test_packet_codec_round_trip_and_malformed_input():
    data = encode_packet(5, b'{"cmd":"X"}', ver=0) + encode_packet(3, b"\x00\x00\x00\x07")
    assert decode_packets(data) == [(5, b'{"cmd":"X"}'), (3, b"\x00\x00\x00\x07")]
    with pytest.raises(ValueError):
        decode_packets(encode_packet(5, b"abc", ver=0)[:-1])  # the header promises one byte more


def test_comments_in_plain_zlib_and_brotli_frames_arrive_once(bili):
    run = start(bili, ws_heartbeat_interval=0.1, heartbeat_interval=0.1)
    run.wait_state("connected")
    bili.send([bili.dm(i, f"发什么快递 {i}") for i in range(3)], ver=0)  # three packets in one frame
    bili.send([bili.dm(i, f"多久发货 {i}") for i in range(3, 8)], ver=2)
    bili.send([bili.dm(i, f"能退吗 {i}") for i in range(8, 13)], ver=3)
    bili.send([bili.dm(1, "发什么快递 1"), bili.dm(13, "尺码怎么选")], ver=2)  # dm-1 again: a duplicate
    run.wait_count(14)
    wait_for(lambda: run.adapter.status.duplicates >= 1, what="duplicate counted")
    assert len(run.comments) == 14
    assert len({c.msg_id for c in run.comments}) == 14
    first = run.comments[0]
    assert (first.platform, first.user_id, first.user_id_quality) == ("bilibili", "open-0", "stable")
    wait_for(lambda: bili.ws_heartbeats >= 2 and len(bili.http.calls("/v2/app/heartbeat")) >= 2,
             what="WebSocket and project heartbeats")
    assert bili.signature_failures == 0
    assert run.stop() == "stopped"
    assert bili.live_games() == [], "app/end must be called on stop"


def test_reconnects_after_a_dropped_socket_with_the_same_game(bili):
    run = start(bili)
    run.wait_state("connected")
    bili.send([bili.dm(1, "第一条")])
    run.wait_count(1)
    bili.ws.drop()
    wait_for(lambda: run.adapter.status.reconnects >= 1, what="a reconnect")
    run.wait_state("connected")
    bili.send([bili.dm(2, "第二条")])
    run.wait_count(2)
    assert len(bili.http.calls("/v2/app/start")) == 1, "a dropped socket reuses the running game"
    run.stop()


def test_missed_project_heartbeats_end_the_game_and_the_adapter_starts_a_new_one(bili):
    bili.game_ttl = 0.3
    run = start(bili, heartbeat_interval=30)  # far too slow: the fake expires the game and drops the socket
    run.wait_state("connected")
    wait_for(lambda: len(bili.http.calls("/v2/app/start")) >= 2, what="a second app/start")
    bili.game_ttl = 60
    run.wait_state("connected")
    bili.send([bili.dm(5, "还在吗")])
    run.wait_count(1)
    run.stop()


@pytest.mark.parametrize("change, reason", [
    ({"code": "WRONG"}, "身份码"),
    ({"access_key_secret": "not-the-secret"}, "signature refused"),
])
def test_refused_credentials_are_fatal(bili, change, reason):
    run = start(bili, **change)
    assert run.wait_done() == "fatal"
    assert reason in run.adapter.status.last_error
    assert len(bili.http.calls("/v2/app/start")) == 1, "no retries for errors retrying cannot fix"


def test_room_not_whitelisted_is_fatal(bili):
    bili.whitelisted = False
    run = start(bili)
    assert run.wait_done() == "fatal"
    assert "whitelisted" in run.adapter.status.last_error


def test_interaction_end_stops_the_adapter(bili):
    run = start(bili)
    run.wait_state("connected")
    bili.send([bili.dm(1, "最后一条")])
    run.wait_count(1)
    bili.end_interaction(run.adapter.status.extra["game_id"])
    assert run.wait_done() == "stopped"
    assert "ended" in run.adapter.status.last_error
