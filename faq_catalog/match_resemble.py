"""Second stage: how much a question the first stage left unanswered resembles each item's own text.

The first stage names an item only on lexicon words and catalog phrases. A viewer often asks in words
of their own that still share characters with the item's text ("柜台验" beside 专柜验货, "走件" beside
发货走快递), or with a comment the crew taught to the item. This stage reads the comment as loose
evidence: its characters, its character pairs and its canonical tokens, each weighed by how few items
use it (IDF over the items), goods names masked out (they say which product, never which question).

An item is given only when the resemblance is strong, clearly ahead of the runner-up, and rests on more
than one word of the comment (a single shared word such as 公司 or 适合 says too little), and not when
the comment resembles one the crew marked "not a shelf question" as much.

It runs only for question-like comments the first stage left unanswered (a few in a hundred), and its
answers are cached with the first stage's, by normalized text.
"""
from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable
from itertools import chain

import ahocorasick_rs

from faq_catalog.match_lexicon import FRAME_CHARS, FUNCTION_WORDS, GOODS, WEAK_WORDS

# Weights of the kinds of evidence: a canonical token (a lexicon or catalog word), a pair of characters
# as written, a single character as written.
TOKEN, PAIR, CHAR = 1.0, 0.8, 0.5
# Weights are IDF scaled to 0..1 (a feature only one item uses weighs 1 whatever the catalog's size).
MIN_SCORE = 1.9  # resemblance the best item needs: about two pairs and two characters of one item's own
MIN_MARGIN = 0.4  # over the runner-up
MIN_COVERED = 3  # characters of the comment the evidence must rest on
MIN_WORDS = 1  # tokens and character pairs among the evidence
_WEAK = FUNCTION_WORDS | WEAK_WORDS
_MASK = "\x1f"


def _goods_ac() -> ahocorasick_rs.AhoCorasick:
    return ahocorasick_rs.AhoCorasick(list(GOODS), matchkind=ahocorasick_rs.MatchKind.LeftmostLongest)


_GOODS = _goods_ac()


def _mask_goods(normalized: str) -> str:
    found = _GOODS.find_matches_as_indexes(normalized)
    if not found:
        return normalized
    chars = list(normalized)
    for _, start, end in found:
        for i in range(start, end):
            chars[i] = _MASK
    return "".join(chars)


def features(normalized: str, tokens: Iterable[str]) -> dict[tuple[str, str], int]:
    """Evidence of one comment: feature → bit mask of the characters it rests on (tokens rest on none:
    they are read after folding, and their surface is counted through the characters)."""
    text = _mask_goods(normalized)
    out: dict[tuple[str, str], int] = {}
    for t in tokens:
        if t not in _WEAK and not (len(t) == 1 and t in FRAME_CHARS):
            out[("T", t)] = 0
    last = len(text) - 1
    for i, ch in enumerate(text):
        if ch == _MASK or ch.isascii():
            continue
        if ch not in FRAME_CHARS:
            out[("C", ch)] = 1 << i
        if i < last:
            nxt = text[i + 1]
            if nxt != _MASK and not nxt.isascii() and not (ch in FRAME_CHARS and nxt in FRAME_CHARS):
                out[("B", ch + nxt)] = 3 << i
    return out


_WEIGHT = {"T": TOKEN, "B": PAIR, "C": CHAR}


class Resemblance:
    """Per item, the features of its question, keywords and examples, and of the comments taught to it."""

    def __init__(self, catalog: list[list[dict]], taught: list[list[dict]], not_a_question: Iterable[dict] = ()):
        """`catalog[i]` and `taught[i]` are feature dicts of item i's texts and of the comments taught to it;
        `not_a_question` those of the comments the crew said ask no shelf item."""
        # A comment taught to an item counts as the item's own text.
        classes = [set().union(*own, *learnt) for own, learnt in zip(catalog, taught)]
        self._n = len(classes)
        df = Counter(chain.from_iterable(classes))
        norm = math.log(1 + max(self._n, 1))
        idf = {d: math.log(1 + self._n / d) / norm for d in set(df.values())}
        self._postings: dict[tuple[str, str], list[tuple[int, float]]] = {}
        for i, keys in enumerate(classes):
            for key in keys:
                self._postings.setdefault(key, []).append((i, _WEIGHT[key[0]] * idf[df[key]]))
        # The most one feature can add to any item: a comment whose features cannot reach MIN_SCORE together
        # is answered without scoring every item (most comments that get here).
        self._ceiling = {key: max(w for _, w in p) for key, p in self._postings.items()}
        # A comment the crew said asks no shelf item, as feature weights (only features some item uses weigh).
        # A comment that resembles one of them as much as it resembles the best item is left unanswered:
        # off-catalog questions resemble each other ("明天几点开播", "今晚播到几点").
        self._not_a_question = [
            {key: _WEIGHT[key[0]] * idf[df[key]] for key in f if key in df}
            for f in not_a_question]

    def best(self, feats: dict[tuple[str, str], int]) -> tuple[int | None, float, float]:
        """(item position or None, its resemblance, the runner-up's). None when no item is clearly
        resembled."""
        ceiling = self._ceiling
        if sum(ceiling.get(key, 0.0) for key in feats) < MIN_SCORE:
            return None, 0.0, 0.0
        score: dict[int, float] = {}
        covered: dict[int, int] = {}
        words: dict[int, int] = {}
        postings = self._postings
        for key, mask in feats.items():
            word = key[0] != "C"
            for cls, w in postings.get(key, ()):
                score[cls] = score.get(cls, 0.0) + w
                if mask:
                    covered[cls] = covered.get(cls, 0) | mask
                if word:
                    words[cls] = words.get(cls, 0) + 1
        ranked = sorted(score.items(), key=lambda kv: -kv[1])
        top, best = ranked[0]
        second = ranked[1][1] if len(ranked) > 1 else 0.0
        if best < MIN_SCORE or best - second < MIN_MARGIN \
                or covered.get(top, 0).bit_count() < MIN_COVERED or words.get(top, 0) < MIN_WORDS:
            return None, best, second
        for weights in self._not_a_question:
            if sum(weights.get(key, 0.0) for key in feats) >= best:
                return None, best, second
        return top, best, second
