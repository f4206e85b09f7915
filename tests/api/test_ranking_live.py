"""The demand ranking of a running studio: order, distinct askers, cooldown after an answer, throttled pushes,
and the board rebuilt from the database after a restart (SQLite, and PostgreSQL when it is there)."""
import secrets
import threading
import time

import pytest
import socketio

from tests.support.comment_client import asks, post, ranked_slugs, ranking, stats
from tests.support.harness import PG_ADMIN, drop_database, seeded_server
from tests.support.liveserver import LiveServer
from tests.support.shows import new_show
from tests.support.waiting import poll


def test_ranking_orders_items_by_demand(server):
    show = new_show(server)
    items = (asks("shipping-time", [f"a{i}" for i in range(6)])
             + asks("invoice", [f"b{i}" for i in range(3)])
             + asks("refund-how-to-apply", ["c0"], text="<b>怎么退货</b>"))
    assert post(server, show, items).json()["accepted"] == 10
    assert ranked_slugs(server, show) == ["shipping-time", "invoice", "refund-how-to-apply"]
    rows = ranking(server, show)
    top = rows["shipping-time"]
    assert top["count_1m"] == 6 and top["askers"] == 6 and top["trend"] == "rising"
    assert top["cooldown"] == 0 and top["boost"] == 0 and top["number"] >= 1 and top["question"]
    assert top["score"] == pytest.approx(6, abs=0.2) and len(top["samples"]) == 3
    assert rows["refund-how-to-apply"]["samples"][0]["text"] == "<b>怎么退货</b>"  # raw: clients escape


def test_distinct_askers_beat_one_loud_viewer(server):
    show = new_show(server)
    loud = asks("shipping-time", ["loud"] * 6)
    crowd = asks("invoice", ["x", "y", "z"])
    anonymous = asks("refund-how-to-apply", ["", "", ""], user_quality="absent")
    assert post(server, show, loud + crowd + anonymous).json()["accepted"] == 12
    rows = ranking(server, show)
    assert rows["shipping-time"]["askers"] == 1 and rows["shipping-time"]["count_1m"] == 6
    assert rows["invoice"]["askers"] == 3
    assert rows["refund-how-to-apply"]["askers"] == 0 and rows["refund-how-to-apply"]["count_1m"] == 3
    assert ranked_slugs(server, show)[0] == "invoice"


def test_answered_item_cools_down_after_going_on_air(server):
    show = new_show(server)
    post(server, show, asks("shipping-time", [f"a{i}" for i in range(8)]) + asks("invoice", ["b0", "b1"]))
    assert ranked_slugs(server, show)[0] == "shipping-time"
    host = server.session(server.tokens["host"])
    r = host.post(f"{server.url}/api/shows/{show}/on-air", json={"slug": "shipping-time"})
    assert r.status_code == 200, r.text
    rows = ranking(server, show)
    assert rows["shipping-time"]["cooldown"] > 170
    assert rows["shipping-time"]["score"] < rows["invoice"]["score"]
    assert ranked_slugs(server, show)[0] == "invoice"


def test_producer_boost_lifts_an_item(server):
    show = new_show(server)
    post(server, show, asks("shipping-time", ["a", "b"]))
    producer = server.session(server.tokens["producer"])
    url = f"{server.url}/api/shows/{show}/boost"
    assert producer.post(url, json={"slug": "invoice", "amount": 10}).status_code == 200
    assert ranked_slugs(server, show)[0] == "invoice" and ranking(server, show)["invoice"]["boost"] == 10
    assert producer.post(url, json={"slug": "no-such-item", "amount": 1}).status_code == 400
    assert producer.post(url, json={"slug": "invoice", "amount": "lots"}).status_code == 400
    assert server.session(server.tokens["ingest"]).post(url, json={"slug": "invoice", "amount": 1}).status_code == 403


def test_pushes_are_throttled_not_one_per_comment(server):
    """200 batches of 10 comments as fast as they go: a subscriber gets a handful of ranking snapshots
    (at most one per push interval, plus the once-a-second refresh), and the last one has every comment."""
    show = new_show(server)
    received: list[dict] = []
    client = socketio.Client(reconnection=False)
    client.on("state", lambda msg: received.append(msg) if msg["show"] == show else None, namespace="/live")
    client.connect(server.url, namespaces=["/live"], transports=["websocket"], wait_timeout=5)
    try:
        ack = client.call("subscribe", {"show": show, "topics": ["ranking"]}, namespace="/live", timeout=5)
        assert ack["ok"]
        assert poll(lambda: received)  # the snapshot on subscribe
        received.clear()
        start = time.monotonic()
        for b in range(200):
            batch = asks("shipping-time", [f"v{b}-{i}" for i in range(10)])
            assert post(server, show, batch).json()["accepted"] == 10
        elapsed = time.monotonic() - start

        def has_all():
            return received and received[-1]["data"]["items"] and \
                received[-1]["data"]["items"][0]["count_1m"] == 2000
        assert poll(has_all, timeout=5)
        elapsed_all = time.monotonic() - start
    finally:
        client.disconnect()
    assert len(received) <= elapsed_all / 0.25 + elapsed_all + 3, (len(received), elapsed)
    assert len(received) < 200 / 4
    revs = [m["rev"] for m in received]
    assert revs == sorted(revs) and len(set(revs)) == len(revs)


def _restarts_keep_the_board(srv: LiveServer, sigterm_too: bool = True) -> None:
    """Ingest, then SIGKILL (no flush hook runs: what was acknowledged must already be on disk) and a clean
    SIGTERM restart: each time the ranking, the emerging questions and dedupe are as before."""
    srv.start()
    show = new_show(srv)
    items = (asks("shipping-time", [f"a{i}" for i in range(5)])
             + asks("invoice", ["b0", "b1"])
             + [{"id": "dup", "user": "c", "text": "空气炸锅是几升的"},
                {"user": "d", "text": "空气炸锅几升啊"}, {"user": "e", "text": "空氣炸鍋幾升"}])
    assert post(srv, show, items).json()["accepted"] == 10
    before = ranking(srv, show)
    emerging_url = f"{srv.url}/api/shows/{show}/emerging"
    assert len(srv.session(srv.tokens["producer"]).get(emerging_url).json()["items"]) == 1
    srv.session(srv.tokens["host"]).post(f"{srv.url}/api/shows/{show}/on-air", json={"slug": "invoice"})
    for stop in (srv.kill, srv.stop) if sigterm_too else (srv.kill,):
        stop()
        srv.start()
        after = ranking(srv, show)
        assert list(after) == ["shipping-time", "invoice"]
        for slug in after:
            assert after[slug]["count_1m"] == before[slug]["count_1m"]
            assert after[slug]["askers"] == before[slug]["askers"]
            assert after[slug]["samples"][0]["text"] == before[slug]["samples"][0]["text"]
            assert after[slug]["demand"] == pytest.approx(before[slug]["demand"], rel=0.3)
        assert after["invoice"]["cooldown"] > 60  # the on-air segment is in the database too
        assert stats(srv, show)["comments_stored"] == 10
        assert srv.session(srv.tokens["producer"]).get(emerging_url).json()["items"][0]["askers"] == 3
        assert post(srv, show, items[7:8]).json()["duplicate"] == 1  # dedupe holds across restarts


def test_ranking_is_rebuilt_after_a_restart(tmp_path):
    srv = seeded_server(tmp_path / "studio")
    try:
        _restarts_keep_the_board(srv)
    finally:
        srv.stop()


@pytest.fixture
def postgres_url():
    import psycopg
    name = "studio_test_" + secrets.token_hex(4)
    try:
        with psycopg.connect(PG_ADMIN, autocommit=True, connect_timeout=3) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
    except Exception as e:  # noqa: BLE001 - any failure means there is no usable local server
        pytest.skip(f"no local PostgreSQL: {e}")
    yield PG_ADMIN.replace("postgresql://", "postgresql+psycopg://").rsplit("/", 1)[0] + "/" + name
    drop_database(name)


@pytest.mark.postgres
def test_postgres_ingest_dedupe_and_rebuild(tmp_path, postgres_url):
    srv = seeded_server(tmp_path / "studio", database_url=postgres_url)
    try:
        _restarts_keep_the_board(srv, sigterm_too=False)
    finally:
        srv.stop()


def test_concurrent_batches_are_all_stored(server):
    """Ten clients at once: the writer groups them into shared transactions and loses nothing."""
    show = new_show(server)
    answers = []

    def client(n: int) -> None:
        for b in range(5):
            items = [{"id": f"{n}-{b}-{i}", "user": f"u{n}", "text": "能开发票吗"} for i in range(100)]
            answers.append(post(server, show, items).json()["accepted"])

    threads = [threading.Thread(target=client, args=(n,)) for n in range(10)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sum(answers) == 5000
    assert stats(server, show)["comments_stored"] == 5000
    assert ranking(server, show)["invoice"]["count_1m"] == 5000
