"""Overlay pages in real Chromium: URL parameters, the QR code, and recovery when the studio restarts."""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from urllib.parse import quote

import pytest
import requests

from overlays.pages import qr_svg
from tests.support.liveserver import REPO
from tests.support.shows import new_show

pytestmark = pytest.mark.browser
WAIT_MS = 5000


def on_air(server, show: str, slug: str | None) -> dict:
    r = server.session(server.tokens["host"]).post(f"{server.url}/api/shows/{show}/on-air", json={"slug": slug})
    assert r.status_code == 200, r.text
    return r.json()


def test_url_parameters_choose_theme_colours_scale_position_and_parts(server, desk, screenshot_dir):
    show = new_show(server, "params")
    on_air(server, show, "invoice")
    page = desk.new_page()
    page.goto(f"{server.url}/overlay/{show}/on-air?theme=light&accent=00aa88&text=112233&scale=0.5&pos=top-right"
              "&parts=question,qr&bg=checker")
    page.wait_for_selector("#card.shown", timeout=WAIT_MS)
    looks = page.evaluate("""() => {
        const body = getComputedStyle(document.body), anchor = document.getElementById('anchor');
        const box = anchor.getBoundingClientRect();
        return {classes: document.body.className, accent: body.getPropertyValue('--accent').trim(),
                transform: getComputedStyle(anchor).transform, right: box.right, top: box.top,
                answer: getComputedStyle(document.getElementById('answer')).display,
                question: getComputedStyle(document.getElementById('question')).display,
                bg: getComputedStyle(document.documentElement).backgroundColor};
    }""")
    assert "theme-light" in looks["classes"] and "pos-top-right" in looks["classes"]
    assert looks["accent"] == "#00aa88"
    assert looks["transform"].startswith("matrix(0.5, 0, 0, 0.5")
    assert looks["answer"] == "none" and looks["question"] != "none"
    assert looks["right"] > 1700 and looks["top"] < 200, looks
    assert looks["bg"] == "rgba(0, 0, 0, 0)", "the page itself must stay transparent for OBS"
    page.wait_for_function("() => document.getElementById('qr').naturalWidth > 0", timeout=WAIT_MS)
    page.wait_for_timeout(600)  # let the entrance animation finish before the picture
    page.screenshot(path=str(screenshot_dir / "overlay-params.png"))
    # parameters are never trusted as CSS: junk falls back to the defaults, numbers are clamped
    page.goto(f"{server.url}/overlay/{show}/on-air?theme=neon&accent=red;background:url(x)&scale=100&pos=nowhere")
    page.wait_for_selector("#card.shown", timeout=WAIT_MS)
    junk = page.evaluate("""() => ({classes: document.body.className,
        accent: document.body.style.getPropertyValue('--accent'),
        scale: document.body.style.getPropertyValue('--scale')})""")
    assert "theme-dark" in junk["classes"] and "pos-bottom-left" in junk["classes"]
    assert junk["accent"] == "" and junk["scale"] == "3"


def test_ranking_and_next_overlays_show_the_live_state(server, desk, screenshot_dir):
    show = new_show(server, "ranked")
    batch = [{"id": f"r{i}", "user": f"v{i}", "text": "怎么开发票呀", "platform": "test"} for i in range(5)]
    server.session(server.tokens["ingest"]).post(f"{server.url}/api/shows/{show}/comments", json=batch)
    api = f"{server.url}/api/shows/{show}"
    base = requests.get(api + "/rundown").json()["revision"]
    server.session(server.tokens["producer"]).put(api + "/rundown", json={"items": ["restock"], "revision": base})
    on_air(server, show, "size-guide")
    ranking = desk.new_page()
    ranking.goto(f"{server.url}/overlay/{show}/ranking?n=3&bg=checker")
    ranking.wait_for_selector("#rows li[data-slug=invoice]", timeout=WAIT_MS)
    assert "5 人在问" in ranking.inner_text("#rows li[data-slug=invoice]")
    ranking.wait_for_timeout(600)
    ranking.screenshot(path=str(screenshot_dir / "overlay-ranking.png"))
    nxt = desk.new_page()
    nxt.goto(f"{server.url}/overlay/{show}/next?bg=checker")
    nxt.wait_for_selector("#card.shown", timeout=WAIT_MS)
    assert nxt.inner_text("#now-q") == requests.get(f"{server.url}/api/faq/size-guide").json()["question"]
    assert nxt.inner_text("#upnext-q") == requests.get(f"{server.url}/api/faq/restock").json()["question"]
    nxt.wait_for_timeout(600)
    nxt.screenshot(path=str(screenshot_dir / "overlay-next.png"))


def test_qr_code_is_valid_svg_of_the_solution_page(server):
    show = new_show(server, "qr")
    r = requests.get(f"{server.url}/overlay/{show}/qr/invoice.svg")
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("image/svg+xml")
    root = ET.fromstring(r.text)
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    _, _, w, h = (int(x) for x in root.get("viewBox").split())
    assert w == h and (w - 4 - 21) % 4 == 0, "a QR symbol is 21 + 4k modules plus the quiet zone"
    assert r.text == qr_svg(f"{server.url}/faq/invoice?show={show}"), "the code must point at the solution page"
    assert requests.get(f"{server.url}/overlay/{show}/qr/no-such-item.svg").status_code == 404
    assert requests.get(f"{server.url}/overlay/{show}/qr/..%2Fetc.svg").status_code == 404


def test_loader_download_carries_its_target_safely(server):
    target = f"{server.url}/overlay/demo/on-air?theme=light&accent=00aa88"
    r = requests.get(f"{server.url}/overlay/loader.html", params={"target": target})
    assert r.status_code == 200 and "attachment" in r.headers["Content-Disposition"]
    assert 'faq-overlay-demo-on-air.html' in r.headers["Content-Disposition"]
    assert f'<meta name="overlay-target" content="{target.replace("&", "&amp;")}">' in r.text
    for bad in ("javascript:alert(1)", "http://x/overlay/demo/on-air\"><script>", "http://x/elsewhere", ""):
        assert requests.get(f"{server.url}/overlay/loader.html", params={"target": bad}).status_code == 400


def test_overlay_loads_before_the_studio_and_recovers_after_a_crash(fresh_server, browser, screenshot_dir):
    srv = fresh_server
    ctx = browser.new_context(viewport={"width": 1920, "height": 1080})
    try:
        page = ctx.new_page()
        target = f"{srv.url}/overlay/demo/on-air"
        # OBS starts first: the loader from disk waits, shows nothing, never an error page
        page.goto((REPO / "static" / "overlay-loader.html").as_uri() + "?target=" + quote(target, safe=""))
        page.wait_for_timeout(700)
        assert page.url.startswith("file://")
        srv.start()
        first = on_air(srv, "demo", "invoice")["current"]["question"]
        page.wait_for_url(target, timeout=10_000)
        page.wait_for_function("q => document.querySelector('#card.shown #question')?.textContent === q",
                               arg=first, timeout=WAIT_MS)
        # the studio crashes; the overlay keeps showing what it had and waits
        srv.kill()
        page.wait_for_function("() => document.body.dataset.conn === 'reconnecting'", timeout=WAIT_MS)
        assert page.inner_text("#question") == first and page.url == target
        # the studio comes back and the host acts before the overlay is reconnected: it can only learn the new
        # state from the full snapshot it gets when it subscribes again
        ctx.set_offline(True)
        srv.start()
        second = on_air(srv, "demo", "restock")["current"]["question"]
        page.wait_for_timeout(1000)
        assert page.evaluate("() => document.body.dataset.conn") == "reconnecting"
        assert page.inner_text("#question") == first
        ctx.set_offline(False)
        page.wait_for_function("q => document.querySelector('#card.shown #question')?.textContent === q",
                               arg=second, timeout=10_000)
        # and it says it is live (the snapshot and the status can land in either order)
        page.wait_for_function("() => document.body.dataset.conn === 'live'", timeout=WAIT_MS)
        page.screenshot(path=str(screenshot_dir / "overlay-after-restart.png"))
    finally:
        ctx.close()
    assert not re.search(r"Traceback", srv.log_path.read_text()), srv.log_path.read_text()[-2000:]
