"""Scaled out, a decision of the crew made on one studio process applies on the other within 2 s, and so does
its undo (both processes rebuild their matcher: the decision is announced on Redis, the fingerprint poll backs it)."""
from __future__ import annotations

import secrets
import time

import pytest
import requests

from tests.support.harness import RunningCluster, drop_database, require_services
from tests.support.teaching import unknown_word

pytestmark = pytest.mark.postgres


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    require_services()
    c = RunningCluster(tmp_path_factory.mktemp("teaching"))
    c.tokens = {role: c.token(role) for role in ("admin", "ingest", "producer")}
    try:
        yield c
    finally:
        c.stop()
        drop_database(c.db_name)


def matched(cluster, worker: int, show: str, text: str, slug: str) -> int:
    """Post one comment to this process; how many of its matched comments `slug` has then (stored counts)."""
    r = requests.post(f"{cluster.worker_urls[worker]}/api/shows/{show}/comments",
                      json=[{"id": secrets.token_hex(6), "user": secrets.token_hex(3), "text": text}],
                      headers={"Authorization": f"Bearer {cluster.tokens['ingest']}"}, timeout=10)
    assert r.status_code == 200 and r.json()["accepted"] == 1, r.text
    stats = requests.get(f"{cluster.worker_urls[worker]}/api/shows/{show}/stats", timeout=10).json()
    return stats["per_item"].get(slug, 0)


def applies_within(cluster, worker: int, show: str, text: str, slug: str, counts: bool, seconds: float) -> float:
    start = time.monotonic()
    while True:
        before = requests.get(f"{cluster.worker_urls[worker]}/api/shows/{show}/stats").json()["per_item"].get(slug, 0)
        if (matched(cluster, worker, show, text, slug) > before) == counts:
            return time.monotonic() - start
        assert time.monotonic() - start < seconds, f"worker {worker}: '{text}' counts={not counts} after {seconds} s"
        time.sleep(0.1)


def test_decision_on_one_process_applies_on_the_other(cluster):
    show = f"t{secrets.token_hex(4)}"
    r = requests.post(cluster.url + "/api/shows", json={"title": "教学", "id": show},
                      headers={"Authorization": f"Bearer {cluster.tokens['admin']}"})
    assert r.status_code == 201, r.text
    w = unknown_word()
    text, similar = f"{w}好了没", f"请问{w}好了吗"
    applies_within(cluster, 1, show, text, "shipping-time", False, 1.0)  # unmatched before

    producer = {"Authorization": f"Bearer {cluster.tokens['producer']}"}
    d = requests.post(f"{cluster.worker_urls[0]}/api/shows/{show}/decisions",
                      json={"text": text, "faq": "shipping-time"}, headers=producer, timeout=10)
    assert d.status_code == 201, d.text
    took = applies_within(cluster, 1, show, text, "shipping-time", True, 2.0)
    applies_within(cluster, 1, show, similar, "shipping-time", True, 2.0)
    applies_within(cluster, 0, show, text, "shipping-time", True, 2.0)

    # Undone on the other process: the first one forgets it too.
    u = requests.post(f"{cluster.worker_urls[1]}/api/shows/{show}/decisions/{d.json()['id']}/undo", headers=producer,
                      timeout=10)
    assert u.status_code == 200, u.text
    took_undo = applies_within(cluster, 0, show, text, "shipping-time", False, 2.0)
    print(f"decision applied on the other process after {took:.2f} s, its undo after {took_undo:.2f} s")


def test_decision_recounts_stored_comments_once(cluster):
    """Comments stored before a decision move to the taught item once (the show's owner recounts them), whichever
    process took the comments and the decision."""
    show = f"t{secrets.token_hex(4)}"
    admin = {"Authorization": f"Bearer {cluster.tokens['admin']}"}
    r = requests.post(cluster.url + "/api/shows", json={"title": "重算", "id": show}, headers=admin)
    assert r.status_code == 201, r.text
    text = f"{unknown_word()}好了没"
    for worker in (0, 1, 1):
        assert matched(cluster, worker, show, text, "shipping-time") == 0
    d = requests.post(f"{cluster.worker_urls[0]}/api/shows/{show}/decisions",
                      json={"text": text, "faq": "shipping-time"},
                      headers={"Authorization": f"Bearer {cluster.tokens['producer']}"}, timeout=10)
    assert d.status_code == 201, d.text
    start = time.monotonic()
    while True:
        stored = requests.get(f"{cluster.worker_urls[1]}/api/shows/{show}/stats").json()["per_item"]
        items = requests.get(f"{cluster.worker_urls[1]}/api/shows/{show}/ranking").json()["items"]
        ranked = {r["slug"]: r for r in items}
        if stored.get("shipping-time") == 3 and ranked.get("shipping-time", {}).get("count_1m") == 3:
            break
        assert time.monotonic() - start < 2.5, f"not recounted: stored {stored}, ranking {ranked}"
        time.sleep(0.1)
    time.sleep(1.0)  # and only once, however many processes rebuilt their matcher
    assert requests.get(f"{cluster.worker_urls[0]}/api/shows/{show}/stats").json()["per_item"]["shipping-time"] == 3
