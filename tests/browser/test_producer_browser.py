"""A producer at a desk: edit an item with the live preview, see it on the viewer page, meet a conflict,
import a broken file, take an item off the shelf."""
from __future__ import annotations

import secrets

import pytest
import requests
from playwright.sync_api import expect

from tests.support.liveserver import PASSWORDS

pytestmark = pytest.mark.browser
SECOND = ("producer2", "second-producer-pass")


def _login(context, server, name: str, password: str, path: str):
    page = context.new_page()
    page.goto(f"{server.url}/login?next={path}")
    page.fill("input[name=name]", name)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_url(f"**{path}")
    return page


@pytest.fixture
def item(server):
    """An on-shelf item of this test's own."""
    slug = f"pb-{secrets.token_hex(3)}"
    r = server.session(server.tokens["producer"]).post(server.url + "/api/faq", json={
        "slug": slug, "number": 900 + secrets.randbelow(90), "question": "赠品什么时候发？", "category": "insale",
        "answer": "赠品和正品一起发出。", "status": "on_shelf", "keywords": ["赠品", "礼物"],
        "escalation_url": "https://help.example.com/chat", "body": "## 发货\n\n赠品随订单**一起发出**。"})
    assert r.status_code == 201, r.text
    yield r.json()
    # Leave the shared catalog as it was: shows created later start from its on-shelf items.
    producer = server.session(server.tokens["producer"])
    for suffix in ("", "-new"):
        producer.delete(f"{server.url}/api/faq/{slug}{suffix}")
    producer.delete(f"{server.url}/api/faq/pb-new-{slug[3:]}")


def test_edit_with_preview_then_viewer_sees_the_new_revision(server, desk, phone, item, screenshot_dir):
    page = _login(desk, server, "producer", PASSWORDS["producer"], f"/producer/catalog?edit={item['slug']}")
    form = page.locator("#item-form")
    expect(form.locator("input[name=question]")).to_have_value("赠品什么时候发？")
    preview = page.frame_locator("#preview")
    expect(preview.locator("#preview-body strong")).to_have_text("一起发出")

    new_body = ("## 发货\n\n赠品随订单一起发出。\n\n| 赠品 | 发货 |\n| --- | --- |\n| 小样 | 同包裹 |\n\n"
                "<script>alert(1)</script>")
    form.locator("textarea[name=body]").fill(new_body)
    expect(preview.locator("#preview-body td").first).to_have_text("小样")  # the live preview follows the typing
    assert preview.locator("script").count() == 0
    form.locator("input[name=question]").fill("赠品什么时候发？会和正品一起到吗？")
    page.screenshot(path=str(screenshot_dir / "producer-catalog-edit.png"))
    page.click("#save")
    expect(page.locator("#form-msg")).to_contain_text(f"版本 {item['revision'] + 1}")
    row_question = page.locator(f'#rows tr[data-slug="{item["slug"]}"] .pc-q')
    expect(row_question).to_have_text("赠品什么时候发？会和正品一起到吗？")

    viewer = phone.new_page()
    viewer.goto(f"{server.url}/faq/{item['slug']}?show=demo")
    expect(viewer.locator("h1")).to_have_text("赠品什么时候发？会和正品一起到吗？")
    expect(viewer.locator(".v-md td").first).to_have_text("小样")
    viewer.close()


def test_second_producers_stale_save_gets_the_conflict(server, browser, item, screenshot_dir):
    server.cli("user", "create", SECOND[0], "--role", "producer", "--password", SECOND[1])
    path = f"/producer/catalog?edit={item['slug']}"
    ctx_a = browser.new_context(viewport={"width": 1920, "height": 1080}, locale="zh-CN")
    ctx_b = browser.new_context(viewport={"width": 1920, "height": 1080}, locale="zh-CN")
    try:
        first = _login(ctx_a, server, "producer", PASSWORDS["producer"], path)
        second = _login(ctx_b, server, *SECOND, path)
        for page in (first, second):
            expect(page.locator("#form-rev")).to_contain_text(f"版本 {item['revision']}")

        first.locator("textarea[name=answer]").fill("第一位制作人的简答。")
        first.click("#save")
        expect(first.locator("#form-msg")).to_contain_text("已保存")

        second.locator("textarea[name=answer]").fill("第二位制作人的简答。")
        second.click("#save")
        msg = second.locator("#form-msg")
        expect(msg).to_contain_text("没有保存")
        expect(msg).to_contain_text(f"现在是版本 {item['revision'] + 1}")
        second.screenshot(path=str(screenshot_dir / "producer-catalog-conflict.png"))
        stored = requests.get(f"{server.url}/api/faq/{item['slug']}").json()
        assert stored["answer"] == "第一位制作人的简答。"  # nothing was overwritten

        msg.get_by_role("button", name="载入最新版本").click()
        expect(second.locator("textarea[name=answer]")).to_have_value("第一位制作人的简答。")
        second.locator("textarea[name=answer]").fill("第二位制作人看过之后的简答。")
        second.click("#save")
        expect(second.locator("#form-msg")).to_contain_text(f"版本 {item['revision'] + 2}")
    finally:
        ctx_a.close()
        ctx_b.close()


def test_broken_import_shows_lines_and_changes_nothing(server, desk, item, tmp_path, screenshot_dir):
    page = _login(desk, server, "producer", PASSWORDS["producer"], "/producer/catalog")
    expect(page.locator("#rows tr").first).to_be_visible()
    broken = tmp_path / "broken.csv"
    broken.write_text("\ufeffslug,number,question,status\r\n"
                      f"{item['slug']},5,被改掉的问题？,on_shelf\r\n"
                      "Bad Slug,6,坏行？,draft\r\n"
                      "fine-row,seven,数字不对？,draft\r\n", encoding="utf-8")
    page.set_input_files("#import-file", str(broken))
    expect(page.locator("#import-summary")).to_contain_text("导入被拒绝：2 处错误")
    lines = page.locator("#import-errors tbody tr td:nth-child(2)").all_inner_texts()
    assert lines == ["3", "4"]
    assert page.locator("#import-apply").is_hidden()
    page.screenshot(path=str(screenshot_dir / "producer-catalog-import-rejected.png"))
    assert requests.get(f"{server.url}/api/faq/{item['slug']}").json()["question"] == item["question"]

    good = tmp_path / "good.csv"
    good.write_text(f"slug,question,status,category\r\npb-new-{item['slug'][3:]},新导入的问题？,draft,presale\r\n",
                    encoding="utf-8")
    page.set_input_files("#import-file", str(good))
    expect(page.locator("#import-summary")).to_contain_text("将新建 1 个")
    page.click("#import-apply")
    expect(page.locator("#import-summary")).to_contain_text("已导入：新建 1 个")
    expect(page.locator(f'#rows tr[data-slug="pb-new-{item["slug"][3:]}"]')).to_be_visible()


def test_filters_and_taking_an_item_off_the_shelf(server, desk, item, screenshot_dir):
    page = _login(desk, server, "producer", PASSWORDS["producer"], "/producer/catalog")
    expect(page.locator("#rows tr").first).to_be_visible()
    page.fill("#f-text", item["slug"])
    expect(page.locator("#rows tr")).to_have_count(1)
    page.select_option("#f-category", "售后")
    expect(page.locator("#rows tr")).to_have_count(0)
    page.select_option("#f-category", "售中")
    row = page.locator(f'#rows tr[data-slug="{item["slug"]}"]')
    switch = row.locator(".pc-switch")
    expect(switch).to_have_attribute("aria-checked", "true")
    assert requests.get(f"{server.url}/faq/{item['slug']}").status_code == 200
    switch.click()
    expect(switch).to_have_attribute("aria-checked", "false")
    assert requests.get(f"{server.url}/api/faq/{item['slug']}").status_code == 404  # a draft now: hidden
    assert requests.get(f"{server.url}/faq/{item['slug']}").status_code == 404
    page.fill("#f-text", "")
    page.select_option("#f-category", "")

    # A new item from the form; a bad field is pointed at, then fixed.
    page.click("#new-item")
    form = page.locator("#item-form")
    new_slug = f"{item['slug']}-new"
    form.locator("input[name=slug]").fill("Not Valid")
    form.locator("input[name=question]").fill("新问题怎么填？")
    form.locator("textarea[name=body]").fill("1. 第一步\n2. 第二步")
    page.click("#save")
    expect(page.locator("#form-msg")).to_contain_text("slug")
    expect(form.locator("input[name=slug]")).to_have_class("invalid")
    form.locator("input[name=slug]").fill(new_slug)
    page.click("#save")
    expect(page.locator("#form-msg")).to_contain_text("已新建")
    expect(page.frame_locator("#preview").locator("#preview-body li")).to_have_count(2)
    assert server.session(server.tokens["producer"]).get(f"{server.url}/api/faq/{new_slug}").json()["status"] == "draft"
    page.screenshot(path=str(screenshot_dir / "producer-catalog.png"))
