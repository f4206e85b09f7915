"""The matcher's second stage (resemblance to an item's own text) and its context reads, on a catalog written here."""
from __future__ import annotations

import pytest

from faq_catalog.feedback import Feedback
from faq_catalog.match_resemble import Resemblance, features
from faq_catalog.matcher import REVIEW_BELOW, Matcher
from faq_catalog.model import FaqItem, build_item
from faq_catalog.normalize import normalize

CATALOG = [
    {"slug": "when-ship", "question": "什么时候发货？下单后多久能收到？", "keywords": ["发货", "几天发", "多久能收到"],
     "examples": ["什么时候发货", "今天拍的几天能发"]},
    {"slug": "tracking", "question": "已经发货了，怎么查物流？", "keywords": ["物流", "查物流", "快递到哪", "单号"],
     "examples": ["物流怎么查", "快递单号在哪看"]},
    {"slug": "genuine", "question": "是正品吗？能去专柜验货吗？", "keywords": ["正品", "假货", "专柜", "验货"],
     "examples": ["是不是正品", "专柜能验吗"]},
    {"slug": "storage", "question": "食品怎么保存？要放冰箱吗？", "keywords": ["保存", "冷藏", "放冰箱", "常温"],
     "examples": ["要冷藏吗", "开封后怎么保存", "夏天温度高会不会化"]},
    {"slug": "installment", "question": "能分期付款吗？有免息吗？", "keywords": ["分期", "免息", "花呗分期"],
     "examples": ["能分期吗", "可以分几期", "分期有没有利息"]},
    {"slug": "wrong-item", "question": "发错货或少发了怎么办？", "keywords": ["漏发", "发错", "少发"],
     "examples": ["颜色发错了怎么办", "收到少了一件"]},
    {"slug": "wrong-order", "question": "拍错了能改吗？", "keywords": ["拍错", "改颜色", "改尺码"],
     "examples": ["拍错颜色了能改吗", "尺码选错了"]},
    {"slug": "insurance", "question": "有运费险吗？", "keywords": ["运费险", "退货险"], "examples": ["送运费险吗"]},
    {"slug": "gift", "question": "赠品怎么领？", "keywords": ["赠品", "小样", "送什么"], "examples": ["买了送什么"]},
    {"slug": "next-up", "question": "下一个上什么？", "keywords": ["下一个", "什么时候上", "节目单"],
     "examples": ["下一个是什么", "零食什么时候上"]},
    {"slug": "discount", "question": "跨店满减怎么算？", "keywords": ["满减", "跨店", "凑单"],
     "examples": ["满多少减多少", "能凑单吗"]},
    {"slug": "restock", "question": "卖完了还会补货吗？", "keywords": ["补货", "返场", "没货了"],
     "examples": ["还会补货吗", "卖完了还有吗"]},
    {"slug": "stacking", "question": "优惠券能叠加使用吗？", "keywords": ["叠加", "一起用"],
     "examples": ["优惠券可以叠加吗"]},
    {"slug": "combine", "question": "几个订单能合并发货吗？", "keywords": ["合并发货", "一起发"],
     "examples": ["两单能一起发吗"]},
]


def items() -> list[FaqItem]:
    return [build_item({**d, "number": n, "status": "on_shelf"}) for n, d in enumerate(CATALOG, start=1)]


@pytest.fixture(scope="module")
def matcher() -> Matcher:
    return Matcher(items())


def test_second_stage_answers_a_question_in_words_of_its_own(matcher: Matcher) -> None:
    # No lexicon word or catalog phrase names the item; its characters are the item's own.
    for text, slug in (("柜台能验吗", "genuine"), ("温度高了会化吗", "storage")):
        assert not matcher.explain(text)[1], text  # the first stage has nothing
        m = matcher.match(text)
        assert m.slug == slug, (text, matcher.explain(text))
        assert m.review and m.score < REVIEW_BELOW  # a likely answer for the crew to confirm
    assert matcher.match("拿去柜台 行吗").slug is None  # two characters of the item's are not enough


@pytest.mark.parametrize("text", [
    "这个锅适合几口人用",       # shares one ordinary word with some item at most
    "面膜是什么材质的",
    "主播哪里人呀",
    "有没有卖手机的",
])
def test_second_stage_leaves_off_catalog_questions_alone(matcher: Matcher, text: str) -> None:
    assert matcher.match(text).slug is None, matcher.explain(text)


def test_second_stage_only_for_questions(matcher: Matcher) -> None:
    assert matcher.match("柜台验过了 好评").slug is None  # a statement, not a question


def test_resemblance_needs_margin_and_more_than_one_word() -> None:
    def f(text: str) -> dict:
        return features(normalize(text), [])

    r = Resemblance([[f("专柜验真")], [f("冰箱冷藏")], [f("快递单号")]], [[], [], []])
    assert r.best(f("去专柜验真吗"))[0] == 0
    assert r.best(f("专柜"))[0] is None          # one word: too little to name an item
    assert r.best(f("专柜冰箱"))[0] is None      # two items alike: no clear winner
    told = Resemblance([[f("专柜验真")], [f("冰箱冷藏")], [f("快递单号")]], [[], [], []], [f("专柜验真在哪学")])
    assert told.best(f("去专柜验真吗"))[0] is None  # as close to a comment the crew said asks no item


def test_goods_names_are_not_evidence() -> None:
    feats = features(normalize("面膜怎么用"), [])
    assert not any(key[1] in ("面", "膜", "面膜") for key in feats)


def test_taught_comment_teaches_the_second_stage() -> None:
    cold = Matcher(items())
    assert cold.match("零利率的有吗").slug is None
    taught = Matcher(items(), [Feedback("有没有零利率", "installment")])
    assert taught.match("零利率的有吗").slug == "installment"  # another comment, with the taught words
    assert taught.match("零食好吃").slug is None


def test_not_a_shelf_question_is_remembered_by_the_second_stage() -> None:
    cold = Matcher(items())
    assert cold.match("温度高了会化吗").slug == "storage"
    taught = Matcher(items(), [Feedback("温度高了会化吗 这个口红", None)])
    assert taught.match("温度高了会化吗").slug is None
    assert taught.match("要冷藏吗").slug == "storage"  # the item itself still answers


@pytest.mark.parametrize("text, slug", [
    ("送不送运费险", "insurance"),             # A-not-A counts its word once: 送 is no gift here
    ("我要的黑色寄来白色", "wrong-item"),       # a colour ordered, another received
    ("选了黑色其实想要白的 能改不", "wrong-order"),  # two colours and a correction, before shipping
    ("还有多久到零食", "next-up"),              # a product's turn
    ("货到哪了", "tracking"),                  # goods gone where: the parcel
    ("满300-50能跨店吗", "discount"),
    ("买600能减多少", "discount"),               # an amount spent and what comes off it
    ("什么时候再开卖", "restock"),               # again, before going on sale
    ("店铺券同平台券会不会冲突", "stacking"),     # two coupons in one question
    ("两个订单一起送行吗", "combine"),           # 送 sent together is delivery, not a gift
    ("买了送什么", "gift"),
    ("收到的跟我拍的不是一个东西", "wrong-item"),  # what came is not what was ordered
])
def test_context_reads(matcher: Matcher, text: str, slug: str) -> None:
    assert matcher.match(text).slug == slug, (text, matcher.explain(text))


def test_tiered_discount_in_normalize() -> None:
    assert normalize("300-50上不封顶吗") == "满300减50上不封顶吗"
    assert normalize("电话138-1234") == "电话1381234"  # not a discount: the second figure is larger


def test_trouble_in_the_viewers_own_words_asks(matcher: Matcher) -> None:
    assert matcher.match("一直付不出去").is_question
    assert matcher.match("一直付不出去").slug is None  # no item about payments here: a question all the same
    assert matcher.match("漏发的已经补寄了 点赞").slug is None  # settled
