"""The moderator panel in Chromium, for a platform the bot cannot post to: the host turns answers in chat on,
suggestions appear in paste order with copy buttons, copying puts the text on the clipboard and records it; turning
the mode off stops new suggestions at once."""
from __future__ import annotations

import time

import pytest
from playwright.sync_api import expect

from tests.api.test_cases import ingest
from tests.api.test_replies import ask, panel
from tests.browser.test_console_browser import login

pytestmark = pytest.mark.browser
WAIT_MS = 8000


def test_the_moderator_copies_suggestions_in_paste_order(server, show, desk, screenshot_dir):
    server.session(server.tokens["producer"]).put(f"{server.url}/api/faq/shipping-time/auto-reply",
                                                  json={"enabled": True, "templates": []})
    desk.grant_permissions(["clipboard-read", "clipboard-write"], origin=server.url)
    page = login(desk, server, "host")
    page.goto(f"{server.url}/replies/{show}")
    expect(page.locator("#conn.live")).to_be_visible(timeout=WAIT_MS)
    expect(page.locator("#mode")).to_have_value("off")
    expect(page.locator("#can-post")).to_have_text("没有平台可由机器人发送：请复制粘贴")
    page.select_option("#mode", "suggest")
    expect(page.locator("#mode")).to_have_value("suggest")
    deadline = time.monotonic() + 5
    while panel(server, show)["mode"] != "suggest" and time.monotonic() < deadline:
        time.sleep(0.05)
    ingest(server, show, [ask("几号发货", "p1", 1, "小明"), ask("主播好漂亮", "p2", 1, "阿花")])
    ingest(server, show, [ask("什么时候发货呀", "p3", 1, "Alice")])
    rows = page.locator("#waiting .reply")
    expect(rows).to_have_count(2, timeout=WAIT_MS)
    expect(rows.locator(".order")).to_have_text(["1.", "2."])
    expect(rows.nth(0).locator(".reply-text")).to_contain_text("@小*")
    expect(rows.nth(1).locator(".reply-text")).to_contain_text("@A*")
    expect(rows.nth(0).locator(".approve")).to_have_count(0)  # douyin: nothing the bot may post
    page.screenshot(path=str(screenshot_dir / "replies-panel.png"))
    first = rows.nth(0).locator(".reply-text").inner_text()
    rows.nth(0).locator(".copy").click()
    expect(rows).to_have_count(1, timeout=WAIT_MS)
    assert page.evaluate("navigator.clipboard.readText()") == first
    done = page.locator("#done .reply")
    expect(done).to_have_count(1)
    expect(done.first.locator(".state-copied")).to_have_text("已复制")
    # off stops it at once: the next matched question gets no suggestion
    page.select_option("#mode", "off")
    deadline = time.monotonic() + 5
    while panel(server, show)["mode"] != "off" and time.monotonic() < deadline:
        time.sleep(0.05)
    ingest(server, show, [ask("几号发货", "p4", 1, "后来者")])
    time.sleep(1.5)
    expect(rows).to_have_count(1)
    assert [i["comment"] for i in panel(server, show)["items"]] == ["什么时候发货呀"]
