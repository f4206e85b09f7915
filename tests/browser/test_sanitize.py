"""Hostile Markdown never comes out executable: checked on the rendered HTML, and in Chromium."""
from __future__ import annotations

import re
import secrets
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest

from faq_catalog.render import render_markdown

PWN = "window.__pwned=1"
HOSTILE = {
    "script tag": f"<script>{PWN}</script>",
    "script mixed case": f"<ScRiPt>{PWN}</sCrIpT>",
    "script split by markdown": f"<scr<script>ipt>{PWN}</script>",
    "img onerror": f'<img src=x onerror="{PWN}">',
    "img onerror no quotes": f"<img src=x onerror={PWN}>",
    "body onload": f'<body onload="{PWN}">',
    "a onclick": f'<a href="https://ok.example" onclick="{PWN}">点我</a>',
    "onmouseover in markdown link title": f'[点我](https://ok.example "x\\" onmouseover=\\"{PWN}")',
    "javascript link md": f"[点我](javascript:{PWN})",
    "javascript link html": f'<a href="javascript:{PWN}">点我</a>',
    "javascript entity obfuscated": f'<a href="&#106;avascript:{PWN}">点我</a>',
    "javascript hex entity": f'<a href="&#x6A;&#x61;vascript&#x3A;{PWN}">点我</a>',
    "javascript tab inside": f'<a href="jav\tascript:{PWN}">点我</a>',
    "javascript tab entity": f'<a href="jav&#x09;ascript:{PWN}">点我</a>',
    "javascript newline entity": f'<a href="java&#10;script:{PWN}">点我</a>',
    "javascript control prefix": f'<a href="&#1;javascript:{PWN}">点我</a>',
    "javascript newline md": f"[点我](java\nscript:{PWN})",
    "javascript leading space": f'<a href=" javascript:{PWN}">点我</a>',
    "javascript upper": f"[点我](JAVASCRIPT:{PWN})",
    "vbscript": '<a href="vbscript:msgbox(1)">点我</a>',
    "data html link": '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">点我</a>',
    "data image md": f"![x](data:image/svg+xml,<svg onload={PWN}>)",
    "iframe": f'<iframe src="javascript:{PWN}"></iframe>',
    "iframe srcdoc": f'<iframe srcdoc="<script>{PWN}</script>"></iframe>',
    "object": '<object data="javascript:alert(1)"></object>',
    "embed": '<embed src="javascript:alert(1)">',
    "svg onload": f"<svg onload={PWN}><circle r=10></svg>",
    "svg script": f"<svg><script>{PWN}</script></svg>",
    "svg animate href": f'<svg><a><animate attributeName=href values="javascript:{PWN}"/><text y=20>x</text></a></svg>',
    "math href": f'<math><mtext><a href="javascript:{PWN}">x</a></mtext></math>',
    "mxss noscript": f'<noscript><p title="</noscript><img src=x onerror={PWN}>"></noscript>',
    "style tag": "<style>body{background:url(javascript:alert(1))}</style>",
    "style attribute": '<p style="background:url(javascript:alert(1));width:expression(alert(1))">x</p>',
    "link stylesheet": '<link rel="stylesheet" href="https://evil.example/x.css">',
    "meta refresh": '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    "base href": '<base href="javascript:alert(1)//">',
    "form action": f'<form action="javascript:{PWN}"><button>提交</button></form>',
    "input autofocus": f"<input autofocus onfocus={PWN}>",
    "details ontoggle": f"<details open ontoggle={PWN}>",
    "video source onerror": f"<video><source onerror={PWN}></video>",
    "html comment": f"<!--><script>{PWN}</script>-->",
    "cdata": f"<![CDATA[<script>{PWN}</script>]]>",
    "escaped entities stay text": "&lt;script&gt;alert(1)&lt;/script&gt;",
    "table cell": f"| a | b |\n| - | - |\n| <img src=x onerror={PWN}> | <script>{PWN}</script> |",
    "code span keeps text": f"`<script>{PWN}</script>`",
    "fenced code": f"```html\n<script>{PWN}</script>\n```",
}

FORBIDDEN_TAGS = {"script", "iframe", "object", "embed", "svg", "math", "style", "link", "meta", "base", "form",
                  "input", "button", "details", "video", "audio", "source", "noscript", "frame", "frameset", "body"}
URL_ATTRS = {"href", "src", "action", "formaction", "xlink:href", "data", "background", "poster"}
SAFE_SCHEMES = ("http", "https", "mailto", "tel")
_SCHEME = re.compile(r"^([a-z][a-z0-9+.\-]*):")
_DROPPED = {ord("\t"): None, ord("\n"): None, ord("\r"): None}


class _Collector(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, attrs))

    handle_startendtag = handle_starttag


def _executable_parts(html: str) -> list[str]:
    """Everything in the HTML that a browser could execute or that could load active content."""
    parser = _Collector()
    parser.feed(html)
    problems = []
    for tag, attrs in parser.tags:
        if tag in FORBIDDEN_TAGS:
            problems.append(f"<{tag}>")
        for name, value in attrs:
            if name.startswith("on") or name in ("style", "srcdoc"):
                problems.append(f"{tag}[{name}]")
            if name in URL_ATTRS and value is not None:
                # What a browser's URL parser does first: strip leading/trailing controls and spaces, drop every
                # tab and newline.
                squeezed = value.strip("".join(map(chr, range(0x21)))).translate(_DROPPED).lower()
                scheme = _SCHEME.match(squeezed)
                if scheme and scheme.group(1) not in SAFE_SCHEMES:
                    problems.append(f"{tag}[{name}={value!r}]")
    return problems


@pytest.mark.parametrize("name", list(HOSTILE))
def test_hostile_markdown_renders_inert(name):
    html = render_markdown(HOSTILE[name])
    assert _executable_parts(html) == [], html


def test_the_checker_itself_catches_active_html():
    # Guards the guard: unsanitized input must be flagged, or the table above would prove nothing.
    assert _executable_parts(f'<img src=x onerror="{PWN}">') == ["img[onerror]"]
    assert _executable_parts('<a href="java\tscript:x">') == ["a[href='java\\tscript:x']"]
    assert _executable_parts("<svg><script>x</script></svg>") == ["<svg>", "<script>"]


def test_safe_markdown_survives():
    html = render_markdown("## 步骤\n\n1. 打开[订单](https://shop.example/o)\n\n"
                           "| 券 | 门槛 |\n| - | - |\n| 店铺券 | 满199 |\n\n"
                           "![图](https://img.example/a.png)\n\n**注意**")
    for part in ("<h2>", "<ol>", 'href="https://shop.example/o"', "<table>", "<td>店铺券</td>",
                 'src="https://img.example/a.png"', "<strong>注意</strong>", 'rel="noopener noreferrer nofollow"'):
        assert part in html
    assert "&lt;script&gt;" in render_markdown("`<script>`")


ALL_HOSTILE = "\n\n".join(f"### {name}\n\n{md}" for name, md in HOSTILE.items())
TRAP = "window.__alerts = 0; window.alert = window.confirm = window.prompt = () => { window.__alerts++; };"


def _assert_nothing_ran(page, dialogs):
    # Give event handlers (onerror, onload, autofocus, ontoggle, animations) time to fire.
    page.wait_for_timeout(400)
    page.mouse.move(10, 10)
    for link in page.locator("a").all()[:60]:
        if link.is_visible():
            link.hover()
    assert page.evaluate("window.__pwned") is None
    assert page.evaluate("window.__alerts") == 0
    assert dialogs == []


@pytest.mark.browser
def test_sanitized_html_runs_nothing_in_chromium(browser):
    """The sanitizer alone, with no CSP to help: its output loaded as a page's own HTML."""
    page = browser.new_page()
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.add_init_script(TRAP)
    documents = {"/sanitized": render_markdown(ALL_HOSTILE), "/raw": f'<img src=x onerror="{PWN}">'}
    # Served by Playwright itself (no network): a real navigation, so the init script runs first.
    page.route("http://sanitize.test/**", lambda route: route.fulfill(
        content_type="text/html",
        body=f"<!doctype html><html><body>{documents.get(urlsplit(route.request.url).path, '')}</body></html>"))
    page.goto("http://sanitize.test/sanitized")
    _assert_nothing_ran(page, dialogs)
    # The same harness does see a payload that gets through, so the checks above can fail.
    page.goto("http://sanitize.test/raw")
    page.wait_for_function("window.__pwned === 1", timeout=3000)
    page.close()


@pytest.mark.browser
def test_hostile_solution_page_is_inert_for_viewers(server, phone, screenshot_dir):
    """A producer saves all of it as a solution page; a viewer's phone opens the page."""
    slug = f"hostile-{secrets.token_hex(3)}"
    producer = server.session(server.tokens["producer"])
    r = producer.post(server.url + "/api/faq", json={"slug": slug, "question": "<img src=x onerror=alert(1)>恶意？",
                                                     "answer": f"<script>{PWN}</script>", "status": "on_shelf",
                                                     "body": ALL_HOSTILE})
    assert r.status_code == 201, r.text
    page = phone.new_page()
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.add_init_script(TRAP)
    page.goto(f"{server.url}/faq/{slug}?show=demo")
    assert page.locator("h1").inner_text().startswith("<img src=x")  # the question shows as text
    _assert_nothing_ran(page, dialogs)
    assert page.locator("script").count() == 1  # only the page's own faq.js
    page.screenshot(path=str(screenshot_dir / "viewer-hostile-page.png"), full_page=False)
    page.close()
    producer.delete(f"{server.url}/api/faq/{slug}")
