"""Run-sheet products in real Chromium: the phone card reached from the shelf, a 待确认 fact filled in by a producer
or by a new sheet reaching an open card and the product overlay within 2 s, and the rundown's run-sheet section."""
from __future__ import annotations

import time

import pytest
from playwright.sync_api import expect

from tests.support.liveserver import REPO
from tests.support.shows import new_show

pytestmark = pytest.mark.browser
SHEET = (REPO / "tests" / "fixtures" / "runsheets" / "night.csv").read_bytes()
LIVE_WITHIN_MS = 2000


def import_sheet(server, show: str, data: bytes = SHEET) -> dict:
    r = server.session(server.tokens["producer"]).post(f"{server.url}/api/shows/{show}/runsheet",
                                                       files={"file": ("night.csv", data)})
    assert r.status_code == 200, r.text
    return r.json()


def test_card_from_the_shelf_fills_a_missing_fact_live(server, phone, desk, screenshot_dir):
    show = new_show(server, "card")
    import_sheet(server, show)
    page = phone.new_page()
    page.goto(f"{server.url}/live/{show}")
    page.click('#products li[data-number="2"] a')
    page.wait_for_url(f"**/product/{show}/2")
    assert page.text_content('[data-field="price"]') == "待确认"
    assert page.text_content('[data-field="gift"]') == "送坚果夹"
    page.screenshot(path=str(screenshot_dir / "product-card-unknown.png"), full_page=True)
    overlay = desk.new_page()
    overlay.goto(f"{server.url}/overlay/{show}/product?n=2&bg=checker")
    overlay.wait_for_selector("#card.shown", timeout=5000)
    assert overlay.text_content('#card [data-field="price"]') == "待确认"
    overlay.wait_for_function("() => document.getElementById('qr').naturalWidth > 0", timeout=5000)
    page.wait_for_timeout(300)  # both pages subscribed
    # A producer fills the price: the open card and the overlay show it within 2 s.
    started = time.monotonic()
    r = server.session(server.tokens["producer"]).patch(f"{server.url}/api/shows/{show}/products/2",
                                                        json={"price": "89"})
    assert r.status_code == 200
    page.wait_for_function("() => document.querySelector('[data-field=\"price\"]').textContent === '89'",
                           timeout=LIVE_WITHIN_MS)
    overlay.wait_for_function(
        "() => document.querySelector('#card [data-field=\"price\"]').textContent === '89'", timeout=LIVE_WITHIN_MS)
    took = time.monotonic() - started
    assert took < LIVE_WITHIN_MS / 1000, took
    # A new sheet fills the stock the same way.
    text = SHEET.decode().replace("2,三只松鼠每日坚果礼盒,三只松鼠,零食,,,送坚果夹,,,20:15,",
                                  "2,三只松鼠每日坚果礼盒,三只松鼠,零食,89,,送坚果夹,1200,次日发货,20:15,")
    import_sheet(server, show, text.encode())
    page.wait_for_function("() => document.querySelector('[data-field=\"stock\"]').textContent === '1200'",
                           timeout=LIVE_WITHIN_MS)
    overlay.wait_for_function(
        "() => document.querySelector('#card [data-field=\"stock\"]').textContent === '1200'", timeout=LIVE_WITHIN_MS)
    assert "unknown" not in page.get_attribute('[data-field="shipping"]', "class")
    page.screenshot(path=str(screenshot_dir / "product-card-filled.png"), full_page=True)
    overlay.wait_for_timeout(600)
    overlay.screenshot(path=str(screenshot_dir / "overlay-product.png"))
    # The shelf lists the products; an unknown number is a 404 page, not an error.
    assert page.goto(f"{server.url}/product/{show}/99").status == 404


def test_overlay_follows_the_product_on_air(server, desk):
    show = new_show(server, "ovl")
    import_sheet(server, show)
    overlay = desk.new_page()
    overlay.goto(f"{server.url}/overlay/{show}/product")
    overlay.wait_for_selector("#card.shown", timeout=5000)
    assert overlay.text_content('#card [data-field="name"]') == "完美日记小细跟口红"
    server.session(server.tokens["producer"]).patch(f"{server.url}/api/shows/{show}/products/3",
                                                    json={"status": "讲解中"})
    overlay.wait_for_function(
        "() => document.querySelector('#card [data-field=\"name\"]').textContent.startsWith('雅诗兰黛')",
        timeout=LIVE_WITHIN_MS)


def test_rundown_shows_now_next_and_the_products_to_chase(server, desk, screenshot_dir):
    show = new_show(server, "rdn")
    import_sheet(server, show)
    comments = [{"text": t, "user": f"u{i}"} for i, t in enumerate(
        ["2号多少钱", "坚果多少钱呀", "2号有货吗", "坚果什么价", "4号多少钱", "几点上零食", "5号几点上"])]
    r = server.session(server.tokens["ingest"]).post(f"{server.url}/api/shows/{show}/comments",
                                                     json=comments)
    assert r.status_code == 200, r.text
    page = desk.new_page()
    login = server.login("producer")
    page.context.add_cookies([{"name": c.name, "value": c.value, "url": server.url} for c in login.cookies])
    page.goto(f"{server.url}/producer/{show}")
    page.wait_for_selector("#products-now li", timeout=5000)
    assert "完美日记" in page.text_content("#products-now")
    assert page.text_content("#products-next li:first-child .q") == "三只松鼠每日坚果礼盒"
    assert "20:15" in page.text_content("#products-next li:first-child")
    page.wait_for_selector('#products-chase li[data-number="2"]', timeout=5000)
    first = page.text_content("#products-chase li:first-child")
    assert "三只松鼠" in first and "到手价 3" in first and "缺：到手价、库存、发货" in first, first
    page.locator("#products-card").scroll_into_view_if_needed()
    page.screenshot(path=str(screenshot_dir / "rundown-runsheet.png"))


def test_a_missing_fact_is_filled_in_its_row(server, desk, screenshot_dir):
    """The rundown's fill button opens a field editor in the product's row: Enter saves, Esc cancels, a mistake is
    said under the field and nothing is saved; what is typed survives the pushes that redraw the list meanwhile."""
    show = new_show(server, "fill")
    import_sheet(server, show)
    ingest = server.session(server.tokens["ingest"])

    def ask(n: int) -> None:
        batch = [{"text": t, "user": f"a{n}-{i}"} for i, t in enumerate(["2号多少钱", "坚果多少钱呀", "2号有货吗"])]
        assert ingest.post(f"{server.url}/api/shows/{show}/comments", json=batch).status_code == 200
    ask(0)
    page = desk.new_page()
    login = server.login("producer")
    page.context.add_cookies([{"name": c.name, "value": c.value, "url": server.url} for c in login.cookies])
    page.goto(f"{server.url}/producer/{show}")
    row = page.locator('#products-chase li[data-number="2"]')
    row.wait_for(timeout=5000)
    fill = row.locator('button.fill[data-field="price"]')
    fill.click()
    editor = row.locator("form.field-edit")
    field = editor.locator("input")
    expect(field).to_be_focused()
    product = server.session(server.tokens["producer"])

    def price() -> str | None:
        return product.get(f"{server.url}/api/shows/{show}/products").json()["items"][1]["fields"].get("price")

    field.press("Enter")  # empty
    expect(editor.locator(".field-error")).to_have_text("请填写到手价")
    field.fill("看情况")
    field.press("Enter")  # no number in it
    expect(editor.locator(".field-error")).to_have_text("到手价要写出数字，例如 79 或 2件99")
    expect(field).to_have_attribute("aria-invalid", "true")
    page.locator("#products-card").scroll_into_view_if_needed()
    page.screenshot(path=str(screenshot_dir / "rundown-fill-error.png"))
    assert price() is None
    field.press("Escape")
    expect(editor).to_have_count(0)
    expect(fill).to_be_focused()
    assert price() is None

    # Typing goes on across a push that redraws the list (more asks: the demand moves).
    fill.click()
    page.keyboard.type("8")
    before = page.evaluate("() => document.querySelector('#products-chase li[data-number=\"2\"]').textContent")
    ask(1)
    page.wait_for_function("(b) => document.querySelector('#products-chase li[data-number=\"2\"]').textContent !== b",
                           arg=before, timeout=8000)
    expect(field).to_be_focused()
    page.keyboard.type("9")
    expect(field).to_have_value("89")
    page.screenshot(path=str(screenshot_dir / "rundown-fill-typing.png"))
    field.press("Enter")
    expect(row.locator("form.field-edit")).to_have_count(0, timeout=LIVE_WITHIN_MS)
    assert price() == "89"
    expect(row.locator(".facts")).not_to_contain_text("到手价、", timeout=LIVE_WITHIN_MS)
    expect(row.locator('button.fill[data-field="price"]')).to_have_count(0)
