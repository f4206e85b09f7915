"""Product questions matched to the run sheet's product and the fact asked, on a fixture of comments written for
it: product questions in many phrasings (numbers, 三号, name pieces, 这个, 繁體) mixed with FAQ questions and chatter.
Top-1 (product and field both right), field accuracy and false matches (a comment that asks no product fact
taken as one) are printed with -s and held to floors."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from faq_catalog.catalog_io import load_catalog
from faq_catalog.matcher import Matcher
from faq_catalog.product_match import ProductAsk, ProductFacts, ProductMatcher, answer, fact_reply
from studio.products.runsheet import guess_mapping, parse, read_sheet

REPO = Path(__file__).resolve().parents[2]
FIXTURE = REPO / "tests" / "fixtures" / "product_comments.jsonl"
SHEET = REPO / "tests" / "fixtures" / "runsheets" / "night.csv"


@pytest.fixture(scope="module")
def sheet():
    s = read_sheet(SHEET.read_bytes(), SHEET.name)
    return parse(s, guess_mapping(s.headers))


@pytest.fixture(scope="module")
def matchers(sheet):
    products = [ProductFacts(n, f["name"], f.get("shop", ""), f.get("category", "")) for n, f in sheet.products.items()]
    return Matcher.from_items(load_catalog(REPO / "faq_catalog" / "demo").items), ProductMatcher(products)


def run(matchers, text: str) -> ProductAsk | None:
    """As the engine does: the FAQ matcher first, the product matcher on its normalized text, 1号 on air."""
    faq, products = matchers
    m = faq.match(text)
    return products.match(m.normalized, on_air=1, upcoming=(2, 3, 5, 4), faq_answered=m.slug is not None)


def test_fixture_figures(matchers):
    lines = [json.loads(x) for x in FIXTURE.read_text(encoding="utf-8").splitlines() if x.strip()]
    assert len(lines) >= 150
    asks = [x for x in lines if x["field"]]
    others = [x for x in lines if not x["field"]]
    top1 = field_ok = 0
    misses, false = [], []
    for x in asks:
        got = run(matchers, x["text"])
        if got and got.field == x["field"]:
            field_ok += 1
        if got and got.field == x["field"] and got.number == x["product"]:
            top1 += 1
        else:
            misses.append((x["text"], got))
    for x in others:
        got = run(matchers, x["text"])
        if got is not None:
            false.append((x["text"], got, x.get("kind")))
    print(f"\nproduct questions {len(asks)}: top-1 {top1 / len(asks):.1%}, field {field_ok / len(asks):.1%}; "
          f"other comments {len(others)} (FAQ and chatter): false matches {len(false)} "
          f"({len(false) / len(others):.1%})")
    for text, got in misses:
        print("  miss ", text, got)
    for text, got, kind in false:
        print("  false", kind, text, got)
    assert top1 / len(asks) >= 0.9
    assert field_ok / len(asks) >= 0.95
    assert len(false) / len(others) <= 0.03


def test_numbers_names_and_the_product_on_air(matchers):
    assert run(matchers, "3号多少钱") == ProductAsk(3, "price", True)
    assert run(matchers, "这个口红有货吗") == ProductAsk(1, "stock", True)
    assert run(matchers, "几点上零食") == ProductAsk(2, "start_time", True, sure=False), \
        "零食: the nearest one to come, a pick among the sheet's snacks"
    assert run(matchers, "有货吗") == ProductAsk(1, "stock", False), "no product named: the one on air"
    assert run(matchers, "主播几点下播") is None, "a time question naming no product is no product question"
    assert run(matchers, "99号多少钱").number == 1, "a number not on the sheet names nothing"
    assert run(matchers, "主播好美") is None


def test_answers_come_from_the_sheet(sheet):
    facts = sheet.products
    assert answer(ProductAsk(None, "next", False), facts, (2, 3)) == "下一个是2号 三只松鼠每日坚果礼盒，20:15开讲"
    assert answer(ProductAsk(1, "price", True), facts) == "1号 完美日记小细跟口红：到手价79，满减满199减30"
    assert answer(ProductAsk(2, "stock", True), facts) == "2号 三只松鼠每日坚果礼盒：库存待确认"


def test_a_reply_in_chat_says_only_settled_facts(sheet):
    facts = sheet.products
    assert fact_reply(ProductAsk(1, "price", True), facts[1]) == "1号 完美日记小细跟口红：到手价79，满减满199减30"
    assert fact_reply(ProductAsk(2, "stock", True), facts[2]) is None  # 待确认: no reply
    assert fact_reply(ProductAsk(2, "price", True), {**facts[2], "price": " 待定 "}) is None
    assert fact_reply(ProductAsk(1, "price", True), {**facts[1], "discount": "TBD"}) == \
        "1号 完美日记小细跟口红：到手价79", "an unsettled discount is left out beside a known price"
    assert fact_reply(ProductAsk(None, "next", False), facts[1]) is None
