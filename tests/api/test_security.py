"""Abuse and bad input against a real studio: rate limits, size limits, headers and CSP in Chromium, CSRF, session
fixation, hashed and revocable tokens, secrets that never come back out (not in answers, logs or the database)."""
from __future__ import annotations

import hashlib
import re
import secrets
import sqlite3
import time

import pytest
import requests
import socketio

from studio.access.auth import create_token, revoke_token
from studio.store.db import Database
from tests.support.harness import seeded_server
from tests.support.liveserver import PASSWORDS
from tests.support.waiting import wait_until

TOO_BIG = 10 * 1024 * 1024 + 1


@pytest.fixture(scope="module")
def studio(tmp_path_factory):
    srv = seeded_server(tmp_path_factory.mktemp("security"))
    srv.start()
    yield srv
    srv.stop()


def address() -> dict:
    """A client address of its own for one test: the studio trusts X-Real-IP from a loopback proxy (our nginx)."""
    return {"X-Real-IP": f"198.51.100.{secrets.randbelow(250) + 1}-{secrets.token_hex(2)}"}


def fresh_window(per: int, need: float) -> None:
    """The limits count in fixed windows of `per` seconds: start a test that needs `need` seconds inside one."""
    left = per - time.time() % per
    if left < need:
        time.sleep(left + 0.05)


def db_rows(studio, sql: str, *args) -> list[tuple]:
    with sqlite3.connect(f"file:{studio.var_dir / 'studio.db'}?mode=ro", uri=True) as conn:
        return conn.execute(sql, args).fetchall()


def viewer(studio, headers: dict) -> requests.Session:
    s = requests.Session()
    s.headers.update(headers)
    assert s.get(studio.url + "/live/demo").status_code == 200 and s.cookies.get("fls_vid")
    return s


def slugs(studio) -> list[str]:
    return [i["slug"] for i in requests.get(studio.url + "/api/shows/demo/shelf").json()["items"]]


# ---- rate limits and one vote per viewer --------------------------------------------------------------------------

def test_one_viewer_counts_once_however_often_it_posts(studio):
    s = viewer(studio, address())
    slug = slugs(studio)[-1]
    for kind in ["page_view"] * 20 + ["helpful"] * 5 + ["not_helpful"] * 3:
        assert s.post(studio.url + "/api/events", json={"type": kind, "show": "demo", "slug": slug}).status_code == 202

    def counts() -> dict:
        rows = db_rows(studio, "SELECT type, count(*) FROM viewer_events WHERE show_id = 'demo' AND slug = ? "
                               "GROUP BY type", slug)
        return dict(rows)
    assert wait_until(lambda: counts() == {"page_view": 1, "not_helpful": 1}, 5), counts()


def test_one_viewer_is_throttled(studio):
    s = viewer(studio, address())
    slug = slugs(studio)[1]
    fresh_window(60, 5)
    codes = [s.post(studio.url + "/api/events", json={"type": "page_view", "show": "demo", "slug": slug}).status_code
             for _ in range(70)]
    assert codes[:60] == [202] * 60 and set(codes[60:]) == {429}


def test_a_script_minting_viewer_ids_is_throttled_per_address(studio):
    items = slugs(studio)
    for _ in range(3):  # a loaded machine may not fit 605 requests in one window: then the count says nothing
        headers = address()
        viewers = [viewer(studio, headers) for _ in range(11)]
        fresh_window(60, 10)
        window = int(time.time() // 60)
        codes = [v.post(studio.url + "/api/events", json={"type": "page_view", "show": "demo", "slug": items[n % 30]})
                 .status_code for n in range(55) for v in viewers]
        if int(time.time() // 60) == window:
            break
    assert codes.count(202) == 600 and codes.count(429) == 5, {c: codes.count(c) for c in set(codes)}
    r = viewers[0].post(studio.url + "/api/events", json={"type": "page_view", "show": "demo", "slug": items[0]})
    assert r.status_code == 429 and 1 <= int(r.headers["Retry-After"]) <= 60 and "error" in r.json()


def _login_attempt(studio, headers: dict, name: str, password: str) -> requests.Response:
    s = requests.Session()
    s.headers.update(headers)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', s.get(studio.url + "/login").text).group(1)
    return s.post(studio.url + "/login", data={"name": name, "password": password, "csrf_token": csrf},
                  allow_redirects=False)


def test_login_is_throttled_per_address_and_per_account(studio):
    headers = address()
    fresh_window(300, 20)
    codes = [_login_attempt(studio, headers, "producer", f"wrong-{n}").status_code for n in range(10)]
    assert codes == [401] * 10
    # The right password no longer helps from this address; the refusal is the studio's page, not a crash.
    throttled = _login_attempt(studio, headers, "producer", PASSWORDS["producer"])
    assert throttled.status_code == 429 and "text/html" in throttled.headers["Content-Type"]
    # Guessing one account's password from many addresses meets the per-account limit.
    account = f"nobody-{secrets.token_hex(3)}"
    codes = [_login_attempt(studio, address(), account, f"wrong-{n}").status_code for n in range(21)]
    assert codes[:20] == [401] * 20 and codes[20] == 429
    assert _login_attempt(studio, address(), "host", PASSWORDS["host"]).status_code == 302  # others unaffected


def test_socketio_flood_gets_errors_then_is_cut_off(studio):
    client = socketio.Client(reconnection=False)
    client.connect(studio.url, namespaces=["/live"], transports=["websocket"], wait_timeout=10)
    try:
        answers = [client.call("ping_state", n, namespace="/live", timeout=5) for n in range(40)]
        refused = [a for a in answers if "error" in a]
        assert answers[0] == {"ok": True, "echo": 0} and refused and "too many" in refused[0]["error"]
        for n in range(150):  # keeps on without waiting for answers: the studio ends the connection
            if not client.connected:
                break
            client.emit("ping_state", n, namespace="/live")
        assert wait_until(lambda: not client.connected or "/live" not in client.namespaces, 5)
    finally:
        client.disconnect()


# ---- size limits ------------------------------------------------------------------------------------------------

def write_routes() -> list[tuple[str, str]]:
    """Every route that takes a body, from the application itself: a new endpoint is covered without a test change."""
    from studio.app import create_app
    app = create_app({"REDIS_URL": None})
    fill = {"show_id": "demo", "slug": "shipping-time", "kind": "bilibili", "token": "x" * 20, "app_id": "x"}
    out = []
    for rule in app.url_map.iter_rules():
        for method in sorted(rule.methods - {"GET", "HEAD", "OPTIONS"}):
            path = re.sub(r"<(?:(\w+):)?(\w+)>",
                          lambda m: "1" if m.group(1) == "int" else fill.get(m.group(2), "x"), rule.rule)
            out.append((method, path))
    return out


def test_every_endpoint_refuses_a_body_over_10_mb(studio):
    routes = write_routes()
    assert len(routes) >= 10
    body = b"{" + b" " * (TOO_BIG - 2) + b"}"
    admin = studio.session(studio.tokens["admin"])
    for method, path in routes:
        r = admin.request(method, studio.url + path, data=body, headers={"Content-Type": "application/json"})
        assert r.status_code == 413, (method, path, r.status_code, r.text[:200])
        if path.startswith("/api/"):
            assert "error" in r.json()


# ---- headers and CSP -----------------------------------------------------------------------------------------------

def test_security_headers(studio):
    slug = slugs(studio)[0]
    for path in ("/login", "/live/demo", f"/faq/{slug}?show=demo"):
        h = requests.get(studio.url + path).headers
        assert "script-src 'self'" in h["Content-Security-Policy"] and "frame-ancestors 'none'" in h[
            "Content-Security-Policy"], path
        assert h["X-Frame-Options"] == "DENY" and h["X-Content-Type-Options"] == "nosniff"
    overlay = requests.get(studio.url + "/overlay/demo/on-air").headers
    assert "frame-ancestors *" in overlay["Content-Security-Policy"] and "X-Frame-Options" not in overlay
    api = requests.get(studio.url + "/api/shows/demo/shelf").headers
    assert api["X-Content-Type-Options"] == "nosniff"


CSP_PROBE = """
window.__csp = [];
document.addEventListener('securitypolicyviolation', e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));
"""


@pytest.mark.browser
def test_pages_run_under_csp_without_violations(studio, browser):
    slug = slugs(studio)[0]
    ctx = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    ctx.add_init_script(CSP_PROBE)
    page = ctx.new_page()
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if "Content Security Policy" in m.text else None)
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    try:
        page.goto(studio.url + "/login")
        page.fill("input[name=name]", "admin")
        page.fill("input[name=password]", PASSWORDS["admin"])
        page.click("button[type=submit]")
        page.wait_for_load_state("networkidle")
        paths = ["/", "/live/demo", f"/faq/{slug}?show=demo", "/console/demo", "/producer/demo", "/producer/catalog",
                 "/lead/demo", "/overlay/demo/on-air", "/overlay/demo/ranking", "/overlay/demo/next"]
        for path in paths:
            resp = page.goto(studio.url + path)
            assert resp.status == 200, (path, resp.status)
            page.wait_for_load_state("networkidle")
            if path.startswith("/overlay/"):
                # Its script ran: connected, subscribed, and the first snapshot arrived.
                page.wait_for_selector("body:not(.waiting)", timeout=5000)
            problems += [f"{path}: {v}" for v in page.evaluate("window.__csp")]
        assert problems == []
    finally:
        ctx.close()


# ---- CSRF, sessions, tokens ------------------------------------------------------------------------------------

def test_staff_forms_and_writes_need_the_csrf_token(studio):
    s = requests.Session()
    s.get(studio.url + "/login")
    r = s.post(studio.url + "/login", data={"name": "admin", "password": PASSWORDS["admin"]}, allow_redirects=False)
    assert r.status_code == 401 and s.get(studio.url + "/", allow_redirects=False).status_code == 302
    staff = studio.login("admin")
    del staff.headers["X-CSRF-Token"]
    for method, path in write_routes():
        if path.startswith("/api/") and path != "/api/events":
            r = staff.request(method, studio.url + path, json={})
            assert r.status_code == 403 and "CSRF" in r.json()["error"], (method, path, r.status_code)
    staff.post(studio.url + "/logout")  # no token: the session stays
    assert staff.get(studio.url + "/", allow_redirects=False).status_code == 200


def test_login_issues_a_new_session(studio):
    s = requests.Session()
    s.get(studio.url + "/login")
    before = s.cookies.get("session")
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', s.get(studio.url + "/login").text).group(1)
    s.post(studio.url + "/login", data={"name": "host", "password": PASSWORDS["host"], "csrf_token": csrf})
    after = s.cookies.get("session")
    assert before and after and before != after
    planted = requests.Session()  # an attacker's cookie from before the login grants nothing
    planted.cookies.set("session", before)
    assert planted.get(studio.url + "/", allow_redirects=False).status_code == 302
    assert s.get(studio.url + "/", allow_redirects=False).status_code == 200


def test_tokens_are_stored_hashed_and_revocable(studio):
    dump = "\n".join(sqlite3.connect(str(studio.var_dir / "studio.db")).iterdump())
    hashes = {r[0] for r in db_rows(studio, "SELECT token_hash FROM api_tokens")}
    for token in studio.tokens.values():
        assert token not in dump and hashlib.sha256(token.encode()).hexdigest() in hashes
    db = Database(f"sqlite:///{studio.var_dir / 'studio.db'}")
    token = create_token(db, "ingest", "revocation check")  # what `studio token create` calls
    bridge = socketio.Client(reconnection=False)
    bridge.connect(studio.url, namespaces=["/ingest"], auth={"token": token}, transports=["websocket"])
    bridge.disconnect()
    assert revoke_token(db, token[:10]) == 1  # by its prefix, as `studio token revoke` shows it
    db.engine.dispose()
    r = studio.session(token).post(studio.url + "/api/shows/demo/comments", json=[{"user": "u", "text": "发货"}])
    assert r.status_code == 401
    refused, reasons = socketio.Client(reconnection=False), []
    refused.on("connect_error", reasons.append, namespace="/ingest")
    with pytest.raises(socketio.exceptions.ConnectionError):
        refused.connect(studio.url, namespaces=["/ingest"], auth={"token": token}, transports=["websocket"],
                        wait_timeout=3)
    assert reasons and "token" in str(reasons[0])


def test_secrets_never_come_back_out(studio):
    obs_password = f"obs-{secrets.token_hex(8)}"
    host = studio.session(studio.tokens["host"])
    r = host.put(studio.url + "/api/shows/demo/obs", json={"host": "127.0.0.1", "port": 1, "password": obs_password})
    assert r.status_code == 200 and obs_password not in r.text and r.json()["password_set"] is True
    assert obs_password not in host.get(studio.url + "/api/shows/demo/obs").text
    time.sleep(1)  # the OBS driver tries the (closed) port and logs what failed
    studio.login("lead")  # a password sent over the wire at least once
    dump = "\n".join(sqlite3.connect(str(studio.var_dir / "studio.db")).iterdump())
    log = studio.log_path.read_text(errors="replace")
    for secret in [obs_password, *PASSWORDS.values(), *studio.tokens.values()]:
        assert secret not in log, "a secret is in the server log"
        assert secret not in dump, "a secret is in the database in clear"
