"""Match a live comment to the FAQ item it asks about, or to nothing (the common answer).

Pipeline per comment: normalize → canonical words (lexicon, pinyin abbreviations, English) →
weighted n-gram evidence per item (one Aho-Corasick pass) → decision. An item is given only when the
comment asks something or reports trouble (see match_cues) and the evidence clears a threshold; the
confidence grows with the evidence and with its margin over the runner-up item.

Everything item-specific comes from the catalog passed in; the lexicon is catalog-independent.
Building is cheap (a 200-item catalog in well under a second), so an edited catalog means a new Matcher.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Iterable

from .match_cues import asks, looks_like_question, reports_trouble
from .match_index import ItemText, TermIndex
from .match_lexicon import SYNONYMS
from .match_text import FUNCTION_GROUPS, Canonicalizer, catalog_latin
from .model import FaqItem
from .normalize import normalize, normalize_many

__all__ = ["Match", "Matcher", "looks_like_question"]

# Evidence an item needs before we name it. Calibrated so that a single whole catalog keyword of two
# rare characters (about 1.2) passes, and a lone question frame or a shared product word does not.
THRESHOLD = 1.0
# Confidence at the threshold; it rises towards 1 as evidence doubles and the runner-up falls behind.
CACHE_SIZE = 100_000
_CLAUSE = re.compile(r"[？?，,、。.！!；;／/\s]+")
_STRONG_WORDS = frozenset(k for k in SYNONYMS if k not in FUNCTION_GROUPS)


@dataclass(frozen=True)
class Match:
    slug: str | None
    score: float  # confidence 0..1 that `slug` is what the comment asks (0 when slug is None and no evidence)
    normalized: str
    is_question: bool


def _item_text(item: FaqItem, canon: Canonicalizer) -> ItemText:
    def prepare(text: str) -> str:
        return canon(normalize(text))

    keywords = tuple(k for k in (prepare(k) for k in item.keywords) if k)
    clauses = [c for c in _CLAUSE.split(item.question) if c]
    phrases = tuple(p for p in (prepare(t) for t in (*clauses, *item.examples)) if p)
    return ItemText(item.slug, keywords, phrases)


class Matcher:
    """Immutable snapshot of a catalog, ready to match; build a new one when the catalog changes."""

    def __init__(self, items: list[FaqItem], cache_size: int = CACHE_SIZE):
        self.items = list(items)
        words = [normalize(k) for it in self.items for k in it.keywords]
        self._canon = Canonicalizer(catalog_latin(words))
        self._index = TermIndex([_item_text(it, self._canon) for it in self.items], _STRONG_WORDS)
        self._decide_cached = lru_cache(maxsize=cache_size)(self._decide) if cache_size else self._decide

    @classmethod
    def from_items(cls, items: Iterable[FaqItem]) -> "Matcher":
        return cls(list(items))

    def match(self, text: str) -> Match:
        return self._decide_cached(normalize(text), _has_question_mark(text))

    def match_many(self, texts: list[str]) -> list[Match]:
        """Same answers as match() per text; normalizes the batch in one OpenCC call."""
        decide = self._decide_cached
        return [decide(n, _has_question_mark(t)) for t, n in zip(texts, normalize_many(texts))]

    def cache_info(self):
        return self._decide_cached.cache_info() if hasattr(self._decide_cached, "cache_info") else None

    def explain(self, text: str) -> list[tuple[str, float]]:
        """Evidence per item for one comment, best first (for the evaluation's failure list)."""
        scores = self._index.scores(self._canon(normalize(text)))
        ranked = sorted(scores.items(), key=lambda kv: -kv[1])
        return [(self._index.slugs[i], round(s, 3)) for i, s in ranked]

    def canonical(self, text: str) -> str:
        return self._canon(normalize(text))

    def _decide(self, normalized: str, question_mark: bool) -> Match:
        is_question = question_mark or asks(normalized) or reports_trouble(normalized)
        if not normalized:
            return Match(None, 0.0, normalized, is_question)
        scores = self._index.scores(self._canon(normalized))
        if not scores:
            return Match(None, 0.0, normalized, is_question)
        ranked = sorted(scores.values(), reverse=True)
        best = ranked[0]
        second = ranked[1] if len(ranked) > 1 else 0.0
        top = max(scores, key=scores.__getitem__)
        confidence = _confidence(best, second)
        if not is_question or best < THRESHOLD:
            return Match(None, round(confidence if not is_question else 0.0, 4) * 0, normalized, is_question)
        return Match(self._index.slugs[top], round(confidence, 4), normalized, is_question)


def _confidence(best: float, second: float) -> float:
    strength = best / (best + THRESHOLD)  # 0.5 at the threshold, → 1 as evidence grows
    margin = 1.0 - second / best if best else 0.0
    return strength * (0.6 + 0.4 * margin)


def _has_question_mark(text: str) -> bool:
    return "?" in text or "？" in text
