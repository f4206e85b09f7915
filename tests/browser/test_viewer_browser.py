"""A viewer on a phone: the shelf, a search in Traditional characters, a solution page, a vote, an escalation."""
from __future__ import annotations

import secrets

import pytest
from playwright.sync_api import expect

from tests.support.viewer_events_db import settled_counts

pytestmark = pytest.mark.browser
ESCALATION = "https://help.example.com/"


@pytest.fixture
def show(server) -> str:
    show_id = f"vb-{secrets.token_hex(4)}"
    r = server.session(server.tokens["producer"]).post(server.url + "/api/shows",
                                                       json={"title": "双11 客服答疑专场", "id": show_id})
    assert r.status_code == 201, r.text
    return show_id


def _visible_slugs(page) -> list[str]:
    return page.eval_on_selector_all(
        ".v-card", "cards => cards.filter(c => !c.hidden).sort((a, b) => (+a.style.order || 0) - (+b.style.order || 0))"
                   ".map(c => c.dataset.slug)")


def _no_sideways_scroll(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]


def test_viewer_journey_on_a_phone(server, show, phone, screenshot_dir):
    host = server.session(server.tokens["host"])
    assert host.post(f"{server.url}/api/shows/{show}/on-air", json={"slug": "coupon-stacking"}).ok
    page = phone.new_page()
    # The one-to-one channel is outside the studio: Playwright answers for it (no network).
    page.route(ESCALATION + "**", lambda route: route.fulfill(content_type="text/html",
                                                              body="<h1>人工客服</h1>"))

    # The shelf: numbered cards, the item on air pinned first with its badge.
    page.goto(f"{server.url}/live/{show}")
    on_air = page.locator(".v-card.on-air")
    on_air.wait_for()
    assert on_air.get_attribute("data-slug") == "coupon-stacking"
    assert "讲解中" in on_air.inner_text()
    first_box = page.locator(".v-card").first.bounding_box()
    assert on_air.bounding_box()["y"] < first_box["y"] + 1  # pinned to the top
    assert page.locator(".v-card .v-num b").first.inner_text() == "1"
    _no_sideways_scroll(page)
    page.screenshot(path=str(screenshot_dir / "viewer-shelf.png"))

    # The host moves on: the shelf's poll moves the badge without a reload.
    assert host.post(f"{server.url}/api/shows/{show}/on-air", json={"slug": "shipping-time"}).ok
    page.locator('.v-card.on-air[data-slug="shipping-time"]').wait_for(timeout=10_000)
    assert page.locator(".v-card.on-air").count() == 1

    # Search in Traditional characters.
    page.locator(".v-search input").fill("優惠券")
    expect(page.locator("#count")).to_contain_text("找到")
    found = _visible_slugs(page)
    assert found[0] == "coupon-claim" and "coupon-stacking" in found and "shipping-time" not in found
    assert page.locator(".v-card:not([hidden])").count() == len(found)
    page.screenshot(path=str(screenshot_dir / "viewer-shelf-search.png"))

    # Open the first result: the solution page, attributed to this show.
    page.locator('.v-card[data-slug="coupon-claim"] a').click()
    page.wait_for_url(f"**/faq/coupon-claim?show={show}")
    assert page.locator("h1").inner_text() == "直播间优惠券在哪里领？"
    assert page.locator(".v-md table").count() >= 1
    _no_sideways_scroll(page)
    page.screenshot(path=str(screenshot_dir / "viewer-faq.png"), full_page=True)

    # Vote yes twice, then change to no: one vote, the latest.
    yes, no = page.locator(".v-vote.yes"), page.locator(".v-vote.no")
    yes.click()
    yes.click()
    no.click()
    assert no.get_attribute("aria-pressed") == "true" and yes.get_attribute("aria-pressed") == "false"
    assert page.locator("#thanks").is_visible()
    assert "urge" in page.locator("#escalate").get_attribute("class")
    page.locator("#feedback").screenshot(path=str(screenshot_dir / "viewer-faq-feedback.png"))

    # Escalate twice (there and back again): the click is recorded, then the link is followed.
    for _ in range(2):
        page.locator("#escalate").click()
        page.wait_for_url(ESCALATION + "**")
        page.go_back()
        page.locator("#escalate").wait_for()
    assert page.locator(".v-vote.no").get_attribute("aria-pressed") == "true"  # remembered across visits

    page.goto(f"{server.url}/live/{show}")  # a second shelf view of the same viewer
    page.locator(".v-card").first.wait_for()
    page.close()

    counts = settled_counts(server, show, {("", "shelf_view"): 1, ("coupon-claim", "page_view"): 1,
                                           ("coupon-claim", "not_helpful"): 1, ("coupon-claim", "escalate"): 1})
    assert counts == {("", "shelf_view"): 1, ("coupon-claim", "page_view"): 1,
                      ("coupon-claim", "not_helpful"): 1, ("coupon-claim", "escalate"): 1}


def test_wide_tables_scroll_inside_the_page(server, phone, screenshot_dir):
    slug = f"wide-table-{secrets.token_hex(3)}"
    header = "| " + " | ".join(f"规格{i}" for i in range(1, 9)) + " |"
    rows = "\n".join("| " + " | ".join(f"第{r}行第{c}列的说明文字" for c in range(1, 9)) + " |" for r in range(1, 4))
    body = f"## 尺码对照\n\n{header}\n|{' --- |' * 8}\n{rows}\n\n表格可以左右滑动。"
    producer = server.session(server.tokens["producer"])
    assert producer.post(server.url + "/api/faq", json={"slug": slug, "question": "尺码表怎么看？",
                                                        "status": "on_shelf", "category": "aftersale",
                                                        "body": body}).status_code == 201
    page = phone.new_page()
    page.goto(f"{server.url}/faq/{slug}?lang=en")
    table = page.locator(".v-md table")
    assert table.evaluate("t => t.scrollWidth > t.clientWidth + 100")  # wider than the screen, so it scrolls
    _no_sideways_scroll(page)  # …while the page itself does not
    table.evaluate("t => t.scrollLeft = 300")
    assert table.evaluate("t => t.scrollLeft") > 0
    assert page.locator(".v-feedback h2").inner_text() == "Did this solve your problem?"
    page.screenshot(path=str(screenshot_dir / "viewer-faq-wide-table-en.png"))
    page.close()
    producer.delete(f"{server.url}/api/faq/{slug}")
