"""Shared fixtures: a real studio server process, an in-process app for request-level checks, a real headless
Chromium. Each test is marked with its kind (unit, api, browser, obs, cluster, sources) from its folder, and also
browser or obs when it drives one: `pytest -m unit` runs in seconds, `pytest -m "not obs"` skips OBS."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.support.liveserver import PASSWORDS, REPO, TOKEN_ROLES, LiveServer
from tests.support.shows import new_show

pytest_plugins = ["tests.support.obs_fixtures"]  # one real OBS for every OBS test file

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
def show(server) -> str:
    """A show of this test's own on the shared server."""
    return new_show(server)


@pytest.fixture(scope="session")
def app(tmp_path_factory):
    """The studio as a Flask app in this process, on its own SQLite file: no server, no background work. For what a
    request answers (validation, error shapes, roles); timing, pushes and durability need the real `server`."""
    from faq_catalog.catalog_io import load_catalog
    from studio.access.auth import create_token, create_user
    from studio.app import create_app
    from studio.store.migrate import upgrade
    from studio.store.shows import create_show

    url = f"sqlite:///{tmp_path_factory.mktemp('inprocess') / 'studio.db'}"
    upgrade(url)
    flask_app = create_app({"DATABASE_URL": url, "ASYNC_MODE": "threading", "SECRET_KEY": "in-process-tests"})
    studio = flask_app.extensions["studio"]
    studio.catalog.apply_import(load_catalog(REPO / "faq_catalog" / "demo"))
    create_show(studio.db, "测试专场", "demo")
    for role, password in PASSWORDS.items():
        create_user(studio.db, role, password, role)
    flask_app.tokens = {role: create_token(studio.db, role, "tests") for role in TOKEN_ROLES}
    return flask_app


@pytest.fixture
def client(app):
    """A test client of the in-process app; `client.auth(role)` gives the headers of that role's API token."""
    c = app.test_client()
    c.auth = lambda role: {"Authorization": f"Bearer {app.tokens[role]}"}
    return c


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


KINDS = ("unit", "api", "browser", "obs", "cluster", "sources")
BROWSER_FIXTURES = {"browser", "desk", "phone"}
OBS_FIXTURES = {"obs_harness", "obs_view", "obs"}


def xdist_group(item, folder: str, used: set[str]) -> str:
    """Under `pytest -n` with `--dist loadgroup`: a file's tests stay on one worker (its module fixtures start once);
    the cluster tests share one worker, since they share the machine's Redis (one of them restarts it), and so do
    the OBS tests (one OBS)."""
    if folder == "cluster":
        return "redis"
    if folder == "obs" or used & OBS_FIXTURES:
        return "obs"
    return str(item.path)


def pytest_collection_modifyitems(config, items) -> None:
    distributed = config.pluginmanager.hasplugin("xdist")
    for item in items:
        folder = item.path.parent.name
        if folder in KINDS:
            item.add_marker(folder)
        used = set(getattr(item, "fixturenames", ()))
        if used & BROWSER_FIXTURES:
            item.add_marker("browser")
        if used & OBS_FIXTURES:
            item.add_marker("obs")
        if distributed:
            item.add_marker(pytest.mark.xdist_group(xdist_group(item, folder, used)))
