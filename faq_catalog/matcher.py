"""Match a live comment to the FAQ item it asks about, or to nothing (the common answer).

Pipeline per comment: normalize → canonical tokens (lexicon, pinyin abbreviations, English; see
match_text) → weighted phrase evidence per item (one Aho-Corasick pass; see match_index) → decision.
An item is given only when the comment asks something or reports trouble (see match_cues), is not
about the host's own things, and the evidence for the best item clears a threshold; the confidence
grows with the evidence and with its margin over the runner-up item. Answers are cached by
normalized text, since live chat repeats itself.

Everything item-specific comes from the catalog passed in; the lexicon is catalog-independent.
Building is cheap (a 200-item catalog in well under a second), so an edited catalog means a new Matcher.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Iterable

from faq_catalog.feedback import Feedback
from faq_catalog.match_cues import about_host, asks, looks_like_question, reports_trouble
from faq_catalog.match_index import ItemText, TermIndex
from faq_catalog.match_text import Canonicalizer
from faq_catalog.model import FaqItem
from faq_catalog.normalize import normalize, normalize_many

__all__ = ["Match", "Matcher", "looks_like_question"]

# Evidence the best item needs before we name it: one catalog word that few items share weighs
# about 0.8-1.25; a word many items share, or a lone question frame, weighs well under this.
THRESHOLD = 0.6
REVIEW_BELOW = 0.45  # a match this unsure goes to the crew's review queue
CACHE_SIZE = 100_000  # distinct normalized comments remembered (a few tens of MB at most)
_QUESTION_TOKENS = ("|什么时候|", "|什么|", "|怎么|", "|哪里|", "|多少|")
_CLAUSE = re.compile(r"[？?，,、。.！!；;／/\s]+")


@dataclass(frozen=True)
class Match:
    slug: str | None
    score: float  # confidence 0..1 that `slug` is what the comment asks; 0 when slug is None
    normalized: str
    is_question: bool
    review: bool = False  # the review queue would show it: question-like and unmatched or decided narrowly


def _item_text(item: FaqItem, canon: Canonicalizer) -> ItemText:
    def prepare(text: str) -> tuple[str, ...]:
        return tuple(canon.tokens(normalize(text), sound=False))

    keywords = tuple(k for k in (prepare(k) for k in item.keywords) if k)
    clauses = [c for c in _CLAUSE.split(item.question) if c]
    phrases = tuple(p for p in (prepare(t) for t in (*clauses, *item.examples)) if p)
    return ItemText(item.slug, keywords, phrases)


class Matcher:
    """Immutable snapshot of a catalog, ready to match; build a new one when the catalog changes."""

    def __init__(self, items: list[FaqItem], feedback: Iterable[Feedback] = (), cache_size: int = CACHE_SIZE):
        self.items = list(items)
        slugs = {it.slug for it in self.items}
        # Taught answers win for the exact comment; later decisions replace earlier ones.
        self._taught = {normalize(f.text): f.faq for f in feedback if f.faq is None or f.faq in slugs}
        self._canon = Canonicalizer([normalize(k) for it in self.items for k in it.keywords],
                                    [normalize(t) for it in self.items for t in (it.question, *it.examples)])
        self._index = TermIndex([_item_text(it, self._canon) for it in self.items], self._canon.words)
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

    def cache_info(self) -> Any:
        """functools cache statistics (hits, misses, currsize), or None when built without a cache."""
        info = getattr(self._decide_cached, "cache_info", None)
        return info() if info else None

    def explain(self, text: str) -> tuple[str, list[tuple[str, float]]]:
        """The canonical tokens of a comment and the evidence per item, best first (for failure lists)."""
        canonical = self._canon(normalize(text))
        ranked = sorted(self._index.scores(canonical).items(), key=lambda kv: -kv[1])
        return canonical, [(self._index.slugs[i], round(s, 3)) for i, s in ranked]

    def _decide(self, normalized: str, question_mark: bool) -> Match:
        is_question = question_mark or asks(normalized) or reports_trouble(normalized)
        if normalized in self._taught:
            slug = self._taught[normalized]
            return Match(slug, 1.0 if slug else 0.0, normalized, is_question)
        if not normalized:
            return Match(None, 0.0, normalized, is_question)
        canonical = self._canon(normalized)
        # A question word the viewer mistyped (神魔时候) asks all the same once read back.
        is_question = is_question or any(q in canonical for q in _QUESTION_TOKENS)
        scores = self._index.scores(canonical)
        if not scores:
            return Match(None, 0.0, normalized, is_question, review=is_question)
        top = max(scores, key=scores.__getitem__)
        best = scores[top]
        if not is_question or best < THRESHOLD or about_host(normalized):
            return Match(None, 0.0, normalized, is_question, review=is_question and not about_host(normalized))
        second = max((s for i, s in scores.items() if i != top), default=0.0)
        confidence = round(_confidence(best, second), 4)
        return Match(self._index.slugs[top], confidence, normalized, is_question, review=confidence < REVIEW_BELOW)


def _confidence(best: float, second: float) -> float:
    strength = best / (best + THRESHOLD)  # 0.5 at the threshold, → 1 as evidence grows
    margin = 1.0 - second / best if best else 0.0
    return strength * (0.6 + 0.4 * margin)


def _has_question_mark(text: str) -> bool:
    return "?" in text or "？" in text
