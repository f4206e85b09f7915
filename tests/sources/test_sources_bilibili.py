"""Bilibili Open-Live adapter against a local fake of the platform (signed HTTP API + binary WebSocket)."""
from __future__ import annotations

import os
import time

import pytest

from studio.sources.bilibili import BilibiliAdapter, decode_packets, encode_packet, sign_headers
from tests.support.fakes.bilibili import FakeBilibili
from tests.support.fakes.harness import Running, paced, under_faults
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


def reconnect_reasons(run: Running) -> list[str]:
    return [e["reason"] for e in run.adapter.status.events if e["kind"] == "reconnect"]


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
    assert run.wait_done() == "failed"
    assert reason in run.adapter.status.last_error
    assert len(bili.http.calls("/v2/app/start")) == 1, "no retries for errors retrying cannot fix"


def test_room_not_whitelisted_is_fatal(bili):
    bili.whitelisted = False
    run = start(bili)
    assert run.wait_done() == "failed"
    assert "whitelisted" in run.adapter.status.last_error


def test_interaction_end_starts_a_new_game_within_five_seconds(bili):
    run = start(bili)
    run.wait_state("connected")
    bili.send([bili.dm(1, "最后一条")])
    run.wait_count(1)
    first = run.adapter.status.extra["game_id"]
    ended_at = time.monotonic()
    bili.end_interaction(first)
    wait_for(lambda: run.adapter.status.extra.get("game_id") != first and run.adapter.status.state == "connected",
             timeout=5, what="a new game, connected")
    assert time.monotonic() - ended_at < 5
    assert bili.interaction_ends == 1 and len(bili.http.calls("/v2/app/start")) == 2
    assert run.adapter.status.restarts == 1
    assert [e["reason"] for e in run.adapter.status.events if e["kind"] == "restart"] == [
        "platform session ended: the platform ended the game (LIVE_OPEN_PLATFORM_INTERACTION_END)"]
    bili.send([bili.dm(2, "新的一局")])
    run.wait_count(2)
    assert run.thread.is_alive(), "the adapter never ends by itself"
    run.stop()


def test_an_expired_game_says_interaction_end_and_a_new_one_starts(bili):
    bili.game_ttl = 0.3
    run = start(bili, heartbeat_interval=30)  # too slow for the fake's TTL: it expires the game
    run.wait_state("connected")
    wait_for(lambda: bili.interaction_ends >= 1, what="INTERACTION_END on expiry")
    wait_for(lambda: len(bili.http.calls("/v2/app/start")) >= 2, timeout=5, what="a second app/start")
    run.stop()


def test_stop_ends_the_game_and_the_platform_confirms(bili):
    run = start(bili)
    run.wait_state("connected")
    assert run.stop() == "stopped"
    assert bili.live_games() == [] and len(bili.http.calls("/v2/app/end")) == 1


def _drops(bili: FakeBilibili, run: Running, every: float, total: float, rate: float = 20.0) -> list[str]:
    """Send comments at `rate` while cutting every socket every `every` seconds for `total` seconds; returns the
    ids the fake wrote to a working socket."""
    under_faults(lambda i: bili.send([bili.dm(i, f"第{i}条", msg_id=f"d-{i}")]), bili.drop, every, total, rate)
    return list(bili.delivered)


def _check_drops(bili: FakeBilibili, every: float, total: float, **settings) -> None:
    run = start(bili, **settings)
    run.wait_state("connected")
    delivered = _drops(bili, run, every, total)
    wait_for(lambda: set(delivered) <= {c.msg_id for c in run.comments}, timeout=5,
             what=f"every delivered comment ({len(set(delivered) - {c.msg_id for c in run.comments})} missing)")
    ids = [c.msg_id for c in run.comments]
    assert len(ids) == len(set(ids)), "nothing twice"
    assert len(bili.http.calls("/v2/app/start")) == 1, "the game outlived every drop"
    assert bili.interaction_ends == 0 and len(bili.live_games()) == 1
    beats = len(bili.http.calls("/v2/app/heartbeat"))
    assert beats >= int(total / float(settings.get("heartbeat_interval", 20))) - 1
    assert run.adapter.status.reconnects >= int(total / every) - 1
    assert len(delivered) > total * 10
    run.stop()


def test_drops_every_second_keep_the_game_alive_and_lose_nothing(bili):
    # The same shape as the two-minute run below, ten times faster: the game dies after 3 s without a heartbeat.
    bili.game_ttl = 3.0
    _check_drops(bili, every=1.0, total=12.0, heartbeat_interval=1.0)


@pytest.mark.skipif(not os.environ.get("STUDIO_SLOW_TESTS"), reason="two minutes; STUDIO_SLOW_TESTS=1 runs it")
def test_drops_every_ten_seconds_for_two_minutes_at_platform_timings(bili):
    _check_drops(bili, every=10.0, total=120.0, heartbeat_interval=20.0, ws_heartbeat_interval=30.0)


def test_a_frozen_link_is_silent_within_15_s_and_replaced_within_35_s(bili):
    run = start(bili, silent_min=paced(10.0), probe_timeout=paced(5.0), ws_heartbeat_interval=paced(30.0),
                heartbeat_interval=paced(20.0))
    run.wait_state("connected")
    for i in range(40):  # a busy room: a comment every 0.1 s
        bili.send([bili.dm(i, f"问题{i}", msg_id=f"f-{i}")])
        time.sleep(0.1)
    run.wait_count(40)
    bili.freeze()
    frozen_at = time.monotonic()
    wait_for(lambda: run.adapter.status.state == "silent", timeout=paced(15), what="health 'silent'", interval=0.05)
    silent_after = time.monotonic() - frozen_at
    wait_for(lambda: run.adapter.status.reconnects >= 1, timeout=paced(35) - silent_after, what="the link replaced",
             interval=0.05)
    replaced_after = time.monotonic() - frozen_at
    assert "frozen" in reconnect_reasons(run)[0]
    run.wait_state("connected")
    bili.send([bili.dm(99, "换了连接之后", msg_id="f-99")])
    run.wait_count(41)
    assert len(bili.http.calls("/v2/app/start")) == 1
    print(f"silent after {silent_after:.1f} s, replaced after {replaced_after:.1f} s")
    assert silent_after <= paced(15) and replaced_after <= paced(35)
    run.stop()


def test_a_frozen_quiet_link_is_replaced_when_its_heartbeat_goes_unanswered(bili):
    run = start(bili, ws_heartbeat_interval=1.0, probe_timeout=1.0)
    run.wait_state("connected")
    bili.freeze()
    wait_for(lambda: run.adapter.status.reconnects >= 1, timeout=4, what="the link replaced")
    assert "frozen" in reconnect_reasons(run)[0]
    run.wait_state("connected")
    bili.send([bili.dm(1, "又来了")])
    run.wait_count(1)
    run.stop()
