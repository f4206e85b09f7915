"""Emerging questions: clustering unmatched questions on its own, then through a running server."""
import pytest
import requests

from faq_catalog.model import SLUG_RE
from faq_catalog.normalize import normalize
from studio.comments.emerging import EmergingQuestions, features
from tests.support.comment_client import post, ranking
from tests.support.shows import new_show
from tests.support.waiting import poll

# Questions the demo catalog does not answer, each in several viewers' words (some Traditional).
CAPACITY = ["空气炸锅是几升的", "空气炸锅几升啊", "空氣炸鍋幾升", "主播 空气炸锅有几升"]
NIACINAMIDE = ["这个精华里面有烟酰胺吗", "精华有没有烟酰胺呀", "請問精華含煙酰胺嗎？", "精华含烟酰胺吗"]


def feed(e: EmergingQuestions, texts, users, quality="stable", t=1000.0):
    return [e.add(normalize(x), x, u, quality, t) for x, u in zip(texts, users)]


def test_paraphrases_cluster_and_topics_stay_apart():
    e = EmergingQuestions(min_askers=3, clock=lambda: 1000.0)
    a = feed(e, CAPACITY, ["a1", "a2", "a3", "a4"])
    b = feed(e, NIACINAMIDE, ["b1", "b2", "b3", "b4"])
    assert len(set(a)) == 1 and len(set(b)) == 1 and set(a) != set(b)
    surfaced = e.surfaced()
    assert [c["askers"] for c in surfaced] == [4, 4]
    capacity = next(c for c in surfaced if c["id"] == a[0])
    assert "空气炸锅" in capacity["keywords"]
    assert capacity["question"].endswith("？") and "空气炸锅" in capacity["question"]
    assert {s["text"] for s in capacity["samples"]} == set(CAPACITY)
    draft = capacity["draft"]
    assert SLUG_RE.match(draft["slug"]) and draft["status"] == "draft"
    assert draft["question"] == capacity["question"] and set(draft["examples"]) == set(CAPACITY)


def test_surfaced_only_with_enough_distinct_askers():
    e = EmergingQuestions(min_askers=3, clock=lambda: 1000.0)
    feed(e, CAPACITY * 3, ["same"] * 12)  # one viewer asking twelve times
    feed(e, NIACINAMIDE, [""] * 4, quality="absent")  # nobody we can tell apart
    assert e.surfaced() == []
    feed(e, CAPACITY[:2], ["second", "third"])
    assert [c["askers"] for c in e.surfaced()] == [3]


def test_traditional_suggestion_is_written_in_simplified():
    e = EmergingQuestions(min_askers=2, clock=lambda: 1000.0)
    feed(e, ["空氣炸鍋幾升", "空氣炸鍋幾升"], ["u1", "u2"])
    assert e.surfaced()[0]["question"] == "空气炸锅几升？"


def test_memory_is_bounded_and_idle_clusters_expire():
    now = [1000.0]
    e = EmergingQuestions(min_askers=1, max_clusters=50, idle_expiry=600, clock=lambda: now[0])
    for i in range(500):  # 500 unrelated questions: never more than 50 clusters
        text = f"第{i}号货架的{chr(0x4E00 + 7 * i)}{chr(0x4E00 + 11 * i + 3)}是什么"
        e.add(normalize(text), text, f"v{i}", "stable", now[0])
        assert len(e) <= 50
    now[0] += 601
    assert e.surfaced() == []


def test_clusters_the_catalog_now_covers_are_dropped():
    e = EmergingQuestions(min_askers=2, clock=lambda: 1000.0)
    feed(e, CAPACITY, ["a1", "a2", "a3", "a4"])
    feed(e, NIACINAMIDE, ["b1", "b2", "b3", "b4"])
    assert e.drop_covered(lambda text: "炸" in text or "炸" in normalize(text)) == 1
    assert [c["keywords"][0] for c in e.surfaced()] == ["烟酰胺"]


def test_nothing_topical_is_not_clustered():
    e = EmergingQuestions()
    assert features(normalize("怎么了呢")) == frozenset()
    assert e.add(normalize("怎么了呢"), "怎么了呢", "u1") is None and len(e) == 0


def test_emerging_endpoint_surfaces_unmatched_questions(server):
    show = new_show(server)
    items = [{"user": f"viewer{i}", "text": text} for i, text in enumerate(CAPACITY)]
    items += [{"user": "chatty", "text": "主播好美"}, {"user": "x", "text": "什么时候发货"}]
    assert post(server, show, items).json()["accepted"] == 6
    url = f"{server.url}/api/shows/{show}/emerging"
    assert requests.get(url).status_code == 401
    assert server.session(server.tokens["ingest"]).get(url).status_code == 403
    body = server.session(server.tokens["producer"]).get(url).json()
    assert len(body["items"]) == 1
    cluster = body["items"][0]
    assert cluster["askers"] == 4 and "空气炸锅" in cluster["keywords"]
    assert {s["text"] for s in cluster["samples"]} == set(CAPACITY)
    # the host console reads it too
    assert server.login("host").get(url).json()["items"][0]["id"] == cluster["id"]


@pytest.mark.parametrize("role", ["host", "producer"])
def test_emerging_is_404_for_unknown_show(server, role):
    r = server.session(server.tokens[role]).get(f"{server.url}/api/shows/no-such-show/emerging")
    assert r.status_code == 404 and r.json()["error"]


def test_a_new_item_from_the_draft_takes_over_its_questions(server):
    """The producer creates an item from an emerging question's draft: the matcher is rebuilt in the background,
    the cluster leaves the emerging list, and the next comments count for the new item."""
    show = new_show(server)
    questions = ["挂烫机要加纯净水吗", "挂烫机加纯净水还是自来水", "掛燙機要加純淨水嗎", "挂烫机是不是要加纯净水"]
    post(server, show, [{"user": f"steam{i}", "text": t} for i, t in enumerate(questions)])
    producer = server.session(server.tokens["producer"])
    emerging_url = f"{server.url}/api/shows/{show}/emerging"
    cluster = producer.get(emerging_url).json()["items"][0]
    draft = {**cluster["draft"], "slug": "steamer-water-" + show[2:], "answer": "用纯净水或凉白开。"}
    assert "挂烫机" in draft["keywords"]
    assert producer.post(f"{server.url}/api/faq", json=draft).status_code == 201

    def taken_over():
        post(server, show, [{"user": "after", "text": "挂烫机要加纯净水吗？"}])
        return draft["slug"] in ranking(server, show)

    assert poll(taken_over, timeout=10, every=0.3)
    assert producer.get(emerging_url).json()["items"] == []
