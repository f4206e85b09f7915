"""Comment ingestion into a running studio over HTTP and Socket.IO: counts, dedupe, durability, bad input."""
import json

import opencc
import pytest
import requests
import socketio

from tests.support.comment_client import ASKS, asks, post, ranking, stats
from tests.support.shows import new_show


def test_accepted_comments_are_stored_matched_and_ranked(server):
    show = new_show(server)
    items = [{"id": "m1", "user": "u1", "text": ASKS["shipping-time"], "platform": "douyin"},
             {"id": "m2", "user": "u2", "text": "主播今天好美", "platform": "douyin"},
             {"id": "m3", "user": "u3", "text": ASKS["invoice"], "platform": "douyin"}]
    r = post(server, show, items)
    assert r.status_code == 200
    assert r.json() == {"accepted": 3, "duplicate": 0, "rejected": 0, "errors": []}
    st = stats(server, show)
    assert st["comments_stored"] == 3 and st["comments_matched"] == 2
    assert st["per_item"] == {"shipping-time": 1, "invoice": 1}
    assert {(i["source"], i["platform"], i["per_minute"]) for i in st["inputs"]} == {("http", "douyin", 3)}
    assert set(ranking(server, show)) == {"shipping-time", "invoice"}


def test_same_platform_and_id_is_a_duplicate(server):
    show = new_show(server)
    first = [{"id": "42", "user": "a", "text": ASKS["shipping-time"], "platform": "bilibili"},
             {"id": "42", "user": "a", "text": ASKS["shipping-time"], "platform": "bilibili"},  # repeat in batch
             {"id": "42", "user": "a", "text": ASKS["shipping-time"], "platform": "douyin"}]  # other platform
    assert post(server, show, first).json() == {"accepted": 2, "duplicate": 1, "rejected": 0, "errors": []}
    again = [{"id": 42, "user": "a", "text": ASKS["shipping-time"], "platform": "bilibili"},  # stored already
             {"id": "43", "user": "a", "text": ASKS["shipping-time"], "platform": "bilibili"}]
    assert post(server, show, again).json() == {"accepted": 1, "duplicate": 1, "rejected": 0, "errors": []}
    assert stats(server, show)["comments_stored"] == 3
    assert ranking(server, show)["shipping-time"]["count_1m"] == 3  # duplicates never count
    # the same id in another show is that show's own comment
    other = new_show(server)
    assert post(server, other, again[:1]).json()["accepted"] == 1


def test_traditional_comments_count_for_their_item(server):
    show = new_show(server)
    s2t = opencc.OpenCC("s2t")
    items = [{"user": f"tw{i}", "text": s2t.convert(ASKS["invoice"]) + "？"} for i in range(3)]
    assert items[0]["text"] != ASKS["invoice"] + "？"
    assert post(server, show, items).json()["accepted"] == 3
    row = ranking(server, show)["invoice"]
    assert row["count_1m"] == 3 and row["askers"] == 3
    assert row["samples"][0]["text"] == items[-1]["text"]  # stored raw, as written


def test_bad_items_are_rejected_one_by_one_and_the_rest_is_kept(server):
    show = new_show(server)
    good = {"user": "ok", "text": ASKS["shipping-time"]}
    items = [
        good,
        {"user": "a", "text": ""},
        {"user": "a", "text": "   \n\t "},
        {"user": "a", "text": "问" * 10_000},
        {"user": "a", "text": 12345},
        {"user": {"id": 1}, "text": "hi"},
        {"user": "a", "text": "hi", "ts": "tomorrow-ish"},
        {"user": "a", "text": "hi", "ts": 1000},  # 1970
        {"user": "a", "text": "lone \ud800 surrogate"},
        None,
        {"user": "ctl", "text": "什么时候\x07发货\u202e\x00", "nickname": "unknown fields are ignored"},
        {"user": "future", "text": ASKS["invoice"], "ts": 4_000_000_000},  # clamped to now
    ]
    r = post(server, show, None, data=json.dumps(items).encode(), headers={"Content-Type": "application/json"})
    assert r.status_code == 200
    body = r.json()
    assert body["accepted"] == 3 and body["rejected"] == 9 and body["duplicate"] == 0
    reasons = {e["index"]: e["reason"] for e in body["errors"]}
    assert sorted(reasons) == [1, 2, 3, 4, 5, 6, 7, 8, 9]
    assert "empty" in reasons[1] and "empty" in reasons[2] and "longer than 500" in reasons[3]
    assert "string" in reasons[4] and "user" in reasons[5] and "ts" in reasons[6] and "48 hours" in reasons[7]
    assert "UTF-8" in reasons[8] and "object" in reasons[9]
    assert stats(server, show)["comments_stored"] == 3
    rows = ranking(server, show)
    assert rows["shipping-time"]["samples"][0]["text"] == "什么时候发货"  # control characters cleaned out
    assert rows["invoice"]["count_1m"] == 1


def test_invalid_utf8_in_one_text_loses_only_that_item(server):
    show = new_show(server)
    body = ('[{"user": "a", "text": "' + ASKS["shipping-time"] + '"}, {"user": "b", "text": "bad ').encode() \
        + b"\xff\xfe\xc3" + '"}, {"user": "c", "text": "能开发票吗"}]'.encode()
    r = post(server, show, None, data=body, headers={"Content-Type": "application/json"})
    assert r.status_code == 200
    assert r.json()["accepted"] == 2 and r.json()["errors"] == [
        {"index": 1, "reason": "text is not valid UTF-8 (unpaired surrogate or undecodable bytes)"}]


@pytest.mark.parametrize("data, content_type, status, message", [
    (b"not json at all", "application/json", 400, "not valid JSON"),
    (b'{"user": "a", "text": "hi"}', "application/json", 400, "JSON array"),
    (b'[{"user": "a", "text": "hi"}', "application/json", 400, "not valid JSON"),
    (b"\xff\xfe[]", "application/json", 400, "not valid JSON"),
    (b'[{"user": "a", "text": "hi"}]', "text/plain", 415, "application/json"),
])
def test_unreadable_bodies_get_a_clear_4xx(server, data, content_type, status, message):
    show = new_show(server)
    r = post(server, show, None, data=data, headers={"Content-Type": content_type})
    assert r.status_code == status and message in r.json()["error"]
    assert stats(server, show)["comments_stored"] == 0


def test_batch_limit_is_5000(server):
    show = new_show(server)
    items = [{"user": f"u{i}", "text": f"第{i}条"} for i in range(5001)]
    r = post(server, show, items)
    assert r.status_code == 413 and "5000" in r.json()["error"]
    assert stats(server, show)["comments_stored"] == 0
    r = post(server, show, items[:5000])
    assert r.status_code == 200 and r.json()["accepted"] == 5000


def test_ingest_needs_an_ingest_token_and_a_show(server):
    show = new_show(server)
    item = [{"user": "a", "text": "hi"}]
    assert requests.post(f"{server.url}/api/shows/{show}/comments", json=item).status_code == 401
    assert post(server, show, item, token=server.tokens["producer"]).status_code == 403
    assert post(server, show, item, token=server.tokens["admin"]).status_code == 200
    r = post(server, "no-such-show", item)
    assert r.status_code == 404 and r.json() == {"error": "no such show"}


def ingest_client(server, token: str) -> socketio.Client:
    client = socketio.Client(reconnection=False)
    client.connect(server.url, namespaces=["/ingest"], auth={"token": token}, transports=["websocket"],
                   wait_timeout=5)
    return client


def test_socketio_bridge_batches_are_acknowledged(server):
    show = new_show(server)
    client = ingest_client(server, server.tokens["ingest"])
    try:
        batch = {"show": show, "items": asks("shipping-time", ["s1", "s2"], id="x", platform="kuaishou")
                 + asks("invoice", ["s3"])}
        batch["items"][1]["id"] = "y"
        ack = client.call("comments", batch, namespace="/ingest", timeout=10)
        assert ack == {"accepted": 3, "duplicate": 0, "rejected": 0, "errors": []}
        ack = client.call("comments", {"show": show, "items": batch["items"][:1] + [{"text": ""}]},
                          namespace="/ingest", timeout=10)
        assert ack["duplicate"] == 1 and ack["rejected"] == 1 and ack["errors"][0]["index"] == 1
        too_many = [{"user": "u", "text": "hi"}] * 5001
        assert "5000" in client.call("comments", {"show": show, "items": too_many}, namespace="/ingest",
                                     timeout=10)["error"]
        assert client.call("comments", {"show": "no-such-show", "items": []}, namespace="/ingest",
                           timeout=10) == {"error": "no such show"}
        assert "show" in client.call("comments", ["not", "an", "object"], namespace="/ingest", timeout=10)["error"]
    finally:
        client.disconnect()
    st = stats(server, show)
    assert st["comments_stored"] == 3
    assert {(i["source"], i["platform"]) for i in st["inputs"]} == {("socketio", "kuaishou"), ("socketio", "socketio")}


@pytest.mark.parametrize("role, reason", [("producer", "role"), ("bogus", "token")])
def test_socketio_bridge_needs_an_ingest_token(server, role, reason):
    token = server.tokens["producer"] if role == "producer" else "fls_not-a-token"
    refusals = []
    client = socketio.Client(reconnection=False)
    client.on("connect_error", refusals.append, namespace="/ingest")
    with pytest.raises(socketio.exceptions.ConnectionError):
        client.connect(server.url, namespaces=["/ingest"], auth={"token": token}, transports=["websocket"],
                       wait_timeout=1)
    assert len(refusals) == 1 and reason in refusals[0]["message"]


def test_stats_and_ranking_of_unknown_show_are_404(server):
    for what in ("stats", "ranking"):
        r = requests.get(f"{server.url}/api/shows/no-such-show/{what}")
        assert r.status_code == 404 and r.json() == {"error": "no such show"}
