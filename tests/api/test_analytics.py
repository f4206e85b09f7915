"""Deflection metrics on a hand-made show, every expected value worked out by hand below (not by the code under
test), through the real server's API, on SQLite and on PostgreSQL.

The show "hand" starts at S = 2022-06-01 12:00:00 UTC (20:00 in Shanghai) and ends one hour later, so its window
is [S, S + 5400] (end + 30 min). Items: A = shipping-time, B = seven-day-return, C = invoice.

  on air      A: S+600..S+900 and S+2000..S+2100 (400 s, first at S+600);  B: S+1200..S+1500 (300 s);  C: never
  comments    A: 5 at S+60, 3 at S+120 (asked 8);  B: 4 at S+1260;  C: 6 at S+300;
              outside the window (ignored): A 100 at S−3600, A 50 at S+5460
  viewers     v1 opens A at S+700, escalates at S+700+29 min          → escalated
              v2 opens A at S+800, escalates at S+800+31 min          → self-served (31 min is past 30)
              v3 opens A at S+900 (helpful at S+950), opens B at S+1300 → self-served
              v4 opens B at S+1400 (not helpful), escalates at S+1500  → escalated
              v5 opens A at S+6000, v6 opens C at S−100               → outside the window, not counted
              v7 escalates on B at S+3000 without opening a page; v1–v3 shelf views at S+650
  contacts    baseline (4 h before S, the earliest data): A 12, B 6, C 2
              window: A at S+300 (erin), S+1000 (frank), S+3000 (alice), S+4000 (alice);
                      B at S+1100 (gina), S+2000 (no customer), S+2500 topic "退换货政策" → mapped to B (carol);
                      C at S+500 (bob); topic "其他问题" unmapped at S+2600 (dave); A at S+5500 (after the window)
"""
from __future__ import annotations

import csv
import io
import math
import uuid
from datetime import UTC, datetime

import psycopg
import pytest
from sqlalchemy import insert, update
from sqlalchemy.orm import Session

from faq_catalog.catalog_io import load_catalog
from studio.access.auth import create_token
from studio.store.catalog import CatalogStore
from studio.store.db import Database
from studio.store.migrate import upgrade
from studio.store.models import CommentCount, Segment, Show, ViewerEvent
from studio.store.shows import create_show
from tests.support.liveserver import REPO, LiveServer

S = datetime(2022, 6, 1, 12, 0, tzinfo=UTC).timestamp()
A, B, C = "shipping-time", "seven-day-return", "invoice"
PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"


def _iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).isoformat()


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def studio(request, tmp_path_factory):
    """A studio of this module's own: contacts and topic mappings are global, so no other test may add to them."""
    db_name = None
    url = None
    if request.param == "postgresql":
        db_name = f"analytics_{uuid.uuid4().hex[:10]}"
        try:
            with psycopg.connect(PG_ADMIN, autocommit=True) as c:
                c.execute(f'CREATE DATABASE "{db_name}"')
        except psycopg.OperationalError as e:
            pytest.skip(f"no local PostgreSQL: {e}")
        url = f"postgresql+psycopg://postgres@127.0.0.1:5432/{db_name}"
    srv = LiveServer(tmp_path_factory.mktemp(f"analytics-{request.param}"), database_url=url)
    srv.db_url = url or f"sqlite:///{srv.var_dir / 'studio.db'}"
    # Set up in this process (the same code the CLI runs): one process start instead of a dozen.
    upgrade(srv.db_url)
    srv.db = Database(srv.db_url)
    assert CatalogStore(srv.db).apply_import(load_catalog(REPO / "faq_catalog" / "demo")).applied
    srv.tokens = {role: create_token(srv.db, role) for role in ("lead", "ingest", "host", "admin")}
    _record_hand_show(srv)
    srv.start()
    yield srv
    srv.stop()
    srv.db.engine.dispose()
    if db_name:
        with psycopg.connect(PG_ADMIN, autocommit=True) as c:
            c.execute(f'DROP DATABASE IF EXISTS "{db_name}" WITH (FORCE)')


def _create_show(srv, show_id: str, start: float, end: float) -> None:
    create_show(srv.db, show_id, show_id)
    with Session(srv.db.engine) as s, s.begin():
        s.execute(update(Show).where(Show.id == show_id).values(status="ended", started_at=start, ended_at=end))


def _insert(srv, table, rows: list[dict]) -> None:
    with Session(srv.db.engine) as s, s.begin():
        s.execute(insert(table), rows)


def _record_hand_show(srv) -> None:
    _create_show(srv, "hand", S, S + 3600)
    _insert(srv, Segment, [{"show_id": "hand", "slug": A, "started_at": S + 600, "ended_at": S + 900},
                           {"show_id": "hand", "slug": A, "started_at": S + 2000, "ended_at": S + 2100},
                           {"show_id": "hand", "slug": B, "started_at": S + 1200, "ended_at": S + 1500}])
    _insert(srv, CommentCount, [{"show_id": "hand", "slug": slug, "minute": int(ts // 60), "count": n}
                                for slug, ts, n in ((A, S + 60, 5), (A, S + 120, 3), (B, S + 1260, 4), (C, S + 300, 6),
                                                    (A, S - 3600, 100), (A, S + 5460, 50))])
    ev = [("v1", A, "page_view", S + 700), ("v1", A, "escalate", S + 700 + 29 * 60),
          ("v2", A, "page_view", S + 800), ("v2", A, "escalate", S + 800 + 31 * 60),
          ("v3", A, "page_view", S + 900), ("v3", A, "helpful", S + 950), ("v3", B, "page_view", S + 1300),
          ("v4", B, "page_view", S + 1400), ("v4", B, "not_helpful", S + 1450), ("v4", B, "escalate", S + 1500),
          ("v5", A, "page_view", S + 6000), ("v6", C, "page_view", S - 100), ("v7", B, "escalate", S + 3000),
          ("v1", "", "shelf_view", S + 650), ("v2", "", "shelf_view", S + 650), ("v3", "", "shelf_view", S + 650)]
    _insert(srv, ViewerEvent, [{"show_id": "hand", "viewer_hash": v, "slug": slug, "type": t, "ts": ts}
                               for v, slug, t, ts in ev])


def _post_contacts(srv, items: list[dict]) -> dict:
    r = srv.session(srv.tokens["ingest"]).post(srv.url + "/api/one-to-one/contacts", json=items)
    assert r.status_code == 200, r.text
    return r.json()


@pytest.fixture(scope="module")
def hand(studio):
    """The hand show's contacts (sent through the webhook) and its topic mapping, then its report."""
    lead = studio.session(studio.tokens["lead"])
    r = lead.put(studio.url + "/api/one-to-one/topics", json={"mappings": [{"topic": "退换货政策", "slug": B}]})
    assert r.status_code == 200, r.text
    items = []
    for slug, n, first, step in ((A, 12, S - 14400, 1200), (B, 6, S - 12000, 1500), (C, 2, S - 10000, 5000)):
        items += [{"id": f"base-{slug}-{k}", "ts": _iso(first + k * step), "channel": "im", "slug": slug,
                   "customer": f"base-{slug}-{k}"} for k in range(n)]
    window = [(A, S + 300, "erin"), (A, S + 1000, "frank"), (A, S + 3000, "alice"), (A, S + 4000, "alice"),
              (B, S + 1100, "gina"), (B, S + 2000, None), (C, S + 500, "bob"), (A, S + 5500, "late")]
    items += [{"id": f"w-{i}", "ts": _iso(ts), "channel": "phone", "slug": slug, "handle_seconds": 600,
               **({"customer": who} if who else {})} for i, (slug, ts, who) in enumerate(window)]
    items += [{"id": "w-mapped", "ts": _iso(S + 2500), "channel": "im", "topic": "退换货政策", "customer": "carol"},
              {"id": "w-other", "ts": _iso(S + 2600), "channel": "im", "topic": "其他问题", "customer": "dave"}]
    assert _post_contacts(studio, items)["accepted"] == len(items)
    return studio


def report(srv, show="hand", **params) -> dict:
    r = srv.session(srv.tokens["lead"]).get(f"{srv.url}/api/shows/{show}/deflection", params=params)
    assert r.status_code == 200, r.text
    return r.json()


def test_self_service_score_and_share(hand):
    r = report(hand)
    # page viewers in the window: v1, v2, v3, v4 = 4 (v5 after, v6 before the window)
    # people who contacted: erin, frank, alice (twice), gina, the contact without a customer (by its id), carol,
    # bob, dave = 8 people in 9 contacts (A 4, B 3 incl. the mapped topic, C 1, unmapped 1)
    assert r["totals"]["page_viewers"] == 4
    assert r["totals"]["one_to_one_contacts"] == 9
    assert r["totals"]["one_to_one_people"] == 8
    assert r["self_service_score"] == pytest.approx(4 / 8)
    # escalated within 30 min of a page they opened: v1 (29 min), v4 (100 s); v2's escalation came at 31 min
    assert r["totals"]["escalated_viewers"] == 2
    assert r["totals"]["self_served_viewers"] == 2
    assert r["self_service_share"] == pytest.approx(2 / (2 + 9))
    assert r["totals"]["unmapped_contacts"] == 1
    assert r["window"]["start"] == S and r["window"]["end"] == S + 5400


def test_funnel_per_item(hand):
    items = {i["slug"]: i for i in report(hand)["items"]}
    expect = {A: dict(asked=8, on_air_seconds=400, unique_page_views=3, helpful_yes=1, helpful_no=0, escalations=2,
                      one_to_one_contacts=4),
              B: dict(asked=4, on_air_seconds=300, unique_page_views=2, helpful_yes=0, helpful_no=1, escalations=2,
                      one_to_one_contacts=3),
              C: dict(asked=6, on_air_seconds=0, unique_page_views=0, helpful_yes=0, helpful_no=0, escalations=0,
                      one_to_one_contacts=1)}
    for slug, fields in expect.items():
        for key, value in fields.items():
            assert items[slug][key] == value, (slug, key)
    ordered = [i["slug"] for i in report(hand)["items"]][:3]
    assert ordered == [A, C, B]  # most asked first


def test_deflected_contacts_with_poisson_interval(hand):
    items = {i["slug"]: i for i in report(hand)["items"]}
    # Baseline: the 4 h before S (the helpdesk data starts at S − 14400), so T_b = 14400 s.
    # A: exposure S+600 → S+5400 = 4800 s, k = 4800/14400 = 1/3; expected = 12/3 = 4; observed after S+600: 3
    #    estimate = 1. Exact Poisson 95% limits (standard tables): n=12 → [6.2006, 20.9617], n=3 → [0.6187, 8.7673]
    #    low  = 1 − √((4 − 6.2006/3)² + (8.7673 − 3)²) = 1 − √(3.7369 + 33.2618) = 1 − 6.0827 = −5.083
    #    high = 1 + √((20.9617/3 − 4)² + (3 − 0.6187)²) = 1 + √(8.9234 + 5.6706) = 1 + 3.8202 = 4.820
    a = items[A]
    assert a["expected_contacts"] == pytest.approx(4, abs=0.01)
    assert a["deflected_contacts_estimate"] == pytest.approx(1, abs=0.01)
    assert a["deflected_low"] == pytest.approx(-5.083, abs=0.01)
    assert a["deflected_high"] == pytest.approx(4.820, abs=0.01)
    # B: exposure S+1200 → S+5400 = 4200 s, k = 0.291667; expected = 6k = 1.75; observed: S+2000 and the mapped
    #    S+2500 = 2 (S+1100 was before its answer); estimate = −0.25. n=6 → [2.2019, 13.0594], n=2 → [0.2422, 7.2247]
    #    low  = −0.25 − √((1.75 − 0.64222)² + (7.2247 − 2)²) = −0.25 − 5.3409 = −5.591
    #    high = −0.25 + √((3.80899 − 1.75)² + (2 − 0.2422)²) = −0.25 + 2.7073 = 2.457
    b = items[B]
    assert b["deflected_contacts_estimate"] == pytest.approx(-0.25, abs=0.01)
    assert b["deflected_low"] == pytest.approx(-5.591, abs=0.01)
    assert b["deflected_high"] == pytest.approx(2.457, abs=0.01)
    # C was never on air: no estimate, and the reason why
    assert items[C]["deflected_contacts_estimate"] is None
    assert items[C]["deflected_reason"] == "not answered on air"
    assert items[C]["deflected_reason_code"] == "not_on_air"  # what pages translate
    r = report(hand)
    # total = 1 − 0.25; half-widths add in quadrature: √(6.0827² + 5.3409²) = 8.0947
    assert r["totals"]["deflected_contacts_estimate"] == pytest.approx(0.75, abs=0.01)
    assert r["totals"]["deflected_low"] == pytest.approx(0.75 - 8.0947, abs=0.02)


def test_worth_answering_next(hand):
    r = report(hand)
    # top demand 8 (A), top one-to-one volume 4 (A); helpful rate = (yes+1)/(yes+no+2)
    #   A: (8/8 + 4/4)/2 = 1.0,   helpful 2/3 → 100 × 1.0 × 1/3 = 33.3
    #   B: (4/8 + 3/4)/2 = 0.625, helpful 1/3 → 100 × 0.625 × 2/3 = 41.7
    #   C: (6/8 + 1/4)/2 = 0.5,   no votes ½  → 100 × 0.5 × 1/2 = 25.0
    top = [(i["slug"], i["worth_score"]) for i in r["worth_answering_next"]]
    assert top == [(B, 41.7), (A, 33.3), (C, 25.0)]


def test_wait_time_impact(hand):
    w = report(hand, agents=2, aht=600)["wait_impact"]
    # with the show: 9 contacts in 1.5 h = 6/h; A = 6 × 600/3600 = 1 erlang, N = 2
    #   P_w = [1²/2! · 2/(2−1)] / [1 + 1 + 1] = 1/3; ASA = (1/3) · 600 / 1 = 200 s
    #   SL(180) = 1 − (1/3) · e^(−180/600) = 1 − 0.33333 · 0.740818 = 0.753061
    assert w["with_show"]["contacts_per_hour"] == pytest.approx(6)
    assert w["with_show"]["p_wait"] == pytest.approx(1 / 3)
    assert w["with_show"]["asa_seconds"] == pytest.approx(200)
    assert w["with_show"]["service_level"] == pytest.approx(0.753061, abs=1e-6)
    # N = 3: P_w = (1/6 · 3/2) / (1 + 1 + 1/2 + 1/4) = 0.25/2.75; SL = 1 − 0.090909 · e^(−0.6) = 0.950108 ≥ 80%
    assert w["with_show"]["agents_needed"] == 3
    # without the show: (9 + 0.75) / 1.5 = 6.5/h, A = 1.08333; P_w = [A²/2 · 2/(2−A)] / [1 + A + A²/2 · 2/(2−A)]
    #   = 1.28030 / (2.08333 + 1.28030) = 0.380631; ASA = 0.380631 · 600 / 0.916667 = 249.14 s
    assert w["without_show"]["contacts_per_hour"] == pytest.approx(6.5)
    assert w["without_show"]["p_wait"] == pytest.approx(0.380631, abs=1e-5)
    assert w["without_show"]["asa_seconds"] == pytest.approx(249.14, abs=0.01)
    # AHT left empty: the contacts' mean handle time (600 s on every contact that has one)
    assert report(hand, agents=2)["wait_impact"]["aht_seconds"] == pytest.approx(600)
    assert "reason" in report(hand)["wait_impact"]
    assert report(hand)["wait_impact"]["reason_code"] == "wait_inputs_missing"


def test_time_zones_bucket_on_local_boundaries(hand):
    # Shanghai is UTC+8: local hours start on UTC hours, so hourly buckets start at S.
    #   [S, S+3600): contacts at +300 +500 +1000 +1100 +2000 +2500 +2600 +3000 = 8; [S+3600, ...): +4000 = 1
    sh = report(hand, tz="Asia/Shanghai", bucket=3600)["series"]
    assert sh["origin"] == S and sh["contacts"] == [8, 1]
    # Kolkata is UTC+5:30: its hours start at :30 UTC, so the first bucket is [S−1800, S+1800)
    #   +300 +500 +1000 +1100 = 4; then +2000 +2500 +2600 +3000 +4000 = 5
    ko = report(hand, tz="Asia/Kolkata", bucket=3600)["series"]
    assert ko["origin"] == S - 1800 and ko["contacts"] == [4, 5]
    assert sum(ko["demand"]) == 8 + 4 + 6
    lead = hand.session(hand.tokens["lead"])
    text = lead.get(hand.url + "/api/shows/hand/deflection.csv", params={"tz": "Asia/Shanghai"}).text
    rows = {r["slug"]: r for r in csv.DictReader(io.StringIO(text.lstrip("\ufeff")))}
    assert rows[A]["first_on_air"] == "2022-06-01T20:10:00+08:00"  # S+600 = 12:10 UTC
    assert lead.get(hand.url + "/api/shows/hand/deflection", params={"tz": "Mars/Olympus"}).status_code == 400


def test_no_baseline_and_zero_contacts(hand):
    # ten days before "hand": no helpdesk data exists that early, and none during it
    early = S - 10 * 86400
    _create_show(hand, "early", early, early + 1800)
    _insert(hand, Segment, [{"show_id": "early", "slug": A, "started_at": early + 60, "ended_at": early + 120}])
    _insert(hand, ViewerEvent, [{"show_id": "early", "slug": A, "type": "page_view", "viewer_hash": "e1",
                                 "ts": early + 100}])
    r = report(hand, show="early")
    assert r["self_service_score"] is None
    assert r["reasons"]["self_service_score"] == "no one-to-one contacts in the window"
    assert r["reason_codes"] == {"self_service_score": "no_contacts_in_window",
                                 "deflected_contacts_estimate": "no_baseline_data"}
    assert r["self_service_share"] == 1.0  # one self-served viewer, no contacts: 1 / (1 + 0)
    item = next(i for i in r["items"] if i["slug"] == A)
    assert item["deflected_contacts_estimate"] is None
    assert item["deflected_reason"] == "no one-to-one data in the baseline period"
    assert item["deflected_reason_code"] == "no_baseline_data"
    assert r["totals"]["deflected_contacts_estimate"] is None


def test_chosen_earlier_show_as_baseline(hand):
    # "later" (two days on) answers A at its start; the baseline is "hand": A had 4 contacts in its 5400 s window
    # → expected over later's 5400 s exposure = 4; observed 1 → 3 deflected
    later = S + 2 * 86400
    _create_show(hand, "later", later, later + 3600)
    _insert(hand, Segment, [{"show_id": "later", "slug": A, "started_at": later, "ended_at": later + 300}])
    _post_contacts(hand, [{"id": "later-1", "ts": _iso(later + 100), "channel": "im", "slug": A}])
    item = next(i for i in report(hand, show="later", baseline_show="hand")["items"] if i["slug"] == A)
    assert item["expected_contacts"] == pytest.approx(4)
    assert item["deflected_contacts_estimate"] == pytest.approx(3)
    lead = hand.session(hand.tokens["lead"])
    r = lead.get(hand.url + "/api/shows/later/deflection", params={"baseline_show": "nope"})
    assert r.status_code == 404 and "nope" in r.json()["error"]


def test_access_and_bad_parameters(hand):
    url = hand.url + "/api/shows/hand/deflection"
    assert hand.session().get(url).status_code == 401
    assert hand.session(hand.tokens["host"]).get(url).status_code == 403
    assert hand.session(hand.tokens["admin"]).get(url).status_code == 200
    lead = hand.session(hand.tokens["lead"])
    for params in ({"agents": "many"}, {"agents": "0"}, {"aht": "-5"}, {"bucket": "1"}):
        r = lead.get(url, params=params)
        assert r.status_code == 400 and "error" in r.json(), params
    assert lead.get(hand.url + "/api/shows/missing/deflection").status_code == 404


def test_poisson_table_values():
    """The exact limits the hand computations above rely on, against published tables (e.g. Ulm 1990)."""
    from studio.analytics.intervals import poisson_interval
    for n, lo, hi in ((0, 0.0, 3.6889), (2, 0.2422, 7.2247), (3, 0.6187, 8.7673), (6, 2.2019, 13.0594),
                      (12, 6.2006, 20.9617)):
        got = poisson_interval(n)
        assert got[0] == pytest.approx(lo, abs=1e-3) and got[1] == pytest.approx(hi, abs=1e-3), n
    assert all(math.isfinite(x) for x in poisson_interval(5000))
