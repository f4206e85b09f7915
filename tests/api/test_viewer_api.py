"""The viewer side over HTTP: the on-air poll, shelf search, event validation and deduplication, OpenAPI."""
from __future__ import annotations

import secrets
import time

import pytest
import requests

from tests.support.viewer_events_db import settled_counts

COOKIE = "fls_vid"


@pytest.fixture
def show(server) -> str:
    """A show of this test's own, so its events and on-air state are its alone."""
    show_id = f"va-{secrets.token_hex(4)}"
    producer = server.session(server.tokens["producer"])
    r = producer.post(server.url + "/api/shows", json={"title": "接口测试", "id": show_id})
    assert r.status_code == 201, r.text
    return show_id


def viewer(server, show_id: str) -> requests.Session:
    """A phone's cookie jar: the shelf page hands out the viewer id."""
    s = requests.Session()
    r = s.get(f"{server.url}/live/{show_id}")
    assert r.status_code == 200 and COOKIE in s.cookies
    return s


def test_viewer_cookie_is_first_party_httponly_lax_and_long_lived(server):
    r = requests.get(server.url + "/faq/coupon-claim")
    header = r.headers["Set-Cookie"]
    assert header.startswith(COOKIE + "=") and "HttpOnly" in header and "SameSite=Lax" in header
    assert int(header.split("Max-Age=")[1].split(";")[0]) >= 365 * 86400
    s = requests.Session()
    s.get(server.url + "/live/demo")
    assert "Set-Cookie" not in s.get(server.url + "/faq/coupon-claim").headers  # kept, not renewed each page


def test_now_is_cacheable_and_follows_the_segments(server, show):
    url = f"{server.url}/api/shows/{show}/now"
    r = requests.get(url)
    assert r.json() == {"on_air": None, "number": None, "revision": r.json()["revision"]}
    assert r.headers["Cache-Control"] == "public, max-age=2" and r.headers["ETag"]
    assert "Set-Cookie" not in r.headers and "Cookie" not in r.headers.get("Vary", "")
    again = requests.get(url, headers={"If-None-Match": r.headers["ETag"]})
    assert again.status_code == 304 and again.content == b""

    host = server.session(server.tokens["host"])
    assert host.post(f"{server.url}/api/shows/{show}/on-air", json={"slug": "coupon-claim"}).ok
    shelf = {i["slug"]: i["number"] for i in requests.get(f"{server.url}/api/shows/{show}/shelf").json()["items"]}
    deadline = time.monotonic() + 5
    while requests.get(url).json()["on_air"] != "coupon-claim" and time.monotonic() < deadline:
        time.sleep(0.2)  # the in-process cache lives about a second
    now = requests.get(url, headers={"If-None-Match": r.headers["ETag"]})
    assert now.status_code == 200
    assert now.json()["on_air"] == "coupon-claim" and now.json()["number"] == shelf["coupon-claim"]
    assert now.json()["revision"] > r.json()["revision"]

    missing = requests.get(f"{server.url}/api/shows/no-such-show/now")
    assert missing.status_code == 404 and missing.json()["error"]


@pytest.mark.parametrize("traditional, simplified, first", [
    ("優惠券", "优惠券", "coupon-claim"), ("優惠券怎麼領", "优惠券怎么领", "coupon-claim"),
    ("退貨", "退货", None), ("運費險", "运费险", "return-shipping-insurance")])
def test_search_accepts_traditional_and_simplified(server, traditional, simplified, first):
    found = []
    for q in (traditional, simplified):
        r = requests.get(f"{server.url}/api/shows/demo/search", params={"q": q})
        assert r.status_code == 200
        found.append([i["slug"] for i in r.json()["items"]])
    assert found[0] and found[0] == found[1]
    if first:
        assert found[0][0] == first


def test_search_by_link_number_and_bad_queries(server):
    shelf = requests.get(f"{server.url}/api/shows/demo/shelf").json()["items"]
    third = next(i for i in shelf if i["number"] == 3)
    for q in ("3", "3号", "３号链接"):
        found = requests.get(f"{server.url}/api/shows/demo/search", params={"q": q}).json()["items"]
        assert [i["slug"] for i in found] == [third["slug"]], q
    assert requests.get(f"{server.url}/api/shows/demo/search", params={"q": "zzzz"}).json()["items"] == []
    assert requests.get(f"{server.url}/api/shows/demo/search", params={"q": "x" * 101}).status_code == 400
    assert requests.get(f"{server.url}/api/shows/nope/search", params={"q": "券"}).status_code == 404


def test_shelf_without_javascript_filters_on_the_server(server):
    html = requests.get(f"{server.url}/live/demo", params={"q": "優惠券"}).text
    assert 'data-slug="coupon-claim"' in html and 'data-slug="shipping-time"' not in html
    english = requests.get(f"{server.url}/live/demo", params={"lang": "en"}).text
    assert "Search" in english and "common questions" in english


def test_events_are_validated(server, show):
    s = viewer(server, show)
    url = server.url + "/api/events"
    cases = [
        ({"type": "like", "show": show}, 400, "type must be one of"),
        ({"type": "shelf_view"}, 400, "show is required"),
        ({"type": "page_view", "show": show}, 400, "slug is required"),
        ({"type": "page_view", "show": "no-such-show", "slug": "coupon-claim"}, 404, "no show"),
        ({"type": "helpful", "show": show, "slug": "no-such-item"}, 404, "no item"),
        ({"type": "helpful", "show": show, "slug": 7}, 400, "slug must be text"),
    ]
    for body, status, message in cases:
        r = s.post(url, json=body)
        assert r.status_code == status and message in r.json()["error"], body
    assert s.post(url, data="not json", headers={"Content-Type": "application/json"}).status_code == 400
    assert s.post(url, data="type=helpful").status_code == 415
    # No viewer cookie (cookies off, or a post from another site): refused, not counted as a new viewer.
    r = requests.post(url, json={"type": "shelf_view", "show": show})
    assert r.status_code == 400 and "cookie" in r.json()["error"]
    r = requests.post(url, json={"type": "shelf_view", "show": show}, cookies={COOKIE: "short"})
    assert r.status_code == 400


def test_events_count_once_and_the_latest_vote_wins(server, show):
    alice, bob = viewer(server, show), viewer(server, show)
    url = server.url + "/api/events"

    def send(who, kind, slug="coupon-claim"):
        r = who.post(url, json={"type": kind, "show": show, "slug": slug})
        assert r.status_code == 202, r.text

    for _ in range(3):
        send(alice, "shelf_view")
        send(alice, "page_view")
    send(alice, "helpful")
    send(alice, "helpful")
    send(alice, "not_helpful")  # changed her mind: only this vote counts
    send(alice, "escalate")
    send(alice, "escalate")
    send(bob, "shelf_view")
    send(bob, "not_helpful")
    time.sleep(0.7)  # a later batch: the earlier vote is already stored and must be replaced
    send(bob, "helpful")
    counts = settled_counts(server, show, {("", "shelf_view"): 2, ("coupon-claim", "page_view"): 1,
                                           ("coupon-claim", "not_helpful"): 1, ("coupon-claim", "helpful"): 1,
                                           ("coupon-claim", "escalate"): 1})
    assert counts == {("", "shelf_view"): 2, ("coupon-claim", "page_view"): 1, ("coupon-claim", "not_helpful"): 1,
                      ("coupon-claim", "helpful"): 1, ("coupon-claim", "escalate"): 1}


def test_drafts_and_archived_items_are_not_found_for_viewers(server):
    producer = server.session(server.tokens["producer"])
    for status in ("draft", "archived"):
        slug = f"hidden-{status}-{secrets.token_hex(2)}"
        assert producer.post(server.url + "/api/faq", json={"slug": slug, "question": "藏起来？", "status": status}
                             ).status_code == 201
        r = requests.get(f"{server.url}/faq/{slug}?show=demo")
        assert r.status_code == 404 and "不在货架上" in r.text
    assert requests.get(f"{server.url}/live/no-such-show").status_code == 404


def test_openapi_describes_the_api(server):
    from openapi_spec_validator import validate

    doc = requests.get(server.url + "/api/openapi.json").json()
    validate(doc)
    assert doc["openapi"].startswith("3.1")
    expected = {"/api/faq": {"get", "post"}, "/api/faq/{slug}": {"get", "put", "delete"},
                "/api/shows": {"get", "post"}, "/api/shows/{show_id}/shelf": {"get", "put"},
                "/api/events": {"post"}, "/api/shows/{show_id}/now": {"get"}, "/api/preview": {"post"},
                "/api/shows/{show_id}/search": {"get"}, "/api/catalog/import": {"post"},
                "/api/catalog/export": {"get"}, "/api/catalog/renumber": {"post"}}
    for path, methods in expected.items():
        assert methods <= set(doc["paths"][path]), path
    put = doc["paths"]["/api/faq/{slug}"]["put"]
    assert {"401", "403", "404", "409"} <= set(put["responses"]) and put["x-roles"] == ["producer"]
