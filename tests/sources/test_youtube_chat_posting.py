"""Answers in chat posted to YouTube: liveChatMessages.insert with a force-ssl token against the local fake of the
Data API, through a real studio; refused without a token or scope, every outcome YouTube gives (posted, its rate
limit, a chat that takes nothing, a refused token) stored and shown, within the documented limits (the room's
messages per 30 s, 50 quota units a message)."""
from __future__ import annotations

import sqlite3

import pytest

from studio.sources.youtube_chat import RATE, UNITS_PER_INSERT, YoutubeChatPoster
from tests.api.test_cases import ingest
from tests.api.test_replies import ask, panel, setup
from tests.support.fakes.youtube import FakeYoutube
from tests.support.liveserver import LiveServer
from tests.support.shows import new_show
from tests.support.waiting import wait_for

FORCE_SSL = "https://www.googleapis.com/auth/youtube.force-ssl"


@pytest.fixture
def yt():
    fake = FakeYoutube()
    yield fake
    fake.close()


@pytest.fixture
def studio_with_youtube(tmp_path, yt):
    srv = LiveServer(tmp_path / "studio", extra_env={"STUDIO_YOUTUBE_API_URL": yt.url,
                                                     "STUDIO_RATE_LIMIT_SCALE": "100"})
    srv.tokens = srv.setup_demo()
    srv.start()
    yield srv
    srv.stop()


def test_a_poster_needs_a_token_with_the_force_ssl_scope(yt):
    for kwargs, problem in ((dict(token="", scopes=[FORCE_SSL]), "needs an OAuth access token"),
                            (dict(token=yt.post_token, scopes=["https://www.googleapis.com/auth/youtube.readonly"]),
                             "youtube.force-ssl"),
                            (dict(token=yt.post_token, scopes=[FORCE_SSL], live_chat_id="a b"), "liveChatId")):
        with pytest.raises(ValueError, match=problem):
            YoutubeChatPoster(kwargs.pop("live_chat_id", yt.chat_id), api_url=yt.url, **kwargs)


def test_each_answer_youtube_gives_is_an_outcome_within_the_documented_limits(yt):
    now = [1000.0]
    poster = YoutubeChatPoster(yt.chat_id, yt.post_token, [FORCE_SSL], api_url=yt.url, clock=lambda: now[0],
                               daily_units=UNITS_PER_INSERT * (RATE[0] + 4))
    limit, per = RATE
    assert [poster.post("s", f"回复 {i}")[0] for i in range(limit + 2)] == ["posted"] * limit + ["rate_limited"] * 2
    assert yt.inserted == [f"回复 {i}" for i in range(limit)] and yt.items[-1]["snippet"]["type"] == "textMessageEvent"
    assert poster.status()["quota_units"] == limit * UNITS_PER_INSERT
    now[0] += per + 0.1
    yt.refuse_inserts = "rateLimitExceeded"
    outcome, error = poster.post("s", "again")
    assert outcome == "rate_limited" and "rateLimitExceeded" in error
    yt.refuse_inserts = "liveChatDisabled"
    outcome, error = poster.post("s", "again")
    assert outcome == "rejected" and "liveChatDisabled" in error
    yt.refuse_inserts = ""
    yt.post_token = "ya29.revoked-elsewhere"
    outcome, error = poster.post("s", "again")
    assert outcome == "rejected" and "refused the token" in error
    yt.post_token = poster.token
    assert poster.post("s", "last of the day")[0] == "posted"
    outcome, error = poster.post("s", "over the budget")  # 14 messages' units: the day's budget is spent
    assert outcome == "rate_limited" and "quota" in error and yt.inserted[-1] == "last of the day"
    poster.close()


def _secrets_in(server, show: str, secret: str) -> list[str]:
    """Every API answer a producer or host can read about the show's replies: none may hold the token."""
    producer, host = server.session(server.tokens["producer"]), server.session(server.tokens["host"])
    answers = [producer.get(f"{server.url}/api/shows/{show}/replies/settings").text,
               host.get(f"{server.url}/api/shows/{show}/replies").text,
               producer.get(f"{server.url}/api/shows/{show}/sources").text,
               server.session().get(f"{server.url}/api/openapi.json").text]
    return [a[:200] for a in answers if secret in a]


def test_the_studio_posts_to_youtube_and_stores_every_outcome(studio_with_youtube, yt):
    server = studio_with_youtube
    show = new_show(server)
    producer = server.session(server.tokens["producer"])
    host = server.session(server.tokens["host"])
    base = f"{server.url}/api/shows/{show}/replies"
    r = producer.put(f"{base}/posters/youtube", json={"live_chat_id": yt.chat_id, "scopes": [FORCE_SSL]})
    assert r.status_code == 400 and "token" in r.json()["error"]
    r = producer.put(f"{base}/posters/youtube", json={"live_chat_id": yt.chat_id, "token": yt.post_token,
                                                      "scopes": ["https://www.googleapis.com/auth/youtube.readonly"]})
    assert r.status_code == 400 and "force-ssl" in r.json()["error"]
    r = producer.put(f"{base}/posters/youtube", json={"live_chat_id": yt.chat_id, "token": yt.post_token,
                                                      "scopes": [FORCE_SSL]})
    assert r.status_code == 200 and r.json()["can_post"] == ["youtube"], r.text
    assert r.json()["posters"]["youtube"] == {"platform": "youtube", "live_chat_id": yt.chat_id, "token": "set",
                                              "scopes": [FORCE_SSL]}
    assert _secrets_in(server, show, yt.post_token) == [] and yt.post_token not in r.text
    setup(server, show, mode="approve")

    def approve_next(user: str) -> dict:
        ingest(server, show, [ask("几号发货", user, 1, "YT观众", platform="youtube")])
        item = wait_for(lambda: next((i for i in panel(server, show)["items"] if i["state"] == "suggested"), None),
                        what="a suggestion")
        assert host.post(f"{base}/{item['id']}", json={"action": "approve"}).status_code == 200
        return wait_for(lambda: next((d for d in host.get(base).json()["done"]
                                      if d["id"] == item["id"] and d["state"] != "approved"), None), what="outcome")

    posted = approve_next("y1")
    assert posted["state"] == "posted" and yt.inserted == [posted["text"]] and posted["text"].startswith("@Y*")
    yt.refuse_inserts = "rateLimitExceeded"
    limited = approve_next("y2")
    assert limited["state"] == "rate_limited" and "rateLimitExceeded" in limited["error"]
    yt.refuse_inserts = "liveChatDisabled"
    disabled = approve_next("y3")
    assert disabled["state"] == "rejected" and "liveChatDisabled" in disabled["error"]
    yt.refuse_inserts, yt.post_token = "", "ya29.rotated"
    refused = approve_next("y4")
    assert refused["state"] == "rejected" and "refused the token" in refused["error"]
    assert yt.inserted == [posted["text"]]
    stored = {d["id"]: d["state"] for d in host.get(base).json()["done"]}
    assert [stored[x["id"]] for x in (posted, limited, disabled, refused)] == ["posted", "rate_limited", "rejected",
                                                                              "rejected"]


def test_tokens_survive_a_restart_sealed_and_never_answered(studio_with_youtube, yt):
    server = studio_with_youtube
    show = new_show(server)
    producer = server.session(server.tokens["producer"])
    base = f"{server.url}/api/shows/{show}/replies"
    twitch_token = "twitch-chat-token-abc123"
    assert producer.put(f"{base}/posters/youtube", json={"live_chat_id": yt.chat_id, "token": yt.post_token,
                                                         "scopes": [FORCE_SSL]}).status_code == 200
    assert producer.put(f"{base}/posters/twitch", json={"channel": "faqshop", "nick": "faqbot", "token": twitch_token,
                                                        "scopes": ["chat:edit"]}).status_code == 200
    with sqlite3.connect(f"file:{server.var_dir / 'studio.db'}?mode=ro", uri=True) as conn:
        stored = " ".join(r[0] for r in conn.execute("SELECT settings_sealed FROM chat_posters"))
    assert stored and yt.post_token not in stored and twitch_token not in stored and "faqshop" not in stored
    server.restart()
    host = server.session(server.tokens["host"])
    settings = host.get(f"{base}/settings").json()
    assert settings["can_post"] == ["twitch", "youtube"]
    assert settings["posters"]["twitch"] == {"platform": "twitch", "channel": "faqshop", "nick": "faqbot",
                                             "token": "set", "scopes": ["chat:edit"]}
    for secret in (yt.post_token, twitch_token):
        assert _secrets_in(server, show, secret) == []
    setup(server, show, mode="auto")  # posted without anyone's approval, with the token stored before the restart
    ingest(server, show, [ask("几号发货", "after-restart", 1, "Restarted", platform="youtube")])
    wait_for(lambda: yt.inserted, what="a reply posted with the stored token")
    assert yt.inserted[0].startswith("@R*")
    wait_for(lambda: [d["state"] for d in host.get(base).json()["done"]] == ["posted"], what="stored as posted")
    # removed: gone after the next restart too
    assert producer.delete(f"{base}/posters/youtube").json()["can_post"] == ["twitch"]
    server.restart()
    assert server.session(server.tokens["host"]).get(f"{base}/settings").json()["can_post"] == ["twitch"]
