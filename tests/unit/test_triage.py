"""The routing rules of the specialist queue (faq_catalog.triage) on a labeled fixture written for them, plus the
repeat counter and what the crew teaches."""
from __future__ import annotations

import json
from pathlib import Path

from faq_catalog.normalize import normalize
from faq_catalog.triage import RepeatAsks, Triage

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "triage_labeled.jsonl"
ROWS = [json.loads(line) for line in FIXTURE.read_text(encoding="utf-8").splitlines() if line.strip()]


def scores() -> dict[str, tuple[float, float]]:
    """Precision and recall per label (personal, angry) and for routing as a whole (either label)."""
    triage = Triage()
    got = []
    for r in ROWS:
        v = triage.classify(r["text"], normalize(r["text"]))
        got.append((r["label"], "neither" if v is None else v.kind))
    out = {}
    for label in ("personal", "angry", "routed"):
        def hit(x: str) -> bool:
            return x != "neither" if label == "routed" else x == label
        tp = sum(1 for want, have in got if hit(want) and hit(have))
        predicted = sum(1 for _, have in got if hit(have))
        actual = sum(1 for want, _ in got if hit(want))
        out[label] = (tp / predicted if predicted else 0.0, tp / actual if actual else 0.0)
    return out


def test_fixture_is_balanced_and_labeled():
    labels = [r["label"] for r in ROWS]
    assert set(labels) == {"personal", "angry", "neither"}
    assert min(labels.count(x) for x in ("personal", "angry", "neither")) >= 15


def test_precision_and_recall_on_the_labeled_fixture():
    s = scores()
    print({k: {"precision": round(p, 3), "recall": round(r, 3)} for k, (p, r) in s.items()})
    assert s["routed"][0] >= 0.95 and s["routed"][1] >= 0.95, s
    assert s["personal"][0] >= 0.9 and s["personal"][1] >= 0.85, s
    assert s["angry"][0] >= 0.9 and s["angry"][1] >= 0.9, s


def test_faq_questions_about_the_same_topics_are_not_routed():
    t = Triage()
    for text in ("几号发货", "退款多久到账", "怎么查物流", "坏了包退吗", "How long does a refund take"):
        assert t.classify(text, normalize(text)) is None, text
    # ... while the viewer's own case on that topic is
    v = t.classify("我的退款还没到账", normalize("我的退款还没到账"))
    assert v.kind == "personal" and v.reason == "personal.refund_missing"


def test_angry_outranks_personal_and_floods_add_urgency():
    t = Triage()
    personal = t.classify("我的快递三天没动了", normalize("我的快递三天没动了"))
    angry = t.classify("再不退款我就投诉", normalize("再不退款我就投诉"))
    both = t.classify("快递三天没动了！！！再不处理我就投诉", normalize("快递三天没动了！！！再不处理我就投诉"))
    assert personal.reason == "personal.parcel_stuck" and angry.reason == "angry.complaint"
    assert personal.urgency < angry.urgency < both.urgency <= 100
    assert both.kind == "angry" and set(both.reasons) >= {"angry.complaint", "urgent.exclaim", "personal.parcel_stuck"}
    caps = t.classify("WHERE IS MY ORDER", normalize("WHERE IS MY ORDER"))
    assert "urgent.capitals" in caps.reasons


def test_a_viewer_who_keeps_asking_is_routed_once():
    t, asks = Triage(), RepeatAsks()
    verdicts = [t.classify("几号发货", "几号发货", asks.note("s", "v1", 1000.0 + i)) for i in range(5)]
    assert [v is not None for v in verdicts] == [False, False, True, False, False]
    assert verdicts[2].reason == "urgent.repeat"
    # another viewer, another show and an old ask do not count
    assert asks.note("s", "v2", 1003.0) == 0 and asks.note("other", "v1", 1003.0) == 0
    # the window runs from the first ask: after it, counting starts again
    assert asks.note("s", "v1", 1000.0 + RepeatAsks.WINDOW - 1) == 5
    assert asks.note("s", "v1", 1000.0 + RepeatAsks.WINDOW + 1) == 0


def test_what_the_crew_marks_not_ours_stops_being_routed():
    t = Triage()
    text = "我的快递三天没动了"
    assert t.classify(text, normalize(text)) is not None
    t.teach_not_ours(normalize(text))
    assert t.classify(text, normalize(text)) is None
    assert t.classify("我的快递五天没动了", normalize("我的快递五天没动了")) is not None


def test_the_prefilter_lets_through_every_text_a_rule_matches():
    """The pieces are read off the rules' parse trees: a text that any rule matches holds one of them, and a
    plain chat line holds none."""
    import re

    from faq_catalog import triage
    from faq_catalog.required_text import Prefilter, required_pieces
    assert required_pieces(r"投诉|(?<!\d)123(?:15|45)") == {"投诉", "123"}
    assert required_pieces(r"[!！]{3,}") == {"!!!", "!!！", "!！!", "!！！", "！!!", "！!！", "！！!", "！！！"}
    assert required_pieces(r"(?:没|未)?发") == {"发"} and required_pieces(r"a?b*") is None
    assert Prefilter([re.compile(r"x?")]).maybe("anything")  # a rule that needs nothing: every text is tried
    rules = [r for _, r in triage._PERSONAL] + [r for _, _, r in triage._ANGRY]
    texts = [r["text"] for r in ROWS] + ["我的快递卡在广州三天了", "WHERE IS MY ORDER", "退款还没到账", "骗子!!!"]
    for text in texts:
        n = normalize(text)
        if any(rule.search(n) for rule in rules):
            assert triage._CUES.maybe(n), text
        if triage._EXCLAIM.search(text) or triage._TWO_CAPITALS.search(text):
            assert triage._RAW_CUES.maybe(text), text
    assert not triage._CUES.maybe(normalize("主播今天好漂亮")) and not triage._RAW_CUES.maybe("主播今天好漂亮")
    assert Triage().classify("主播今天好漂亮", normalize("主播今天好漂亮")) is None


def test_latin_insults_only_as_words_of_their_own():
    t = Triage()
    for text in ("你个sb", "sb主播", "tmd还不发货"):
        assert t.classify(text, normalize(text)) is not None, text
    for text in ("是usb接口吗", "usb充电线有吗"):  # a product's spec holds no insult
        assert t.classify(text, normalize(text)) is None, text
