"""normalize(): one compact canonical form for whatever a viewer typed."""
from __future__ import annotations

import time

import pytest

from faq_catalog.normalize import normalize, normalize_many


@pytest.mark.parametrize("raw, expected", [
    ("優惠券在哪裡領", "优惠券在哪里领"),            # Traditional → Simplified
    ("幾時發貨呀", "几时发货呀"),
    ("ＬＩＮＫ　呢！！", "link呢"),                    # full-width letters, ideographic space, punctuation
    ("３号链接", "3号链接"),                          # full-width digit kept as a digit
    ("Size 多大", "size多大"),                        # lower case, spaces dropped
    ("3号链接😍😍🎉", "3号链接"),                    # emoji dropped, digits kept
    ("🎉🎉", ""),
    ("？？？", ""),
    ("哈哈哈哈哈", "哈哈"),                           # a run of one character folds to two
    ("好用好用好用", "好用"),                        # a repeated short phrase folds to one
    ("满1000减100", "满1000减100"),                   # digits never fold
    ("[强][干杯]太值了", "太值了"),                  # platform sticker codes
    ("@客服小妹 发货了吗", "发货了吗"),              # @-mention up to the space
    ("回复@阿花：我也要", "我也要"),                  # reply prefix
    ("@主播链接呢", "主播链接呢"),                   # a glued mention keeps its words
    ("退款\x00\x07到了吗\n", "退款到了吗"),          # control characters
    ("", ""),
])
def test_normalize_cases(raw: str, expected: str) -> None:
    assert normalize(raw) == expected


def test_batch_matches_single() -> None:
    texts = ["優惠券在哪裡領", "多行\n的评论", "", "哈哈哈哈", "ＯＫ", "[强]"]
    assert normalize_many(texts) == [normalize(t) for t in texts]
    assert normalize_many([]) == []


def test_normalize_is_fast() -> None:
    """A loose floor that holds on a busy shared machine; bench/bench_matcher.py has the real figures
    (hundreds of thousands per second on one idle core)."""
    texts = ["什麼時候發貨呀😭😭", "link呢", "哈哈哈哈哈哈", "3号链接拍了", "@小助手 券在哪"] * 2000
    normalize(texts[0])  # converter loaded once
    start = time.perf_counter()
    for t in texts:
        normalize(t)
    per_second = len(texts) / (time.perf_counter() - start)
    assert per_second > 5_000
