"""Twitch adapters against local fakes: EventSub over WebSocket (with Helix) and anonymous IRC over WebSocket."""
from __future__ import annotations

import pytest

from tests.support.fakes.harness import Running
from tests.support.fakes.twitch import FakeEventSub, FakeIrc
from studio.sources.registry import adapter_class
from studio.sources.twitch import TwitchEventSubAdapter
from studio.sources.twitch_irc import TwitchIrcAdapter, parse_line
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
    return Running(TwitchEventSubAdapter, "streamer", **settings)


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
    assert run.wait_done() == "fatal"
    assert "refused the token" in run.adapter.status.last_error
    eventsub.scopes = set()
    run = start_eventsub(eventsub)
    assert run.wait_done() == "fatal"
    assert "user:read:chat" in run.adapter.status.last_error


def test_eventsub_revocation_is_fatal_and_offline_stops(eventsub):
    run = start_eventsub(eventsub)
    run.wait_state("connected")
    eventsub.revoke()
    assert run.wait_done() == "fatal"
    assert "authorization_revoked" in run.adapter.status.last_error
    run = start_eventsub(eventsub)
    run.wait_state("connected")
    eventsub.offline()
    assert run.wait_done() == "stopped"
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
    wait_for(lambda: "no PONG" in run.adapter.status.last_error, timeout=4, what="keepalive timeout")
    irc.answer_pings = True
    run.wait_state("connected")
    wait_for(lambda: irc.pings_seen >= 2, what="PINGs on a quiet connection")
    irc.say(irc.privmsg("回来了"))
    run.wait_count(1)
    run.stop()


def test_irc_refused_login_is_fatal(irc):
    run = Running(TwitchIrcAdapter, "streamer", irc_url=irc.url, irc_nick="someone", token="bad", mode="irc")
    assert run.wait_done() == "fatal"
    assert "refused the login" in run.adapter.status.last_error
