"""Match a live comment to the FAQ item it asks about, or to nothing (the common answer).

Pipeline per comment: normalize → canonical tokens (lexicon, pinyin abbreviations, English, and
homophone typos read by syllable; see match_text and match_sound) → weighted phrase evidence per item
(one Aho-Corasick pass; see match_index) → decision. An item is given only when the comment asks
something or reports trouble (see match_cues), is not about the host's own things, and the evidence
for the best item clears a threshold; the confidence grows with the evidence and with its margin over
the runner-up item. A question the first stage leaves unanswered goes to a second stage (match_resemble):
the item whose own text (question, keywords, examples, taught comments) it clearly resembles in characters,
character pairs and tokens, if any, with a low confidence that puts it in the review queue. Answers are
cached by normalized text, since live chat repeats itself.

Everything item-specific comes from the catalog passed in, and from the crew's decisions (feedback):
the lexicon is catalog-independent. Building is cheap (a 200-item catalog in well under a second), so
an edited catalog or a new decision means a new Matcher.

`Match.review` says whether the crew's review queue would show the comment: a match decided with low
confidence (weak evidence or a close runner-up), or a question left unanswered although the catalog
has some evidence for it or it holds a Latin word nobody knows yet. A question with nothing of the
catalog in it (a product spec, a brand not sold) is not flagged: it is an emerging question.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from faq_catalog.feedback import Feedback
from faq_catalog.match_cues import (
    about_host,
    about_stream,
    asks,
    just_telling,
    looks_like_question,
    reports_trouble,
    settled,
)
from faq_catalog.match_index import ItemText, TermIndex
from faq_catalog.match_resemble import Resemblance, features
from faq_catalog.match_text import SEP, Canonicalizer
from faq_catalog.model import FaqItem
from faq_catalog.normalize import normalize, normalize_many

__all__ = ["Match", "Matcher", "looks_like_question"]

# Evidence the best item needs before we name it: one catalog word that few items share weighs
# about 0.8-1.25; a word many items share, or a lone question frame, weighs well under this.
THRESHOLD = 0.6
# A question that weighs a little under the threshold for one item still names it, as an unsure match for the crew
# to review: a near miss left unanswered counts for nothing, a reviewed one is confirmed or taught in one click.
ACCEPT = 0.5
NEAR_MISS_MARGIN = 0.9  # ... when no other item has nearly as much
REVIEW_BELOW = 0.55  # a match this unsure goes to the crew's review queue
REVIEW_EVIDENCE = 0.25  # an unanswered question with this much catalog evidence is a likely miss: review it
# A comment this close (shared tokens / all tokens) to one the crew marked "not a shelf question" is not one
# either; one close to a "not this" comment keeps only part of its evidence for that item.
NOT_A_QUESTION_SIMILARITY = 0.75
NOT_THIS_SIMILARITY = 0.6
NOT_THIS_FACTOR = 0.5
# A guess (a near miss under THRESHOLD, or a match of the second stage by resemblance to the item's text, see
# match_resemble) is a likely answer that the crew should confirm: under REVIEW_BELOW, so the review queue shows it,
# and under the confidence that answers in chat need (faq_catalog/replies.MIN_SCORE), so a guess is never answered
# automatically. Every guess has exactly this confidence, so a stored one is known again by its score.
GUESS_CONFIDENCE = 0.35
CACHE_SIZE = 100_000  # distinct normalized comments remembered (a few tens of MB at most)
_UNKNOWN_LATIN = re.compile(r"\|[a-z]{2,}\|")  # a Latin token left as typed: neither English nor known initials
_ENGLISH = re.compile(r"[a-z0-9]*[a-z]{2}[a-z0-9]*")
# English that tells rather than asks: thanks, praise, "received", "got it".
_EN_STATEMENT = re.compile(r"thank|thx|receiv|got|nice|good|love|great|cheap|^so|wow|cool|haha|lol|beautiful|pretty|"
                           r"already|done|paid|bought")
_QUESTION_TOKENS = ("|什么时候|", "|什么|", "|怎么|", "|哪里|", "|多少|", "|几号|")
# A trouble notion the lexicon read from the viewer's own wording (付不出去 → 失败, 开线 → 破损) reports
# trouble, unless it is negated right before ("没坏") or let go.
_TROUBLE = re.compile(r"(?<!\|没有)(?<!\|不)\|(?:失败|破损|漏发|不动)\|")
_CLAUSE = re.compile(r"[？?，,、。.！!；;／/\s]+")


@dataclass(frozen=True)
class Match:
    slug: str | None
    score: float  # confidence 0..1 that `slug` is what the comment asks; 0 when slug is None
    normalized: str
    is_question: bool
    review: bool = False  # the review queue would show it: question-like and unmatched or decided narrowly

    @property
    def guessed(self) -> bool:
        """The item is only a guess (a near miss, or a resemblance of the second stage): for the crew to confirm."""
        return self.slug is not None and self.score == GUESS_CONFIDENCE


def _item_text(item: FaqItem, read: Callable[[str, bool], tuple[str, tuple[str, ...]]],
               new_words: Iterable[str] = (), taught: Iterable[str] = ()) -> tuple[ItemText, list[dict], list[dict]]:
    """The item's canonical tokens for the index, and the features of its own texts and of the comments
    taught to it for the second stage. `read(text, sound)` gives (normalized text, canonical tokens)."""
    def prepare(texts: Iterable[str], sound: bool = False) -> list[tuple[str, tuple[str, ...]]]:
        return [r for r in (read(t, sound) for t in texts) if r[1]]

    keywords = prepare((*item.keywords, *new_words))
    clauses = [c for c in _CLAUSE.split(item.question) if c]
    phrases = prepare((*clauses, *item.examples))
    # Taught comments are read as viewers' comments are (typos and all), so they meet the next one.
    comments = prepare(taught, sound=True)
    text = ItemText(item.slug, tuple(t for _, t in keywords), tuple(t for _, t in phrases),
                    tuple(t for _, t in comments))
    own = [features(n, t) for n, t in (*keywords[:len(item.keywords)], *phrases)]
    return text, own, [features(n, t) for n, t in comments]


class _Counters:
    """Comments the crew said do not ask some item ("not this", or "not a shelf question" for None), as
    token sets. A new comment close enough to one of them is answered the way the crew would."""

    def __init__(self) -> None:
        self._sets: list[tuple[str | None, frozenset[str]]] = []
        self._by_token: dict[str, list[int]] = {}

    def add(self, slug: str | None, tokens: Iterable[str]) -> None:
        toks = frozenset(tokens)
        if not toks:
            return
        n = len(self._sets)
        self._sets.append((slug, toks))
        for t in toks:
            self._by_token.setdefault(t, []).append(n)

    def __bool__(self) -> bool:
        return bool(self._sets)

    def close(self, canonical: str) -> tuple[bool, set[str]]:
        """(close to a "not a shelf question" comment, items it is close to a "not this" comment of)."""
        listed = canonical[1:-1].split(SEP)
        if self._by_token.keys().isdisjoint(listed):
            return False, set()
        tokens = frozenset(listed)
        shared: dict[int, int] = {}
        for t in tokens:
            for n in self._by_token.get(t, ()):
                shared[n] = shared.get(n, 0) + 1
        chatter, not_these = False, set()
        for n, k in shared.items():
            slug, toks = self._sets[n]
            similarity = k / (len(toks) + len(tokens) - k)
            if slug is None and similarity >= NOT_A_QUESTION_SIMILARITY:
                chatter = True
            elif slug is not None and similarity >= NOT_THIS_SIMILARITY:
                not_these.add(slug)
        return chatter, not_these


class Matcher:
    """Immutable snapshot of a catalog, ready to match; build a new one when the catalog changes.

    `feedback` is what the crew taught, oldest first (a later decision on the same text wins). Each
    decision answers its exact comment, and generalizes: a comment taught to an item becomes one of its
    examples and teaches the item its new words (an abbreviation, a typo, a slang or English word); a
    comment the matcher gave another item, or one marked "not a shelf question", becomes a
    counter-example, so comments close to it are weighed against that item or left unmatched.
    """

    def __init__(self, items: list[FaqItem], feedback: Iterable[Feedback] = (), cache_size: int = CACHE_SIZE):
        self.items = list(items)
        slugs = {it.slug for it in self.items}
        self._taught: dict[str, str | None] = {}
        for f in feedback:
            n = normalize(f.text)
            if n and (f.faq is None or f.faq in slugs):  # a decision on nothing (emoji only) teaches nothing
                self._taught.pop(n, None)  # re-inserted: decisions keep their latest order
                self._taught[n] = f.faq
        self._counters = _Counters()
        self._build({}, {}, [])
        if self._taught:
            self._learn()
        self._decide_cached = lru_cache(maxsize=cache_size)(self._decide) if cache_size else self._decide

    def _build(self, taught: dict[str, list[str]], new_words: dict[str, list[str]],
               not_a_question: list[str]) -> None:
        # A new Latin word ("sfh") is a deliberate abbreviation: it becomes a keyword of the item. A new run of
        # characters may be an ordinary word that merely was not in the catalog ("支持", "黑色"): it is read as
        # one token, weighs in the taught comment's pieces, but names the item only beside a topic word.
        latin = {slug: [w for w in ws if w.isascii()] for slug, ws in new_words.items()}
        keywords = [normalize(k) for it in self.items for k in (*it.keywords, *latin.get(it.slug, ()))]
        texts = [normalize(t) for it in self.items for t in (it.question, *it.examples)]
        han = [w for ws in new_words.values() for w in ws if not w.isascii()]
        self._canon = Canonicalizer(keywords, texts, han)
        memo: dict[tuple[str, bool], tuple[str, tuple[str, ...]]] = {}

        def read(text: str, sound: bool) -> tuple[str, tuple[str, ...]]:
            key = (text, sound)
            if key not in memo:
                n = normalize(text)
                memo[key] = (n, tuple(self._canon.tokens(n, sound=sound)))
            return memo[key]

        prepared = [_item_text(it, read, latin.get(it.slug, ()), taught.get(it.slug, ())) for it in self.items]
        self._index = TermIndex([p[0] for p in prepared], self._canon.words)
        self._resemble = Resemblance([p[1] for p in prepared], [p[2] for p in prepared],
                                     [features(*read(t, True)) for t in not_a_question])

    def _learn(self) -> None:
        """Rebuild with the crew's decisions: examples and new words per item, then counter-examples."""
        taught: dict[str, list[str]] = {}
        new_words: dict[str, list[str]] = {}
        counters: list[tuple[str | None, str]] = []
        for text, faq in self._taught.items():
            if not text:
                continue
            before = self._judge(text, False)
            if faq is not None:
                taught.setdefault(faq, []).append(text)
                words = new_words.setdefault(faq, [])
                words += [w for w in self._canon.new_words(text) if w not in words]
            else:
                counters.append((None, text))
            if before.slug is not None and before.slug != faq:
                counters.append((before.slug, text))
        self._build(taught, new_words, [text for slug, text in counters if slug is None])
        for slug, text in counters:
            self._counters.add(slug, self._canon.tokens(text))

    @classmethod
    def from_items(cls, items: Iterable[FaqItem]) -> Matcher:
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
        if normalized in self._taught:
            slug = self._taught[normalized]
            is_question = question_mark or asks(normalized) or reports_trouble(normalized)
            return Match(slug, 1.0 if slug else 0.0, normalized, is_question or slug is not None)
        return self._judge(normalized, question_mark)

    def _judge(self, normalized: str, question_mark: bool) -> Match:
        is_question = question_mark or asks(normalized) or reports_trouble(normalized)
        if not normalized:
            return Match(None, 0.0, normalized, is_question)
        respelled: list[str] = []
        canonical = self._canon(normalized, respelled)
        # A question the viewer mistyped (神魔时候, 没收道) asks all the same once read back; a comment all in
        # English that names a topic ("change address", "link pls") is a request.
        is_question = is_question or _asks_in_tokens(canonical) or (
            _ENGLISH.fullmatch(normalized) is not None and not canonical.isascii()
            and _EN_STATEMENT.search(normalized) is None) or (
            bool(respelled) and (asks(respelled[0]) or reports_trouble(respelled[0]))) or (
            _troubled(canonical) and not settled(normalized))
        scores = self._index.scores(canonical)
        if self._counters and canonical:
            chatter, not_these = self._counters.close(canonical)
            if chatter:
                return Match(None, 0.0, normalized, is_question)
            for slug in not_these:
                i = self._index.position(slug)
                if i in scores:
                    scores[i] *= NOT_THIS_FACTOR
        top = max(scores, key=scores.__getitem__) if scores else None
        best = scores[top] if scores else 0.0
        if is_question and not question_mark and just_telling(normalized):
            is_question = False
        if not is_question:
            return Match(None, 0.0, normalized, False)
        host = about_host(normalized) or about_stream(normalized)
        if best < ACCEPT and canonical and not host:
            position, _, _ = self._resemble.best(features(normalized, canonical[1:-1].split(SEP)))
            if position is not None:
                return Match(self._index.slugs[position], GUESS_CONFIDENCE, normalized, True, review=True)
        if best < ACCEPT or host:
            return Match(None, 0.0, normalized, True, review=not host and self._near_miss(canonical, best))
        second = max((s for i, s in scores.items() if i != top), default=0.0)
        if best < THRESHOLD and second > NEAR_MISS_MARGIN * best:  # a near miss between two items names neither
            return Match(None, 0.0, normalized, True, review=True)
        confidence = round(_confidence(best, second), 4)
        if best < THRESHOLD:  # a near miss: named for the crew to confirm, never answered in chat on its own
            confidence = GUESS_CONFIDENCE
        return Match(self._index.slugs[top], confidence, normalized, is_question, review=confidence < REVIEW_BELOW)


    def _near_miss(self, canonical: str, best: float) -> bool:
        """An unanswered question worth the crew's look: some catalog evidence, even unanchored or under the
        threshold, or a Latin word nobody knows yet (an abbreviation to teach). One with neither (a spec, a
        brand not sold) is an emerging question, not a miss."""
        if best >= REVIEW_EVIDENCE or _UNKNOWN_LATIN.search(canonical):
            return True
        raw = self._index.scores(canonical, anchored_only=False) if canonical else {}
        return max(raw.values(), default=0.0) >= REVIEW_EVIDENCE


def _asks_in_tokens(canonical: str) -> bool:
    """A question word among the canonical tokens (a mistyped one read back: 神魔时候 → 什么时候)."""
    for q in _QUESTION_TOKENS:
        if q in canonical:
            return True
    return False


def _troubled(canonical: str) -> bool:
    return ("|失败|" in canonical or "|破损|" in canonical or "|漏发|" in canonical or "|不动|" in canonical) \
        and _TROUBLE.search(canonical) is not None


def _confidence(best: float, second: float) -> float:
    strength = best / (best + THRESHOLD)  # 0.5 at the threshold, → 1 as evidence grows
    margin = 1.0 - second / best if best else 0.0
    return strength * (0.6 + 0.4 * margin)


def _has_question_mark(text: str) -> bool:
    return "?" in text or "？" in text
