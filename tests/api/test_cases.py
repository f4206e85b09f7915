"""Tier 3 over real HTTP and Socket.IO: routed comments reach the staff-only "cases" topic with their reason, an
agent claims and closes them, a personal case still counts for its item but never as a sample for the host, and the
lead's figures match a hand-computed fixture."""
from __future__ import annotations

import time

import pytest
from sqlalchemy import create_engine, insert, update
from sqlalchemy.orm import Session

from studio.store.models import Case, OneToOneContact, Show
from tests.support.live_client import Watcher
from tests.support.waiting import wait_for


def ingest(server, show: str, items: list[dict]) -> dict:
    r = server.session(server.tokens["ingest"]).post(f"{server.url}/api/shows/{show}/comments", json=items)
    assert r.status_code == 200, r.text
    return r.json()


def comment(text: str, user: str, n: int) -> dict:
    return {"id": f"{user}-{n}", "user": user, "text": text, "platform": "test"}


def cases_once(session, url: str, n: int) -> list[dict]:
    """The active cases once there are n of them."""
    def probe():
        items = session.get(url).json()["items"]
        return items if len(items) == n else None
    return wait_for(probe, what=f"{n} cases")


def db(server):
    return create_engine(server.env.get("STUDIO_DATABASE_URL") or f"sqlite:///{server.var_dir / 'studio.db'}")


def test_routed_comments_reach_the_staff_topic_with_their_reason(server, show):
    watcher = Watcher(server, show, ["cases"], token=server.tokens["agent"])
    try:
        ingest(server, show, [comment("我的快递三天没动了", "buyer-1", 1), comment("几号发货", "buyer-2", 1),
                              comment("再不退款我就投诉！！！", "buyer-3", 1), comment("主播好漂亮", "buyer-4", 1)])
        data = watcher.wait_for("cases", lambda d: d and len(d["items"]) == 2)
        assert data and len(data["items"]) == 2, data
        first, second = data["items"]
        assert first["text"] == "再不退款我就投诉！！！" and first["reason"] == "angry.complaint"
        assert "urgent.exclaim" in first["reasons"] and first["kind"] == "angry"
        assert second["text"] == "我的快递三天没动了" and second["reason"] == "personal.parcel_stuck"
        assert second["kind"] == "personal" and first["urgency"] > second["urgency"] > 0
        assert all(c["state"] == "open" and not c["red"] for c in data["items"]) and data["open"] == 2
    finally:
        watcher.close()


def test_the_cases_topic_is_for_the_crew_only(server, show):
    anonymous = Watcher(server, show, ["cases"], expect_ok=False)
    lead = Watcher(server, show, ["cases"], token=server.tokens["lead"], expect_ok=False)
    ingest_token = Watcher(server, show, ["cases"], token=server.tokens["ingest"], expect_ok=False)
    try:
        for w in (anonymous, lead, ingest_token):
            assert "is for staff" in w.ack["error"], w.ack
            assert "cases" not in w.latest
    finally:
        for w in (anonymous, lead, ingest_token):
            w.close()
    for role in ("producer", "host", "agent"):
        w = Watcher(server, show, ["cases"], token=server.tokens[role])
        w.close()
    # a logged-in agent's browser session is enough, without a token
    s = server.login("agent")
    cookie = "; ".join(f"{k}={v}" for k, v in s.cookies.items())
    Watcher(server, show, ["cases"], headers={"Cookie": cookie}).close()
    # and over HTTP
    assert server.session().get(f"{server.url}/api/shows/{show}/cases").status_code == 401
    assert server.session(server.tokens["lead"]).get(f"{server.url}/api/shows/{show}/cases").status_code == 403


def test_a_personal_case_counts_for_its_item_but_is_never_a_sample_for_the_host(server, show):
    ingest(server, show, [comment("我的快递三天没动了怎么查物流", "buyer-1", 1),
                          comment("怎么查物流", "buyer-2", 1), comment("我的订单还没发货呢骗子", "buyer-3", 1)])
    agent = server.session(server.tokens["agent"])
    cases = cases_once(agent, f"{server.url}/api/shows/{show}/cases", 2)
    slugs = {c["text"]: c["slug"] for c in cases}
    item = slugs["我的快递三天没动了怎么查物流"]
    assert item is not None  # it matched an FAQ item ...
    ranking = server.session(server.tokens["host"]).get(f"{server.url}/api/shows/{show}/ranking").json()["items"]
    row = next(r for r in ranking if r["slug"] == item)
    assert row["count_1m"] >= 2  # ... and counts for its demand
    texts = [s["text"] for r in ranking for s in r["samples"]]
    assert "怎么查物流" in texts and not any("我的" in t for t in texts)  # ... but never as a sample for the host
    emerging = server.session(server.tokens["host"]).get(f"{server.url}/api/shows/{show}/emerging").json()["items"]
    assert not any("骗子" in s["text"] for e in emerging for s in e.get("samples", []))


def test_an_agent_claims_sees_the_viewer_and_closes_a_case(server, show):
    ingest(server, show, [comment("几号发货", "buyer-9", 1), comment("我10号拍的还没发货", "buyer-9", 2),
                          comment("我的退款还没到账", "buyer-8", 1)])
    agent = server.login("agent")
    base = f"{server.url}/api/shows/{show}/cases"
    items = cases_once(agent, base, 2)
    mine = next(c for c in items if c["text"] == "我10号拍的还没发货")
    detail = agent.get(f"{base}/{mine['id']}").json()
    assert [c["text"] for c in detail["comments"]] == ["几号发货", "我10号拍的还没发货"]
    claimed = agent.post(f"{base}/{mine['id']}/claim").json()
    assert claimed["state"] == "claimed" and claimed["agent"] == "agent" and claimed["claimed_at"]
    # another agent cannot take it, nor close it
    other = server.session(server.tokens["agent"])
    r = other.post(f"{base}/{mine['id']}/claim")
    assert r.status_code == 409 and "claimed by agent" in r.json()["error"]
    assert other.post(f"{base}/{mine['id']}/state", json={"state": "resolved"}).status_code == 409
    assert agent.post(f"{base}/{mine['id']}/state", json={"state": "contacted"}).json()["state"] == "contacted"
    done = agent.post(f"{base}/{mine['id']}/state", json={"state": "resolved"}).json()
    assert done["state"] == "resolved" and done["closed_at"] >= done["contacted_at"] >= done["claimed_at"]
    assert agent.post(f"{base}/{mine['id']}/state", json={"state": "resolved"}).status_code == 409
    queue = agent.get(base).json()
    assert [c["id"] for c in queue["closed"]] == [mine["id"]] and mine["id"] not in [c["id"] for c in queue["items"]]
    # not ours teaches the rules: the same text is not routed again
    other_case = next(c for c in items if c["id"] != mine["id"])
    assert other.post(f"{base}/{other_case['id']}/state", json={"state": "not_ours"}).json()["state"] == "not_ours"
    ingest(server, show, [comment("我的退款还没到账", "buyer-7", 1), comment("我的订单怎么还没发", "buyer-7", 2)])
    wait_for(lambda: any(c["text"] == "我的订单怎么还没发" for c in agent.get(base).json()["items"]), what="new case")
    assert not any(c["text"] == "我的退款还没到账" for c in agent.get(base).json()["items"])


@pytest.mark.parametrize("method, path, body, status", [
    ("post", "/cases/999999/claim", None, 404),
    ("post", "/cases/999999/state", {"state": "resolved"}, 404),
    ("post", "/cases/1/state", {"state": "done"}, 400),
    ("post", "/cases/1/state", ["resolved"], 400),
    ("get", "/cases/999999", None, 404),
    ("get", "/cases/abc", None, 404),
])
def test_bad_case_requests_get_clear_4xx(server, show, method, path, body, status):
    agent = server.session(server.tokens["agent"])
    r = agent.request(method, f"{server.url}/api/shows/{show}{path}", json=body)
    assert r.status_code == status and r.headers["Content-Type"].startswith("application/json"), r.text
    assert r.json()["error"]
    r = agent.post(f"{server.url}/api/shows/no-such-show/cases/1/claim")
    assert r.status_code == 404
    for role in ("host", "producer", "lead"):
        r = server.session(server.tokens[role]).post(f"{server.url}/api/shows/{show}/cases/1/claim")
        assert r.status_code == 403


def test_lead_figures_match_a_hand_computed_fixture(server, show):
    t0 = time.time() - 7200  # a two-hour show that has ended
    # first touch (claimed_at - created_at): 60, 120, 200, 400 s; one never claimed (old: counts as missed)
    cases = [(60, "resolved"), (120, "resolved"), (200, "contacted"), (400, "resolved"), (None, "open")]
    rows = [{"show_id": show, "platform": "test", "user_hash": f"u{i}", "text": f"case {i}", "normalized": "",
             "kind": "personal", "reason": "personal.not_shipped", "reasons": ["personal.not_shipped"],
             "urgency": 40, "state": state, "comment_ts": t0 + 600 * i, "created_at": t0 + 600 * i,
             "claimed_at": None if touch is None else t0 + 600 * i + touch,
             "closed_at": t0 + 600 * i + 900 if state == "resolved" else None}
            for i, (touch, state) in enumerate(cases)]
    # the one-to-one channel in the same window: waits of 100, 300, 500 and 700 s
    contacts = [{"ext_id": f"{show}-c{i}", "ts": t0 + 1000 * (i + 1), "wait_seconds": w, "channel": "旺旺"}
                for i, w in enumerate((100, 300, 500, 700))]
    with Session(db(server)) as s, s.begin():
        s.execute(update(Show).where(Show.id == show).values(status="ended", started_at=t0, ended_at=t0 + 7200))
        s.execute(insert(Case), rows)
        s.execute(insert(OneToOneContact), contacts)
    f = server.session(server.tokens["lead"]).get(f"{server.url}/api/shows/{show}/cases/figures").json()
    assert f["cases"] == 5 and f["by_state"] == {"open": 1, "claimed": 0, "contacted": 1, "resolved": 3, "not_ours": 0}
    # p50 of 60,120,200,400 = 160; p90 = 200 + 0.7 * 200 = 340
    assert f["first_touch_p50"] == 160 and f["first_touch_p90"] == 340
    # within 180 s: 2 of 5 decided (the unclaimed one is older than 3 minutes)
    assert f["touched_in_target"] == 2 and f["touch_decided"] == 5 and f["touch_rate_3m"] == 0.4
    assert f["resolved"] == 3 and f["hours"] == 2 and f["resolved_per_hour"] == 1.5
    b = f["baseline"]
    assert b["source"] == "show" and b["contacts"] == 4
    # p50 of 100,300,500,700 = 400; p90 = 500 + 0.7 * 200 = 640; within 180 s: 1 of 4; 4 contacts in 2 hours
    assert b["wait_p50"] == 400 and b["wait_p90"] == 640
    assert b["within_target"] == 0.25 and b["handled_per_hour"] == 2
    assert server.session(server.tokens["agent"]).get(f"{server.url}/api/shows/{show}/cases/figures").status_code == 403
