"""Answers in chat posted to Twitch: IRC PRIVMSG with a chat-scoped token against the local fake, through a real
studio (approve and auto modes), refused without a token or scope, within Twitch's documented rate limit."""
from __future__ import annotations

import pytest

from studio.sources.twitch_chat import RATE, TwitchChatPoster
from tests.api.test_cases import ingest
from tests.api.test_replies import ask, panel, setup
from tests.support.fakes.twitch import FakeIrc
from tests.support.liveserver import LiveServer
from tests.support.shows import new_show
from tests.support.waiting import wait_for


@pytest.fixture
def irc():
    fake = FakeIrc(valid_token="chat-token")
    yield fake
    fake.close()


@pytest.fixture
def studio_with_irc(tmp_path, irc):
    srv = LiveServer(tmp_path / "studio", extra_env={"STUDIO_TWITCH_IRC_URL": irc.url,
                                                     "STUDIO_RATE_LIMIT_SCALE": "100"})
    srv.tokens = srv.setup_demo()
    srv.start()
    yield srv
    srv.stop()


def test_a_poster_needs_a_token_with_the_chat_scope(irc):
    for kwargs, problem in ((dict(token="", scopes=["chat:edit"]), "needs a user access token"),
                            (dict(token="chat-token", scopes=["user:read:chat"]), "needs the scope"),
                            (dict(token="chat-token", scopes=["chat:edit"], channel="a b\r\nJOIN #x"), "login")):
        with pytest.raises(ValueError, match=problem):
            TwitchChatPoster(kwargs.pop("channel", "faqshop"), nick="faqbot", irc_url=irc.url, **kwargs)
    wrong = TwitchChatPoster("faqshop", "other-token", "faqbot", ["chat:edit"], irc_url=irc.url)
    outcome, error = wrong.post("s", "hi")
    assert outcome == "rejected" and "Login authentication failed" in error and irc.posted == []


def test_posting_respects_twitchs_rate_limit_and_reports_refusals(irc):
    now = [1000.0]
    poster = TwitchChatPoster("#FaqShop", "oauth:chat-token", "faqbot", ["chat:edit"], irc_url=irc.url,
                              clock=lambda: now[0])
    limit, per = RATE
    outcomes = [poster.post("s", f"reply {i}")[0] for i in range(limit + 3)]
    assert outcomes == ["posted"] * limit + ["rate_limited"] * 3
    wait_for(lambda: len(irc.posted) == limit, what="the fake got every message")
    assert irc.posted[0] == ("faqbot", "#faqshop :reply 0")
    now[0] += per + 0.1
    irc.refuse_posts = ("msg_duplicate", "Your message was not sent because it is identical to the previous one")
    assert poster.post("s", "reply 0") == ("rejected", irc.refuse_posts[1])
    irc.refuse_posts = ("msg_ratelimit", "Your message was not sent because you are sending messages too quickly")
    assert poster.post("s", "again")[0] == "rate_limited"
    poster.close()


def test_the_studio_posts_approved_and_automatic_replies_to_twitch(studio_with_irc, irc):
    server = studio_with_irc
    show = new_show(server)
    producer = server.session(server.tokens["producer"])
    base = f"{server.url}/api/shows/{show}/replies"
    r = producer.put(f"{base}/posters/twitch", json={"channel": "faqshop", "nick": "faqbot", "token": "chat-token",
                                                     "scopes": ["user:read:chat"]})
    assert r.status_code == 400 and "chat:edit" in r.json()["error"]
    r = producer.put(f"{base}/posters/twitch", json={"channel": "faqshop", "nick": "faqbot", "scopes": ["chat:edit"]})
    assert r.status_code == 400 and "token" in r.json()["error"]
    r = producer.put(f"{base}/posters/twitch", json={"channel": "faqshop", "nick": "faqbot", "token": "chat-token",
                                                     "scopes": ["chat:edit"]})
    assert r.status_code == 200 and r.json()["can_post"] == ["twitch"], r.text
    setup(server, show, mode="approve")
    ingest(server, show, [ask("几号发货", "t1", 1, "streamfan", platform="twitch"),
                          ask("几号发货", "d1", 1, "抖音用户", platform="douyin")])
    items = wait_for(lambda: (p := panel(server, show)["items"]) and len(p) == 2 and p, what="two suggestions")
    assert irc.posted == []  # approve mode: nothing goes out before a moderator says so
    twitch = next(i for i in items if i["platform"] == "twitch")
    host = server.session(server.tokens["host"])
    done = host.post(f"{base}/{twitch['id']}", json={"action": "approve"}).json()
    assert done["state"] in ("approved", "posted")
    wait_for(lambda: host.get(f"{base}").json()["done"][0]["state"] == "posted", what="posted")
    assert irc.posted == [("faqbot", f"#faqshop :{twitch['text']}")] and twitch["text"].startswith("@s*")
    # auto: posted without anyone's approval; the platform that cannot post still waits in the panel
    setup(server, show, mode="auto")
    ingest(server, show, [ask("什么时候发货呀", "t2", 1, "otherfan", platform="twitch")])
    wait_for(lambda: len(irc.posted) == 2, what="the automatic reply")
    assert irc.posted[1][1].startswith("#faqshop :@o*")
    stored = wait_for(lambda: (p := host.get(base).json()) and len(p["done"]) == 2 and p, what="stored outcome")
    assert [i["platform"] for i in stored["items"]] == ["douyin"]
    assert sorted(d["state"] for d in stored["done"]) == ["posted", "posted"]
    # a token Twitch refuses: the outcome is stored as rejected
    producer.put(f"{base}/posters/twitch", json={"channel": "faqshop", "nick": "faqbot", "token": "revoked",
                                                 "scopes": ["chat:edit"]})
    ingest(server, show, [ask("几号发货", "t3", 1, "third", platform="twitch")])
    wait_for(lambda: any(d["state"] == "rejected" for d in host.get(base).json()["done"]), what="rejected")
    rejected = next(d for d in host.get(base).json()["done"] if d["state"] == "rejected")
    assert "Login authentication failed" in rejected["error"] and len(irc.posted) == 2
