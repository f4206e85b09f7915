"""The lead opens the dashboard of a replayed show in Chromium: charts, funnel, Erlang C panel, CSV export, report."""
from __future__ import annotations

import csv
import io
import random
import re
from datetime import UTC, datetime

import pytest
from playwright.sync_api import expect
from sqlalchemy import create_engine, insert, update
from sqlalchemy.orm import Session

from studio.store.models import CommentCount, Segment, Show, ViewerEvent
from tests.api.test_proof import replay
from tests.browser.test_console_browser import login
from tests.support.liveserver import PASSWORDS

pytestmark = pytest.mark.browser

T0 = datetime(2024, 11, 10, 12, 0, tzinfo=UTC).timestamp()  # 20:00 in Asia/Shanghai
SHOW_SECONDS = 2 * 3600
# item → (comments per minute before it is answered, helpdesk contacts per hour on a normal day, on air at minute)
PLAN = {
    "shipping-time": (9, 30, 8), "seven-day-return": (6, 22, 25), "coupon-stacking": (7, 12, 41),
    "logistics-tracking": (4, 26, 58), "size-guide": (5, 9, 74), "refund-arrival-time": (3, 18, 90),
    "gift-not-received": (2, 8, None), "invoice": (1, 6, None),
}


def _engine(server):
    url = server.env.get("STUDIO_DATABASE_URL") or f"sqlite:///{server.var_dir / 'studio.db'}"
    return create_engine(url)


def replay_show(server, show_id: str, seed: int = 7) -> None:
    """A two-hour show as the other parts would have recorded it, plus a day of helpdesk traffic before it."""
    rnd = random.Random(seed)
    producer = server.session(server.tokens["producer"])
    created = producer.post(server.url + "/api/shows", json={"title": "双11 售后答疑专场", "id": show_id})
    assert created.status_code == 201
    counts, segments, events = [], [], []
    for n, (slug, (per_min, _, on_air)) in enumerate(PLAN.items()):
        answered = T0 + on_air * 60 if on_air is not None else None
        for minute in range(SHOW_SECONDS // 60):
            ts = T0 + minute * 60
            rate = per_min * (0.3 if answered and ts > answered + 300 else 1.0) * rnd.uniform(0.5, 1.5)
            if int(rate):
                counts.append({"show_id": show_id, "slug": slug, "minute": int(ts // 60), "count": int(rate)})
        if answered is None:
            continue
        segments.append({"show_id": show_id, "slug": slug, "started_at": answered, "ended_at": answered + 150 + n * 20})
        for v in range(rnd.randint(150, 320)):
            viewer, opened = f"viewer-{slug}-{v}", answered + rnd.expovariate(1 / 240)
            events.append({"show_id": show_id, "slug": slug, "type": "page_view", "viewer_hash": viewer, "ts": opened})
            roll = rnd.random()
            kind = "helpful" if roll < 0.55 else "not_helpful" if roll < 0.7 else "escalate" if roll < 0.76 else None
            if kind:
                events.append({"show_id": show_id, "slug": slug, "type": kind, "viewer_hash": viewer,
                               "ts": opened + rnd.uniform(20, 600)})
    with Session(_engine(server)) as s, s.begin():
        s.execute(update(Show).where(Show.id == show_id)
                  .values(status="ended", started_at=T0, ended_at=T0 + SHOW_SECONDS))
        s.execute(insert(Segment), segments)
        s.execute(insert(CommentCount), counts)
        s.execute(insert(ViewerEvent), events)
    contacts = []
    for slug, (_, per_hour, on_air) in PLAN.items():
        start = T0 - 24 * 3600
        while True:
            start += rnd.expovariate(per_hour / 3600)
            if start > T0 + SHOW_SECONDS + 1800:
                break
            if on_air is not None and start > T0 + on_air * 60 and rnd.random() < 0.45:
                continue  # viewers who got the answer on air do not write to the helpdesk
            contacts.append({"id": f"{show_id}-{len(contacts)}", "channel": "旺旺", "slug": slug,
                             "ts": datetime.fromtimestamp(start, UTC).isoformat(),
                             "customer": f"buyer-{rnd.randint(1, 4000)}", "handle_seconds": rnd.uniform(120, 360)})
    ingest = server.session(server.tokens["ingest"])
    for i in range(0, len(contacts), 5000):
        r = ingest.post(server.url + "/api/one-to-one/contacts", json=contacts[i:i + 5000])
        assert r.status_code == 200 and r.json()["rejected"] == 0, r.text


def _login(page, server, role: str = "lead") -> None:
    page.goto(server.url + "/login")
    page.fill("input[name=name]", role)
    page.fill("input[name=password]", PASSWORDS[role])
    page.click("button[type=submit]")
    page.wait_for_url(server.url + "/")


def _chart_total(page, canvas_id: str) -> float:
    return page.evaluate(
        "id => Chart.getChart(document.getElementById(id)).data.datasets[0].data.reduce((a, b) => a + b, 0)", canvas_id)


def test_lead_dashboard_of_a_replayed_show(server, desk, screenshot_dir, tmp_path):
    replay_show(server, "lead-replay")
    api = server.session(server.tokens["lead"]).get(
        server.url + "/api/shows/lead-replay/deflection?tz=Asia/Shanghai&agents=10&aht=240").json()
    page = desk.new_page()
    _login(page, server)
    page.goto(server.url + "/lead/lead-replay?tz=Asia/Shanghai")
    page.wait_for_selector("#lead[data-loaded='1']", timeout=15000)

    # headline figures are the API's, shown in the lead's time zone (20:00 in Shanghai is 12:00 UTC)
    assert page.text_content("#kpi-score") == f"{api['self_service_score']:.2f}"
    assert page.text_content("#kpi-contacts") == str(api["totals"]["one_to_one_contacts"])
    assert "20:00" in page.text_content("#window")
    for canvas in ("chart-demand", "chart-pages", "chart-contacts"):
        assert _chart_total(page, canvas) > 0, canvas
    assert page.evaluate("Chart.getChart(document.getElementById('chart-deflection')).data.datasets[0].data.length") > 0

    # the funnel lists the items with activity, most asked first; a click sorts by another column
    rows = page.locator("#funnel tbody tr")
    assert rows.count() == len(PLAN)
    asked = [int(x) for x in page.locator("#funnel tbody tr td:nth-child(3)").all_text_contents()]
    assert asked == sorted(asked, reverse=True)
    page.click("#funnel th[data-key='one_to_one_contacts']")
    contacts = [int(x) for x in page.locator("#funnel tbody tr td:nth-child(9)").all_text_contents()]
    assert contacts == sorted(contacts, reverse=True)
    page.click("#funnel th[data-key='one_to_one_contacts']")
    contacts = [int(x) for x in page.locator("#funnel tbody tr td:nth-child(9)").all_text_contents()]
    assert contacts == sorted(contacts)

    # Erlang C: with the show the team waits less than without it
    page.fill("#agents", "10")
    page.fill("#aht", "240")
    page.click("#wait-form button")
    page.wait_for_selector("#wait-table tbody tr:nth-child(5)")
    w = api["wait_impact"]
    assert w["with_show"]["asa_seconds"] < w["without_show"]["asa_seconds"]
    asa_row = page.locator("#wait-table tbody tr:nth-child(2) td").all_text_contents()
    assert asa_row[0] == f"{w['with_show']['asa_seconds']:.1f} s"
    page.screenshot(path=str(screenshot_dir / "lead-dashboard.png"))

    # the CSV export downloads and parses, one row per item, same figures as the API
    with page.expect_download() as dl:
        page.click("#csv-link")
    path = tmp_path / "funnel.csv"
    dl.value.save_as(path)
    table = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig"))))
    by_slug = {r["slug"]: r for r in table}
    assert set(PLAN) <= set(by_slug)
    for item in api["items"]:
        assert int(by_slug[item["slug"]]["asked"]) == item["asked"]
        assert int(by_slug[item["slug"]]["one_to_one_contacts"]) == item["one_to_one_contacts"]
    assert by_slug["shipping-time"]["first_on_air"] == "2024-11-10T20:08:00+08:00"

    # the printable report
    page.goto(server.url + "/lead/lead-replay/report?tz=Asia/Shanghai&agents=10&aht=240")
    expect(page.locator("#chart-demand")).to_have_attribute("height", re.compile(r"\d+"))
    assert _chart_total(page, "chart-demand") > 0
    assert page.locator(".report-table tbody tr").count() == len(PLAN)
    assert "Asia/Shanghai" in page.text_content(".report-head")
    page.screenshot(path=str(screenshot_dir / "lead-report.png"), full_page=True)
    page.emulate_media(media="print")
    assert page.locator(".topbar").is_hidden()


def test_lead_page_needs_the_lead_role(server, desk):
    page = desk.new_page()
    page.goto(server.url + "/lead/demo")
    assert "/login" in page.url
    _login(page, server, "host")
    resp = page.goto(server.url + "/lead/demo")
    assert resp.status == 403


def test_dashboard_follows_a_live_show(server, desk):
    """During a show the page refreshes by itself: a contact sent to the webhook shows up within seconds."""
    import time
    producer = server.session(server.tokens["producer"])
    assert producer.post(server.url + "/api/shows", json={"title": "直播中", "id": "lead-live"}).status_code == 201
    now = time.time()
    with Session(_engine(server)) as s, s.begin():
        s.execute(update(Show).where(Show.id == "lead-live").values(status="live", started_at=now - 600))
    ingest = server.session(server.tokens["ingest"])

    def contact(n: int) -> None:
        item = {"id": f"lead-live-{n}", "ts": datetime.fromtimestamp(time.time(), UTC).isoformat(),
                "channel": "im", "slug": "invoice", "customer": f"live-{n}"}
        assert ingest.post(server.url + "/api/one-to-one/contacts", json=[item]).json()["accepted"] == 1

    contact(1)
    page = desk.new_page()
    _login(page, server)
    page.goto(server.url + "/lead/lead-live")
    page.wait_for_selector("#lead[data-loaded='1']", timeout=15000)
    assert page.text_content("#status") in ("直播中", "Live")
    before = int(page.text_content("#kpi-contacts"))
    contact(2)
    expect(page.locator("#kpi-contacts")).to_have_text(str(before + 1), timeout=20000)


def test_the_report_states_the_tier_shares_the_dashboard_shows(server, show, desk):
    """The hand-counted fixture of tests/api/test_proof.py, read off both pages in Chromium."""
    replay(server, show)
    page = login(desk, server, "lead")

    def tier_rows() -> list[list[str]]:
        return page.eval_on_selector_all("#tier-shares tr", "rows => rows.map(r => [r.dataset.tier, "
                                         "...[...r.children].map(c => c.textContent.trim())])")

    page.goto(f"{server.url}/lead/{show}")
    page.wait_for_function("() => document.querySelector('#tier-shares [data-cell=count]').textContent !== '—'",
                           timeout=8000)
    dashboard = tier_rows()
    page.goto(f"{server.url}/lead/{show}/report")
    assert tier_rows() == dashboard == [["answered_in_chat", "聊天区已答（机器人）", "2", "11%"],
                                        ["answered_on_air", "直播中讲解（主播）", "11", "61%"],
                                        ["handled_by_specialist", "专员处理", "1", "6%"],
                                        ["escalated_to_one_to_one", "转一对一", "4", "22%"]]
