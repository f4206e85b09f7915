"""`studio cluster`: two studio processes behind nginx on the local PostgreSQL and Redis, driven from outside."""
from __future__ import annotations

import os
import secrets
import signal
import time

import pytest
import requests

from tests.support.harness import RunningCluster, drop_database, ranking_client, require_services
from tests.support.waiting import wait_until

pytestmark = pytest.mark.postgres


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    require_services()
    c = RunningCluster(tmp_path_factory.mktemp("cluster"))
    try:
        yield c
    finally:
        c.stop()
        drop_database(c.db_name)


def test_viewer_pages_and_cached_shelf_through_nginx(cluster):
    page = requests.get(cluster.url + "/live/demo")
    assert page.status_code == 200 and page.headers["Server"] == "nginx"
    assert "Content-Security-Policy" in page.headers and "<html" in page.text
    slug = requests.get(cluster.url + "/api/shows/demo/shelf").json()["items"][0]["slug"]
    assert requests.get(f"{cluster.url}/faq/{slug}?show=demo").status_code == 200

    # One second of cache in nginx: a burst of polls costs the studios one request.
    for path in ("/api/shows/demo/shelf", "/api/shows/demo/now"):
        burst = [requests.get(cluster.url + path, headers={"Accept-Encoding": "gzip"}) for _ in range(4)]
        assert all(r.status_code == 200 for r in burst) and burst[-1].json() == burst[0].json()
        assert "HIT" in [r.headers["X-Cache"] for r in burst], path
    shelf = requests.get(cluster.url + "/api/shows/demo/shelf", headers={"Accept-Encoding": "gzip"})
    assert shelf.headers.get("Content-Encoding") == "gzip"

    # Viewer pages too, for returning viewers; a first visit always reaches a studio and gets its own viewer id.
    firsts = [requests.get(cluster.url + "/live/demo") for _ in range(3)]
    assert len({r.cookies.get("fls_vid") for r in firsts}) == 3
    assert all(r.headers.get("X-Cache") == "BYPASS" for r in firsts)
    returning = requests.Session()
    returning.cookies.set("fls_vid", firsts[0].cookies["fls_vid"])
    pages = [returning.get(cluster.url + "/live/demo") for _ in range(4)]
    assert "HIT" in [r.headers.get("X-Cache") for r in pages] and pages[-1].text == pages[0].text


def test_request_size_limit_at_the_proxy(cluster):
    r = requests.post(cluster.url + "/api/faq", data=b"x" * (10 * 1024 * 1024 + 1),
                      headers={"Content-Type": "application/json"})
    assert r.status_code == 413 and "error" in r.json()


def test_socketio_messages_cross_processes_through_redis(cluster):
    """A console connected through nginx sits on one process; comments ingested at each process directly must
    reach it, so at least half of them cross from the other process through Redis."""
    admin, ingest = cluster.token("admin"), cluster.token("ingest")
    show = f"x{secrets.token_hex(4)}"
    r = requests.post(cluster.url + "/api/shows", json={"title": "跨进程", "id": show},
                      headers={"Authorization": f"Bearer {admin}"})
    assert r.status_code == 201, r.text
    items = requests.get(cluster.url + f"/api/shows/{show}/shelf").json()["items"][:10]
    client, seen = ranking_client(cluster.url, show)
    assert client.transport() == "websocket"  # upgraded: the route cookie kept polling and upgrade together
    delivered = {0: 0, 1: 0}
    try:
        for n, item in enumerate(items):
            worker = n % 2
            r = requests.post(f"{cluster.worker_urls[worker]}/api/shows/{show}/comments",
                              json=[{"id": f"c{n}", "user": f"viewer{n}", "text": item["question"]}],
                              headers={"Authorization": f"Bearer {ingest}"}, timeout=10)
            assert r.status_code == 200 and r.json()["accepted"] == 1, r.text
            delivered[worker] += wait_until(lambda: any(item["slug"] in s for s in seen), 5, interval=0.02)
    finally:
        client.disconnect()
    assert delivered == {0: 5, 1: 5}, f"pushes received per emitting process: {delivered}"


def test_dead_studio_is_restarted_while_nginx_keeps_serving(cluster):
    old = cluster.pid("studio-1")
    killed_at = time.monotonic()
    os.kill(old, signal.SIGKILL)
    answers = [requests.get(cluster.url + "/live/demo", timeout=5).status_code for _ in range(20)]
    assert answers.count(200) == 20, answers  # the other process answers meanwhile
    assert wait_until(lambda: cluster.pid("studio-1") != old
                      and requests.get(cluster.worker_urls[0] + "/healthz", timeout=1).ok, 30), \
        "the killed studio was not started again within 30 s"
    print(f"killed studio serving again after {time.monotonic() - killed_at:.1f} s")
    assert "studio-1 exited with -9; starting it again" in cluster.log.read_text()


def test_sigterm_stops_every_process(cluster):
    pids = [cluster.pid("studio-1"), cluster.pid("studio-2"), cluster.pid("nginx-master")]
    assert cluster.stop() == 0
    assert "cluster stopped" in cluster.log.read_text()
    for pid in pids:
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)
    with pytest.raises(requests.ConnectionError):
        requests.get(cluster.url + "/healthz", timeout=2)
