"""Small helpers the comment-engine tests share: a show of their own, posting comments, reading the ranking."""
from __future__ import annotations

import secrets
import time

import requests

# Phrasings the demo catalog answers, per item (Simplified; the tests make Traditional ones themselves).
ASKS = {
    "shipping-time": "什么时候发货",
    "invoice": "能开发票吗",
    "refund-how-to-apply": "怎么退货",
}


def new_show(server, title: str = "评论测试") -> str:
    show_id = "t-" + secrets.token_hex(5)
    r = server.session(server.tokens["producer"]).post(server.url + "/api/shows", json={"title": title, "id": show_id})
    assert r.status_code == 201, r.text
    return show_id


def post(server, show: str, items, token: str | None = None, **kw) -> requests.Response:
    s = server.session(token or server.tokens["ingest"])
    if "data" in kw:
        return s.post(f"{server.url}/api/shows/{show}/comments", **kw)
    return s.post(f"{server.url}/api/shows/{show}/comments", json=items, **kw)


def asks(slug: str, users: list[str], text: str | None = None, **extra) -> list[dict]:
    return [{"user": u, "text": text or ASKS[slug], **extra} for u in users]


def ranking(server, show: str) -> dict[str, dict]:
    r = requests.get(f"{server.url}/api/shows/{show}/ranking")
    assert r.status_code == 200, r.text
    return {row["slug"]: row for row in r.json()["items"]}


def ranked_slugs(server, show: str) -> list[str]:
    return [row["slug"] for row in requests.get(f"{server.url}/api/shows/{show}/ranking").json()["items"]]


def stats(server, show: str) -> dict:
    r = requests.get(f"{server.url}/api/shows/{show}/stats")
    assert r.status_code == 200, r.text
    return r.json()


def wait_for(check, timeout: float = 10.0, every: float = 0.1):
    """Poll `check` until it returns something truthy; bounded."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(every)
