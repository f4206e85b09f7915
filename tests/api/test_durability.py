"""Accepted means stored: a studio killed (-9) or stopped (SIGTERM) in the middle of a sustained ingest of comments
or viewer events keeps every item it answered for, and its ranking carries on after a restart."""
from __future__ import annotations

import secrets
import sqlite3
import threading
import time
from pathlib import Path

import pytest
import requests

from tests.support.harness import seeded_server

BATCH = 50
# Comments that match no question: the ranking must not be all there is to count.
CHATTER = ("主播好美", "哈哈哈哈", "来了来了", "666", "好看", "冲冲冲")


class SustainedIngest(threading.Thread):
    """Posts batches back to back from one keep-alive connection until stopped or the server goes away.
    `accepted` adds up what the 200 answers reported; `in_flight` is the size of a batch sent without an answer."""

    def __init__(self, url: str, token: str, show: str, texts: list[str], prefix: str):
        super().__init__(daemon=True)
        self.url = f"{url}/api/shows/{show}/comments"
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"Bearer {token}"
        self.texts, self.prefix = texts, prefix
        self.accepted = self.batches = self.in_flight = 0
        self.failures: list[str] = []
        self.halt = threading.Event()

    def run(self) -> None:
        n = 0
        while not self.halt.is_set() and self.batches < 2000:
            batch = [{"id": f"{self.prefix}{n + i}", "user": f"viewer{(n + i) % 997}",
                      "text": self.texts[(n + i) % len(self.texts)]} for i in range(BATCH)]
            self.in_flight = len(batch)
            try:
                r = self.session.post(self.url, json=batch, timeout=10)
            except requests.RequestException:
                return  # the server went away with this batch unanswered
            if r.status_code != 200:
                self.failures.append(f"{r.status_code} {r.text[:200]}")
                return
            self.in_flight = 0
            self.accepted += r.json()["accepted"]
            self.batches += 1
            n += BATCH

    def wait_for(self, accepted: int, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while self.accepted < accepted and time.monotonic() < deadline and self.is_alive():
            time.sleep(0.02)
        assert self.accepted >= accepted, f"ingest too slow or failing: {self.accepted} accepted, {self.failures}"


def db_count(var_dir: Path, sql: str, *args) -> int:
    with sqlite3.connect(f"file:{var_dir / 'studio.db'}?mode=ro", uri=True) as conn:
        return conn.execute(sql, args).fetchone()[0]


@pytest.fixture(scope="module")
def studio(tmp_path_factory):
    """One studio for the module (killed and started again by the tests); each test counts on a show of its own.
    Events are rate limited per address and every request here comes from 127.0.0.1: the limits are lifted."""
    srv = seeded_server(tmp_path_factory.mktemp("studio"), extra_env={"STUDIO_RATE_LIMIT_SCALE": "1000"})
    srv.start()
    yield srv
    srv.stop()


@pytest.fixture
def show(studio) -> str:
    if studio.proc is None:
        studio.start()
    show_id = f"d{secrets.token_hex(4)}"
    r = studio.session(studio.tokens["producer"]).post(studio.url + "/api/shows", json={"title": "断电", "id": show_id})
    assert r.status_code == 201, r.text
    return show_id


def _texts(srv, show: str) -> tuple[list[str], dict[str, str]]:
    items = requests.get(f"{srv.url}/api/shows/{show}/shelf").json()["items"][:12]
    return [i["question"] for i in items] + list(CHATTER), {i["question"]: i["slug"] for i in items}


def _interrupted_ingest(srv, show: str, stop) -> SustainedIngest:
    texts, _ = _texts(srv, show)
    ingest = SustainedIngest(srv.url, srv.tokens["ingest"], show, texts, prefix="k")
    ingest.start()
    ingest.wait_for(3000)
    stop()
    ingest.halt.set()
    ingest.join(15)
    assert not ingest.failures, ingest.failures
    return ingest


def _check_stored(srv, show: str, ingest: SustainedIngest) -> int:
    stats = requests.get(f"{srv.url}/api/shows/{show}/stats").json()
    stored = stats["comments_stored"]
    # A batch the server took but never answered for may or may not be there; everything answered must be.
    assert ingest.accepted <= stored <= ingest.accepted + ingest.in_flight, (ingest.accepted, ingest.in_flight, stored)
    matched = db_count(srv.var_dir, "SELECT count(*) FROM comments WHERE show_id = ? AND slug IS NOT NULL", show)
    assert stats["comments_matched"] == matched > 0  # per-minute counts and comments commit together
    return stored


def test_kill_9_during_ingest_loses_no_accepted_comment(studio, show):
    ingest = _interrupted_ingest(studio, show, studio.kill)
    studio.start()
    stored = _check_stored(studio, show, ingest)
    print(f"kill -9: {ingest.accepted} accepted, {stored} stored, {ingest.in_flight} unanswered at the kill")

    # The ranking carries on from what is stored: it is rebuilt, then new comments add to it.
    texts, slug_of = _texts(studio, show)
    ranking = requests.get(f"{studio.url}/api/shows/{show}/ranking").json()["items"]
    assert {r["slug"] for r in ranking} >= set(slug_of.values())
    question = texts[0]
    before = next(r for r in ranking if r["slug"] == slug_of[question])
    more = [{"id": f"after{i}", "user": f"late{i}", "text": question} for i in range(30)]
    r = studio.session(studio.tokens["ingest"]).post(f"{studio.url}/api/shows/{show}/comments", json=more)
    assert r.json()["accepted"] == 30
    after = next(r for r in requests.get(f"{studio.url}/api/shows/{show}/ranking").json()["items"]
                 if r["slug"] == slug_of[question])
    assert after["count_1m"] >= before["count_1m"] + 30 and after["score"] > before["score"]


def test_sigterm_during_ingest_keeps_everything_accepted(studio, show):
    ingest = _interrupted_ingest(studio, show, studio.stop)
    assert "Traceback" not in studio.log_path.read_text()
    studio.start()
    stored = _check_stored(studio, show, ingest)
    assert stored == ingest.accepted  # a graceful stop answers every batch it took


class EventStream(threading.Thread):
    """Distinct viewer events (page views and escalations of many viewers) posted back to back; counts the 202s."""

    def __init__(self, url: str, show: str, viewers: list[requests.Session], slugs: list[str]):
        super().__init__(daemon=True)
        self.url, self.show, self.viewers, self.slugs = url, show, viewers, slugs
        self.accepted = 0
        self.failures: list[str] = []
        self.halt = threading.Event()

    def run(self) -> None:
        events = [(v, t, s) for v in self.viewers for t in ("page_view", "escalate") for s in self.slugs]
        for viewer, kind, slug in events:
            if self.halt.is_set():
                return
            try:
                r = viewer.post(self.url + "/api/events", json={"type": kind, "show": self.show, "slug": slug},
                                timeout=10)
            except requests.RequestException:
                return
            if r.status_code != 202:
                self.failures.append(f"{r.status_code} {r.text[:200]}")
                return
            self.accepted += 1


def _viewers(srv, show: str, n: int) -> list[requests.Session]:
    out = []
    for _ in range(n):
        s = requests.Session()
        assert s.get(f"{srv.url}/live/{show}").status_code == 200 and s.cookies.get("fls_vid")
        out.append(s)
    return out


@pytest.mark.parametrize("stop", ["kill", "stop"], ids=["kill-9", "sigterm"])
def test_viewer_events_survive_the_end_of_the_process(studio, show, stop):
    slugs = [i["slug"] for i in requests.get(f"{studio.url}/api/shows/{show}/shelf").json()["items"]]
    stream = EventStream(studio.url, show, _viewers(studio, show, 40), slugs)
    stream.start()
    deadline = time.monotonic() + 30
    while stream.accepted < 600 and time.monotonic() < deadline and stream.is_alive():
        time.sleep(0.02)
    getattr(studio, stop)()
    stream.halt.set()
    stream.join(15)
    assert not stream.failures, stream.failures
    stored = db_count(studio.var_dir, "SELECT count(*) FROM viewer_events WHERE show_id = ? "
                                      "AND type IN ('page_view', 'escalate')", show)
    print(f"viewer events, {stop}: {stream.accepted} accepted, {stored} stored")
    assert stored >= stream.accepted > 0


ROUTED = ("我的快递三天没动了", "再不退款我就投诉", "我10号拍的还没发货", "收到的杯子碎了我的")


def test_routed_cases_are_stored_with_their_comments_and_survive_kill_9(studio, show):
    """The specialist queue's cases commit in the comments' own transaction: a kill right after the answer
    keeps every one of them, and the desk lists them after the restart."""
    ingest = studio.session(studio.tokens["ingest"])
    total = 0
    for round_ in range(3):
        batch = [{"id": f"case{round_}-{i}", "user": f"angry{round_}-{i}", "text": ROUTED[i % len(ROUTED)]}
                 for i in range(12)]
        batch += [{"id": f"chat{round_}-{i}", "user": f"happy{round_}-{i}", "text": CHATTER[i % len(CHATTER)]}
                  for i in range(30)]
        r = ingest.post(f"{studio.url}/api/shows/{show}/comments", json=batch)
        assert r.status_code == 200 and r.json()["accepted"] == 42, r.text
        total += 12
    studio.kill()  # at once: no background writer gets its turn
    assert db_count(studio.var_dir, "SELECT count(*) FROM cases WHERE show_id = ?", show) == total
    studio.start()
    queue = studio.session(studio.tokens["agent"]).get(f"{studio.url}/api/shows/{show}/cases").json()
    assert queue["open"] == total and {c["text"] for c in queue["items"]} == set(ROUTED)
    # A batch sent again (the answer was lost with the process) is a duplicate: no second case.
    batch = [{"id": f"case0-{i}", "user": f"angry0-{i}", "text": ROUTED[i % len(ROUTED)]} for i in range(12)]
    r = studio.session(studio.tokens["ingest"]).post(f"{studio.url}/api/shows/{show}/comments", json=batch)
    assert r.status_code == 200 and r.json()["duplicate"] == 12, r.text
    assert db_count(studio.var_dir, "SELECT count(*) FROM cases WHERE show_id = ?", show) == total
