"""Shows on air over the real HTTP API and /live: start and end, segments, rundown, conflicts, concurrency."""
from __future__ import annotations

import sqlite3
import threading

import pytest
import requests

from tests.support.live_client import Watcher
from tests.support.shows import new_show

SLUGS = ["coupon-stacking", "shipping-time", "invoice", "restock", "size-guide", "seven-day-return"]


def segments_in_db(server, show_id: str) -> list[tuple]:
    with sqlite3.connect(server.var_dir / "studio.db") as db:
        return db.execute("SELECT slug, started_at, ended_at FROM segments WHERE show_id = ? ORDER BY started_at, id",
                          (show_id,)).fetchall()


@pytest.fixture
def host(server) -> requests.Session:
    return server.session(server.tokens["host"])


@pytest.fixture
def producer(server) -> requests.Session:
    return server.session(server.tokens["producer"])


def test_start_and_end_a_show(server, host):
    show = new_show(server, "start")
    api = f"{server.url}/api/shows/{show}"
    assert host.get(api + "/on-air").json()["show"]["status"] == "planned"
    started = host.post(api + "/start").json()["show"]
    assert started["status"] == "live" and started["started_at"] > 0
    host.post(api + "/on-air", json={"slug": "invoice"})
    ended = host.post(api + "/end").json()
    assert ended["show"]["status"] == "ended" and ended["current"] is None
    assert all(s[2] is not None for s in segments_in_db(server, show)), "ending the show ends the answer"
    refused = host.post(api + "/on-air", json={"slug": "restock"})
    assert refused.status_code == 409 and "ended" in refused.json()["error"]
    again = host.post(api + "/start").json()["show"]
    assert again["status"] == "live" and again["started_at"] == started["started_at"] and again["ended_at"] is None


def test_on_air_switches_segments_and_reaches_subscribers(server, host):
    show = new_show(server, "onair")
    api = f"{server.url}/api/shows/{show}"
    shelf = {i["slug"]: i for i in requests.get(api + "/shelf").json()["items"]}
    watcher = Watcher(server, show, ["onair"])
    try:
        first = host.post(api + "/on-air", json={"slug": "coupon-stacking"}).json()
        assert first["show"]["status"] == "live", "going on air starts a planned show"
        cur = first["current"]
        assert cur["slug"] == "coupon-stacking" and cur["number"] == shelf["coupon-stacking"]["number"]
        assert cur["question"] == shelf["coupon-stacking"]["question"] and cur["answer"]
        second = host.post(api + "/on-air", json={"slug": "shipping-time"}).json()
        assert [s["slug"] for s in second["segments"]] == ["shipping-time", "coupon-stacking"]
        assert second["segments"][1]["ended_at"] == second["segments"][0]["started_at"]
        same = host.post(api + "/on-air", json={"slug": "shipping-time"}).json()
        assert same["revision"] == second["revision"], "the item already on air changes nothing"
        seen = watcher.wait_for("onair", lambda d: d["revision"] == second["revision"])
        assert seen["current"]["slug"] == "shipping-time"
        off = host.post(api + "/on-air", json={"slug": None}).json()
        assert off["current"] is None and off["segments"][0]["ended_at"] is not None
        assert watcher.wait_for("onair", lambda d: d["current"] is None)["current"] is None
        assert host.get(api + "/on-air").json()["current"] is None
    finally:
        watcher.close()
    rows = segments_in_db(server, show)
    assert [r[0] for r in rows] == ["coupon-stacking", "shipping-time"] and all(r[2] for r in rows)


def test_roles_and_bad_input_get_clear_errors(server, host, producer):
    show = new_show(server, "roles")
    api = f"{server.url}/api/shows/{show}"
    assert requests.post(api + "/on-air", json={"slug": "invoice"}).status_code == 401
    assert producer.post(api + "/on-air", json={"slug": "invoice"}).status_code == 403
    assert host.put(api + "/rundown", json={"items": ["invoice"]}).status_code == 403
    lead = server.session(server.tokens["lead"])
    assert lead.post(api + "/start").status_code == 403
    cases = [
        (host.post, "/on-air", {"data": "not json", "headers": {"Content-Type": "application/json"}}, 400),
        (host.post, "/on-air", {"json": ["invoice"]}, 400),
        (host.post, "/on-air", {"json": {}}, 400),
        (host.post, "/on-air", {"json": {"slug": 3}}, 400),
        (host.post, "/on-air", {"json": {"slug": "invoice", "if_current": 5}}, 400),
        (host.post, "/on-air", {"json": {"slug": "no-such-item"}}, 404),
        (host.post, "/on-air", {"json": {"slug": "x" * 5000}}, 404),
        (producer.put, "/rundown", {"json": {"items": "invoice"}}, 400),
        (producer.put, "/rundown", {"json": {"items": ["invoice", "invoice"]}}, 400),
        (producer.put, "/rundown", {"json": {"items": [1, 2]}}, 400),
        (producer.put, "/rundown", {"json": {"items": ["no-such-item"]}}, 404),
        (producer.put, "/rundown", {"json": {"items": ["invoice"], "revision": "7"}}, 400),
        (producer.put, "/rundown", {"json": {"items": ["invoice"] * 101}}, 400),
    ]
    for call, path, kwargs, status in cases:
        r = call(api + path, **kwargs)
        assert r.status_code == status and isinstance(r.json().get("error"), str), (path, kwargs, r.status_code, r.text)
    missing = host.post(f"{server.url}/api/shows/no-such-show/on-air", json={"slug": "invoice"})
    assert missing.status_code == 404 and missing.json() == {"error": "no such show"}
    assert requests.get(f"{server.url}/api/shows/no-such-show/rundown").status_code == 404


def test_rundown_order_stale_revision_and_next_in_queue(server, host, producer):
    show = new_show(server, "rundown")
    api = f"{server.url}/api/shows/{show}"
    base = requests.get(api + "/rundown").json()
    assert base["items"] == []
    put = producer.put(api + "/rundown", json={"items": ["invoice", "restock", "size-guide"],
                                               "revision": base["revision"]})
    assert put.status_code == 200, put.text
    assert [i["slug"] for i in put.json()["rundown"]] == ["invoice", "restock", "size-guide"]
    stale = producer.put(api + "/rundown", json={"items": ["restock"], "revision": base["revision"]})
    assert stale.status_code == 409 and "revision" in stale.json()["error"]
    assert [i["slug"] for i in stale.json()["state"]["rundown"]] == ["invoice", "restock", "size-guide"]
    reordered = producer.put(api + "/rundown", json={"items": [{"slug": "size-guide"}, "invoice", "restock"],
                                                     "revision": put.json()["revision"]}).json()
    assert [i["slug"] for i in reordered["up_next"]] == ["size-guide", "invoice", "restock"]
    # answering a queued item takes it out of the queue; "next" takes the head
    host.post(api + "/on-air", json={"slug": "invoice"})
    after_next = host.post(api + "/on-air/next").json()
    assert after_next["current"]["slug"] == "size-guide"
    assert [i["slug"] for i in after_next["rundown"]] == ["restock"]
    host.post(api + "/on-air/next")
    empty = host.post(api + "/on-air/next")
    assert empty.status_code == 409 and "empty" in empty.json()["error"]
    assert [i["slug"] for i in requests.get(api + "/rundown").json()["items"]] == []


def test_if_current_makes_one_of_two_simultaneous_answers_win(server):
    show = new_show(server, "race")
    api = f"{server.url}/api/shows/{show}"
    hosts = [server.session(server.tokens["host"]), server.login("host")]
    hosts[0].post(api + "/on-air", json={"slug": "invoice"})
    gate = threading.Barrier(2)
    results: list = [None, None]

    def press(i: int, slug: str) -> None:
        gate.wait(5)
        results[i] = hosts[i].post(api + "/on-air", json={"slug": slug, "if_current": "invoice"})
    threads = [threading.Thread(target=press, args=(i, s)) for i, s in enumerate(("restock", "size-guide"))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    codes = sorted(r.status_code for r in results)
    assert codes == [200, 409], [r.text for r in results]
    winner = next(r for r in results if r.status_code == 200).json()["current"]["slug"]
    loser = next(r for r in results if r.status_code == 409).json()
    assert loser["state"]["current"]["slug"] == winner and "on air" in loser["error"]
    assert [s[0] for s in segments_in_db(server, show)] == ["invoice", winner]


def test_concurrent_actions_from_two_threads_keep_one_history_and_converge(server, producer):
    show = new_show(server, "concurrent")
    api = f"{server.url}/api/shows/{show}"
    watcher = Watcher(server, show, ["onair"])
    errors: list[str] = []

    def host_at_desk(seed: int) -> None:
        s = server.session(server.tokens["host"])
        for n in range(25):
            slug = SLUGS[(seed * 7 + n * 5) % len(SLUGS)]
            r = (s.post(api + "/on-air", json={"slug": None}) if n % 6 == 5 else
                 s.post(api + "/on-air/next") if n % 4 == 3 else
                 s.post(api + "/on-air", json={"slug": slug}))
            if r.status_code not in (200, 409):  # 409 only for "queue empty"
                errors.append(f"{r.status_code} {r.text}")

    def producer_at_desk() -> None:
        for n in range(15):
            base = producer.get(api + "/rundown").json()["revision"]
            items = [SLUGS[(n + k) % len(SLUGS)] for k in range(3)]
            r = producer.put(api + "/rundown", json={"items": items, "revision": base})
            if r.status_code not in (200, 409):
                errors.append(f"{r.status_code} {r.text}")
    try:
        threads = [threading.Thread(target=host_at_desk, args=(i,)) for i in range(2)]
        threads.append(threading.Thread(target=producer_at_desk))
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        assert not errors, errors
        final = requests.get(api + "/on-air").json()
        seen = watcher.wait_for("onair", lambda d: d["revision"] == final["revision"])
        assert seen["revision"] == final["revision"], "the subscriber did not converge on the final state"
        assert seen["current"] == final["current"] and seen["rundown"] == final["rundown"]
    finally:
        watcher.close()
    rows = segments_in_db(server, show)
    assert sum(1 for r in rows if r[2] is None) <= 1, "at most one answer is on air"
    for before, after in zip(rows, rows[1:]):
        assert before[2] is not None and before[2] <= after[1], f"segments overlap: {before} {after}"
    open_slug = next((r[0] for r in rows if r[2] is None), None)
    assert (final["current"] or {}).get("slug") == open_slug


def test_an_answer_cools_its_item_down_in_the_ranking(server, host):
    show = new_show(server, "cooldown")
    api = f"{server.url}/api/shows/{show}"
    ingest = server.session(server.tokens["ingest"])
    batch = [{"id": f"c{i}", "user": f"viewer{i}", "text": "发票怎么开", "platform": "test"} for i in range(8)]
    assert ingest.post(api + "/comments", json=batch).json()["accepted"] == 8
    top = requests.get(api + "/ranking").json()["items"][0]
    assert top["slug"] == "invoice" and top["cooldown"] == 0, top
    host.post(api + "/on-air", json={"slug": "invoice"})
    cooled = {i["slug"]: i for i in requests.get(api + "/ranking").json()["items"]}["invoice"]
    assert cooled["cooldown"] > 0 and cooled["score"] < top["score"], cooled
