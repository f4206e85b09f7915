"""Shared fixtures: a real studio server process, a real headless Chromium."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from liveserver import REPO, LiveServer

pytest_plugins = ["obs_fixtures"]  # one real OBS for every OBS test file

CHROMIUM = os.environ.get("STUDIO_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic"]


@pytest.fixture(scope="session")
def server(tmp_path_factory) -> LiveServer:
    """One studio for the session, with the demo catalog, show `demo`, a user per role and tokens (`server.tokens`).
    Tests that need their own show create it through the API; tests that restart or kill a server make their own."""
    # The whole suite talks to this one server from one address: its abuse limits (10 logins per 5 minutes)
    # would throttle the tests themselves. The limits are tested on servers of their own (test_security).
    srv = LiveServer(tmp_path_factory.mktemp("studio"), extra_env={"STUDIO_RATE_LIMIT_SCALE": "100"})
    srv.tokens = srv.setup_demo()
    srv.start()
    yield srv
    srv.stop()


@pytest.fixture
def fresh_server(tmp_path) -> LiveServer:
    """A studio of this test's own, set up like `server` but not started (start, kill and restart it freely)."""
    srv = LiveServer(tmp_path / "studio")
    srv.tokens = srv.setup_demo()
    yield srv
    srv.stop()


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing: `make test` installs Debian's chromium")
        pytest.skip(f"{CHROMIUM} not installed")
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()


@pytest.fixture
def phone(browser):
    """A phone-sized browser context (viewers)."""
    ctx = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True,
                              has_touch=True, locale="zh-CN")
    yield ctx
    ctx.close()


@pytest.fixture
def desk(browser):
    """A 1920×1080 browser context (consoles, overlays)."""
    ctx = browser.new_context(viewport={"width": 1920, "height": 1080}, locale="zh-CN")
    yield ctx
    ctx.close()


SCREENSHOTS = REPO / "var" / "screenshots"


@pytest.fixture
def screenshot_dir() -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS
