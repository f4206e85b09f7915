"""The review queue's grouping and bounds, and the crew's decisions in the catalog files (Markdown, zip, CSV)."""
from __future__ import annotations

from faq_catalog.catalog_io import Taught, items_to_csv, items_to_zip, parse_csv_text, parse_markdown_files, parse_zip
from faq_catalog.model import FaqItem
from studio.comments.review import ReviewQueue

ITEMS = [FaqItem(slug="shipping-time", question="什么时候发货？", number=1, status="on_shelf"),
         FaqItem(slug="invoice", question="怎么开发票？", number=2, status="on_shelf")]
TAUGHT = [Taught("sfh了吗", "shipping-time"), Taught("发票|发货", "invoice", "shipping-time"),
          Taught("哈哈发货了", None, "shipping-time"), Taught("主播好美", None)]


def test_queue_groups_by_text_and_orders_by_distinct_viewers():
    q = ReviewQueue(clock=lambda: 1000.0)
    for user in ("a", "a", "a", "a"):
        q.add("x了吗", "x了吗", user, "stable", 1000.0)
    for user in ("b", "c"):
        q.add("y了吗", "Y了吗？", user, "stable", 999.0)
    q.add("y了吗", "y了吗", "", "absent", 999.5)  # no usable viewer id: a comment, not an asker
    top = q.top()
    assert [(e["normalized"], e["askers"], e["count"]) for e in top] == [("y了吗", 2, 3), ("x了吗", 1, 4)]
    assert [s["text"] for s in top[0]["samples"]] == ["y了吗", "Y了吗？"]  # newest first, each text once
    assert q.drop(lambda n: n != "y了吗") == 1 and [e["normalized"] for e in q.top()] == ["x了吗"]


def test_queue_is_bounded_and_forgets_idle_texts():
    now = [1000.0]
    q = ReviewQueue(max_groups=20, idle_expiry=60, clock=lambda: now[0])
    for i in range(200):
        q.add(f"问{i}", f"问{i}", f"u{i}", "stable", now[0])
        assert len(q) <= 20
    now[0] += 61
    assert q.top() == []


def test_markdown_zip_carries_decisions_per_item():
    parsed = parse_zip(items_to_zip(ITEMS, TAUGHT), "c.zip")
    assert parsed.ok, parsed.errors
    assert {(t.text, t.faq, t.guess) for t in parsed.taught} == {(t.text, t.faq, t.guess) for t in TAUGHT}
    assert parse_zip(items_to_zip(ITEMS), "plain.zip").taught == []


def test_csv_carries_decisions_of_items():
    parsed = parse_csv_text(items_to_csv(ITEMS, taught=TAUGHT).lstrip("\ufeff"), "c.csv")
    assert parsed.ok, parsed.errors
    got = {(t.text, t.faq, t.guess) for t in parsed.taught}
    # a "|" inside a comment is written as "｜"; a comment that asks no item and was given none needs the Markdown
    assert got == {("sfh了吗", "shipping-time", None), ("发票｜发货", "invoice", "shipping-time"),
                   ("哈哈发货了", None, "shipping-time")}
    assert "taught" not in items_to_csv(ITEMS).splitlines()[0]


def test_bad_decision_lists_are_reported_with_their_line():
    text = "---\nslug: a\nquestion: 发货？\ntaught: {x: 1}\n---\nbody\n"
    parsed = parse_markdown_files([("a.md", text.encode())], "folder")
    assert not parsed.ok and parsed.errors[0].line == 4 and "taught" in parsed.errors[0].message
    bad = parse_markdown_files([("a.md", b"---\nslug: a\nquestion: q\n---\n"), ("_not_questions.yaml", b"a: [")], "f")
    assert not bad.ok and bad.errors[0].file == "_not_questions.yaml"
