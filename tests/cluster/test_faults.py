"""Faults while a two-process cluster serves: Redis restarted, PostgreSQL refusing connections, OBS gone, a client
that never reads. Each time the studio degrades (and says so at /healthz/deps), keeps serving viewer pages and
recovers by itself."""
from __future__ import annotations

import secrets
import socket
import subprocess
import time
from pathlib import Path

import pytest
import requests
import websocket

from tests.support.harness import PG_ADMIN, RunningCluster, drop_database, ranking_client, require_services
from tests.support.waiting import wait_until

pytestmark = pytest.mark.postgres

REDIS_START = ["redis-server", "--daemonize", "yes", "--bind", "127.0.0.1", "-::1", "--port", "6379", "--save", "",
               "--appendonly", "no", "--dir", "/var/lib/redis", "--logfile", "/var/log/redis/ci.log"]


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    require_services()
    # Pings every 3 s: a client that stopped reading is dropped in about 6 s rather than 20 (still well after the
    # slow consumer test has piled its pushes up).
    c = RunningCluster(tmp_path_factory.mktemp("faults"), extra_env={"STUDIO_PING_INTERVAL": "3"})
    c.tokens = {role: c.token(role) for role in ("admin", "ingest", "host", "producer")}
    try:
        yield c
    finally:
        c.stop()
        drop_database(c.db_name)


def new_show(cluster) -> tuple[str, list[dict]]:
    show = f"f{secrets.token_hex(4)}"
    r = requests.post(cluster.url + "/api/shows", json={"title": "故障演练", "id": show},
                      headers={"Authorization": f"Bearer {cluster.tokens['admin']}"})
    assert r.status_code == 201, r.text
    return show, requests.get(f"{cluster.url}/api/shows/{show}/shelf").json()["items"]


def post_comment(cluster, worker: int, show: str, text: str) -> requests.Response:
    return requests.post(f"{cluster.worker_urls[worker]}/api/shows/{show}/comments",
                         json=[{"id": secrets.token_hex(6), "user": secrets.token_hex(3), "text": text}],
                         headers={"Authorization": f"Bearer {cluster.tokens['ingest']}"}, timeout=10)


def viewer_pages_ok(cluster, show: str) -> None:
    for path in (f"/live/{show}", f"/api/shows/{show}/now", f"/api/shows/{show}/shelf"):
        r = requests.get(cluster.url + path, timeout=5)
        assert r.status_code == 200, (path, r.status_code, r.text[:200])


def deps(worker_url: str) -> dict:
    return requests.get(worker_url + "/healthz/deps", timeout=5).json()


def problems(worker_url: str) -> set[str]:
    return {p["part"] for p in deps(worker_url)["problems"]}


def redis_up() -> bool:
    return subprocess.run(["redis-cli", "ping"], capture_output=True, text=True, timeout=5).stdout.strip() == "PONG"


def test_redis_restart(cluster):
    show, items = new_show(cluster)
    client, seen = ranking_client(cluster.url, show)
    try:
        subprocess.run(["redis-cli", "shutdown", "nosave"], capture_output=True, timeout=10)
        assert wait_until(lambda: not redis_up(), 5)
        try:
            # Without Redis: pages, ingest (PostgreSQL) and the host's API go on; the status says what is missing.
            viewer_pages_ok(cluster, show)
            assert post_comment(cluster, 0, show, items[0]["question"]).status_code == 200
            assert wait_until(lambda: problems(cluster.worker_urls[1]) == {"redis"}, 8)
        finally:
            subprocess.run(REDIS_START, capture_output=True, timeout=10)
            assert wait_until(redis_up, 10), "Redis did not come back"
        # Back: pushes cross processes again (each worker's listener reconnects on its own back-off).
        for worker, item in ((0, items[1]), (1, items[2])):
            def delivered() -> bool:
                post_comment(cluster, worker, show, item["question"])
                return wait_until(lambda: any(item["slug"] in s for s in seen), 1.5)
            assert wait_until(delivered, 20), f"no push from studio-{worker + 1} after Redis came back"
        assert wait_until(lambda: problems(cluster.worker_urls[1]) == set(), 8)
    finally:
        client.disconnect()
        if not redis_up():
            subprocess.run(REDIS_START, capture_output=True, timeout=10)


def _pg(sql: str) -> None:
    import psycopg
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(sql)


def test_postgresql_unavailable(cluster):
    show, items = new_show(cluster)
    viewer_pages_ok(cluster, show)  # pages of this show are in memory now
    assert post_comment(cluster, 0, show, items[0]["question"]).status_code == 200
    try:
        _pg(f'ALTER DATABASE "{cluster.db_name}" ALLOW_CONNECTIONS false')
        _pg(f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{cluster.db_name}'")
        refused = post_comment(cluster, 0, show, items[1]["question"])
        assert refused.status_code == 503 and "again" in refused.json()["error"]
        viewer_pages_ok(cluster, show)
        assert wait_until(lambda: problems(cluster.worker_urls[0]) == {"database"}, 8)
    finally:
        _pg(f'ALTER DATABASE "{cluster.db_name}" ALLOW_CONNECTIONS true')
    assert wait_until(lambda: post_comment(cluster, 0, show, items[1]["question"]).status_code == 200, 10)
    assert wait_until(lambda: problems(cluster.worker_urls[0]) == set(), 8)
    stats = requests.get(f"{cluster.url}/api/shows/{show}/stats").json()
    assert stats["comments_stored"] == 2  # the refused comment was not half-stored; the resent one is there


def test_obs_gone(cluster):
    """OBS configured at an address that takes the connection and never answers (a hung OBS): the host's actions
    and the viewer pages stay fast; the status says OBS is not connected."""
    show, items = new_show(cluster)
    hung = socket.socket()
    hung.bind(("127.0.0.1", 0))
    hung.listen(8)
    try:
        host = requests.Session()
        host.headers["Authorization"] = f"Bearer {cluster.tokens['host']}"
        r = host.put(f"{cluster.url}/api/shows/{show}/obs",
                     json={"host": "127.0.0.1", "port": hung.getsockname()[1], "password": "obs-secret-pw"})
        assert r.status_code == 200, r.text
        assert host.post(f"{cluster.url}/api/shows/{show}/start").status_code == 200
        for item in items[:3]:
            t0 = time.monotonic()
            r = host.post(f"{cluster.url}/api/shows/{show}/on-air", json={"slug": item["slug"]}, timeout=10)
            assert r.status_code == 200 and time.monotonic() - t0 < 1.0, (r.status_code, time.monotonic() - t0)
        viewer_pages_ok(cluster, show)
        assert requests.get(f"{cluster.url}/api/shows/{show}/now").json()["on_air"] == items[2]["slug"]
        status = host.get(f"{cluster.url}/api/shows/{show}/obs").json()
        assert status["connected"] is False and "password" not in status
    finally:
        hung.close()


def _rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError("no VmRSS")


class SlowConsumer:
    """A console speaking the raw Socket.IO protocol that subscribes to every topic and then never reads a byte."""

    def __init__(self, worker_url: str, show: str, subscribes: int):
        url = worker_url.replace("http://", "ws://") + "/socket.io/?EIO=4&transport=websocket"
        self.ws = websocket.create_connection(url, timeout=10,
                                              sockopt=[(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)])
        assert self.ws.recv().startswith("0")  # Engine.IO open
        self.ws.send("40/live,")
        assert self.ws.recv().startswith("40/live,")
        for _ in range(subscribes):  # each answered with a snapshot of every topic, none of them read
            self.ws.send(f'42/live,["subscribe",{{"show":"{show}","topics":[]}}]')


def test_slow_consumer(cluster):
    show, items = new_show(cluster)
    for item in items[:10]:
        assert post_comment(cluster, 0, show, item["question"]).status_code == 200
    pid = cluster.pid("studio-1")
    rss_before = _rss_kb(pid)
    slow = SlowConsumer(cluster.worker_urls[0], show, subscribes=25)
    console, seen = ranking_client(cluster.worker_urls[0], show)  # a healthy console on the same process
    try:
        # While pushes pile up for it: viewer pages stay fast, and the healthy console still gets every push.
        latencies = []
        for n, item in enumerate(items[10:20]):
            t0 = time.monotonic()
            r = requests.get(f"{cluster.worker_urls[0]}/live/{show}", timeout=5)
            latencies.append(time.monotonic() - t0)
            assert r.status_code == 200
            assert post_comment(cluster, 0, show, item["question"]).status_code == 200
            assert wait_until(lambda: any(item["slug"] in s for s in seen), 3), f"push {n} stuck behind the slow client"
        assert max(latencies) < 1.0, latencies
        grown_mb = (_rss_kb(pid) - rss_before) / 1024
        assert grown_mb < 100
        # The studio drops it (its pings go unanswered) and serves on, same process, no restart.
        t0 = time.monotonic()
        assert wait_until(lambda: slow_is_dropped(slow), 40, interval=1.0), "the slow consumer was never dropped"
        print(f"slow consumer: RSS +{grown_mb:.0f} MB, page latency max {max(latencies) * 1000:.0f} ms, "
              f"dropped {time.monotonic() - t0:.0f} s after the pushes")
        assert cluster.pid("studio-1") == pid and requests.get(cluster.worker_urls[0] + "/healthz").ok
    finally:
        console.disconnect()
        slow.ws.close()


def slow_is_dropped(slow: SlowConsumer) -> bool:
    """Read what piled up; a closed connection ends in EOF or a close frame."""
    slow.ws.sock.settimeout(0.5)
    try:
        while True:
            frame = slow.ws.recv_frame()
            if frame is None or frame.opcode == websocket.ABNF.OPCODE_CLOSE:
                return True
    except (websocket.WebSocketConnectionClosedException, ConnectionError, BrokenPipeError):
        return True
    except (TimeoutError, websocket.WebSocketTimeoutException):
        return False
