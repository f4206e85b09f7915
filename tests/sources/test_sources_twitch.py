"""Twitch adapters against local fakes: EventSub over WebSocket (with Helix) and anonymous IRC over WebSocket."""
from __future__ import annotations

import os
import threading
import time

import pytest

from studio.sources.registry import adapter_class
from studio.sources.twitch import TwitchEventSubAdapter
from studio.sources.twitch_irc import TwitchIrcAdapter, parse_line
from tests.support.fakes.harness import PACE, Running, assert_each_once, busy_then, frozen_timings, paced, under_faults
from tests.support.fakes.twitch import FakeEventSub, FakeIrc
from tests.support.waiting import wait_for


@pytest.fixture
def eventsub():
    fake = FakeEventSub()
    yield fake
    fake.close()


@pytest.fixture
def irc():
    fake = FakeIrc()
    yield fake
    fake.close()


def start_eventsub(fake: FakeEventSub, **overrides) -> Running:
    settings = {"client_id": fake.client_id, "token": fake.token, "eventsub_url": fake.url,
                "api_url": fake.api_url, "keepalive_timeout": 10, **overrides}
    return Running(TwitchEventSubAdapter, "streamer", **{k: v for k, v in settings.items() if v is not None})


def test_registry_picks_eventsub_with_a_token_and_irc_without():
    assert adapter_class("twitch", {"token": "t"}) is TwitchEventSubAdapter
    assert adapter_class("twitch", {"token": ""}) is TwitchIrcAdapter
    assert adapter_class("twitch", {"token": "t", "mode": "irc"}) is TwitchIrcAdapter


def test_eventsub_subscribes_with_the_welcome_session_and_delivers_chat(eventsub):
    run = start_eventsub(eventsub)
    run.wait_state("connected")
    created = {s["type"]: s for s in eventsub.subscriptions_created}
    assert set(created) == {"channel.chat.message", "stream.offline"}
    chat = created["channel.chat.message"]
    assert chat["condition"] == {"broadcaster_user_id": "1001", "user_id": "2002"}  # looked up through Helix
    assert chat["transport"] == {"method": "websocket", "session_id": run.adapter.status.extra["session_id"]}
    for i in range(3):
        eventsub.chat(f"包邮吗 {i}", chatter_id=f"30{i}")
    run.wait_count(3)
    assert [c.user_id for c in run.comments] == ["300", "301", "302"]
    assert {c.user_id_quality for c in run.comments} == {"stable"}
    run.stop()


def test_eventsub_redelivery_counts_once(eventsub):
    run = start_eventsub(eventsub)
    run.wait_state("connected")
    first = eventsub.chat("同一条", message_id="m-1")
    eventsub.chat("同一条", message_id="m-1", metadata_id=first)  # at-least-once: Twitch sends it again
    eventsub.chat("下一条", message_id="m-2")
    run.wait_count(2)
    wait_for(lambda: run.adapter.status.duplicates == 1, what="the resend counted as a duplicate")
    assert run.texts == ["同一条", "下一条"]
    run.stop()


def test_eventsub_session_reconnect_hands_over_without_loss(eventsub):
    run = start_eventsub(eventsub)
    run.wait_state("connected")
    first_session = run.adapter.status.extra["session_id"]
    eventsub.reconnect(then_text="迁移途中的消息")
    wait_for(lambda: eventsub.ws.open_count == 1 and len(run.comments) == 1, what="handover")
    eventsub.chat("迁移之后的消息")
    run.wait_count(2)
    assert run.texts == ["迁移途中的消息", "迁移之后的消息"]
    assert run.adapter.status.extra["session_id"] == first_session
    assert len(eventsub.subscriptions_created) == 2, "subscriptions carry over a handover"
    run.stop()


def test_eventsub_keepalive_timeout_reconnects_and_subscribes_again(eventsub):
    eventsub.silent = True
    run = start_eventsub(eventsub, keepalive_timeout=1)  # silence > 1 s + 1 s slack: the connection is dead
    run.wait_state("connected")
    wait_for(lambda: run.adapter.status.reconnects >= 1, timeout=6, what="a reconnect after keepalive timeout")
    assert "keepalive timeout" in run.adapter.status.last_error
    eventsub.silent = False
    wait_for(lambda: len(eventsub.subscriptions_created) >= 4, what="subscriptions for the new session")
    eventsub.chat("重连后")
    run.wait_count(1)
    run.stop()


def test_eventsub_refused_token_and_missing_scope_are_fatal(eventsub):
    run = start_eventsub(eventsub, token="wrong")
    assert run.wait_done() == "failed"
    assert "refused the token" in run.adapter.status.last_error
    eventsub.scopes = set()
    run = start_eventsub(eventsub)
    assert run.wait_done() == "failed"
    assert "user:read:chat" in run.adapter.status.last_error


def test_eventsub_revocation_fails_and_offline_waits_for_the_next_stream(eventsub):
    run = start_eventsub(eventsub)
    run.wait_state("connected")
    eventsub.revoke()
    assert run.wait_done() == "failed"
    assert "authorization_revoked" in run.adapter.status.last_error
    run = start_eventsub(eventsub)
    run.wait_state("connected")
    eventsub.offline()
    wait_for(lambda: run.adapter.status.extra.get("stream") == "offline", what="offline noted")
    assert run.thread.is_alive() and run.adapter.status.state == "connected"
    eventsub.chat("下播后还有人问")
    run.wait_count(1)
    run.stop()
    run = start_eventsub(eventsub, stop_on_offline=True)
    run.wait_state("connected")
    eventsub.offline()
    assert run.wait_done() == "failed"
    assert "offline" in run.adapter.status.last_error


def test_irc_tags_are_parsed_and_unescaped():
    tags, prefix, command, params = parse_line(
        "@display-name=a\\sb\\:c;id=x-1;user-id=42 :nick!nick@nick.tmi.twitch.tv PRIVMSG #chan :hi there :)")
    assert tags == {"display-name": "a b;c", "id": "x-1", "user-id": "42"}
    assert (prefix.split("!")[0], command, params) == ("nick", "PRIVMSG", ["#chan", "hi there :)"])


def test_irc_reads_anonymously_and_answers_pings(irc):
    run = Running(TwitchIrcAdapter, "#Streamer", irc_url=irc.url)
    run.wait_state("connected")
    assert run.adapter.nick.startswith("justinfan")
    irc.say(irc.privmsg("第一条", msg_id="i-1"), irc.privmsg("第二条", user_id="77"),
            irc.privmsg("第一条", msg_id="i-1"))  # three lines in one frame, one of them a repeat
    run.wait_count(2)
    assert run.texts == ["第一条", "第二条"]
    assert run.comments[1].user_id == "77"
    irc.ping()
    wait_for(lambda: irc.pongs_seen == 1, what="PONG")
    run.stop()


def test_irc_reconnect_command_and_missing_pong(irc):
    run = Running(TwitchIrcAdapter, "streamer", irc_url=irc.url, irc_ping_interval=0.3, irc_pong_timeout=0.3)
    run.wait_state("connected")
    irc.reconnect()
    wait_for(lambda: run.adapter.status.reconnects >= 1, what="reconnect on RECONNECT")
    run.wait_state("connected")
    irc.answer_pings = False
    wait_for(lambda: "keepalive probe" in run.adapter.status.last_error, timeout=4, what="keepalive timeout")
    irc.answer_pings = True
    run.wait_state("connected")
    wait_for(lambda: irc.pings_seen >= 2, what="PINGs on a quiet connection")
    irc.say(irc.privmsg("回来了"))
    run.wait_count(1)
    run.stop()


def test_irc_refused_login_is_fatal(irc):
    run = Running(TwitchIrcAdapter, "streamer", irc_url=irc.url, irc_nick="someone", token="bad", mode="irc")
    assert run.wait_done() == "failed"
    assert "refused the login" in run.adapter.status.last_error


def test_irc_joins_only_after_the_welcome_and_times_out_an_ignored_join(irc):
    run = Running(TwitchIrcAdapter, "streamer", irc_url=irc.url)
    run.wait_state("connected")
    assert irc.early_joins == 0, "JOIN waits for 001"
    run.stop()
    irc.ignore_joins = True
    run = Running(TwitchIrcAdapter, "streamer", irc_url=irc.url, irc_join_timeout=0.5)
    wait_for(lambda: "not confirmed" in run.adapter.status.last_error, timeout=3, what="JOIN timeout")
    assert run.adapter.status.state in ("backoff", "connecting")
    irc.ignore_joins = False
    run.wait_state("connected", timeout=3)
    run.stop()


def test_irc_action_lines_are_the_text_alone(irc):
    run = Running(TwitchIrcAdapter, "streamer", irc_url=irc.url)
    run.wait_state("connected")
    irc.say(irc.action("想问一下怎么退货"), irc.privmsg("普通一条"))
    run.wait_count(2)
    assert run.texts == ["想问一下怎么退货", "普通一条"]
    run.stop()


def test_irc_lines_sharing_a_message_with_a_login_notice_are_kept(irc):
    run = Running(TwitchIrcAdapter, "streamer", irc_url=irc.url)
    run.wait_state("connected")
    irc.say(irc.privmsg("通知之前", msg_id="n-1"), ":tmi.twitch.tv NOTICE * :Login unsuccessful\r\n")
    assert run.wait_done() == "failed"
    assert run.texts == ["通知之前"]


def test_irc_reconnect_joins_the_new_connection_first_and_loses_nothing(irc):
    irc.grace = 1.5
    run = Running(TwitchIrcAdapter, "streamer", irc_url=irc.url)
    run.wait_state("connected")
    stop, sent = threading.Event(), []

    def sender() -> None:  # a steady room: every line goes to every joined connection
        i = 0
        while not stop.is_set():
            sent.append(f"r-{i}")
            irc.say(irc.privmsg(f"消息{i}", msg_id=f"r-{i}"))
            i += 1
            time.sleep(0.02)

    t = threading.Thread(target=sender, daemon=True)
    t.start()
    time.sleep(0.3)
    irc.reconnect(irc.privmsg("同一帧之前", msg_id="same-1"), irc.privmsg("同一帧之后", msg_id="same-2"))
    wait_for(lambda: run.adapter.status.reconnects >= 1, what="the handover")
    time.sleep(irc.grace + 0.5)  # past the grace period: the old connection is gone
    stop.set()
    t.join()
    wait_for(lambda: {"same-1", "same-2", *sent} <= {c.msg_id for c in run.comments}, timeout=5,
             what="every line, also those sharing the RECONNECT message")
    ids = [c.msg_id for c in run.comments]
    assert len(ids) == len(set(ids)), "the overlap stores nothing twice"
    assert run.adapter.status.duplicates > 0, "the overlap did deliver some lines on both connections"
    assert irc.live_joined == 1
    run.stop()


def test_irc_drops_every_second_lose_nothing_between_drops(irc):
    run = Running(TwitchIrcAdapter, "streamer", irc_url=irc.url)
    run.wait_state("connected")
    stop = threading.Event()

    def sender() -> None:
        i = 0
        while not stop.is_set():
            irc.say(irc.privmsg(f"掉线测试{i}", msg_id=f"x-{i}"))
            i += 1
            time.sleep(0.05)

    t = threading.Thread(target=sender, daemon=True)
    t.start()
    for _ in range(8):
        time.sleep(1.0)
        irc.ws.drop()
    stop.set()
    t.join()
    delivered = set(irc.delivered)
    wait_for(lambda: delivered <= {c.msg_id for c in run.comments}, timeout=5,
             what=f"every delivered line ({len(delivered - {c.msg_id for c in run.comments})} missing)")
    ids = [c.msg_id for c in run.comments]
    assert len(ids) == len(set(ids)) and len(delivered) > 80
    assert run.adapter.status.reconnects >= 7
    run.stop()


def test_irc_frozen_link_is_silent_within_15_s_and_replaced_within_35_s(irc):
    run = Running(TwitchIrcAdapter, "streamer", irc_url=irc.url, silent_min=paced(10.0),
                  irc_ping_interval=paced(20.0), irc_pong_timeout=paced(10.0))
    run.wait_state("connected")
    for i in range(40):
        irc.say(irc.privmsg(f"问{i}", msg_id=f"z-{i}"))
        time.sleep(0.1)
    run.wait_count(40)
    irc.freeze()
    frozen_at = time.monotonic()
    wait_for(lambda: run.adapter.status.state == "silent", timeout=paced(15), what="health 'silent'", interval=0.05)
    silent_after = time.monotonic() - frozen_at
    wait_for(lambda: run.adapter.status.reconnects >= 1, timeout=paced(35) - silent_after, what="the link replaced",
             interval=0.05)
    replaced_after = time.monotonic() - frozen_at
    run.wait_state("connected")
    irc.say(irc.privmsg("新连接", msg_id="z-new"))
    run.wait_count(41)
    print(f"silent after {silent_after:.1f} s, replaced after {replaced_after:.1f} s")
    assert silent_after <= paced(15) and replaced_after <= paced(35)
    run.stop()


def test_irc_frozen_quiet_link_is_replaced_after_an_unanswered_ping(irc):
    run = Running(TwitchIrcAdapter, "streamer", irc_url=irc.url, irc_ping_interval=0.5, irc_pong_timeout=0.5)
    run.wait_state("connected")
    irc.freeze()
    wait_for(lambda: run.adapter.status.reconnects >= 1, timeout=3, what="the link replaced")
    run.wait_state("connected")
    run.stop()


# --- EventSub under faults -------------------------------------------------------------------------------------
# A new WebSocket is a new EventSub session: after a drop the adapter subscribes again on the new one (Twitch
# disables the old session's subscriptions), so what "keeps the platform session alive" means here is that every
# connection is subscribed within moments and nothing sent to a subscribed connection is lost or stored twice.

def _eventsub_drops(eventsub: FakeEventSub, every: float, total: float, **settings) -> None:
    run = start_eventsub(eventsub, **settings)
    run.wait_state("connected")
    sent = under_faults(lambda i: eventsub.chat(f"掉线{i}", message_id=f"es-{i}"), eventsub.drop, every, total)
    assert_each_once(run, eventsub.delivered)
    drops = int(total / every)
    assert run.adapter.status.reconnects >= drops - 1
    wait_for(lambda: len(eventsub.live_sessions()) == 1 and run.adapter.status.state in ("connected", "receiving"),
             what="one live, subscribed session")
    assert len(eventsub.subscriptions_created) >= 2 * drops, "each new session subscribed again"
    assert 4002 not in eventsub.closes and 4003 not in eventsub.closes, "Pings answered, sessions used"
    assert len(set(eventsub.delivered)) > 0.7 * sent, f"{len(set(eventsub.delivered))} of {sent} reached a link"
    run.stop()


def test_eventsub_drops_every_second_lose_nothing_sent_between_drops(eventsub):
    _eventsub_drops(eventsub, every=1.0, total=10.0)


@pytest.mark.skipif(not os.environ.get("STUDIO_SLOW_TESTS"), reason="two minutes; STUDIO_SLOW_TESTS=1 runs it")
def test_eventsub_drops_every_ten_seconds_for_two_minutes(eventsub):
    eventsub.ping_interval = 10.0
    _eventsub_drops(eventsub, every=10.0, total=120.0, keepalive_timeout=10, backoff_base=1.0, backoff_cap=60.0)


@pytest.mark.parametrize("code", [4000, 4004, 4005, 4006, 4007])
def test_eventsub_session_ended_by_twitch_is_reopened_within_5_s(eventsub, code):
    run = start_eventsub(eventsub)
    run.wait_state("connected")
    eventsub.chat("结束之前", message_id="before")
    run.wait_count(1)
    first = run.adapter.status.extra["session_id"]
    eventsub.end_sessions(code)
    ended = time.monotonic()
    wait_for(lambda: run.adapter.status.extra["session_id"] != first and eventsub.live_sessions()
             and run.adapter.status.state == "connected", timeout=5, what="a new session, subscribed")
    print(f"close {code}: new session after {time.monotonic() - ended:.2f} s")
    assert code in eventsub.closes
    assert run.adapter.status.restarts == 1
    reason = [e["reason"] for e in run.adapter.status.events if e["kind"] == "restart"][0]
    assert f"close {code}" in reason
    eventsub.chat("新会话", message_id="after")
    run.wait_count(2)
    assert run.texts == ["结束之前", "新会话"] and run.thread.is_alive()
    run.stop()


@pytest.mark.parametrize("status, todo", [
    ("authorization_revoked", "create a new user access token with scope user:read:chat"),
    ("user_removed", "check the room and user_id"),
    ("version_removed", "update the studio"),
])
def test_eventsub_revocation_is_a_failure_that_says_what_to_do(eventsub, status, todo):
    run = start_eventsub(eventsub)
    run.wait_state("connected")
    eventsub.revoke(status)
    assert run.wait_done() == "failed"
    assert status in run.adapter.status.last_error and todo in run.adapter.status.last_error
    assert len(eventsub.subscriptions_created) == 2, "a revoked subscription is not retried"


def test_eventsub_frozen_link_is_silent_within_15_s_and_replaced_within_35_s(eventsub):
    # At a 30 s keepalive (the slowest this test allows within 35 s), health must say "silent" long before.
    # Paced no faster than half: the adapter's one second of slack over the keepalive is a fixed figure.
    pace = max(PACE, 0.5)
    run = start_eventsub(eventsub, keepalive_timeout=round(paced(30, pace)), silent_min=paced(10.0, pace))
    run.wait_state("connected")
    busy_then(run, lambda i: eventsub.chat(f"问{i}", message_id=f"fz-{i}"))
    frozen_during = threading.Thread(target=lambda: [eventsub.chat(f"冻结中{i}", message_id=f"lost-{i}")
                                                     or time.sleep(paced(0.5, pace)) for i in range(10)], daemon=True)
    silent_after, replaced_after = frozen_timings(run, lambda: (eventsub.freeze(), frozen_during.start()),
                                                  paced(15, pace), paced(35, pace))
    assert silent_after <= paced(15, pace) and replaced_after <= paced(35, pace)
    assert "keepalive timeout" in [e["reason"] for e in run.adapter.status.events if e["kind"] == "reconnect"][0]
    run.wait_state("connected")
    eventsub.chat("新连接", message_id="fz-new")
    run.wait_count(41)
    assert_each_once(run, eventsub.delivered)
    assert set(eventsub.lost) and not set(eventsub.lost) & {c.msg_id for c in run.comments}
    run.stop()


def test_eventsub_default_keepalive_replaces_a_frozen_link_within_12_s(eventsub):
    run = start_eventsub(eventsub, keepalive_timeout=None)  # the adapter's default: Twitch's own 10 s
    run.wait_state("connected")
    assert run.adapter.settings["keepalive_timeout"] == 10
    eventsub.freeze()
    frozen_at = time.monotonic()
    wait_for(lambda: run.adapter.status.reconnects >= 1, timeout=12, what="the link replaced")
    print(f"replaced after {time.monotonic() - frozen_at:.1f} s")
    run.wait_state("connected")
    run.stop()
