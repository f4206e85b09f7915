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

from tests.support.fakes.harness import as_role, paced, stats, wait_stored
from tests.support.shows import new_show
from tests.support.waiting import wait_for

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


def _receiver(server, show_id: str, kind: str) -> dict:
    r = as_role(server, "host").get(f"{server.url}/api/shows/{show_id}/sources")
    return next((h for h in r.json()["health"] if h["kind"] == "receiver" and h["platform"] == kind), {})


def _gaps(server, show_id: str) -> list[dict]:
    r = as_role(server, "lead").get(f"{server.url}/api/shows/{show_id}/intake-gaps")
    assert r.status_code == 200, r.text
    return r.json()["gaps"]


def test_a_busy_receiver_that_goes_silent_is_an_intake_gap_until_it_speaks_again(paced_server):
    server = paced_server
    show_id = new_show(server, "hookgap")
    assert as_role(server, "host").post(f"{server.url}/api/shows/{show_id}/start").status_code == 200
    url = hook_url(server, show_id, "generic")
    for i in range(30):  # a busy room: a comment every 0.1 s through the capture tool
        assert requests.post(url, json=[{"id": f"g-{i}", "text": f"有赠品吗{i}", "user": f"u{i}"}],
                             timeout=5).status_code == 200
        time.sleep(0.1)
    last_at = time.time()
    wait_for(lambda: _receiver(server, show_id, "generic").get("state") == "silent", timeout=paced(15),
             what="the receiver silent", interval=0.1)
    silent_after = time.time() - last_at
    gaps = [g for g in _gaps(server, show_id) if g["platform"] == "generic"]
    assert len(gaps) == 1 and gaps[0]["open"], gaps
    assert abs(gaps[0]["start"] - last_at) < 1.0, "the gap starts at the last comment"
    assert "silent" in gaps[0]["reason"] and "capture receiver generic" in gaps[0]["reason"]
    time.sleep(1.0)
    assert requests.post(url, json=[{"id": "g-back", "text": "又来了"}], timeout=5).json()["accepted"] == 1
    back_at = time.time()
    wait_for(lambda: not [g for g in _gaps(server, show_id) if g["platform"] == "generic" and g["open"]],
             timeout=5, what="the gap closed")
    gap = [g for g in _gaps(server, show_id) if g["platform"] == "generic"][0]
    assert abs(gap["end"] - back_at) < 1.0 and gap["seconds"] >= silent_after
    assert _receiver(server, show_id, "generic")["state"] == "receiving"
    report = as_role(server, "lead").get(f"{server.url}/api/shows/{show_id}/deflection")
    assert report.status_code == 200, report.text
    assert [g["start"] for g in report.json()["intake_gaps"]] == [gap["start"]], "the lead report lists it too"
    print(f"receiver silent {silent_after:.1f} s after its last comment")


def test_dycast_reconnecting_after_drops_and_resending_stores_each_comment_once(server):
    show_id = new_show(server, "dycdrop")
    url = hook_url(server, show_id, "dycast").replace("http://", "ws://")
    msgs = [{"id": f"73{i:010d}", "method": "WebcastChatMessage", "user": {"id": f"9{i % 7}", "name": "观众"},
             "content": f"第{i}条"} for i in range(60)]
    sent = 0
    for _ in range(6):  # each link carries ten messages, dies without a close frame, and the tool resends
        ws = websocket.create_connection(url, timeout=5)
        ws.send(json.dumps({"roomId": "7300", "title": "room info"}, ensure_ascii=False))
        resend = msgs[max(0, sent - 3):sent]  # what the tool was not sure had arrived
        batch = msgs[sent:sent + 10]
        ws.send(json.dumps(resend + batch[:5], ensure_ascii=False))
        ws.send(json.dumps(batch[5:], ensure_ascii=False))
        sent += len(batch)
        time.sleep(0.1)
        ws.sock.close()  # the TCP connection dies
    wait_stored(server, show_id, 60)
    time.sleep(0.3)
    stored = rows(server, show_id)
    assert len(stored) == 60 and len({ext for _, ext, *_ in stored}) == 60
    assert _receiver(server, show_id, "dycast")["duplicates"] >= 15
