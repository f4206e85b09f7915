"""Our userscript in headless Chromium: a local page with a console-like comment list (on another origin than the
studio), new rows appended the way a console renders them, and the comments arriving in the real studio."""
from __future__ import annotations

import json
import sqlite3
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.support.fakes.harness import as_role, wait_stored
from tests.support.liveserver import REPO
from tests.support.shows import new_show

USERSCRIPT = REPO / "static" / "userscripts" / "faq-live-forwarder.user.js"

CONSOLE_PAGE = """<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>直播中控台</title></head>
<body><main><section class="panel"><h2>实时评论</h2>
<ul class="comment-list">
  <li class="comment-item"><span class="nickname">早到的：</span><span class="content">开播前的旧评论</span></li>
</ul></section></main></body></html>"""


@pytest.fixture
def console_page():
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            body = CONSOLE_PAGE.encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/dashboard/live/control"
    httpd.shutdown()
    httpd.server_close()


APPEND = """([rows, grouped]) => {
  const list = document.querySelector('.comment-list');
  const make = ([user, text]) => {
    const li = document.createElement('li');
    li.className = 'comment-item';
    li.innerHTML = '<span class="nickname"></span><span class="content"></span>';
    li.children[0].textContent = user + '：';
    li.children[1].textContent = text;
    return li;
  };
  rows.forEach((r) => list.appendChild(make(r)));
  const group = document.createElement('div');  // some consoles insert a block of several rows at once
  grouped.forEach((r) => group.appendChild(make(r)));
  list.appendChild(group);
}"""


@pytest.mark.browser
def test_userscript_forwards_new_console_comments(server, desk, console_page):
    show_id = new_show(server, "us")
    hook = as_role(server, "producer").post(f"{server.url}/api/shows/{show_id}/sources/generic/hook-url").json()["url"]
    page = desk.new_page()
    config = {"hookUrl": hook, "platform": "taobao", "list": ".comment-list", "row": ".comment-item",
              "user": ".nickname", "text": ".content"}
    page.add_init_script(f"window.FAQ_LIVE_FORWARDER = {json.dumps(config)};")
    page.add_init_script(path=str(USERSCRIPT))
    page.goto(console_page)
    page.wait_for_function("document.querySelector('.comment-item').dataset.faqLiveSeen === '1'", timeout=5000)
    rows = [[f"买家{i}", f"第{i}个问题：这个能用消费券吗"] for i in range(25)]
    grouped = [["小林", "<b>包邮吗</b>"], ["", "没有名字的评论"]]
    page.evaluate(APPEND, [rows, grouped])
    wait_stored(server, show_id, 27)
    db = sqlite3.connect(f"file:{server.var_dir / 'studio.db'}?mode=ro", uri=True)
    stored = db.execute("SELECT platform, user_quality, text FROM comments WHERE show_id = ? ORDER BY id",
                        (show_id,)).fetchall()
    db.close()
    assert [t for _, _, t in stored] == [t for _, t in rows] + ["<b>包邮吗</b>", "没有名字的评论"]
    assert {p for p, _, _ in stored} == {"taobao"}
    assert [q for _, q, _ in stored][-3:] == ["session", "session", "absent"]
    page.close()
