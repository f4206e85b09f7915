"""The producer configures a show's comment sources on the rundown page, in real Chromium against the real server:
an official adapter with secrets (never shown back, kept when an edit leaves them empty) and a capture-tool
receiver whose URL takes a comment that the card then shows as received."""
from __future__ import annotations

import pytest
import requests

from tests.browser.test_console_browser import WAIT_MS, login
from tests.support.fakes.harness import as_role
from tests.support.shows import new_show

pytestmark = pytest.mark.browser
SECRET = "bili-secret-4c1d9e"


def configs(server, show_id: str) -> dict:
    r = as_role(server, "producer").get(f"{server.url}/api/shows/{show_id}/sources")
    assert r.status_code == 200, r.text
    return {(c["platform"], c["room"]): c for c in r.json()["sources"]}


def test_producer_adds_sources_gets_a_hook_url_sees_traffic_and_removes_it(server, desk, screenshot_dir):
    show = new_show(server, "srcui")
    page = login(desk, server, "producer")
    errors: list = []
    page.on("pageerror", lambda e: errors.append(e))
    page.goto(f"{server.url}/producer/{show}")
    page.click("#sources-card summary")
    page.wait_for_selector("#sources-empty", state="visible", timeout=WAIT_MS)

    # An official adapter: its settings come from the server's specs, secrets as password inputs.
    page.select_option("#source-form select[name=platform]", "bilibili")
    assert page.get_attribute("#source-form input[name='s:access_key_secret']", "type") == "password"
    page.fill("#source-form input[name=room]", "4242")
    page.fill("#source-form input[name='s:app_id']", "1650")
    page.fill("#source-form input[name='s:access_key_id']", "ak-id")
    page.fill("#source-form input[name='s:access_key_secret']", SECRET)
    page.fill("#source-form input[name='s:code']", "CODE-XYZ")
    page.click("#source-form button[type=submit]")
    row = "#sources li.source-row[data-platform=bilibili][data-room='4242']"
    page.wait_for_selector(row, timeout=WAIT_MS)
    command = page.input_value(row + " .run-command")
    assert command.startswith(f"studio source run --platform bilibili --show {show} --room 4242 --url {server.url}")
    assert SECRET not in page.content()
    stored = configs(server, show)[("bilibili", "4242")]
    assert stored["settings"] == {"app_id": "1650"}
    assert stored["secrets_set"] == ["access_key_id", "access_key_secret", "code"]

    # Editing without retyping the secrets keeps them; the form says they are saved.
    page.click(row + " button:not(.remove):not(.copy)")
    secret_input = "#source-form input[name='s:access_key_secret']"
    assert page.input_value(secret_input) == ""
    assert page.get_attribute(secret_input, "placeholder")
    page.fill("#source-form input[name='s:app_id']", "1651")
    page.click("#source-form button[type=submit]")
    page.wait_for_function("() => document.getElementById('source-msg').textContent.length > 1", timeout=WAIT_MS)
    stored = configs(server, show)[("bilibili", "4242")]
    assert stored["settings"] == {"app_id": "1651"} and len(stored["secrets_set"]) == 3

    # A capture-tool receiver: no room, a receiver URL with a copy button.
    page.select_option("#source-form select[name=platform]", "generic")
    assert not page.is_visible("#source-form input[name=room]")
    page.click("#source-form button[type=submit]")
    generic = "#sources li.source-row[data-platform=generic]"
    page.wait_for_selector(generic, timeout=WAIT_MS)
    page.click(generic + " button.hook")
    page.wait_for_selector(generic + " .hook-url", timeout=WAIT_MS)
    url = page.input_value(generic + " .hook-url")
    assert url.startswith(f"{server.url}/hooks/{show}/generic/")
    assert page.is_visible(generic + " button.copy")

    comment = [{"platform": "taobao", "user": "买家甲", "id": "ui-1", "text": "<b>这款有没有赠品</b>"}]
    r = requests.post(url, json=comment, timeout=10)
    assert r.status_code == 200 and r.json()["accepted"] == 1, r.text
    page.wait_for_selector(generic + "[data-state=ok]", timeout=WAIT_MS)  # the live health push
    assert "1" in page.inner_text(generic + " .received")
    page.wait_for_function("s => /\\d/.test(document.querySelector(s + ' .age').textContent)", arg=generic,
                           timeout=WAIT_MS)
    page.locator("#sources-card").scroll_into_view_if_needed()
    page.screenshot(path=str(screenshot_dir / "rundown-sources.png"))

    # Removing takes a second click; the receiver's URL stops working with it, the adapter stays.
    page.click(generic + " button.remove")
    assert page.is_visible(generic)
    page.click(generic + " button.remove")
    page.wait_for_selector(generic, state="detached", timeout=WAIT_MS)
    assert set(configs(server, show)) == {("bilibili", "4242")}
    assert requests.post(url, json=comment, timeout=10).status_code == 403
    assert not errors, errors
