"""The shelf's search box: find items by question, keywords and examples as a viewer types.

Unlike the comment matcher (which must decide "this item or nothing"), search ranks every plausible item.
Query and item text go through the same `normalize` (Traditional → Simplified, width, case, punctuation),
so 優惠券 finds 优惠券. A query of a link number ("3", "3号", "3号链接") finds that number.
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from faq_catalog.normalize import normalize

_NUMBER = re.compile(r"^(\d{1,3})(?:号)?(?:链接)?$")
MAX_QUERY = 100
# A term that appears in no field can still find an item if most of its character pairs do:
# "券怎么领取" against "优惠券在哪里领" and its examples.
FUZZY_SHARE = 0.5


@dataclass(frozen=True)
class SearchEntry:
    slug: str
    number: int | None
    question: str
    keywords: Sequence[str] = ()
    examples: Sequence[str] = ()


@dataclass(frozen=True)
class _Indexed:
    slug: str
    number: int | None
    question: str
    keywords: tuple[str, ...]
    examples: tuple[str, ...]
    pairs: frozenset[str]


def _pairs(text: str) -> set[str]:
    return {text[i:i + 2] for i in range(len(text) - 1)} if len(text) > 1 else {text} if text else set()


class ShelfSearch:
    """Built once per shelf (cheap: a few hundred normalize calls); `find` is pure and thread-safe."""

    def __init__(self, entries: Iterable[SearchEntry]):
        self._items: list[_Indexed] = []
        for e in entries:
            question = normalize(e.question)
            keywords = tuple(k for k in (normalize(k) for k in e.keywords) if k)
            examples = tuple(x for x in (normalize(x) for x in e.examples) if x)
            pairs = set(_pairs(question))
            for text in (*keywords, *examples):
                pairs |= _pairs(text)
            self._items.append(_Indexed(e.slug, e.number, question, keywords, examples, frozenset(pairs)))

    def find(self, query: str, limit: int = 50) -> list[str]:
        """Slugs of the items that match every term of `query`, best first (shelf order breaks ties)."""
        terms = [t for t in (normalize(w) for w in (query or "")[:MAX_QUERY].split()) if t]
        if not terms:
            return []
        number = _NUMBER.match(terms[0]) if len(terms) == 1 else None
        if number:
            wanted = int(number.group(1))
            return [i.slug for i in self._items if i.number == wanted][:limit]
        scored = []
        for pos, item in enumerate(self._items):
            score = 0.0
            for term in terms:
                s = _term_score(item, term)
                if not s:
                    break
                score += s
            else:
                scored.append((-score, pos, item.slug))
        scored.sort()
        return [slug for _, _, slug in scored[:limit]]


def _term_score(item: _Indexed, term: str) -> float:
    if term in item.question:
        return 3.0
    # A keyword inside a longer query ("优惠券怎么领" holds 优惠券) counts as much as the query inside a keyword.
    if any(term in k or (len(k) > 1 and k in term) for k in item.keywords):
        return 2.0
    if any(term in x for x in item.examples):
        return 1.5
    pairs = _pairs(term)
    if len(pairs) >= 2:
        share = len(pairs & item.pairs) / len(pairs)
        if share >= FUZZY_SHARE:
            return share
    return 0.0
