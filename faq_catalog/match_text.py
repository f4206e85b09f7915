"""Fold normalized text onto canonical words, the common ground of comments and catalog items.

Three steps, each a single pass: Latin runs (English words, pinyin abbreviations) become Chinese words,
number patterns such as 满300减50 become the notion they stand for, then two leftmost-longest
Aho-Corasick passes rewrite synonyms: first function words and dialect (哪儿 → 哪里, 咋 → 怎么), then
domain vocabulary (written in first-pass form, so 没更新 and 没有更新 are one entry).
"""
from __future__ import annotations

import re
from functools import lru_cache
from typing import Mapping

import ahocorasick_rs
from pypinyin import Style, lazy_pinyin

from .match_lexicon import GOODS, GOODS_TOKEN, KEEP, LATIN, SYNONYMS
from .normalize import normalize

# Function words and dialect: folded first so the domain pass sees one spelling of each.
FUNCTION_GROUPS = ("什么时候", "什么", "怎么", "哪里", "吗", "没有", "不", "在", "了", "的", "是", "给", "能",
                   "多久", "多少", "一起")

_LATIN_RUN = re.compile(r"[a-z]+")
# 满300减50, 满几百减多少, 每满300减50: a tiered discount, whatever the figures.
_TIERED = re.compile(r"每?满[\d几多少一二三四五六七八九十百千两]+减[\d几多少一二三四五六七八九十百千两]*")


class _Rewriter:
    """One leftmost-longest pass replacing each found variant with its canonical word."""

    def __init__(self, mapping: Mapping[str, str]):
        self._patterns = list(mapping)
        self._targets = [mapping[p] for p in self._patterns]
        self._ac = ahocorasick_rs.AhoCorasick(self._patterns, matchkind=ahocorasick_rs.MatchKind.LeftmostLongest)

    def __call__(self, s: str) -> str:
        found = self._ac.find_matches_as_indexes(s)
        if not found:
            return s
        parts: list[str] = []
        pos = 0
        targets = self._targets
        for idx, start, end in found:
            parts.append(s[pos:start])
            parts.append(targets[idx])
            pos = end
        parts.append(s[pos:])
        return "".join(parts)


def _mapping(groups: Mapping[str, tuple[str, ...]], keep: tuple[str, ...], prepare=lambda w: w) -> dict[str, str]:
    out: dict[str, str] = {}
    for word in keep:
        out[prepare(word)] = prepare(word)
    for canonical, variants in groups.items():
        for v in (canonical, *variants):
            key = prepare(normalize(v))
            if key and key not in out:
                out[key] = canonical
    return out


@lru_cache(maxsize=1)
def _lexicon_passes() -> tuple[_Rewriter, _Rewriter]:
    """The catalog-independent passes; compiled once per process."""
    function = {k: SYNONYMS[k] for k in FUNCTION_GROUPS}
    first = _Rewriter(_mapping(function, KEEP))
    domain = {k: v for k, v in SYNONYMS.items() if k not in function}
    domain[GOODS_TOKEN] = GOODS
    second = _Rewriter(_mapping(domain, KEEP, prepare=first))
    return first, second


def pinyin_forms(word: str) -> tuple[str, ...]:
    """Full toneless pinyin and initials of a Chinese word ("发货" → "fahuo", "fh"); () when not all Han."""
    if not word or not all("\u4e00" <= ch <= "\u9fff" for ch in word):
        return ()
    full = lazy_pinyin(word, errors="ignore")
    if len(full) != len(word):
        return ()
    initials = "".join(p[0] for p in full)
    forms = ("".join(full),)
    # One-letter initials collide with sizes and English; two letters (fh, hb, lj) are what viewers type.
    return forms + (initials,) if len(initials) >= 2 else forms


class Canonicalizer:
    """Normalized text → canonical text, with this catalog's pinyin abbreviations added to the Latin map."""

    def __init__(self, extra_latin: Mapping[str, str] | None = None):
        self._first, self._second = _lexicon_passes()
        self._latin = dict(extra_latin or {})
        self._latin.update(LATIN)  # English wins over a coincidental pinyin form

    def _latin_word(self, m: re.Match) -> str:
        return self._latin.get(m.group(0), m.group(0))

    def __call__(self, normalized: str) -> str:
        s = _LATIN_RUN.sub(self._latin_word, normalized)
        if "满" in s:
            s = _TIERED.sub("满减", s)
        return self._second(self._first(s))


def catalog_latin(words: list[str]) -> dict[str, str]:
    """Pinyin and initials of catalog keywords → the keyword; an abbreviation two words share is dropped."""
    seen: dict[str, str] = {}
    clash: set[str] = set()
    for w in words:
        for form in pinyin_forms(w):
            if form in seen and seen[form] != w:
                clash.add(form)
            seen.setdefault(form, w)
    return {k: v for k, v in seen.items() if k not in clash}
