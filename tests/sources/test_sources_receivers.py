"""Capture-tool receivers in the real studio, fed with recorded payloads in each forwarder's own format:
wxlivespy (HTTP POST, plain or gzip), dycast (WebSocket), and the generic shape our userscript sends."""
from __future__ import annotations

import copy
import gzip
import json
import sqlite3
import time
from pathlib import Path

import pytest
import requests
import websocket

from tests.support.fakes.harness import as_role, stats, wait_stored
from tests.support.shows import new_show

FIXTURES = Path(__file__).parents[1] / "fixtures" / "sources"


def recorded(name: str):
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def moved_to_now(doc, key: str):
    """Recorded times are from the day of recording; the studio refuses comments older than 48 h, so shift them
    to now, keeping their spacing."""
    doc = copy.deepcopy(doc)
    events = [e for e in _walk(doc) if isinstance(e.get(key), (int, float))]
    if events:
        newest = max(e[key] for e in events)
        scale = 1000 if newest > 1e11 else 1
        for e in events:
            e[key] = e[key] - newest + time.time() * scale
    return doc


def _walk(node):
    if isinstance(node, dict):
        yield node
        for v in node.values():
            yield from _walk(v)
    elif isinstance(node, list):
        for v in node:
            yield from _walk(v)


def hook_url(server, show_id: str, kind: str) -> str:
    r = as_role(server, "producer").post(f"{server.url}/api/shows/{show_id}/sources/{kind}/hook-url")
    assert r.status_code == 200, r.text
    return r.json()["url"]


def rows(server, show_id: str) -> list[tuple]:
    db = sqlite3.connect(f"file:{server.var_dir / 'studio.db'}?mode=ro", uri=True)
    try:
        return db.execute("SELECT platform, ext_id, user_hash, user_quality, text FROM comments WHERE show_id = ? "
                          "ORDER BY id", (show_id,)).fetchall()
    finally:
        db.close()


def test_wxlivespy_plain_and_gzip_with_repeated_seq(server):
    show_id = new_show(server, "wx")
    url = server.cli("source", "hook-url", "--show", show_id, "--platform", "wxlivespy").stdout.strip()
    assert url.startswith(f"{server.url}/hooks/{show_id}/wxlivespy/")
    first = moved_to_now(recorded("wxlivespy_decoded.json"), "msg_time")
    r = requests.post(url, json=first, timeout=10)
    assert r.status_code == 200, r.text
    # three comments; the fourth is the first one again (same seq and msg_id); enter, gift and like are not comments
    assert r.json() == {"received": 4, "duplicate_here": 1, "accepted": 3, "duplicate": 0, "rejected": 0}
    forwarded = moved_to_now(recorded("wxlivespy_forward.json"), "msg_time")
    r = requests.post(url, data=gzip.compress(json.dumps(forwarded, ensure_ascii=False).encode()),
                      headers={"Content-Type": "application/json", "Content-Encoding": "gzip"}, timeout=10)
    assert r.json()["accepted"] == 1 and r.json()["duplicate_here"] == 1, r.text
    stored = rows(server, show_id)
    assert [t for *_, t in stored] == ["请问保修卡丢了还能保修吗", "退货运费谁出呀", "几天能到新疆", "发票怎么开"]
    assert {p for p, *_ in stored} == {"wechat"}
    assert [q for _, _, _, q, _ in stored] == ["stable", "stable", "session", "stable"]
    assert all(len(h) == 32 and not h.startswith("o9h") for _, _, h, _, _ in stored), "ids are salted and hashed"


def test_dycast_over_websocket(server):
    show_id = new_show(server, "dyc")
    url = hook_url(server, show_id, "dycast").replace("http://", "ws://")
    ws = websocket.create_connection(url, timeout=5)
    for frame in recorded("dycast_frames.json"):  # the room info first, then message arrays, as dycast sends
        ws.send(json.dumps(frame, ensure_ascii=False))
    ws.close()
    wait_stored(server, show_id, 3)
    time.sleep(0.2)
    stored = rows(server, show_id)
    assert [(t, q) for _, _, _, q, t in stored] == [("空调安装要另外收费吗", "stable"), ("能开专票吗", "absent"),
                                                     ("滤网多久换一次", "session")]
    assert {p for p, *_ in stored} == {"douyin"}


def test_generic_shape_from_a_console_page(server):
    show_id = new_show(server, "gen")
    url = hook_url(server, show_id, "generic")
    pre = requests.options(url, headers={"Origin": "https://console.example", "Access-Control-Request-Method": "POST"})
    assert pre.status_code == 204 and pre.headers["Access-Control-Allow-Origin"] == "*"
    body = json.dumps(moved_to_now(recorded("generic_userscript.json"), "ts"), ensure_ascii=False)
    r = requests.post(url, data=body.encode(), headers={"Content-Type": "text/plain;charset=UTF-8",
                                                        "Origin": "https://console.example"}, timeout=10)
    assert r.status_code == 200 and r.headers["Access-Control-Allow-Origin"] == "*"
    assert r.json()["accepted"] == 4  # the gift is not a comment
    stored = rows(server, show_id)
    assert [(p, q) for p, _, _, q, _ in stored] == [("taobao", "session"), ("taobao", "session"),
                                                    ("xiaohongshu", "stable"), ("web", "session")]
    again = requests.post(url, data=body.encode(), headers={"Content-Type": "text/plain"}, timeout=10).json()
    # A resend is recognized by id, or by user, text and time; the last item has neither id nor time, so only a
    # resend within the same second is.
    assert again["duplicate_here"] >= 3 and again["accepted"] + again["duplicate_here"] == 4


def test_receiver_refusals(server):
    show_id = new_show(server, "hookbad")
    url = hook_url(server, show_id, "generic")
    token = url.rsplit("/", 1)[1]
    assert requests.post(url[:-3] + "xyz", json=[{"text": "x"}], timeout=5).status_code == 403
    assert requests.post(f"{server.url}/hooks/{show_id}/nosuch/{token}", json={}, timeout=5).status_code == 404
    bad = requests.post(url, data=b"{not json", timeout=5)
    assert bad.status_code == 400 and "JSON" in bad.json()["error"]
    bomb = gzip.compress(b"[" + b" " * (11 * 1024 * 1024) + b"]")
    r = requests.post(url, data=bomb, headers={"Content-Encoding": "gzip"}, timeout=10)
    assert r.status_code == 413
    assert requests.post(url, json={"comments": "nope"}, timeout=5).status_code == 400
    new_url = hook_url(server, show_id, "generic")
    assert requests.post(url, json=[{"text": "旧地址"}], timeout=5).status_code == 403, "rotation retires the URL"
    assert requests.post(new_url, json=[{"text": "新地址"}], timeout=5).json()["accepted"] == 1
    assert stats(server, show_id)["comments_stored"] == 1


@pytest.mark.parametrize("role, status", [("host", 403), ("producer", 200)])
def test_only_producers_issue_hook_urls(server, role, status):
    show_id = new_show(server, "hookrole")
    r = as_role(server, role).post(f"{server.url}/api/shows/{show_id}/sources/wxlivespy/hook-url")
    assert r.status_code == status
