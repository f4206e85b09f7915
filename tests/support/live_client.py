"""A /live subscriber, like a console or overlay, for tests that watch pushes."""
from __future__ import annotations

import threading
import time

import socketio


class Watcher:
    """A /live subscriber, like a console or overlay: keeps the newest snapshot per topic."""

    def __init__(self, server, show_id: str, topics: list[str], token: str | None = None,
                 headers: dict | None = None, expect_ok: bool = True):
        """`token`: an API token for staff topics (health, emerging); without one the connection is anonymous.
        `headers`: sent with the handshake (a session cookie). `expect_ok=False`: the ack is kept in `ack`."""
        self.latest: dict[str, dict] = {}
        self.changed = threading.Condition()
        self.client = socketio.Client(reconnection=False)
        self.client.on("state", self._on_state, namespace="/live")
        self.client.connect(server.url, namespaces=["/live"], transports=["websocket"], wait_timeout=5,
                            auth={"token": token} if token else None, headers=headers or {})
        self.ack = self.client.call("subscribe", {"show": show_id, "topics": topics}, namespace="/live", timeout=5)
        if expect_ok:
            assert self.ack == {"ok": True, "topics": topics}, self.ack

    def _on_state(self, snap: dict) -> None:
        with self.changed:
            old = self.latest.get(snap["topic"])
            if old is None or snap["rev"] > old["rev"]:
                self.latest[snap["topic"]] = snap
            self.changed.notify_all()

    def wait_for(self, topic: str, predicate, timeout: float = 5.0) -> dict | None:
        deadline = time.monotonic() + timeout
        with self.changed:
            while True:
                snap = self.latest.get(topic)
                if snap is not None and predicate(snap["data"]):
                    return snap["data"]
                left = deadline - time.monotonic()
                if left <= 0:
                    return snap["data"] if snap else None
                self.changed.wait(left)

    def close(self) -> None:
        self.client.disconnect()
