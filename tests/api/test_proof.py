"""Proof an answer worked, on a replayed show with hand-counted comments: the item's ask rate before and after its
answer beside the other items, the room's resolution signals from the host's "解决了扣1", still-asking, and each
tier's share."""
from __future__ import annotations

import random
import time

from sqlalchemy import insert, update
from sqlalchemy.orm import Session

from studio.ladder.proof import is_resolution
from studio.store.models import Case, ChatReply, Comment, OneToOneContact, Segment, Show
from tests.api.test_cases import db


def replay(server, show: str) -> float:
    """The replayed show, in a window of its own (one-to-one contacts are the studio's, not a show's): its start."""
    t0 = time.time() - 3 * 3600 - random.randrange(1, 10_000) * 7200
    comments = []

    def say(ts: float, text: str, slug: str | None = None) -> None:
        comments.append({"show_id": show, "platform": "test", "user_hash": f"u{len(comments)}", "text": text,
                         "ts": t0 + ts, "slug": slug, "score": 0.6 if slug else 0.0, "is_question": True})
    for k in range(10):  # before the answer (600 s): 10 asks of the item, 5 of another item, in 300 s
        say(300 + k * 29, "几号发货", "shipping-time")
    for k in range(5):
        say(310 + k * 55, "优惠券能叠加吗", "coupon-stacking")
        say(605 + k * 55, "优惠券能叠加吗", "coupon-stacking")  # after: the other item goes on the same
    say(700, "几号发货", "shipping-time")  # still asking, during the answer
    say(800, "什么时候发货", "shipping-time")  # still asking, after it ended
    say(610, "1")  # before the host asked the room: not counted
    for k, text in enumerate(["1", "扣1", "懂了", "解决了", "明白", "111"]):
        say(630 + k * 10, text)
    say(700, "好的")  # not a resolution signal
    say(950, "懂了")  # outside the window
    with Session(db(server)) as s, s.begin():
        s.execute(update(Show).where(Show.id == show).values(status="ended", started_at=t0, ended_at=t0 + 3600))
        s.execute(insert(Segment), [{"show_id": show, "slug": "shipping-time", "started_at": t0 + 600,
                                     "ended_at": t0 + 750}])
        s.execute(insert(Comment), comments)
        s.execute(insert(ChatReply), [{"show_id": show, "platform": "douyin", "slug": "shipping-time", "user_hash": "x",
                                       "comment_text": "几号发货", "text": f"reply {state}", "template": 0,
                                       "mode": "suggest", "state": state, "error": "", "created_at": t0 + 100}
                                      for state in ("posted", "copied", "dismissed")])
        s.execute(insert(Case), [{"show_id": show, "platform": "test", "user_hash": "c", "text": "我的快递没动",
                                  "normalized": "", "kind": "personal", "reason": "personal.parcel_stuck",
                                  "reasons": [], "urgency": 40, "state": "resolved", "comment_ts": t0 + 50,
                                  "created_at": t0 + 50, "claimed_at": t0 + 80, "closed_at": t0 + 200}])
        s.execute(insert(OneToOneContact), [{"ext_id": f"{show}-{i}", "ts": t0 + 100 * (i + 1), "channel": "旺旺"}
                                            for i in range(4)])
    return t0


def test_resolution_signals_are_the_rooms_words():
    assert all(is_resolution(t) for t in ("1", "扣1", "懂了", "解决了", "明白", "明白了", "111", "扣 1！"))
    assert not any(is_resolution(t) for t in ("好的", "12", "几号发货", "不明白", "没解决"))


def test_per_answer_effect_matches_the_hand_count(server, show):
    t0 = replay(server, show)
    host = server.session(server.tokens["host"])
    # the host's key: "解决了扣1", 20 s into the answer (the fixture's clock)
    r = host.post(f"{server.url}/api/shows/{show}/room-asks", json={"slug": "shipping-time"})
    assert r.status_code == 200
    with Session(db(server)) as s, s.begin():
        from studio.store.models import RoomAsk
        s.execute(update(RoomAsk).where(RoomAsk.show_id == show).values(at=t0 + 620))
    report = server.session(server.tokens["lead"]).get(f"{server.url}/api/shows/{show}/proof").json()
    [a] = report["answers"]
    assert a["slug"] == "shipping-time" and a["window_seconds"] == 300
    assert (a["asks_before"], a["asks_after"]) == (10, 2)
    assert (a["rate_before"], a["rate_after"], a["drop"]) == (2.0, 0.4, 0.8)
    assert (a["others_rate_before"], a["others_rate_after"], a["others_drop"]) == (1.0, 1.0, 0.0)
    assert a["drop_vs_others"] == 0.8
    assert a["resolution_signals"] == 6 and a["still_asking"] == 2 and a["room_asked_at"] == t0 + 620
    tiers = report["tiers"]
    # bot: posted + copied; host: the item's asks from 300 s before the answer to its end (10 + 1);
    # specialist: one claimed case; one-to-one: four contacts in the show
    assert tiers["counts"] == {"answered_in_chat": 2, "answered_on_air": 11, "handled_by_specialist": 1,
                               "escalated_to_one_to_one": 4}
    assert tiers["total"] == 18 and tiers["shares"]["answered_on_air"] == round(11 / 18, 4)


def test_room_asks_and_proof_refuse_bad_requests(server, show):
    host = server.session(server.tokens["host"])
    assert host.post(f"{server.url}/api/shows/{show}/room-asks", json={"slug": 3}).status_code == 400
    assert host.post(f"{server.url}/api/shows/nope/room-asks").status_code == 404
    assert server.session(server.tokens["agent"]).post(f"{server.url}/api/shows/{show}/room-asks").status_code == 403
    assert server.session().get(f"{server.url}/api/shows/{show}/proof").status_code == 401
    r = host.post(f"{server.url}/api/shows/{show}/room-asks")  # nothing on air: a mark for the show
    assert r.status_code == 200 and r.json()["slug"] is None


def test_the_printable_report_states_each_tiers_share_as_the_dashboard_does(server, show):
    """The hand-counted fixture on the lead's printable report: the four tiers in help-desk words, with the counts
    and the shares the dashboard shows (its rounding: whole percents, halves up)."""
    import re

    replay(server, show)
    lead = server.login("lead")
    page = lead.get(f"{server.url}/lead/{show}/report", headers={"Accept-Language": "zh-CN"})
    assert page.status_code == 200, page.text[:300]
    rows = re.findall(r'<tr data-tier="(\w+)"><th>(.*?)</th><td data-cell="count">(\d+)</td>\s*'
                      r'<td data-cell="share">([^<]+)</td>', page.text)
    assert rows == [("answered_in_chat", "聊天区已答（机器人）", "2", "11%"),
                    ("answered_on_air", "直播中讲解（主播）", "11", "61%"),
                    ("handled_by_specialist", "专员处理", "1", "6%"),
                    ("escalated_to_one_to_one", "转一对一", "4", "22%")]
    tiers = lead.get(f"{server.url}/api/shows/{show}/proof").json()["tiers"]  # what the dashboard draws
    assert [(k, str(tiers["counts"][k]), f"{int(tiers['shares'][k] * 100 + 0.5)}%") for k, *_ in rows] == \
        [(k, n, share) for k, _, n, share in rows]
