"""Who may see and do what: viewer pages are public, staff pages and writes need the right role."""
from __future__ import annotations

import re
import secrets

import pytest
import requests

from tests.support.liveserver import PASSWORDS

WRITES = [  # (method, path, json body) — every one needs the producer role
    ("POST", "/api/faq", {"slug": "auth-x", "question": "问？"}),
    ("PUT", "/api/faq/coupon-claim", {"question": "问？", "revision": 1}),
    ("DELETE", "/api/faq/coupon-claim", None),
    ("POST", "/api/preview", {"body": "**x**"}),
    ("POST", "/api/catalog/renumber", {"slugs": ["coupon-claim"]}),
    ("POST", "/api/shows", {"title": "无权限"}),
    ("PUT", "/api/shows/demo/shelf", []),
]


def test_viewer_pages_and_reads_are_public(server):
    for path in ("/live/demo", "/faq/coupon-claim?show=demo", "/faq/coupon-claim", "/api/shows/demo/now",
                 "/api/shows/demo/search?q=券", "/api/openapi.json", "/api/faq", "/api/shows/demo/shelf"):
        r = requests.get(server.url + path, allow_redirects=False)
        assert r.status_code == 200, path


@pytest.mark.parametrize("path", ["/producer/catalog", "/"])
def test_staff_pages_redirect_to_login(server, path):
    r = requests.get(server.url + path, allow_redirects=False)
    assert r.status_code == 302 and "/login" in r.headers["Location"]
    # A token is for automation, not for pages.
    r = server.session(server.tokens["producer"]).get(server.url + path, allow_redirects=False)
    assert r.status_code == 302


def test_staff_page_refuses_the_wrong_role(server):
    host = server.login("host")
    assert host.get(server.url + "/producer/catalog").status_code == 403
    assert server.login("producer").get(server.url + "/producer/catalog").status_code == 200
    assert server.login("admin").get(server.url + "/producer/catalog").status_code == 200


@pytest.mark.parametrize("method, path, body", WRITES)
def test_writes_need_the_producer_role(server, method, path, body):
    r = requests.request(method, server.url + path, json=body)
    assert r.status_code == 401 and "error" in r.json()
    for role in ("host", "lead", "ingest"):
        r = server.session(server.tokens[role]).request(method, server.url + path, json=body)
        assert r.status_code == 403, (role, r.text)
        assert "producer" in r.json()["error"]


def test_import_and_export_need_the_producer_role(server):
    files = {"file": ("x.csv", b"slug,question\nauth-import,q\n")}
    assert requests.post(server.url + "/api/catalog/import", files=files).status_code == 401
    assert requests.get(server.url + "/api/catalog/export").status_code == 401
    lead = server.session(server.tokens["lead"])
    assert lead.post(server.url + "/api/catalog/import", files=files).status_code == 403
    assert lead.get(server.url + "/api/catalog/export").status_code == 403


def test_drafts_are_hidden_from_anonymous_readers(server):
    producer = server.session(server.tokens["producer"])
    slug = f"draft-{secrets.token_hex(3)}"
    assert producer.post(server.url + "/api/faq", json={"slug": slug, "question": "草稿？", "status": "draft"}
                         ).status_code == 201
    assert requests.get(f"{server.url}/api/faq/{slug}").status_code == 404
    assert slug not in {i["slug"] for i in requests.get(server.url + "/api/faq").json()["items"]}
    assert requests.get(server.url + "/api/faq?status=draft").json()["items"] == []
    assert requests.get(f"{server.url}/faq/{slug}").status_code == 404
    assert producer.get(f"{server.url}/api/faq/{slug}").json()["status"] == "draft"
    assert slug in {i["slug"] for i in producer.get(server.url + "/api/faq?status=draft").json()["items"]}


def test_revoked_token_is_refused_by_prefix_too(server):
    token = server.cli("token", "create", "--role", "producer").stdout.strip().splitlines()[-1]
    s = server.session(token)
    assert s.post(server.url + "/api/preview", json={"body": "x"}).status_code == 200
    server.cli("token", "revoke", token[:10])
    assert s.post(server.url + "/api/preview", json={"body": "x"}).status_code == 401
    assert server.session("fls_" + "x" * 43).post(server.url + "/api/preview", json={"body": "x"}).status_code == 401


def test_session_writes_need_the_csrf_token(server):
    s = server.login("producer")
    assert s.post(server.url + "/api/preview", json={"body": "**ok**"}).json()["html"] == "<p><strong>ok</strong></p>"
    good = s.headers.pop("X-CSRF-Token")
    for method, path, body in WRITES[:4]:
        r = s.request(method, server.url + path, json=body)
        assert r.status_code == 403 and "CSRF" in r.json()["error"], path
    s.headers["X-CSRF-Token"] = good[:-2] + ("aa" if not good.endswith("aa") else "bb")
    assert s.post(server.url + "/api/preview", json={"body": "x"}).status_code == 403
    # Reads need no token.
    assert s.get(server.url + "/api/faq").status_code == 200


def test_login_with_a_wrong_password_fails(server):
    s = requests.Session()
    csrf = re.search(r'name="csrf-token" content="([^"]+)"', s.get(server.url + "/login").text).group(1)
    r = s.post(server.url + "/login", data={"name": "producer", "password": PASSWORDS["producer"] + "x",
                                             "csrf_token": csrf}, allow_redirects=False)
    assert r.status_code == 401 and "用户名或密码不对" in r.text
    assert s.get(server.url + "/producer/catalog", allow_redirects=False).status_code == 302
    r = s.post(server.url + "/login", data={"name": "nobody", "password": "whatever-123", "csrf_token": csrf},
               allow_redirects=False)
    assert r.status_code == 401
    # A login form posted without its CSRF token (from another site) fails even with the right password.
    r = requests.post(server.url + "/login", data={"name": "producer", "password": PASSWORDS["producer"]},
                      allow_redirects=False)
    assert r.status_code == 401


def _login(server, name: str, password: str) -> requests.Session:
    s = requests.Session()
    csrf = re.search(r'name="csrf-token" content="([^"]+)"', s.get(server.url + "/login").text).group(1)
    r = s.post(server.url + "/login", data={"name": name, "password": password, "csrf_token": csrf},
               allow_redirects=False)
    assert r.status_code == 302
    return s


def test_logout_ends_copies_of_the_session_cookie(server):
    name, password = f"lead-{secrets.token_hex(3)}", secrets.token_urlsafe(12)
    server.cli("user", "create", name, "--role", "lead", "--password", password)
    s = _login(server, name, password)
    copy = requests.Session()
    copy.cookies.update(s.cookies)
    assert copy.get(server.url + "/", allow_redirects=False).status_code == 200
    csrf = re.search(r'name="csrf-token" content="([^"]+)"', s.get(server.url + "/").text).group(1)
    s.post(server.url + "/logout", data={"csrf_token": csrf}, allow_redirects=False)
    # The copied cookie still carries the old session, which the server no longer honours.
    assert copy.get(server.url + "/", allow_redirects=False).status_code == 302
    assert _login(server, name, password).get(server.url + "/", allow_redirects=False).status_code == 200


def test_password_change_ends_existing_sessions(server):
    name, password = f"host-{secrets.token_hex(3)}", secrets.token_urlsafe(12)
    server.cli("user", "create", name, "--role", "host", "--password", password)
    s = _login(server, name, password)
    assert s.get(server.url + "/", allow_redirects=False).status_code == 200
    server.cli("user", "create", name, "--role", "host", "--password", password + "-new")
    # Other processes (and this one's cache) see the change within the epoch cache's few seconds.
    import time
    deadline = time.monotonic() + 10
    while s.get(server.url + "/", allow_redirects=False).status_code == 200:
        assert time.monotonic() < deadline, "old session still honoured 10 s after a password change"
        time.sleep(0.5)
