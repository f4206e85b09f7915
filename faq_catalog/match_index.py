"""Weighted n-gram index over the catalog's canonical text, searched with one Aho-Corasick pass.

Every 2–6 character piece of an item's keywords, question clauses and examples is a term. A term's
weight for an item grows with its length (a long shared piece is rarely chance), with how few items
use it (IDF: "发货" separates less than "尾款"), and with where it came from (a whole keyword is the
producer saying "this is how people ask"); pieces made only of question frame ("什么时候", "能吗")
count a little, enough to split close items, too little to claim a comment alone.

A comment's score for an item is a greedy cover: longest matched pieces first, each counting only
for the characters no longer piece of the same item already explained.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import ahocorasick_rs

from .match_lexicon import FRAME_CHARS, GOODS_TOKEN

MIN_TERM, MAX_TERM = 2, 6
# Per-length weight: longer pieces are stronger evidence, a little more than linearly at first.
_LENGTH_WEIGHT = {2: 1.0, 3: 1.7, 4: 2.4, 5: 3.0, 6: 3.5}
WHOLE_KEYWORD, IN_KEYWORD, IN_PHRASE = 1.25, 1.0, 0.75
FRAME_FACTOR = 0.15
_WEAK_CHARS = FRAME_CHARS | frozenset(GOODS_TOKEN)


@dataclass(frozen=True)
class ItemText:
    """One item's canonical text: keywords as typed by the producer, phrases from question and examples."""
    slug: str
    keywords: tuple[str, ...]
    phrases: tuple[str, ...]


class TermIndex:
    def __init__(self, items: list[ItemText], strong_words: frozenset[str]):
        self.slugs = [it.slug for it in items]
        source: dict[str, dict[int, float]] = {}  # term -> item -> best source factor

        def add(term: str, item: int, factor: float) -> None:
            per_item = source.setdefault(term, {})
            if factor > per_item.get(item, 0.0):
                per_item[item] = factor

        keyword_terms: set[str] = set()
        for i, it in enumerate(items):
            for kw in it.keywords:
                keyword_terms.add(kw)
                if len(kw) >= MIN_TERM:
                    add(kw, i, WHOLE_KEYWORD)
                for piece in _pieces(kw):
                    add(piece, i, IN_KEYWORD)
            for phrase in it.phrases:
                for piece in _pieces(phrase):
                    add(piece, i, IN_PHRASE)
        n = max(len(items), 1)
        norm = math.log(1 + n)
        terms = list(source)
        self._postings: list[tuple[tuple[int, float], ...]] = []
        for term in terms:
            per_item = source[term]
            idf = math.log(1 + n / len(per_item)) / norm
            weak = (term not in strong_words and term not in keyword_terms
                    and all(ch in _WEAK_CHARS for ch in term))
            base = _LENGTH_WEIGHT[min(len(term), MAX_TERM)] * idf * (FRAME_FACTOR if weak else 1.0)
            self._postings.append(tuple((i, base * f) for i, f in per_item.items()))
        self._ac = ahocorasick_rs.AhoCorasick(terms) if terms else None

    def scores(self, canonical: str) -> dict[int, float]:
        """Item position → evidence score for this canonical comment (items with no evidence absent)."""
        if self._ac is None or len(canonical) < MIN_TERM:
            return {}
        found = self._ac.find_matches_as_indexes(canonical, overlapping=True)
        if not found:
            return {}
        found.sort(key=lambda m: m[1] - m[2])  # longest first
        score: dict[int, float] = {}
        covered: dict[int, int] = {}
        postings = self._postings
        for tid, start, end in found:
            mask = ((1 << (end - start)) - 1) << start
            span = end - start
            for item, weight in postings[tid]:
                fresh = mask & ~covered.get(item, 0)
                if fresh:
                    score[item] = score.get(item, 0.0) + weight * fresh.bit_count() / span
                    covered[item] = covered.get(item, 0) | mask
        return score


def _pieces(text: str) -> set[str]:
    n = len(text)
    return {text[i:j] for i in range(n) for j in range(i + MIN_TERM, min(i + MAX_TERM, n) + 1)}
