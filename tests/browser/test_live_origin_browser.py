"""A page from a foreign origin, in a browser where a host is logged in, cannot open a staff subscription: the browser
sends the host's cookie with the WebSocket (127.0.0.1 on another port is even the same site, so SameSite does not
stop it), and the studio ignores a cookie that comes from a page of another origin."""
from __future__ import annotations

import http.server
import threading

import pytest

from tests.support.liveserver import PASSWORDS
from tests.support.shows import new_show

pytestmark = pytest.mark.browser

SUBSCRIBE = """([url, show]) => new Promise((resolve) => {
  const socket = io(url + "/live", { transports: ["websocket"], withCredentials: true });
  const refused = [];
  socket.on("refused", (msg) => refused.push(msg));
  socket.on("connect_error", (e) => resolve({ connectError: String(e) }));
  socket.on("connect", () => socket.emit("subscribe", { show, topics: ["onair", "health"] },
    (ack) => setTimeout(() => resolve({ ack, refused }), 200)));
})"""


@pytest.fixture
def foreign_site(server):
    """A page on another 127.0.0.1 port that loads the studio's Socket.IO client."""
    page = (f'<!doctype html><title>elsewhere</title><script src="{server.url}/vendor/socket.io.min.js"></script>'
            '<p>a page of another origin</p>').encode()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(page)))
            self.end_headers()
            self.wfile.write(page)

        def log_message(self, *args):
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def test_a_foreign_page_cannot_open_a_staff_subscription(server, desk, foreign_site):
    show = new_show(server)
    studio = desk.new_page()
    studio.goto(server.url + "/login")
    studio.fill("input[name=name]", "host")
    studio.fill("input[name=password]", PASSWORDS["host"])
    studio.click("button[type=submit]")
    studio.wait_for_url(server.url + "/")
    assert any(c["name"] == "session" for c in desk.cookies(server.url))

    # the studio's own page: the host's cookie opens the staff topic
    studio.add_script_tag(url=server.url + "/vendor/socket.io.min.js")
    own = studio.evaluate(SUBSCRIBE, [server.url, show])
    assert own["ack"] == {"ok": True, "topics": ["onair", "health"]}, own

    # a page of another origin, same browser, same cookie jar: public topic yes, staff topic refused
    elsewhere = desk.new_page()
    elsewhere.goto(foreign_site + "/")
    result = elsewhere.evaluate(SUBSCRIBE, [server.url, show])
    assert "connectError" not in result, result
    ack = result["ack"]
    assert ack["ok"] is False and ack["topics"] == ["onair"] and ack["refused"] == ["health"], ack
    assert f"pages from {foreign_site} may not use the staff login" in ack["error"]
    assert result["refused"] and result["refused"][0]["topics"] == ["health"]
