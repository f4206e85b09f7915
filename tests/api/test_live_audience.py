"""Who reads which /live topic: public topics for anyone (any origin, no login), staff topics only for a staff
session cookie from an allowed origin or an API token with the route's roles. The walk covers every topic the
server provides, so a new topic without an audience (or missing from docs/socketio.md) fails here."""
from __future__ import annotations

import json
import re
import threading

import pytest
import requests
import socketio

from studio.live.channels import Audience, LiveChannels
from tests.support.comment_client import asks, post
from tests.support.liveserver import REPO
from tests.support.shows import new_show

STAFF = {"emerging": {"producer", "host"}, "review": {"producer", "host"}, "health": {"producer", "host", "lead"},
         "cases": {"producer", "host", "agent"}, "replies": {"producer", "host"}}
PUBLIC_RANKING_KEYS = {"slug", "number", "question", "score", "demand", "count_1m", "askers", "trend", "cooldown"}
FOREIGN = "http://evil.example"


def host_topics() -> set[str]:
    return {t for t, roles in STAFF.items() if "host" in roles}


class Live:
    """A /live connection that records every `state` and `refused` event."""

    def __init__(self, server, origin: str | None = None, token: str | None = None, cookies: str | None = None):
        headers = {}
        if origin:
            headers["Origin"] = origin
        if cookies:
            headers["Cookie"] = cookies
        self.states: list[dict] = []
        self.refused: list[dict] = []
        self.lock = threading.Lock()
        self.client = socketio.Client(reconnection=False)
        self.client.on("state", lambda m: self._add(self.states, m), namespace="/live")
        self.client.on("refused", lambda m: self._add(self.refused, m), namespace="/live")
        # The WebSocket client sends an Origin of its own (the server's URL); long-polling sends none, like OBS.
        transports = ["websocket"] if origin else ["polling"]
        self.client.connect(server.url, namespaces=["/live"], transports=transports, wait_timeout=5,
                            headers=headers, auth={"token": token} if token else None)

    def _add(self, into: list, msg: dict) -> None:
        with self.lock:
            into.append(msg)

    def subscribe(self, show: str, topics: list[str]) -> dict:
        return self.client.call("subscribe", {"show": show, "topics": topics}, namespace="/live", timeout=5)

    def close(self) -> None:
        self.client.disconnect()


def cookie_header(session: requests.Session) -> str:
    return "; ".join(f"{c.name}={c.value}" for c in session.cookies)


@pytest.fixture(scope="module")
def busy_show(server) -> str:
    """A show with ranking rows (samples included) and an emerging question."""
    show = new_show(server)
    items = (asks("shipping-time", [f"v{i}" for i in range(4)]) + asks("invoice", ["w1", "w2"])
             + [{"user": f"e{i}", "text": "能寄到新疆吗？"} for i in range(4)])
    assert post(server, show, items).json()["accepted"] == len(items)
    return show


def server_topics(server) -> dict:
    live = Live(server)
    try:
        return live.client.call("topics", {}, namespace="/live", timeout=5)["topics"]
    finally:
        live.close()


def test_every_topic_has_an_audience_stated_in_the_docs(server):
    topics = server_topics(server)
    assert {"onair", "shelf", "ranking", "emerging", "health"} <= set(topics)
    docs = (REPO / "docs" / "socketio.md").read_text()
    for topic, who in topics.items():
        assert who["audience"] in ("public", "staff"), (topic, who)
        if who["audience"] == "staff":
            assert who["roles"], f"staff topic {topic!r} names no roles"
        assert STAFF.get(topic, set()) == set(who["roles"]), f"{topic!r}: roles {who['roles']} differ from its route"
        # the docs' topic table states the same audience
        row = re.search(rf"^\| `{topic}` \| ([^|]+)\|", docs, re.M)
        assert row, f"docs/socketio.md has no audience row for topic {topic!r}"
        stated = row.group(1).strip()
        if who["audience"] == "public":
            assert stated.startswith("public"), (topic, stated)
        else:
            assert stated.startswith("staff") and all(r in stated for r in who["roles"]), (topic, stated)


def test_a_topic_cannot_be_registered_without_an_audience():
    live = LiveChannels(socketio=None)
    with pytest.raises(TypeError):
        live.provide("secrets", lambda show: {})  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        live.provide("secrets", lambda show: {}, None)  # type: ignore[arg-type]
    live.provide("fine", lambda show: {}, Audience())
    assert live.audience("fine").public


def test_paced_topics_wait_their_turn_and_are_never_dropped():
    """A topic's own pace and a touch's `every` hold a push back, never lose it; a plain touch does not wait."""
    live = LiveChannels(socketio=None, interval=0.25)
    live.provide("list", lambda show: {}, Audience(), every=1.0)
    live.provide("cards", lambda show: {}, Audience())
    live._pushed[("s", "list")] = live._pushed[("s", "cards")] = 100.0  # both pushed at t=100
    live.touch("s", "list")
    live.touch("s", "cards", every=2.0)
    assert live._due(100.5) == ([], True)
    assert live._due(101.0) == ([("s", "list")], True)
    live.touch("s", "cards", every=2.0)  # another flood touch: still waits for its 2 s
    assert live._due(101.5) == ([], True)
    live.touch("s", "cards")  # a producer's edit: at once
    assert live._due(101.5) == ([("s", "cards")], False)
    live._pushed[("s", "cards")] = 101.5  # as _emit records it
    live.touch("s", "cards", every=2.0)
    assert live._due(101.6) == ([], True) and live._due(103.0) == ([], True)
    assert live._due(103.5) == ([("s", "cards")], False)  # 2 s after the last push


def _no_viewer_data(value) -> None:
    text = json.dumps(value, ensure_ascii=False)
    for key in ("user", "user_hash", "viewer", "samples", "boost"):
        assert f'"{key}"' not in text, (key, text[:300])


@pytest.mark.parametrize("origin", [None, FOREIGN, "null"])
def test_anonymous_clients_get_public_topics_and_are_refused_staff_ones(server, busy_show, origin):
    topics = server_topics(server)
    live = Live(server, origin=origin)
    try:
        for topic, who in topics.items():
            ack = live.subscribe(busy_show, [topic])
            if who["audience"] == "staff":
                assert ack["ok"] is False and ack["refused"] == [topic] and ack["topics"] == [], ack
                assert f"topic {topic!r} is for staff" in ack["error"] and "token" in ack["error"]
            else:
                assert ack == {"ok": True, "topics": [topic]}, ack
        # one snapshot per public topic, none of a staff one, and a refusal event per staff subscription
        got = {s["topic"] for s in live.states}
        assert got == {t for t, w in topics.items() if w["audience"] == "public"}
        assert sorted(r["topics"][0] for r in live.refused) == sorted(t for t, w in topics.items()
                                                                     if w["audience"] == "staff")
        ranking = next(s for s in live.states if s["topic"] == "ranking")["data"]
        assert ranking["items"] and all(set(row) <= PUBLIC_RANKING_KEYS for row in ranking["items"])
        for snap in live.states:
            _no_viewer_data(snap["data"])
        # a mixed subscription serves the public part and refuses the rest
        ack = live.subscribe(busy_show, ["onair", "emerging"])
        assert ack["ok"] is False and ack["topics"] == ["onair"] and ack["refused"] == ["emerging"]
    finally:
        live.close()


def readable(role: str, topics: dict) -> set[str]:
    """The staff topics a role may read, as the server states them."""
    return {t for t, w in topics.items() if w["audience"] == "staff" and (role == "admin" or role in w["roles"])}


def _reads(live: Live, show: str, topics: dict) -> set[str]:
    allowed = set()
    for topic in topics:
        ack = live.subscribe(show, [topic])
        if ack.get("ok"):
            allowed.add(topic)
        else:
            assert ack["refused"] == [topic]
    return allowed


def test_a_hosts_cookie_reads_what_a_host_may(server, busy_show):
    topics = server_topics(server)
    public = {t for t, w in topics.items() if w["audience"] == "public"}
    host = server.login("host")
    live = Live(server, cookies=cookie_header(host))  # no Origin: a non-browser client carrying the cookie
    try:
        assert _reads(live, busy_show, topics) == public | host_topics()
        ranking = next(s for s in live.states if s["topic"] == "ranking")["data"]
        assert all("samples" in row and "boost" in row for row in ranking["items"])  # the console's full rows
        assert ranking["items"][0]["samples"][0]["text"]
        emerging = next(s for s in live.states if s["topic"] == "emerging")["data"]
        assert any("新疆" in item["question"] for item in emerging["items"]), emerging
    finally:
        live.close()
    # the same cookie sent by a page of the studio's own origin works, from a foreign page it is ignored
    own = Live(server, origin=server.url, cookies=cookie_header(host))
    foreign = Live(server, origin=FOREIGN, cookies=cookie_header(host))
    try:
        assert own.subscribe(busy_show, ["health"])["ok"] is True
        ack = foreign.subscribe(busy_show, ["health"])
        assert ack["ok"] is False and "may not use the staff login" in ack["error"], ack
        assert foreign.subscribe(busy_show, ["onair"])["ok"] is True
    finally:
        own.close()
        foreign.close()


def test_a_leads_cookie_reads_health_but_not_emerging(server, busy_show):
    topics = server_topics(server)
    public = {t for t, w in topics.items() if w["audience"] == "public"}
    live = Live(server, cookies=cookie_header(server.login("lead")))
    try:
        assert _reads(live, busy_show, topics) == public | readable("lead", topics) == public | {"health"}
        ack = live.subscribe(busy_show, ["emerging"])
        assert "role lead may not read it" in ack["error"]
    finally:
        live.close()


def test_an_ingest_token_reads_public_topics_only(server, busy_show):
    topics = server_topics(server)
    public = {t for t, w in topics.items() if w["audience"] == "public"}
    live = Live(server, origin=FOREIGN, token=server.tokens["ingest"])
    try:
        assert _reads(live, busy_show, topics) == public
        ranking = next(s for s in live.states if s["topic"] == "ranking")["data"]
        assert all(set(row) <= PUBLIC_RANKING_KEYS for row in ranking["items"])
    finally:
        live.close()
    # a host token works from any origin: a token is not an ambient credential a foreign page could borrow
    live = Live(server, origin=FOREIGN, token=server.tokens["host"])
    try:
        assert _reads(live, busy_show, topics) == public | host_topics()
    finally:
        live.close()


def test_a_wrong_token_is_refused_at_connect(server):
    with pytest.raises(socketio.exceptions.ConnectionError):
        Live(server, token="fls_not-a-token")


def test_staff_pushes_do_not_reach_anonymous_subscribers(server):
    show = new_show(server)
    anon, host = Live(server, origin=FOREIGN), Live(server, token=server.tokens["host"])
    try:
        assert anon.subscribe(show, ["ranking"])["ok"] and host.subscribe(show, ["ranking"])["ok"]
        assert post(server, show, asks("invoice", ["p1", "p2"])).json()["accepted"] == 2
        from tests.support.waiting import wait_until
        assert wait_until(lambda: any(s["data"]["items"] for s in host.states), 5)
        assert wait_until(lambda: any(s["data"]["items"] for s in anon.states), 5)
        for snap in anon.states:
            _no_viewer_data(snap["data"])
        assert any("samples" in row for s in host.states for row in s["data"]["items"])
    finally:
        anon.close()
        host.close()


def test_comment_samples_on_the_public_ranking_follow_the_shows_switch(server):
    show = new_show(server)
    assert post(server, show, asks("invoice", ["s1", "s2", "s3"])).json()["accepted"] == 3
    public = requests.get(f"{server.url}/api/shows/{show}/ranking").json()["items"]
    assert public and "samples" not in public[0] and "boost" not in public[0]
    producer = server.session(server.tokens["producer"])
    assert server.session(server.tokens["host"]).put(f"{server.url}/api/shows/{show}/public-samples",
                                                     json={"enabled": True}).status_code == 403
    assert producer.put(f"{server.url}/api/shows/{show}/public-samples", json={"enabled": "yes"}).status_code == 400
    r = producer.put(f"{server.url}/api/shows/{show}/public-samples", json={"enabled": True})
    assert r.status_code == 200 and r.json() == {"show": show, "public_samples": True}
    public = requests.get(f"{server.url}/api/shows/{show}/ranking").json()["items"]
    assert [set(s) for s in public[0]["samples"]] == [{"text", "ts"}] * 2  # at most two, text and time only
    live = Live(server, origin=FOREIGN)
    try:
        assert live.subscribe(show, ["ranking"])["ok"]
        assert live.states[-1]["data"]["items"][0]["samples"][0]["text"] == asks("invoice", ["x"])[0]["text"]
    finally:
        live.close()


def test_planned_shows_are_listed_to_staff_only(server):
    show = new_show(server, title="未公开的专场")
    anyone = {s["id"] for s in requests.get(f"{server.url}/api/shows").json()["shows"]}
    ingest = {s["id"] for s in server.session(server.tokens["ingest"]).get(f"{server.url}/api/shows").json()["shows"]}
    staff = {s["id"] for s in server.session(server.tokens["lead"]).get(f"{server.url}/api/shows").json()["shows"]}
    assert show not in anyone and show not in ingest and show in staff
    assert server.session(server.tokens["host"]).post(f"{server.url}/api/shows/{show}/start").status_code == 200
    assert show in {s["id"] for s in requests.get(f"{server.url}/api/shows").json()["shows"]}


def _login_cookie(server, headers: dict) -> str:
    s = requests.Session()
    page = s.get(server.url + "/login").text
    csrf = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)
    r = s.post(server.url + "/login", data={"name": "host", "password": "host-pass-123", "csrf_token": csrf},
               headers=headers, allow_redirects=False)
    assert r.status_code in (302, 303), r.text[:300]
    return r.headers["Set-Cookie"]


def test_the_session_cookie_is_secure_behind_an_https_proxy(server):
    plain = _login_cookie(server, {})
    assert "Secure" not in plain and "HttpOnly" in plain
    behind_tls = _login_cookie(server, {"X-Forwarded-Proto": "https"})  # nginx on loopback says https
    assert "Secure" in behind_tls and "HttpOnly" in behind_tls


def test_forwarded_headers_from_an_untrusted_address_are_ignored(app):
    c = app.test_client()
    page = c.get("/login", environ_base={"REMOTE_ADDR": "203.0.113.9"})
    csrf = re.search(r'name="csrf-token" content="([^"]+)"', page.get_data(as_text=True)).group(1)
    r = c.post("/login", data={"name": "host", "password": "host-pass-123", "csrf_token": csrf},
               headers={"X-Forwarded-Proto": "https"}, environ_base={"REMOTE_ADDR": "203.0.113.9"})
    assert r.status_code in (302, 303)
    assert "Secure" not in r.headers["Set-Cookie"]
    # reached over https directly: Secure
    page = c.get("/login", base_url="https://localhost")
    csrf = re.search(r'name="csrf-token" content="([^"]+)"', page.get_data(as_text=True)).group(1)
    r = c.post("/login", data={"name": "host", "password": "host-pass-123", "csrf_token": csrf},
               base_url="https://localhost")
    assert r.status_code in (302, 303) and "Secure" in r.headers["Set-Cookie"]
