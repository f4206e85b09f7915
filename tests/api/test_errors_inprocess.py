"""What a request answers when it cannot be acted on, checked in-process (no server): one error shape everywhere."""
from __future__ import annotations

import pytest


@pytest.mark.parametrize("path", ["/api/shows/nope/shelf", "/api/shows/nope/ranking", "/api/shows/nope/on-air"])
def test_an_unknown_show_is_a_404_with_a_message(client, path):
    r = client.get(path, headers=client.auth("producer"))
    assert r.status_code == 404
    assert r.get_json() == {"error": "no such show"}


def test_an_unknown_item_is_a_404_naming_it(client):
    r = client.get("/api/faq/no-such-item", headers=client.auth("producer"))
    assert r.status_code == 404 and r.get_json() == {"error": "no item 'no-such-item'"}


def test_a_body_that_is_not_json_says_what_to_send(client):
    r = client.post("/api/shows/demo/comments", data="text", headers={**client.auth("ingest"),
                                                                       "Content-Type": "text/plain"})
    assert r.status_code == 415 and "application/json" in r.get_json()["error"]
    r = client.post("/api/shows/demo/comments", data="[{", headers={**client.auth("ingest"),
                                                                     "Content-Type": "application/json"})
    assert r.status_code == 400 and r.get_json()["error"].startswith("body is not valid JSON")


def test_a_batch_over_the_limit_is_refused_whole(client):
    r = client.post("/api/shows/demo/comments", json=[{"user": "u", "text": "x"}] * 5001,
                    headers=client.auth("ingest"))
    assert r.status_code == 413
    assert r.get_json() == {"error": "at most 5000 comments per request, got 5001: split the batch"}


def test_a_stale_on_air_action_is_a_409_with_the_current_state(client):
    headers = client.auth("host")
    assert client.post("/api/shows/demo/start", headers=headers).status_code == 200
    r = client.post("/api/shows/demo/on-air", json={"slug": None, "if_current": "shipping-time"}, headers=headers)
    assert r.status_code == 409
    body = r.get_json()
    assert "someone else changed what is on air" in body["error"] and body["state"]["show"]["id"] == "demo"


def test_an_existing_slug_is_a_conflict(client):
    item = {"slug": "shipping-time", "question": "什么时候发货？", "body": "付款后48小时内发货。"}
    r = client.post("/api/faq", json=item, headers=client.auth("producer"))
    assert r.status_code == 409 and r.get_json() == {"error": "an item with slug 'shipping-time' already exists"}


def test_pages_answer_a_missing_show_with_a_page_not_json(client):
    r = client.get("/faq/no-such-item")
    assert r.status_code == 404 and r.mimetype == "text/html"


def test_socketio_pings_follow_the_configured_interval(monkeypatch, tmp_path):
    from studio.app import create_app
    from studio.store.migrate import upgrade
    url = f"sqlite:///{tmp_path / 'studio.db'}"
    upgrade(url)

    def engineio():
        app = create_app({"DATABASE_URL": url, "ASYNC_MODE": "threading", "SECRET_KEY": "x"})
        return app.extensions["socketio"].server.eio

    monkeypatch.setenv("STUDIO_PING_INTERVAL", "3")
    eio = engineio()
    assert (eio.ping_interval, eio.ping_timeout) == (3.0, 3.0)
    monkeypatch.delenv("STUDIO_PING_INTERVAL")
    eio = engineio()
    assert (eio.ping_interval, eio.ping_timeout) == (10, 10)
