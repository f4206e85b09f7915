"""Teaching during the show over the API: the review queue, decisions applied to the running matcher within 2 s,
undo, validation and roles; decisions in the catalog export and import."""
from __future__ import annotations

import io
import secrets
import zipfile

import pytest
import requests
import yaml

from tests.support.comment_client import post, ranking
from tests.support.teaching import unknown_word as word
from tests.support.waiting import poll


def until(probe, ok, timeout: float, interval: float = 0.1):
    """probe() until ok(value) within timeout seconds (measured from the call); the value, or an assertion."""
    last = []
    assert poll(lambda: ok(last.append(probe()) or last[-1]), timeout, interval), f"timed out: last {last[-1:]}"
    return last[-1]




def review(server, show, role="producer") -> list[dict]:
    r = server.session(server.tokens[role]).get(f"{server.url}/api/shows/{show}/review")
    assert r.status_code == 200, r.text
    return r.json()["items"]


def decide(server, show, text, faq, role="producer") -> requests.Response:
    return server.session(server.tokens[role]).post(f"{server.url}/api/shows/{show}/decisions",
                                                   json={"text": text, "faq": faq})


def count(server, show, slug) -> int:
    row = ranking(server, show).get(slug)
    return row["count_1m"] if row else 0


def test_review_queue_teach_undo(server, show):
    w = word()
    text = f"{w}好了没"
    post(server, show, [{"user": f"u{i}", "text": text} for i in range(3)] + [{"user": "v1", "text": "xyz能用吗"}])
    queue = until(lambda: review(server, show), lambda q: any(e["text"] == text for e in q), 5)
    entry = next(e for e in queue if e["text"] == text)
    # Three viewers asked it: an emerging cluster as well as an unsure comment, listed once.
    assert entry["kind"] in ("comment", "cluster") and entry["askers"] == 3 and text in entry["samples"]
    assert sum(text in e["samples"] for e in queue) == 1
    odd = next(e for e in queue if e["text"] == "xyz能用吗")
    assert odd["kind"] == "comment" and odd["askers"] == 1
    assert [e["askers"] for e in queue] == sorted((e["askers"] for e in queue), reverse=True)
    assert review(server, show, "host")  # hosts read the queue too

    r = decide(server, show, text, "shipping-time")
    assert r.status_code == 201, r.text
    d = r.json()
    assert d["faq"] == "shipping-time" and d["who"].startswith("token:") and d["undone"] is False
    before = count(server, show, "shipping-time")
    # Within 2 s the next identical comment and a similar one count toward the taught item.
    def counted():
        post(server, show, [{"user": f"n{secrets.token_hex(3)}", "text": text},
                            {"user": f"n{secrets.token_hex(3)}", "text": f"请问{w}好了吗"}])
        return count(server, show, "shipping-time")
    until(counted, lambda n: n >= before + 2, 2.0, 0.2)
    assert not any(e["text"] == text for e in review(server, show))
    listed = server.session(server.tokens["host"]).get(f"{server.url}/api/shows/{show}/decisions").json()["items"]
    assert listed[0]["id"] == d["id"]

    undo = server.session(server.tokens["producer"]).post(f"{server.url}/api/shows/{show}/decisions/{d['id']}/undo")
    assert undo.status_code == 200 and undo.json()["undone"] is True
    again = server.session(server.tokens["producer"]).post(f"{server.url}/api/shows/{show}/decisions/{d['id']}/undo")
    assert again.status_code == 409
    # Undone: the same comment is unmatched again, and back in the queue.
    def uncounted():
        n = count(server, show, "shipping-time")
        post(server, show, [{"user": f"m{secrets.token_hex(3)}", "text": text}])
        return count(server, show, "shipping-time") - n
    until(uncounted, lambda n: n == 0, 3.0, 0.3)
    def queued_again():
        post(server, show, [{"user": f"r{secrets.token_hex(3)}", "text": text}])
        return review(server, show)
    until(queued_again, lambda q: any(e["text"] == text for e in q), 3, 0.3)


def test_not_a_question(server, show):
    w = word()
    text = f"{w}发货了吗"  # the matcher gives it shipping-time
    post(server, show, [{"user": "a1", "text": text}])
    assert until(lambda: count(server, show, "shipping-time"), lambda n: n == 1, 3)
    d = decide(server, show, text, None).json()
    assert d["faq"] is None and d["guess"] == "shipping-time"
    def added():
        n = count(server, show, "shipping-time")
        post(server, show, [{"user": f"b{secrets.token_hex(3)}", "text": text}])
        return count(server, show, "shipping-time") - n
    until(added, lambda n: n == 0, 2.0, 0.2)  # within 2 s the same comment counts for no item
    server.session(server.tokens["producer"]).post(f"{server.url}/api/shows/{show}/decisions/{d['id']}/undo")


def stored_per_item(server, show) -> dict:
    r = server.session(server.tokens["producer"]).get(f"{server.url}/api/shows/{show}/stats")
    assert r.status_code == 200, r.text
    return r.json()["per_item"]


def test_decisions_recount_stored_comments(server, show):
    """Comments stored before a decision move to the item it teaches (ranking and stored counts) within 2 s, with
    no new comment; undo moves them back; "not a shelf question" takes confident matches off their item."""
    w = word()
    text = f"{w}好了没"  # unmatched: an open question
    post(server, show, [{"user": f"s{i}", "text": text} for i in range(3)])
    until(lambda: review(server, show), lambda q: any(e["text"] == text for e in q), 5)
    assert count(server, show, "shipping-time") == 0
    d = decide(server, show, text, "shipping-time").json()
    until(lambda: count(server, show, "shipping-time"), lambda n: n == 3, 2.0)
    until(lambda: stored_per_item(server, show).get("shipping-time", 0), lambda n: n == 3, 2.0)
    server.session(server.tokens["producer"]).post(f"{server.url}/api/shows/{show}/decisions/{d['id']}/undo")
    until(lambda: count(server, show, "shipping-time"), lambda n: n == 0, 2.0)
    until(lambda: stored_per_item(server, show).get("shipping-time", 0), lambda n: n == 0, 2.0)

    confident = f"{word()}发货了吗"  # the matcher gives it shipping-time
    post(server, show, [{"user": f"c{i}", "text": confident} for i in range(2)])
    until(lambda: count(server, show, "shipping-time"), lambda n: n == 2, 3)
    d = decide(server, show, confident, None).json()
    until(lambda: count(server, show, "shipping-time"), lambda n: n == 0, 2.0)
    assert stored_per_item(server, show).get("shipping-time", 0) == 0
    server.session(server.tokens["producer"]).post(f"{server.url}/api/shows/{show}/decisions/{d['id']}/undo")


@pytest.mark.parametrize("body, status", [
    ({"text": "x"}, 400), ({"faq": None}, 400), ({"text": "", "faq": None}, 400), ({"text": 5, "faq": None}, 400),
    ({"text": "好", "faq": 3}, 400), ({"text": "好" * 501, "faq": None}, 400), ({"text": "😀", "faq": None}, 400),
    ({"text": "发货吗", "faq": "no-such-item"}, 404), ({"text": "发货吗", "faq": None, "extra": 1}, 400),
])
def test_decision_validation(server, show, body, status):
    r = server.session(server.tokens["producer"]).post(f"{server.url}/api/shows/{show}/decisions", json=body)
    assert r.status_code == status, r.text
    assert r.json()["error"]


def test_roles_and_unknowns(server, show):
    url = f"{server.url}/api/shows/{show}"
    assert requests.get(url + "/review").status_code == 401
    assert server.session(server.tokens["lead"]).get(url + "/review").status_code == 403
    assert decide(server, show, "发货吗", None, role="host").status_code == 403
    assert decide(server, show, "发货吗", None, role="ingest").status_code == 403
    p = server.session(server.tokens["producer"])
    assert p.get(f"{server.url}/api/shows/nope/review").status_code == 404
    assert p.post(url + "/decisions/999999/undo").status_code == 404
    assert p.get(url + "/review?n=0").status_code == 400
    assert p.get(url + "/decisions?scope=x").status_code == 400
    assert p.post(url + "/decisions", data="x", headers={"Content-Type": "application/json"}).status_code == 400


def test_export_import_carries_decisions(fresh_server, tmp_path):
    srv = fresh_server.start()
    w = word()
    taught, chatter, wrong = f"{w}好了没", f"{w}哈哈哈", f"{w}发货了吗"
    p = srv.session(srv.tokens["producer"])
    for text, faq in ((taught, "shipping-time"), (chatter, None), (wrong, None)):
        assert p.post(f"{srv.url}/api/shows/demo/decisions", json={"text": text, "faq": faq}).status_code == 201
    raw = p.get(f"{srv.url}/api/catalog/export?format=zip").content
    archive = zipfile.ZipFile(io.BytesIO(raw))
    meta = yaml.safe_load(archive.read("shipping-time.md").decode().split("---")[1])
    assert meta["taught"] == [taught] and meta["not_this"] == [wrong]
    assert yaml.safe_load(archive.read("_not_questions.yaml")) == [chatter]
    csv_text = p.get(f"{srv.url}/api/catalog/export?format=csv").text
    assert taught in csv_text and "not_this" in csv_text.splitlines()[0]

    other = srv.__class__(tmp_path / "other")
    other.tokens = other.setup_demo()
    try:
        other.start()
        q = other.session(other.tokens["producer"])
        r = q.post(f"{other.url}/api/catalog/import", files={"file": ("faq-catalog.zip", raw)})
        assert r.status_code == 200 and r.json()["taught"] == 3, r.text
        again = q.post(f"{other.url}/api/catalog/import", files={"file": ("faq-catalog.zip", raw)})
        assert again.json()["taught"] == 0  # idempotent
        listed = q.get(f"{other.url}/api/shows/demo/decisions?scope=catalog").json()["items"]
        assert {(d["text"], d["faq"]) for d in listed} == {(taught, "shipping-time"), (chatter, None), (wrong, None)}
        def matched():
            post(other, "demo", [{"user": secrets.token_hex(3), "text": taught}])
            return count(other, "demo", "shipping-time")
        until(matched, lambda n: n >= 1, 3, 0.3)
    finally:
        other.stop()


def _subscribe(server, show, topics, cookie: str | None = None):
    import socketio
    client = socketio.Client(reconnection=False)
    client.connect(server.url, namespaces=["/live"], transports=["websocket"], wait_timeout=5,
                   headers={"Cookie": cookie} if cookie else {})
    try:
        return client.call("subscribe", {"show": show, "topics": topics}, namespace="/live", timeout=5)
    finally:
        client.disconnect()


def test_review_topic_is_for_staff_only(server, show):
    assert "error" in _subscribe(server, show, ["review"])
    assert "error" in _subscribe(server, show, ["ranking", "review"])
    for role, ok in (("host", True), ("producer", True), ("lead", False)):
        s = server.login(role)
        cookie = "; ".join(f"{k}={v}" for k, v in s.cookies.items())
        answer = _subscribe(server, show, ["review"], cookie)
        assert (answer == {"ok": True, "topics": ["review"]}) is ok, (role, answer)
