"""Weighted phrase index over the catalog's canonical tokens, searched with one Aho-Corasick pass.

Every run of 1–4 tokens from an item's keywords, question clauses and examples is a piece (a lone
single character only when it is a lexicon word such as 上 or 补货's 补). A piece's weight for an item
is the sum of its tokens' weights, with a bonus per extra token (word order shared with the catalog
is rarely chance), times where it came from (a whole keyword is the producer saying "this is how
people ask"). A token weighs more the fewer items use it (IDF: 发货 separates less than 尾款);
question frame (什么时候, 怎么, 吗) and the goods placeholder weigh little: enough to split close
items, too little to claim a comment alone.

A comment's score for an item is a greedy cover: longest matched pieces first, each counting only for
the characters no longer piece of the same item already explained.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import ahocorasick_rs

from faq_catalog.match_lexicon import FRAME_CHARS, FUNCTION_WORDS, WEAK_WORDS
from faq_catalog.match_text import SEP

MAX_TOKENS = 4
SEQUENCE_BONUS = 0.35  # per token beyond the first in one piece
WHOLE_KEYWORD, IN_KEYWORD, IN_PHRASE = 1.25, 1.0, 0.75
TAUGHT_WHOLE, TAUGHT_PART = 1.25, 0.75  # a comment the crew taught: whole, and its runs of tokens
FRAME_FACTOR = 0.15
SINGLE_CHAR_FACTOR = 0.6  # one unknown character says less than a word
PROMINENCE_FLOOR = 0.6  # a token an item uses once weighs 0.6+; used three times or more, fully
LATE_LOW, LATE_HIGH = 0.85, 1.15
# Question frame and where/who words; 没有 is not among them: "没有赠品" is the point of the comment.
NEGATION = "没有"
WEAK = (FUNCTION_WORDS - {NEGATION}) | WEAK_WORDS
# Words that weigh as words but are too common to name an item alone (上 as in "上链接", "带上").
NEVER_ANCHOR = frozenset((NEGATION, "上"))


@dataclass(frozen=True)
class ItemText:
    """One item's canonical tokens: keywords as typed by the producer, phrases from question and examples."""
    slug: str
    keywords: tuple[tuple[str, ...], ...]
    phrases: tuple[tuple[str, ...], ...]
    taught: tuple[tuple[str, ...], ...] = ()  # comments the crew said ask this item


def _token_uses(items: list[ItemText]) -> dict[str, dict[int, int]]:
    """How often each item uses each token (a keyword counts twice): the producer's emphasis."""
    uses: dict[str, dict[int, int]] = {}
    for i, it in enumerate(items):
        for seqs, count in ((it.keywords, 2), (it.phrases, 1), (it.taught, 1)):
            for seq in seqs:
                for tok in seq:
                    per_item = uses.setdefault(tok, {})
                    per_item[i] = per_item.get(i, 0) + count
    return uses


def _base_weights(uses: dict[str, dict[int, int]], n: int,
                  lexicon_words: frozenset[str]) -> tuple[dict[str, float], set[str]]:
    """Each token's weight before prominence (rarer across items weighs more; question frame and lone
    characters little), and the tokens that may anchor an item."""
    norm = math.log(1 + n)
    base: dict[str, float] = {}
    anchors: set[str] = set()
    for tok, per_item in uses.items():
        idf = math.log(1 + n / len(per_item)) / norm
        if tok in WEAK or (tok not in lexicon_words and tok in FRAME_CHARS):
            base[tok] = idf * FRAME_FACTOR
        elif len(tok) == 1 and tok not in lexicon_words:
            base[tok] = idf * SINGLE_CHAR_FACTOR
        else:
            base[tok] = idf
            if tok in lexicon_words and tok not in NEVER_ANCHOR:
                anchors.add(tok)
    return base, anchors


class TermIndex:
    def __init__(self, items: list[ItemText], lexicon_words: frozenset[str]):
        self.slugs = [it.slug for it in items]
        self._position = {slug: i for i, slug in enumerate(self.slugs)}
        uses = _token_uses(items)
        base, anchors = _base_weights(uses, max(len(items), 1), lexicon_words)
        uses_before = {t for it in items for seqs in (it.keywords, it.phrases) for seq in seqs for t in seq}

        def weight(tok: str, item: int) -> float:
            return base[tok] * (PROMINENCE_FLOOR + (1 - PROMINENCE_FLOOR) * min(uses[tok][item], 3) / 3)

        best: dict[str, dict[int, tuple[float, bool]]] = {}  # piece -> item -> (weight, anchored)

        def add(seq: tuple[str, ...], item: int, factor: float, whole_keyword: bool = False) -> None:
            piece = SEP + SEP.join(seq) + SEP
            w = sum(weight(t, item) for t in seq) * (1 + SEQUENCE_BONUS * (len(seq) - 1)) * factor
            # A whole keyword anchors unless it is frame alone; a part of one ("颜色" of "拍错颜色") does not.
            anchored = any(t in anchors for t in seq) or (
                whole_keyword and (len(seq) > 1 or seq[0] not in NEVER_ANCHOR) and any(t not in WEAK for t in seq))
            per_item = best.setdefault(piece, {})
            old_w, old_anchor = per_item.get(item, (0.0, False))
            per_item[item] = (max(w, old_w), anchored or old_anchor)

        for i, it in enumerate(items):
            for kw in it.keywords:
                if _is_piece(kw, lexicon_words):
                    add(kw, i, WHOLE_KEYWORD, whole_keyword=True)
                for span in _spans(kw, lexicon_words):
                    add(span, i, IN_KEYWORD)
            for phrase in it.phrases:
                for span in _spans(phrase, lexicon_words):
                    add(span, i, IN_PHRASE)
            for comment in it.taught:
                # The whole comment is how viewers ask this item: it anchors like a keyword when it says
                # something beyond question frame; its parts weigh like an example's.
                content = [t for t in comment if t not in WEAK and not (len(t) == 1 and t in FRAME_CHARS)]
                if len(comment) > 1 and len(content) > 1:
                    add(comment, i, TAUGHT_WHOLE, whole_keyword=True)
                for span in _spans(comment, lexicon_words):
                    if len(span) > 1 or span[0] not in uses_before:  # a lone known word is the catalog's to weigh
                        add(span, i, TAUGHT_PART)
        pieces = list(best)
        self._postings = [tuple((i, w, a) for i, (w, a) in best[p].items()) for p in pieces]
        self._ac = ahocorasick_rs.AhoCorasick(pieces) if pieces else None

    def position(self, slug: str) -> int | None:
        return self._position.get(slug)

    def scores(self, canonical: str, anchored_only: bool = True) -> dict[int, float]:
        """Item position → evidence for this canonical comment ("|tok|tok|"). Only items with at least one
        anchored piece (a keyword's, or one holding a topical lexicon word) are returned: words that merely
        recur in some example ("支持", "公司") never name an item on their own."""
        if self._ac is None or not canonical:
            return {}
        found = self._ac.find_matches_as_indexes(canonical, overlapping=True)
        if not found:
            return {}
        found.sort(key=lambda m: m[1] - m[2])  # longest first
        score: dict[int, float] = {}
        covered: dict[int, int] = {}
        anchored: set[int] = set()
        postings = self._postings
        length = len(canonical)
        for pid, start, end in found:
            # The separators at both ends are shared with neighbouring pieces; cover the inside only.
            span = end - start - 2
            mask = ((1 << span) - 1) << (start + 1)
            # Chinese puts the question last ("定金付过了，尾款什么时候"): later evidence counts a bit more.
            late = LATE_LOW + (LATE_HIGH - LATE_LOW) * end / length
            for item, weight, anchor in postings[pid]:
                if anchor:
                    anchored.add(item)
                fresh = mask & ~covered.get(item, 0)
                if fresh:
                    score[item] = score.get(item, 0.0) + weight * late * fresh.bit_count() / span
                    covered[item] = covered.get(item, 0) | mask
        return {i: s for i, s in score.items() if i in anchored} if anchored_only else score


def _is_piece(seq: tuple[str, ...], lexicon_words: frozenset[str]) -> bool:
    return len(seq) > 1 or len(seq[0]) > 1 or seq[0] in lexicon_words


def _spans(tokens: tuple[str, ...], lexicon_words: frozenset[str]):
    n = len(tokens)
    for i in range(n):
        for j in range(i + 1, min(i + MAX_TOKENS, n) + 1):
            seq = tokens[i:j]
            if _is_piece(seq, lexicon_words):
                yield seq
