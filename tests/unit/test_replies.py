"""Composing answers in chat (faq_catalog.replies): masking, templates in turn, never the same text twice in a row,
per-viewer and per-room limits under the platform's documented ones."""
from __future__ import annotations

from faq_catalog.replies import PLATFORM_LIMITS, ReplyComposer, mask_name

ANSWER = "付款后48小时内发货"


def compose(c: ReplyComposer, viewer: str, now: float, room: str = "show", platform: str = "douyin",
            templates=(), name: str | None = "小明", slug: str = "shipping-time"):
    return c.compose(room, platform, viewer, name, slug, 1, "发货时间", ANSWER, list(templates), now)


def test_names_are_masked():
    assert mask_name("小明") == "小*" and mask_name("alice") == "a*" and mask_name("@Bob") == "B*"
    assert mask_name("") == "" and mask_name(None) == ""


def test_the_reply_names_the_link_and_the_answer_with_the_masked_name():
    got = compose(ReplyComposer(), "v1", 1000.0)
    assert got.text == "@小*: 发货时间见1号链接: 付款后48小时内发货"
    nameless = compose(ReplyComposer(), "v1", 1000.0, name=None)
    assert nameless.text == "发货时间见1号链接: 付款后48小时内发货"


def test_templates_are_taken_in_turn_and_never_repeat_in_a_row():
    c = ReplyComposer()
    texts = [compose(c, f"v{i}", 1000.0 + i).text for i in range(6)]
    assert len(set(texts[:3])) == 3 and texts[3:] == texts[:3]
    assert all(a != b for a, b in zip(texts, texts[1:]))
    # one template only, a second viewer a moment later: the same text would follow itself, so none is composed
    one = ReplyComposer()
    assert compose(one, "a", 1000.0, templates=["{answer}"]).text == ANSWER
    again = compose(one, "b", 1001.0, templates=["{answer}"])
    assert again.text is None and again.skipped == "repeat"


def test_one_reply_per_viewer_per_window():
    c = ReplyComposer(viewer_every=120)
    assert compose(c, "v1", 1000.0).text
    assert compose(c, "v1", 1060.0).skipped == "rate_limited_viewer"
    assert compose(c, "v2", 1060.0).text
    assert compose(c, "v1", 1121.0).text


def test_the_room_limit_never_exceeds_the_platforms_documented_one():
    limit, per = PLATFORM_LIMITS["twitch"]
    assert ReplyComposer.room_limit("twitch", (1000, 30.0)) == (limit, per)
    assert ReplyComposer.room_limit("twitch", (5, 30.0)) == (5, 30.0)
    c = ReplyComposer()
    sent = [compose(c, f"v{i}", 1000.0 + i * 0.1, platform="twitch").text for i in range(limit + 5)]
    assert sum(t is not None for t in sent) == limit
    assert compose(c, "late", 1000.0 + per + 1, platform="twitch").text  # the window moved on


def test_a_resemblance_match_is_never_answered_in_chat():
    from faq_catalog.matcher import GUESS_CONFIDENCE
    from faq_catalog.replies import MIN_SCORE
    assert GUESS_CONFIDENCE < MIN_SCORE


def test_a_batch_is_read_only_until_its_rooms_fill_up():
    """compose_many over answerable(): a room that fills up leaves the openings, rows still to come on its
    platform are not built, and the reading stops once no room is open."""
    from faq_catalog.matcher import Match
    from faq_catalog.replies import ReplyFacts, answerable
    c = ReplyComposer()
    limit, _ = PLATFORM_LIMITS["twitch"]
    matches = [Match("shipping-time", 0.7, "几号发货", True)] * (limit + 10) + [Match("other", 0.7, "x", True)]
    platforms = ["twitch"] * len(matches)
    facts = {"shipping-time": ReplyFacts(1, "发货时间", ANSWER)}
    openings = c.openings("show", facts.keys(), {"twitch"}, 1000.0)
    built = []

    def candidates():
        for i in answerable(matches, platforms, openings):
            built.append(i)
            yield {"platform": "twitch", "user_hash": f"v{i}", "name": None, "slug": matches[i].slug}

    done, skipped = c.compose_many("show", candidates(), facts, 1000.0, openings)
    assert len(done) == limit and skipped == {"rate_limited_room": 1}
    assert len(built) == limit + 1 and openings.platforms == set()  # the rest were never read
    assert c.openings("show", facts.keys(), {"twitch"}, 1001.0) is None  # a full room: nothing to look at
    assert c.openings("show", facts.keys(), {"twitch", "douyin"}, 1001.0).platforms == {"douyin"}
    assert list(answerable([Match("shipping-time", 0.2, "几号发货", True)], ["douyin"], openings)) == []
