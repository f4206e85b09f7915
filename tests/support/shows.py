"""A show of the test's own on the shared studio, so tests stay independent of each other."""
from __future__ import annotations

import secrets


def new_show(server, prefix: str = "t", title: str = "测试") -> str:
    show_id = f"{prefix}-{secrets.token_hex(4)}"
    r = server.session(server.tokens["producer"]).post(server.url + "/api/shows", json={"title": title, "id": show_id})
    assert r.status_code == 201, r.text
    return show_id
