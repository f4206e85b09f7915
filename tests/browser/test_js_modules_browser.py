"""Every script under static/js is a native ES module that loads in Chromium without an error: each page is opened
and watched for uncaught errors, console errors and failed module requests, and each lib/ module is imported on
its own and must give the names the pages use."""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.browser.test_console_browser import login
from tests.support.shows import new_show

pytestmark = pytest.mark.browser
JS = Path(__file__).resolve().parents[2] / "static" / "js"
REPO = Path(__file__).resolve().parents[2]

# What the lib modules promise the pages (and the features that adopt them).
LIB_EXPORTS = {
    "api.js": ["api", "errorText", "toastError"],
    "dom.js": ["$", "el", "toast", "replay"],
    "live.js": ["connectLive", "topicsOf", "listOf", "sampleTexts"],
    "strings.js": ["loadStrings", "useStrings", "t", "fmt", "fill", "fmtDuration"],
    "teach.js": ["createTeacher"],
    "viewer-events.js": ["sendEvent"],
}


class Watch:
    """Uncaught errors, console errors and failed /static/js requests of one page, and the modules it loaded."""

    def __init__(self, page):
        self.errors: list[str] = []
        self.loaded: set[str] = set()
        page.on("pageerror", lambda e: self.errors.append(f"pageerror: {e}"))
        page.on("console", self._console)
        page.on("response", self._response)
        page.on("requestfailed", lambda r: self.errors.append(f"failed: {r.url}"))

    def _console(self, msg):
        where = msg.location.get("url", "")
        if msg.type == "error" and not where.endswith("/favicon.ico"):  # the console page has no icon link
            self.errors.append(f"console: {msg.text} {where}")

    def _response(self, resp):
        if "/static/js/" not in resp.url:
            return
        path = resp.url.split("/static/js/", 1)[1].split("?")[0]
        if resp.status not in (200, 304):
            self.errors.append(f"HTTP {resp.status}: {path}")
        else:
            self.loaded.add(path)


def test_lib_modules_import_alone_and_export_their_names(server, desk):
    page = desk.new_page()
    watch = Watch(page)
    page.goto(server.url + "/login")
    for name, exports in LIB_EXPORTS.items():
        got = page.evaluate("async (url) => Object.keys(await import(url)).sort()", f"/static/js/lib/{name}")
        assert sorted(exports) == got, name
    assert {p.name for p in (JS / "lib").glob("*.js")} == set(LIB_EXPORTS), "a lib module without a check here"
    assert page.evaluate("""async () => {
        const s = await import('/static/js/lib/strings.js');
        s.useStrings({'a.b': '{n} 人问 · {who}'});
        return [s.fmt('a.b', {n: 3, who: 'x'}), s.fmt('a.b', {n: 0}), s.t('missing.key'), s.t('missing', 'fb'),
                s.fill('找到 {n} 个', {n: 2}), s.fmtDuration(3725)];
    }""") == ["3 人问 · x", "0 人问 · ", "missing.key", "fb", "找到 2 个", "62:05"]
    assert not watch.errors, watch.errors


def test_every_page_loads_its_modules_without_an_error(server, browser, desk, phone):
    show = new_show(server, "modules")
    producer = server.session(server.tokens["producer"])
    producer.put(f"{server.url}/api/shows/{show}/shelf", json={"items": [{"slug": "invoice", "number": 3}]})
    sheet = (REPO / "tests" / "fixtures" / "runsheets" / "night.csv").read_bytes()
    assert producer.post(f"{server.url}/api/shows/{show}/runsheet",
                         files={"file": ("night.csv", sheet)}).status_code == 200
    watches: dict[str, Watch] = {}
    staff_pages = {
        "host": [f"/console/{show}", f"/console/{show}/overlays", f"/replies/{show}"],
        "agent": [f"/desk/{show}"],
        "producer": [f"/producer/{show}", "/producer/catalog"],
        "lead": [f"/lead/{show}", f"/lead/{show}/report", "/control"],
    }

    def open_together(ctx, paths: list[str], ready) -> None:
        """Open every page at once (each watched from its first request), then wait for each to be ready."""
        pages = []
        for path in paths:
            page = ctx.new_page()
            watches[path] = Watch(page)
            page.goto(server.url + path, wait_until="commit")
            pages.append((path, page))
        for path, page in pages:
            ready(path, page)
            page.close()

    def settled(path: str, page) -> None:
        page.wait_for_load_state("networkidle")
        if path == f"/producer/{show}":  # the rundown drew the shelf number from the shared "{n}号" string
            page.wait_for_selector("#catalog li[data-slug=invoice] .num", timeout=5000)
            assert page.inner_text("#catalog li[data-slug=invoice] .num") == "3号"

    for role, paths in staff_pages.items():
        login(desk, server, role).close()
        open_together(desk, paths, settled)  # all of one role's pages are done before the next login
    open_together(desk, [f"/overlay/{show}/on-air", f"/overlay/{show}/ranking", f"/overlay/{show}/next"],
                  lambda path, page: page.wait_for_function("() => document.body.dataset.conn === 'live'",
                                                            timeout=5000))
    open_together(phone, [f"/live/{show}", f"/faq/invoice?show={show}", f"/product/{show}/1"], settled)

    problems = {path: w.errors for path, w in watches.items() if w.errors}
    assert not problems, problems
    # the module graph each page pulled in: its entry, then what it imports
    assert {"pages/console.js", "lib/live.js", "lib/api.js"} <= watches[f"/console/{show}"].loaded
    assert {"pages/rundown/main.js", "pages/rundown/sources.js", "pages/rundown/queue.js"} <= \
        watches[f"/producer/{show}"].loaded
    assert "lib/viewer-events.js" in watches[f"/faq/invoice?show={show}"].loaded
    loaded = set().union(*(w.loaded for w in watches.values()))
    on_disk = {str(p.relative_to(JS)) for p in JS.rglob("*.js")}
    assert on_disk - loaded == set(), "modules no page here loads: add the page that uses them to this test"
