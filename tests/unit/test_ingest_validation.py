"""Item validation on its own: times, text cleaning, ids, duplicates inside one batch."""
import pytest

from studio.comments.ingest import MAX_TEXT, Rejected, ViewerPseudonyms, clean_text, parse_ts, validate

NOW = 1_700_000_000.0


def viewer() -> ViewerPseudonyms:
    return ViewerPseudonyms(lambda kind, value: f"h:{kind}:{value}")


@pytest.mark.parametrize("value, expected", [
    (None, NOW),
    (NOW - 30, NOW - 30),
    ((NOW - 30) * 1000, NOW - 30),  # milliseconds
    (str(NOW - 5), NOW - 5),
    ("2023-11-14T22:13:00+00:00", 1699999980.0),
    ("2023-11-15T06:13:00+08:00", 1699999980.0),
    ("2023-11-14T22:13:00Z", 1699999980.0),
    (NOW + 3600, NOW),  # the future is clamped to now
])
def test_times(value, expected):
    assert parse_ts(value, NOW) == pytest.approx(expected)


@pytest.mark.parametrize("value, reason", [
    (NOW - 49 * 3600, "48 hours"),
    ("2023-11-14T22:13:00", "UTC offset"),
    ("yesterday", "ISO 8601"),
    (True, "epoch"),
    ([1], "epoch"),
    (float("nan"), "finite"),
])
def test_bad_times(value, reason):
    with pytest.raises(Rejected, match=reason):
        parse_ts(value, NOW)


def test_cleaning():
    assert clean_text("  什么时候\t发货\n ") == "什么时候 发货"
    assert clean_text("发\x00货\x07了\u202e吗\u200b\x85") == "发货了吗"
    with pytest.raises(Rejected, match="UTF-8"):
        clean_text("发货\udcff")
    with pytest.raises(Rejected, match="UTF-8"):
        clean_text("\ud800")


def test_batch_keeps_good_items_and_names_bad_ones():
    items = [
        {"id": "1", "user": "a", "text": "什么时候发货", "extra": {"ignored": True}},
        {"id": "1", "user": "b", "text": "repeat of the same platform and id"},
        {"id": 1, "user": "b", "text": "same id as a number, other platform", "platform": "douyin"},
        {"user": "c", "text": ""},
        {"user": "c", "text": "x" * (MAX_TEXT + 1)},
        {"user": ["c"], "text": "hi"},
        {"text": "no user"},
        {"user_quality": "absent", "text": "no user, and the platform has none"},
        {"user": "d", "text": 5},
        {"user": "d", "text": "hi", "platform": "Bad Platform"},
        {"user": "d", "text": "hi", "id": 1.5},
        "not an object",
    ]
    out = validate("s", items, "http", NOW, viewer())
    assert out.duplicate == 1
    assert [r["text"] for r in out.rows] == ["什么时候发货", "same id as a number, other platform",
                                              "no user, and the platform has none"]
    assert out.rows[0]["platform"] == "http" and out.rows[0]["user_hash"] == "h:viewer:http:a"
    assert out.rows[2]["user_hash"] == "" and out.rows[2]["user_quality"] == "absent"
    reasons = {e["index"]: e["reason"] for e in out.errors}
    assert sorted(reasons) == [3, 4, 5, 6, 8, 9, 10, 11]
    assert "empty" in reasons[3] and "longer than 500" in reasons[4] and "user" in reasons[5]
    assert "user is missing" in reasons[6] and "text must be a string" in reasons[8]
    assert "platform" in reasons[9] and "id must be" in reasons[10] and "object" in reasons[11]
