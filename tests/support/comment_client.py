"""Small helpers the comment-engine tests share: posting comments, reading the ranking."""
from __future__ import annotations

import requests

# Phrasings the demo catalog answers, per item (Simplified; the tests make Traditional ones themselves).
ASKS = {
    "shipping-time": "什么时候发货",
    "invoice": "能开发票吗",
    "refund-how-to-apply": "怎么退货",
}


def post(server, show: str, items, token: str | None = None, **kw) -> requests.Response:
    s = server.session(token or server.tokens["ingest"])
    if "data" in kw:
        return s.post(f"{server.url}/api/shows/{show}/comments", **kw)
    return s.post(f"{server.url}/api/shows/{show}/comments", json=items, **kw)


def asks(slug: str, users: list[str], text: str | None = None, **extra) -> list[dict]:
    return [{"user": u, "text": text or ASKS[slug], **extra} for u in users]


def ranking(server, show: str) -> dict[str, dict]:
    """The ranking as the host's console reads it (with samples and boosts; the public one has neither)."""
    r = server.session(server.tokens["host"]).get(f"{server.url}/api/shows/{show}/ranking")
    assert r.status_code == 200, r.text
    return {row["slug"]: row for row in r.json()["items"]}


def ranked_slugs(server, show: str) -> list[str]:
    return [row["slug"] for row in requests.get(f"{server.url}/api/shows/{show}/ranking").json()["items"]]


def stats(server, show: str) -> dict:
    r = requests.get(f"{server.url}/api/shows/{show}/stats")
    assert r.status_code == 200, r.text
    return r.json()
