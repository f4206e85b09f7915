"""The control room in real Chromium: three simulated live shows at once, each with its comment rate, top asks,
items burning and unanswered minutes; a squad moved to another show from the page."""
from __future__ import annotations

import secrets

import pytest

from tests.support.liveserver import REPO
from tests.support.shows import new_show

pytestmark = pytest.mark.browser
SHEET = (REPO / "tests" / "fixtures" / "runsheets" / "night.csv").read_bytes()


def simulate(server, show: str, texts: list[tuple[str, int]]) -> None:
    items = [{"text": text, "user": f"v{k}-{i}-{secrets.token_hex(2)}"} for k, (text, n) in enumerate(texts)
             for i in range(n)]
    r = server.session(server.tokens["ingest"]).post(f"{server.url}/api/shows/{show}/comments", json=items)
    assert r.status_code == 200 and r.json()["accepted"] == len(items), r.text


def test_control_room_shows_three_rooms_and_moves_a_squad(server, desk, screenshot_dir):
    host, producer = server.session(server.tokens["host"]), server.session(server.tokens["producer"])
    shows = [new_show(server, "ctl", title) for title in ("美妆专场 A", "零食专场 B", "家电专场 C")]
    for show in shows:
        assert host.post(f"{server.url}/api/shows/{show}/start").status_code == 200
    a, b, c = shows
    producer.post(f"{server.url}/api/shows/{b}/runsheet", files={"file": ("night.csv", SHEET)})
    assert host.post(f"{server.url}/api/shows/{c}/on-air", json={"slug": "appliance-warranty"}).status_code == 200
    admin = server.session(server.tokens["admin"])
    squad = f"机动组-{secrets.token_hex(2)}"
    agents = [f"agent-{secrets.token_hex(3)}" for _ in range(3)]
    for name in agents:
        server.cli("user", "create", name, "--role", "agent", "--password", "agent-pass-123")
    assert admin.put(f"{server.url}/api/squads/{squad}", json={"members": agents}).status_code == 200
    assert admin.post(f"{server.url}/api/squads/{squad}/move", json={"show": c}).status_code == 200
    # The last minute's comments, as the rooms' chat would send them.
    simulate(server, a, [("什么时候发货", 14), ("优惠券在哪里领", 6), ("可以退货吗", 3), ("主播好美", 20)])
    simulate(server, b, [("坚果多少钱", 9), ("几点上零食", 4), ("有运费险吗", 2), ("哈哈哈", 10)])
    simulate(server, c, [("保修多久", 2), ("来了", 5)])

    page = desk.new_page()
    login = server.login("admin")
    page.context.add_cookies([{"name": k.name, "value": k.value, "url": server.url} for k in login.cookies])
    page.goto(f"{server.url}/control")
    for show in shows:
        page.wait_for_selector(f'.room[data-show="{show}"]', timeout=5000)
    tile_a = page.text_content(f'.room[data-show="{a}"]')
    assert "43" in page.text_content(f'.room[data-show="{a}"] .fig.rate'), tile_a
    assert "正在升温" in tile_a and "分钟没有解答" in tile_a
    tile_b = page.text_content(f'.room[data-show="{b}"]')
    assert "三只松鼠每日坚果礼盒 · 价格" in tile_b, "product asks rank beside FAQ items"
    assert "正在解答" in page.text_content(f'.room[data-show="{c}"]')
    assert squad in page.text_content(f'.room[data-show="{c}"] .staff')
    page.wait_for_timeout(300)
    page.screenshot(path=str(screenshot_dir / "control-room.png"))
    # One action moves the squad: pick the show in its row.
    page.select_option(f'.squad[data-squad="{squad}"] select', a)
    page.wait_for_function(f"""() => (document.querySelector('.room[data-show="{a}"] .staff') || {{}})
        .textContent.includes({squad!r})""", timeout=5000)
    staff = admin.get(f"{server.url}/api/shows/{a}/staff").json()
    assert staff["squads"][0]["name"] == squad
