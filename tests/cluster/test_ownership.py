"""One owner per show's live state when scaled out: the Redis lease on its own (against the local Redis), the stream
that carries board events to the owner, and a two-process `studio cluster` where comments posted to either process
count in one ranking, a killed owner is replaced by itself, and a catalog edit in one process changes matching in
the other."""
from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import threading
import time
from dataclasses import replace

import pytest
import redis
import requests
import socketio

from studio.comments.board import CommentSeen, ShowDemand, comment_key
from studio.comments.emerging import EmergingQuestions
from studio.comments.ranking import DemandBoard
from studio.scale.ownership import LeaseOwnership
from studio.scale.redis_link import key_prefix
from studio.scale.show_bus import ShowBus
from tests.cluster.test_faults import REDIS_START, redis_up
from tests.support.harness import REDIS_URL, RunningCluster, drop_database, require_services
from tests.support.waiting import wait_until

pytestmark = pytest.mark.postgres

TTL = 0.6


def spawn(fn) -> threading.Thread:
    t = threading.Thread(target=fn, daemon=True)
    t.start()
    return t


@pytest.fixture
def prefix():
    require_services()
    p = f"studio:test-{secrets.token_hex(4)}:"
    yield p
    r = redis.Redis.from_url(REDIS_URL)
    for key in r.scan_iter(match=p + "*"):
        r.delete(key)


def lease(prefix: str, url: str = REDIS_URL) -> tuple[LeaseOwnership, list]:
    """A lease manager recording what it gained and lost, as ("gain"|"lose", show, monotonic time)."""
    owner = LeaseOwnership(url, prefix, ttl=TTL)
    log: list = []
    owner.on_gain(lambda show: log.append(("gain", show, time.monotonic())))
    owner.on_lose(lambda show: log.append(("lose", show, time.monotonic())))
    return owner, log


def cycled_owns(owner: LeaseOwnership, *shows: str) -> bool:
    owner.cycle()
    return all(owner.owns(s) for s in shows)


def cycle_for(seconds: float, *owners: LeaseOwnership) -> None:
    """What the background loops do: a round every ttl/3."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        for o in owners:
            o.cycle()
        time.sleep(TTL / 3)


def test_one_owner_until_the_lease_lapses_then_the_other_takes_over(prefix):
    a, a_log = lease(prefix)
    b, b_log = lease(prefix)
    assert a.watch("s1") and a.owns("s1")
    assert not b.watch("s1") and not b.owns("s1")
    cycle_for(3 * TTL, a, b)  # renewed by a all along: b never gets it
    assert a.owns("s1") and not b.owns("s1") and b_log == []

    a.cycle()
    a_last = time.monotonic()  # a dies after this renewal: no more renewals, no release
    assert wait_until(lambda: cycled_owns(b, "s1"), 5 * TTL, interval=TTL / 3)
    taken = b_log[0][2] - a_last
    print(f"lease takeover {taken * 1000:.0f} ms after the owner's last renewal (ttl {TTL * 1000:.0f} ms)")
    assert TTL * 0.9 < taken < TTL * 4 / 3 + 0.2 and b_log[0][:2] == ("gain", "s1")

    a.cycle()  # a comes back to life: its compare-and-renew fails and it lets go; b's lease is untouched
    assert [e[:2] for e in a_log] == [("gain", "s1"), ("lose", "s1")] and not a.owns("s1")
    r = redis.Redis.from_url(REDIS_URL, decode_responses=True)
    assert r.get(a.key("s1")) == b.token and r.pttl(a.key("s1")) > TTL * 500


def test_the_owner_stops_acting_as_owner_before_its_lease_can_lapse(prefix):
    a, _ = lease(prefix)
    assert a.watch("s1")
    time.sleep(TTL * 0.7)  # renewals held up (a long CPU burst): the key is still there, but no longer trusted
    assert not a.owns("s1")
    assert redis.Redis.from_url(REDIS_URL).pttl(a.key("s1")) > 0


def test_release_on_stop_hands_the_show_over_at_once(prefix):
    a, _ = lease(prefix)
    b, b_log = lease(prefix)
    assert a.watch("s1") and a.watch("s2") and not b.watch("s1") and not b.watch("s2")
    a.stop()
    b.cycle()
    assert b.owns("s1") and b.owns("s2") and {e[1] for e in b_log} == {"s1", "s2"}


class RedisProxy:
    """A TCP relay in front of the local Redis that can be cut (connections dropped, port refusing) and restored."""

    def __init__(self):
        self.port = 0
        self._open: list[socket.socket] = []
        self.restore()

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def restore(self) -> None:
        self.listener = socket.socket()
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", self.port))
        self.port = self.listener.getsockname()[1]
        self.listener.listen(16)
        spawn(self._accept)

    def cut(self) -> None:
        for s in [self.listener, *self._open]:
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            s.close()
        self._open.clear()

    def _accept(self) -> None:
        listener = self.listener
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            upstream = socket.create_connection(("127.0.0.1", 6379))
            self._open += [client, upstream]
            spawn(lambda: self._pump(client, upstream))
            spawn(lambda: self._pump(upstream, client))

    @staticmethod
    def _pump(src: socket.socket, dst: socket.socket) -> None:
        try:
            while data := src.recv(65536):
                dst.sendall(data)
        except OSError:
            pass


def test_redis_away_never_raises_and_ownership_comes_back(prefix):
    proxy = RedisProxy()
    a, a_log = lease(prefix, proxy.url)
    try:
        assert a.watch("s1")
        proxy.cut()
        assert a.watch("s2") is False  # a new show while Redis is away: not owned, no exception
        cycle_for(TTL, a)  # renewals fail: given up within 2/3 of the ttl
        assert not a.owns("s1") and [e[:2] for e in a_log] == [("gain", "s1"), ("lose", "s1")]
        proxy.restore()
        assert wait_until(lambda: cycled_owns(a, "s1", "s2"), 5 * TTL, interval=TTL / 3)
    finally:
        proxy.cut()


def test_bus_carries_events_to_the_owner_from_its_position_and_snapshots_back(prefix):
    sender, owner = ShowBus(REDIS_URL, prefix), ShowBus(REDIS_URL, prefix)
    got: list = []
    owner.on_events(lambda show, events: got.extend((show, e) for e in events))
    sender.start(spawn)
    owner.start(spawn)
    try:
        sender.forward("s1", [["c", 1]])  # before the owner's position: the database has it, the stream must not
        assert wait_until(lambda: owner.position("s1") != "0-0", 3)
        owner.follow("s1", owner.position("s1"))
        for n in range(2, 6):
            sender.forward("s1", [["c", n]])
        sender.forward("other", [["c", 99]])  # a show this process does not own
        assert wait_until(lambda: len(got) == 4, 5), got
        assert got == [("s1", ["c", n]) for n in range(2, 6)]

        owner.store_snapshot("s1", "ranking", {"items": [{"slug": "x", "count_1m": 4}]})
        assert wait_until(lambda: sender.snapshot("s1", "ranking") == {"items": [{"slug": "x", "count_1m": 4}]}, 3)
        assert sender.snapshot("nope", "ranking") is None
    finally:
        sender.stop()
        owner.stop()


def test_a_new_owner_counts_a_replayed_comment_once_when_its_event_arrives_late():
    st = ShowDemand(DemandBoard(), EmergingQuestions())
    old = CommentSeen("invoice", time.time() - 1, "u1", "stable", "能开发票吗", None)
    new = CommentSeen("invoice", time.time(), "u2", "stable", "能开发票吗", None)
    st.replayed, st.replayed_until = {comment_key(old.ts, old.user_hash, old.text)}, time.monotonic() + 5
    st.board.add_many([(old.slug, old.ts, old.user_hash, old.quality, old.text)])  # what the replay read
    assert st.apply([old, new], forwarded=True) == {"ranking"}
    assert st.board.top()[0]["count_1m"] == 2  # the late event of the replayed comment is skipped, once
    st.apply([old], forwarded=False)  # this process's own comments never pass the check
    assert st.board.top()[0]["count_1m"] == 3


# ---- a real two-process cluster -------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    require_services()
    c = RunningCluster(tmp_path_factory.mktemp("ownership"))
    c.tokens = {role: c.token(role) for role in ("admin", "ingest", "producer", "host")}
    c.redis = redis.Redis.from_url(REDIS_URL, decode_responses=True)
    try:
        yield c
    finally:
        c.stop()
        drop_database(c.db_name)


class RankingWatcher:
    """A console on one process: keeps the newest ranking snapshot (by rev, as the pages do). A console is staff
    (a host's token): it sees the whole rows, boosts included."""

    def __init__(self, url: str, show: str, token: str):
        self.rev, self.items = 0, {}
        self.client = socketio.Client(reconnection=False)
        self.client.on("state", self._state, namespace="/live")
        self.client.connect(url, namespaces=["/live"], transports=["websocket"], wait_timeout=10,
                            auth={"token": token})
        ack = self.client.call("subscribe", {"show": show, "topics": ["ranking"]}, namespace="/live", timeout=10)
        assert ack.get("ok"), ack

    def _state(self, snap: dict) -> None:
        if snap["topic"] == "ranking" and snap["rev"] > self.rev:
            self.rev, self.items = snap["rev"], {i["slug"]: i for i in snap["data"]["items"]}

    def counts(self) -> dict[str, int]:
        return {slug: i["count_1m"] for slug, i in self.items.items()}


def new_show(cluster) -> tuple[str, list[str]]:
    show = f"o{secrets.token_hex(4)}"
    r = requests.post(cluster.url + "/api/shows", json={"title": "归属", "id": show},
                      headers={"Authorization": f"Bearer {cluster.tokens['admin']}"})
    assert r.status_code == 201, r.text
    items = requests.get(f"{cluster.url}/api/shows/{show}/shelf").json()["items"]
    return show, items


def post(cluster, worker: int, show: str, text: str, n: int, who: str) -> None:
    batch = [{"id": f"{who}{i}", "user": f"{who}{i}", "text": text} for i in range(n)]
    r = requests.post(f"{cluster.worker_urls[worker]}/api/shows/{show}/comments", json=batch,
                      headers={"Authorization": f"Bearer {cluster.tokens['ingest']}"}, timeout=10)
    assert r.status_code == 200 and r.json()["accepted"] == n, r.text


def rows_over_http(cluster, worker: int, show: str) -> dict[str, dict]:
    """The ranking as a console reads it (a host's token: whole rows, boosts included)."""
    rows = requests.get(f"{cluster.worker_urls[worker]}/api/shows/{show}/ranking", timeout=5,
                        headers={"Authorization": f"Bearer {cluster.tokens['host']}"}).json()["items"]
    return {r["slug"]: r for r in rows}


def counts_over_http(cluster, worker: int, show: str) -> dict[str, int]:
    return {slug: r["count_1m"] for slug, r in rows_over_http(cluster, worker, show).items()}


def asked_at_both(cluster, n: int, who: str) -> tuple[str, list[dict]]:
    """A new show whose first item was asked n times at each process, all counted in its ranking."""
    show, items = new_show(cluster)
    for worker in (0, 1):
        post(cluster, worker, show, items[0]["question"], n, f"{who}{worker}-")
    assert wait_until(lambda: counts_over_http(cluster, 1, show) == {items[0]["slug"]: 2 * n}, 10)
    return show, items


def owner_worker(cluster, show: str) -> int:
    """Which worker (0, 1) holds the show's lease: its token carries the process id."""
    token = cluster.redis.get(f"{key_prefix(cluster.database_url)}owner:{show}")
    assert token, "nobody owns the show"
    pid = int(token.split(":")[1])
    pids = [cluster.pid("studio-1"), cluster.pid("studio-2")]
    assert pid in pids, (pid, pids)
    return pids.index(pid)


def test_comments_at_either_process_count_in_one_ranking(cluster):
    show, items = new_show(cluster)
    a, b, c = (i["slug"] for i in items[:3])
    watchers = [RankingWatcher(url, show, cluster.tokens["host"]) for url in cluster.worker_urls[:2]]
    try:
        post(cluster, 0, show, items[0]["question"], 4, "a0-")
        post(cluster, 1, show, items[0]["question"], 4, "a1-")
        post(cluster, 1, show, items[1]["question"], 3, "b1-")
        post(cluster, 0, show, items[2]["question"], 2, "c0-")
        want = {a: 8, b: 3, c: 2}
        for n, w in enumerate(watchers):
            assert wait_until(lambda: w.counts() == want, 10), f"console on studio-{n + 1} saw {w.counts()}"
            assert w.items[a]["askers"] == 8
        for worker in (0, 1):
            assert wait_until(lambda: counts_over_http(cluster, worker, show) == want, 5)
        owner = owner_worker(cluster, show)
        other = cluster.worker_urls[1 - owner]
        # The host's and producer's actions at the process that does not own the show reach the board too.
        admin = {"Authorization": f"Bearer {cluster.tokens['admin']}"}
        assert requests.post(f"{other}/api/shows/{show}/boost", json={"slug": c, "amount": 50},
                             headers=admin).status_code == 200
        assert requests.post(f"{other}/api/shows/{show}/on-air", json={"slug": a}, headers=admin).status_code == 200
        for n, w in enumerate(watchers):
            assert wait_until(lambda: w.items[c]["boost"] == 50 and w.items[a]["cooldown"] > 170, 10), \
                f"console on studio-{n + 1} saw {w.items}"
        assert rows_over_http(cluster, owner, show)[c]["boost"] == 50
    finally:
        for w in watchers:
            w.client.disconnect()
    forwarded = 7 if owner == 0 else 10  # what was posted to the other process crossed through the show's stream
    print(f"one ranking: studio-{owner + 1} owns the show; {forwarded} of 17 comments and a boost and an answer "
          f"going on air crossed from the other process")


def test_catalog_edit_in_one_process_changes_matching_in_the_other(cluster):
    show, items = new_show(cluster)
    slug, phrase, keyword = items[0]["slug"], "蓝鲸暗号怎么用", "蓝鲸暗号"
    producer = {"Authorization": f"Bearer {cluster.tokens['producer']}"}

    def matched() -> int:
        return requests.get(f"{cluster.url}/api/shows/{show}/stats").json()["per_item"].get(slug, 0)

    post(cluster, 1, show, phrase, 1, "before-")
    assert matched() == 0
    item = requests.get(f"{cluster.worker_urls[0]}/api/faq/{slug}", headers=producer).json()
    item["keywords"] = [*item["keywords"], keyword]
    r = requests.put(f"{cluster.worker_urls[0]}/api/faq/{slug}", json=item, headers=producer)
    assert r.status_code == 200, r.text
    saved = time.monotonic()
    sent = iter(range(100))

    def matches_in_b() -> bool:
        post(cluster, 1, show, phrase, 1, f"after{next(sent)}-")
        return matched() > 0
    assert wait_until(matches_in_b, 10, interval=0.1), "studio-2 never matched the new keyword"
    took = time.monotonic() - saved
    print(f"catalog edit in studio-1 matched in studio-2 after {took * 1000:.0f} ms")
    assert took < 4.0  # the announcement, not the 5 s fingerprint poll


def test_catalog_change_nobody_announced_is_picked_up_by_the_fingerprint_poll(cluster):
    """A change committed without telling Redis (here: straight into the database from outside the processes)."""
    from studio.store.catalog import CatalogStore
    from studio.store.db import Database
    show, items = new_show(cluster)
    slug, phrase = items[1]["slug"], "白鹭口令怎么用"
    db = Database(cluster.database_url)
    try:
        store = CatalogStore(db)
        item = store.get(slug)
        store.update(slug, replace(item, keywords=(*item.keywords, "白鹭口令")), item.revision)
    finally:
        db.engine.dispose()
    saved = time.monotonic()
    sent = iter(range(100))

    def matched() -> int:
        return requests.get(f"{cluster.url}/api/shows/{show}/stats").json()["per_item"].get(slug, 0)

    def matches_everywhere() -> bool:
        before, n = matched(), next(sent)
        for worker in (0, 1):
            post(cluster, worker, show, phrase, 1, f"poll{worker}-{n}-")
        return matched() - before == 2
    assert wait_until(matches_everywhere, 15, interval=0.5)
    print(f"unannounced catalog change matched by both processes after {time.monotonic() - saved:.1f} s")


def test_redis_restarted_comments_stay_durable_and_the_ranking_rebuilds(cluster):
    show, items = asked_at_both(cluster, 3, "r")
    a, b = items[0]["slug"], items[1]["slug"]
    subprocess.run(["redis-cli", "shutdown", "nosave"], capture_output=True, timeout=10)
    try:
        assert wait_until(lambda: not redis_up(), 5)
        post(cluster, 0, show, items[1]["question"], 2, "down0-")  # accepted: committed to PostgreSQL
        post(cluster, 1, show, items[1]["question"], 2, "down1-")
        for worker in (0, 1):  # the last known ranking, not an error
            assert requests.get(f"{cluster.worker_urls[worker]}/api/shows/{show}/ranking").status_code == 200
    finally:
        subprocess.run(REDIS_START, capture_output=True, timeout=10)
        assert wait_until(redis_up, 10), "Redis did not come back"
    back = time.monotonic()
    for worker in (0, 1):
        assert wait_until(lambda: counts_over_http(cluster, worker, show) == {a: 6, b: 4}, 15), \
            counts_over_http(cluster, worker, show)
    print(f"Redis restarted: ranking rebuilt from PostgreSQL on both processes {time.monotonic() - back:.2f} s "
          f"after Redis was back (owner: studio-{owner_worker(cluster, show) + 1})")


def test_killed_owner_is_replaced_and_the_ranking_rebuilt(cluster):
    show, items = asked_at_both(cluster, 5, "k")
    a, b = items[0]["slug"], items[1]["slug"]
    owner = owner_worker(cluster, show)
    survivor = 1 - owner
    watcher = RankingWatcher(cluster.worker_urls[survivor], show, cluster.tokens["host"])
    try:
        killed_pid = cluster.pid(f"studio-{owner + 1}")
        os.kill(killed_pid, signal.SIGKILL)
        killed = time.monotonic()
        post(cluster, survivor, show, items[1]["question"], 4, "gap-")  # while nobody owns the show: stored
        assert wait_until(lambda: owner_worker(cluster, show) == survivor, 10), "no new owner"
        leased = time.monotonic() - killed
        assert wait_until(lambda: watcher.counts() == {a: 10, b: 4}, 10), watcher.counts()
        rebuilt = time.monotonic() - killed
    finally:
        watcher.client.disconnect()
    print(f"failover: kill -9 of studio-{owner + 1} → lease taken by studio-{survivor + 1} after {leased:.2f} s, "
          f"rebuilt ranking pushed after {rebuilt:.2f} s")
    assert rebuilt < 8.0
    stats = requests.get(f"{cluster.worker_urls[survivor]}/api/shows/{show}/stats").json()
    assert stats["comments_stored"] == 14 and stats["per_item"] == {a: 10, b: 4}
    # The killed process comes back (the supervisor) as a non-owner answering from the new owner's snapshot.
    assert wait_until(lambda: cluster.pid(f"studio-{owner + 1}") != killed_pid
                      and counts_over_http(cluster, owner, show) == {a: 10, b: 4}, 20)
    assert owner_worker(cluster, show) == survivor


def test_graceful_stop_releases_the_lease(cluster):
    """SIGTERM: the owner flushes, then deletes its lease; another process takes the show at its next attempt,
    before the lease could have lapsed."""
    show, items = asked_at_both(cluster, 3, "g")
    a = items[0]["slug"]
    owner = owner_worker(cluster, show)
    lease_left = cluster.redis.pttl(f"{key_prefix(cluster.database_url)}owner:{show}") / 1000
    os.kill(cluster.pid(f"studio-{owner + 1}"), signal.SIGTERM)
    stopped = time.monotonic()
    assert wait_until(lambda: owner_worker(cluster, show) == 1 - owner, 5, interval=0.02)
    handed = time.monotonic() - stopped
    print(f"graceful stop of studio-{owner + 1}: show handed over after {handed:.2f} s "
          f"(its lease had {lease_left:.2f} s left)")
    assert handed < lease_left
    assert wait_until(lambda: counts_over_http(cluster, 1 - owner, show) == {a: 6}, 10)
