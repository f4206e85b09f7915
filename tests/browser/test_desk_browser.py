"""An agent works the specialist queue in Chromium: a routed comment appears, the agent opens it (the viewer's other
comments in the show), claims and resolves it; an unclaimed case turns red at 3 minutes; the lead dashboard shows
the tier-3 figures beside the one-to-one baseline."""
from __future__ import annotations

import time

import pytest
from playwright.sync_api import expect
from sqlalchemy import update
from sqlalchemy.orm import Session

from studio.store.models import Case
from tests.api import test_cases as api_cases
from tests.api.test_cases import comment, db, ingest
from tests.browser.test_console_browser import login
from tests.support.shows import new_show

pytestmark = pytest.mark.browser
WAIT_MS = 8000


def test_an_agent_claims_and_resolves_a_case(server, show, desk, screenshot_dir):
    page = login(desk, server, "agent")
    page.goto(f"{server.url}/desk/{show}")
    expect(page.locator("#conn.live")).to_be_visible(timeout=WAIT_MS)
    expect(page.locator("#empty")).to_be_visible()
    ingest(server, show, [comment("几号发货", "buyer-1", 1), comment("我5号拍的到现在还没发货", "buyer-1", 2),
                          comment("什么垃圾客服，骗子！！！", "buyer-2", 1), comment("主播好漂亮", "buyer-3", 1)])
    cases = page.locator("#cases .case")
    expect(cases).to_have_count(2, timeout=WAIT_MS)
    expect(cases.first.locator(".text")).to_have_text("什么垃圾客服，骗子！！！")  # the angrier one first
    expect(cases.first.locator(".reason").first).to_have_text("说我们骗人")
    personal = page.locator("#cases .case", has_text="我5号拍的到现在还没发货")
    expect(personal.locator(".reason")).to_have_text("订单未发货")
    personal.click()
    expect(page.locator("#viewer-comments .text")).to_have_text(["几号发货", "我5号拍的到现在还没发货"],
                                                                 timeout=WAIT_MS)
    page.screenshot(path=str(screenshot_dir / "desk-queue.png"))
    page.click("#do-claim")
    expect(personal.locator(".state-claimed")).to_be_visible(timeout=WAIT_MS)
    expect(page.locator("#do-claim")).to_be_disabled()
    page.click("#do-resolved")
    expect(page.locator("#cases .case")).to_have_count(1, timeout=WAIT_MS)
    expect(page.locator("#closed .case", has_text="我5号拍的到现在还没发货").locator(".state-resolved")).to_be_visible()
    agent = server.session(server.tokens["agent"])
    closed = agent.get(f"{server.url}/api/shows/{show}/cases").json()["closed"]
    assert [(c["text"], c["state"], c["agent"]) for c in closed] == [("我5号拍的到现在还没发货", "resolved", "agent")]


def test_an_unclaimed_case_turns_red_at_three_minutes(server, show, desk, screenshot_dir):
    ingest(server, show, [comment("我的退款一直没到账", "buyer-5", 1)])  # not the text another test taught
    agent = server.session(server.tokens["agent"])
    base = f"{server.url}/api/shows/{show}/cases"
    deadline = time.monotonic() + 5
    while not agent.get(base).json()["items"] and time.monotonic() < deadline:
        time.sleep(0.05)
    page = login(desk, server, "agent")
    # routed 174 s ago: the page must turn it red by itself, about 6 s from now
    with Session(db(server)) as s, s.begin():
        s.execute(update(Case).where(Case.show_id == show).values(created_at=time.time() - 174))
    page.goto(f"{server.url}/desk/{show}")
    case = page.locator("#cases .case")
    expect(case).to_have_count(1, timeout=WAIT_MS)
    expect(case).to_have_attribute("data-red", "0")
    expect(page.locator("#red-count")).to_be_hidden()
    expect(case).to_have_attribute("data-red", "1", timeout=3 * WAIT_MS)
    expect(case).to_have_class("case kind-personal red")
    expect(page.locator("#red-count")).to_be_visible()
    assert agent.get(base).json()["items"][0]["red"] is True
    page.screenshot(path=str(screenshot_dir / "desk-red.png"))
    # claiming it ends the alarm
    case.click()
    page.click("#do-claim")
    expect(case).to_have_attribute("data-red", "0", timeout=WAIT_MS)


def test_the_lead_dashboard_shows_the_tier3_figures(server, show, desk, screenshot_dir):
    api_cases.test_lead_figures_match_a_hand_computed_fixture(server, show)
    page = login(desk, server, "lead")
    page.goto(f"{server.url}/lead/{show}")
    table = page.locator("#tier3-table")
    expect(table.locator('[data-cell="first_touch_p50"]')).to_have_text("160 s", timeout=WAIT_MS)
    expect(table.locator('[data-cell="first_touch_p90"]')).to_have_text("340 s")
    expect(table.locator('[data-cell="touch_rate_3m"]')).to_have_text("40%")
    expect(table.locator('[data-cell="resolved_per_hour"]')).to_have_text("1.5")
    expect(table.locator('[data-cell="wait_p50"]')).to_have_text("400 s")
    expect(table.locator('[data-cell="wait_p90"]')).to_have_text("640 s")
    expect(table.locator('[data-cell="within_target"]')).to_have_text("25%")
    expect(table.locator('[data-cell="handled_per_hour"]')).to_have_text("2")
    page.locator("#tier3").scroll_into_view_if_needed()
    page.screenshot(path=str(screenshot_dir / "lead-tier3.png"), full_page=True)


def test_the_lead_dashboard_shows_whether_each_answer_worked(server, show, desk, screenshot_dir):
    from tests.api import test_proof
    test_proof.replay(server, show)
    page = login(desk, server, "lead")
    page.goto(f"{server.url}/lead/{show}")
    row = page.locator('#proof-table tr[data-slug="shipping-time"]')
    expect(row.locator("td")).to_have_text(["shipping-time", "2.0", "0.4", "80%", "0%", "80%", "7", "2"],
                                           timeout=WAIT_MS)
    shares = page.locator("#tier-shares")
    expect(shares.locator('[data-tier="answered_on_air"] [data-cell="count"]')).to_have_text("11")
    expect(shares.locator('[data-tier="answered_in_chat"] [data-cell="share"]')).to_have_text("11%")
    page.locator("#proof").scroll_into_view_if_needed()
    page.wait_for_timeout(500)
    page.screenshot(path=str(screenshot_dir / "lead-proof.png"), full_page=True)


def test_the_host_asks_the_room_with_one_key(server, show, desk, screenshot_dir):
    host = server.session(server.tokens["host"])
    host.post(f"{server.url}/api/shows/{show}/start")
    host.post(f"{server.url}/api/shows/{show}/on-air", json={"slug": "shipping-time"})
    page = login(desk, server, "host")
    page.goto(f"{server.url}/console/{show}")
    expect(page.locator("#ask-room")).to_be_visible(timeout=WAIT_MS)
    page.wait_for_timeout(500)
    page.keyboard.press("k")
    expect(page.locator("#toast")).to_have_text("已标记：从现在起统计“扣1”", timeout=WAIT_MS)
    page.screenshot(path=str(screenshot_dir / "console-ask-room.png"))
    with Session(db(server)) as s:
        from studio.store.models import RoomAsk
        marks = s.query(RoomAsk.slug).filter(RoomAsk.show_id == show).all()
    assert [m.slug for m in marks] == ["shipping-time"]


def test_a_moved_squad_hands_its_cases_back_and_the_desk_follows(server, desk):
    """A squad moves from show A to show B: the cases its agent held in A go back to A's queue (claimed → open,
    contacted → no agent), another agent's claim in A stays, and the agent's open desk moves to B's queue."""
    from tests.api.test_rooms import PASSWORD, user
    from tests.api.test_rooms import login as api_login
    a, b = new_show(server, "squad-a"), new_show(server, "squad-b")
    admin = server.session(server.tokens["admin"])
    name = user(server, "agent")
    squad = f"mobile-{name[-6:]}"
    assert admin.put(f"{server.url}/api/squads/{squad}", json={"members": [name]}).status_code == 200
    assert admin.post(f"{server.url}/api/squads/{squad}/move", json={"show": a}).json()["show"] == a
    ingest(server, a, [comment("我12号拍的怎么还没发货", "mover-1", 1),
                       comment("我的包裹一直卡在中转站不动", "mover-2", 1),
                       comment("我的退款怎么还没到账啊", "mover-3", 1)])
    ingest(server, b, [comment("我买的杯子收到就碎了", "mover-4", 1)])
    base_a = f"{server.url}/api/shows/{a}/cases"
    items = api_cases.cases_once(admin, base_a, 3)
    by_text = {c["text"]: c["id"] for c in items}
    agent = api_login(server, name)
    assert agent.post(f"{base_a}/{by_text['我12号拍的怎么还没发货']}/claim").json()["agent"] == name
    assert agent.post(f"{base_a}/{by_text['我的包裹一直卡在中转站不动']}/state",
                      json={"state": "contacted"}).json()["state"] == "contacted"
    other = server.login("agent")  # an agent who stays on A
    assert other.post(f"{base_a}/{by_text['我的退款怎么还没到账啊']}/claim").json()["agent"] == "agent"

    page = desk.new_page()
    page.goto(server.url + "/login")
    page.fill("input[name=name]", name)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(server.url + "/")
    page.goto(f"{server.url}/desk/{a}")
    expect(page.locator("#conn.live")).to_be_visible(timeout=WAIT_MS)
    expect(page.locator("#cases .case")).to_have_count(3, timeout=WAIT_MS)

    moved = admin.post(f"{server.url}/api/squads/{squad}/move", json={"show": b}).json()
    assert moved["from"] == a and moved["show"] == b and moved["handed_back"] == {"reopened": 1, "released": 1}
    page.wait_for_url(f"**/desk/{b}?from={a}", timeout=WAIT_MS)
    expect(page.locator("#conn.live")).to_be_visible(timeout=WAIT_MS)
    expect(page.locator("#cases .case .text")).to_have_text(["我买的杯子收到就碎了"], timeout=WAIT_MS)
    expect(page.locator("#toast")).to_contain_text(a)

    after = {c["text"]: c for c in admin.get(base_a).json()["items"]}
    claimed = after["我12号拍的怎么还没发货"]
    assert (claimed["state"], claimed["agent"], claimed["claimed_at"]) == ("open", None, None)
    contacted = after["我的包裹一直卡在中转站不动"]
    assert (contacted["state"], contacted["agent"], contacted["contacted_at"] is not None) == ("contacted", None, True)
    assert (after["我的退款怎么还没到账啊"]["state"], after["我的退款怎么还没到账啊"]["agent"]) == ("claimed", "agent")
    # Whoever works A now takes them over.
    assert other.post(f"{base_a}/{claimed['id']}/claim").json()["agent"] == "agent"
    done = other.post(f"{base_a}/{contacted['id']}/state", json={"state": "resolved"}).json()
    assert (done["state"], done["agent"]) == ("resolved", "agent")
    assert agent.get(base_a).status_code == 403
