"""The host console, the producer's rundown and an overlay in real Chromium, against the real server."""
from __future__ import annotations

import pytest
import requests

from tests.support.liveserver import PASSWORDS
from tests.support.shows import new_show

pytestmark = pytest.mark.browser
WAIT_MS = 5000


def login(context, server, role: str):
    page = context.new_page()
    page.goto(server.url + "/login")
    page.fill("input[name=name]", role)
    page.fill("input[name=password]", PASSWORDS[role])
    page.click("button[type=submit]")
    page.wait_for_url(server.url + "/")
    return page


def ask(server, show: str, text: str, askers: int, start: int = 0) -> None:
    batch = [{"id": f"{text}-{i}", "user": f"viewer{i}", "text": text, "platform": "test"}
             for i in range(start, start + askers)]
    r = server.session(server.tokens["ingest"]).post(f"{server.url}/api/shows/{show}/comments", json=batch)
    assert r.json()["accepted"] == askers, r.text


def test_host_answers_the_top_question_by_keyboard_and_the_overlay_shows_it(server, browser, desk, screenshot_dir):
    show = new_show(server, "console")
    ask(server, show, "几天能发货", 4)
    ask(server, show, "发票怎么开", 8)
    ask(server, show, "发票怎么开<img src=x>", 1, start=8)  # viewers' text is shown as text, never as markup
    question = requests.get(f"{server.url}/api/faq/invoice").json()["question"]
    overlay_ctx = browser.new_context(viewport={"width": 1920, "height": 1080})
    try:
        overlay = overlay_ctx.new_page()
        overlay.goto(f"{server.url}/overlay/{show}/on-air")
        console = login(desk, server, "host")
        console.goto(f"{server.url}/console/{show}")
        console.wait_for_selector("#ranking li.rank-row:first-child[data-slug=invoice]", timeout=WAIT_MS)
        samples = console.locator("#ranking li:first-child .samples li").all_inner_texts()
        assert samples == ["发票怎么开<img src=x>", "发票怎么开"], samples
        assert console.locator("#ranking img").count() == 0
        console.keyboard.press("1")
        overlay.wait_for_function("q => document.querySelector('#card.shown #question')?.textContent === q",
                                  arg=question, timeout=WAIT_MS)
        assert console.inner_text("#onair-question") == question
        assert overlay.get_attribute("#qr", "src") == f"/overlay/{show}/qr/invoice.svg"
        number = requests.get(f"{server.url}/api/shows/{show}/on-air").json()["current"]["number"]
        assert overlay.inner_text("#link") == f"去 {number} 号链接看完整解答"
        console.screenshot(path=str(screenshot_dir / "console-on-air.png"))
        console.keyboard.press("e")
        overlay.wait_for_selector("#card:not(.shown)", state="attached", timeout=WAIT_MS)
        assert requests.get(f"{server.url}/api/shows/{show}/on-air").json()["current"] is None
    finally:
        overlay_ctx.close()


def test_producer_reorders_the_queue_and_the_host_console_follows(server, browser, desk, screenshot_dir):
    show = new_show(server, "reorder")
    api = f"{server.url}/api/shows/{show}"
    producer_api = server.session(server.tokens["producer"])
    base = requests.get(api + "/rundown").json()["revision"]
    producer_api.put(api + "/rundown", json={"items": ["invoice", "restock", "size-guide"], "revision": base})
    host_ctx = browser.new_context(viewport={"width": 1920, "height": 1080})
    try:
        console = login(host_ctx, server, "host")
        console.goto(f"{server.url}/console/{show}")
        console.wait_for_selector("#queue li[data-slug=invoice]:first-child", timeout=WAIT_MS)
        rundown = login(desk, server, "producer")
        rundown.goto(f"{server.url}/producer/{show}")
        rundown.wait_for_selector("#queue li[data-slug=invoice]:first-child", timeout=WAIT_MS)
        rundown.focus("#queue li[data-slug=invoice]")
        rundown.keyboard.press("Alt+ArrowDown")  # keyboard reorder: invoice moves below restock
        console.wait_for_selector("#queue li[data-slug=restock]:first-child", timeout=WAIT_MS)
        rundown.drag_and_drop("#queue li[data-slug=size-guide] .handle", "#queue li[data-slug=restock]")
        console.wait_for_selector("#queue li[data-slug=size-guide]:first-child", timeout=WAIT_MS)
        order = console.eval_on_selector_all("#queue li", "rows => rows.map(r => r.dataset.slug)")
        assert order == ["size-guide", "restock", "invoice"]
        assert [i["slug"] for i in requests.get(api + "/rundown").json()["items"]] == order
        rundown.screenshot(path=str(screenshot_dir / "rundown.png"))
        console.keyboard.press("n")  # next in queue
        console.wait_for_selector("#onair:not(.idle)", timeout=WAIT_MS)
        rundown.wait_for_selector("#queue li:first-child[data-slug=restock]", timeout=WAIT_MS)
    finally:
        host_ctx.close()


def test_two_consoles_acting_at_once_converge(server, browser, desk):
    show = new_show(server, "twohosts")
    ask(server, show, "发票怎么开", 6)
    ask(server, show, "卖完了还补货吗", 3)
    other_ctx = browser.new_context(viewport={"width": 1920, "height": 1080})
    try:
        consoles = [login(desk, server, "host"), login(other_ctx, server, "admin")]
        for page in consoles:
            page.goto(f"{server.url}/console/{show}")
            page.wait_for_selector("#ranking li.rank-row:nth-child(2)", timeout=WAIT_MS)
        for _ in range(3):  # both hosts press a different key at the same moment, three times over
            consoles[0].keyboard.press("1")
            consoles[1].keyboard.press("2")
        final = None
        for _ in range(50):
            final = requests.get(f"{server.url}/api/shows/{show}/on-air").json()["current"]
            shown = [p.inner_text("#onair-question") for p in consoles]
            if final and shown == [final["question"]] * 2:
                break
            consoles[0].wait_for_timeout(100)
        assert final is not None and shown == [final["question"]] * 2, (shown, final)
    finally:
        other_ctx.close()


def test_producer_turns_an_emerging_question_into_a_queued_shelf_item(server, desk):
    show = new_show(server, "emerging")
    api = f"{server.url}/api/shows/{show}"
    ask(server, show, "能不能寄到新疆呀", 4)
    page = login(desk, server, "producer")
    page.goto(f"{server.url}/producer/{show}")
    page.click("#emerging button.primary", timeout=WAIT_MS)
    form = page.locator("#new-item-form")
    assert "新疆" in form.locator("input[name=question]").input_value()
    assert "能不能寄到新疆呀" in form.locator("textarea[name=examples]").input_value()
    slug = "xinjiang-" + show.split("-")[-1]
    form.locator("input[name=slug]").fill(slug)
    form.locator("textarea[name=answer]").fill("新疆地区可以发货，满99元包邮。")
    form.locator("input[name=queue]").check()
    form.locator("button[type=submit]").click()
    page.wait_for_selector(f"#queue li[data-slug={slug}]", timeout=WAIT_MS)
    item = requests.get(f"{server.url}/api/faq/{slug}").json()
    assert item["status"] == "on_shelf" and "能不能寄到新疆呀" in item["examples"]
    shelf = {i["slug"]: i for i in requests.get(api + "/shelf").json()["items"]}
    assert slug in shelf and shelf[slug]["number"] == max(i["number"] for i in shelf.values())
    # and off the shelf again, from the catalog list
    page.click(f"#catalog li[data-slug={slug}] .shelf-toggle.on")
    page.wait_for_selector(f"#catalog li[data-slug={slug}] .shelf-toggle:not(.on)", timeout=WAIT_MS)
    assert slug not in {i["slug"] for i in requests.get(api + "/shelf").json()["items"]}


def test_the_host_sees_the_specialist_queue_as_figures_and_reasons_only(server, desk):
    """Beside the ranking: open cases, the oldest unclaimed one's age (red past 3 minutes) and the top three
    cases' reasons, live from the cases topic; never what the viewers wrote."""
    import time

    from sqlalchemy import update
    from sqlalchemy.orm import Session

    from studio.store.models import Case
    from tests.api.test_cases import db

    show = new_show(server, "cases")
    personal = ["我的快递三天没动了呢", "我10号拍的到现在还没发货", "收到的杯子碎了我的天", "再不退款我就去投诉你们"]
    batch = [{"id": f"p{i}", "user": f"buyer{i}", "text": text, "platform": "test"} for i, text in enumerate(personal)]
    console = login(desk, server, "host")
    console.goto(f"{server.url}/console/{show}")
    console.wait_for_selector("#conn.live", timeout=WAIT_MS)
    assert console.is_visible("#cases-empty") and not console.is_visible("#cases-oldest")
    r = server.session(server.tokens["ingest"]).post(f"{server.url}/api/shows/{show}/comments", json=batch)
    assert r.json()["accepted"] == 4
    console.wait_for_function("() => document.querySelectorAll('#cases-top li').length === 3", timeout=WAIT_MS)
    assert console.inner_text("#cases-open") == "待处理 4" and not console.is_visible("#cases-empty")
    reasons = console.locator("#cases-top .reason").all_inner_texts()
    assert "要投诉/维权" in reasons[0], reasons  # the angriest first
    panel = console.inner_text("#cases")
    assert not any(text in panel for text in personal)  # the viewers' words stay on the desk
    assert "最久未认领 00:0" in console.inner_text("#cases-oldest")
    assert "red" not in (console.get_attribute("#cases-oldest", "class") or "")
    # the oldest waits past three minutes: its age turns red by itself, the count of late ones shows
    with Session(db(server)) as s, s.begin():
        s.execute(update(Case).where(Case.show_id == show, Case.text == personal[0])
                  .values(created_at=time.time() - 200))
    agent, base = server.session(server.tokens["agent"]), f"{server.url}/api/shows/{show}/cases"
    broken = next(c["id"] for c in agent.get(base).json()["items"] if c["text"] == personal[2])
    assert agent.post(f"{base}/{broken}/claim").status_code == 200  # a change to the queue: pushed again
    console.wait_for_selector("#cases-oldest.red", timeout=WAIT_MS)
    assert console.inner_text("#cases-open") == "待处理 3" and console.inner_text("#cases-red") == "超过3分钟 1"
    assert "最久未认领 03:2" in console.inner_text("#cases-oldest")
    console.screenshot(path="/tmp/console-cases-1920.png")
