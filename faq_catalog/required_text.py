"""The pieces of text a regular expression cannot match without: a prefilter that is exact by construction.

`required_pieces(pattern)` reads the pattern's parse tree and returns a set of strings such that every match of the
pattern contains at least one of them (None when no such set can be told, e.g. a pattern that can match the empty
text). `Prefilter` puts the pieces of several patterns in one Aho-Corasick automaton: a text holding none of them
matches none of the patterns, and one pass in native code tells, much faster than trying long alternations at every
position. The triage rules use it to skip the most common comments (faq_catalog.triage).
"""
from __future__ import annotations

import re
from itertools import product
from re import _constants as c  # the parse tree's opcodes, as the standard library's regex compiler reads them
from re import _parser as sre_parse

import ahocorasick_rs

MAX_CLASS = 64  # a character class wider than this (\w, a negated one) is not worth listing
MAX_RUN = 4  # a repeat's pieces are written out to this many repetitions
MAX_PIECES = 1000  # … when there are at most this many of them
_DIGITS = {c.CATEGORY_DIGIT: "0123456789"}

Pieces = frozenset[str]


def required_pieces(pattern: str, flags: int = 0) -> Pieces | None:
    return _sequence(list(sre_parse.parse(pattern, flags)))


def _better(a: Pieces | None, b: Pieces | None) -> Pieces | None:
    """The more telling of two sets: longer shortest piece (rarer in text), then fewer pieces."""
    if a is None:
        return b
    if b is None:
        return a
    return min(a, b, key=lambda s: (-min(map(len, s)), len(s)))


def _sequence(items: list) -> Pieces | None:
    """A sequence matches only if each of its mandatory parts does: any one part's pieces will do. Runs of literal
    characters count as one piece."""
    best: Pieces | None = None
    run = ""
    for op, av in items + [(None, None)]:
        if op is c.LITERAL:
            run += chr(av)
            continue
        if run:
            best = _better(best, frozenset((run,)))
            run = ""
        if op is not None:
            best = _better(best, _item(op, av))
    return best


def _item(op, av) -> Pieces | None:
    if op is c.IN:
        return _charset(av)
    if op is c.SUBPATTERN:
        return _sequence(list(av[-1]))
    if op is c.ATOMIC_GROUP:
        return _sequence(list(av))
    if op is c.BRANCH:
        out: set[str] = set()
        for branch in av[1]:
            got = _sequence(list(branch))
            if got is None:
                return None
            out |= got
        return frozenset(out)
    if op in (c.MAX_REPEAT, c.MIN_REPEAT, c.POSSESSIVE_REPEAT):
        low, _, body = av
        if low < 1:
            return None
        once = _sequence(list(body))
        if once is not None and low > 1 and len(once) ** min(low, MAX_RUN) <= MAX_PIECES:
            return frozenset(map("".join, product(sorted(once), repeat=min(low, MAX_RUN))))  # [!！]{3,}: 8 runs
        return once
    return None  # anchors, lookarounds, any character, back references: nothing required


def _charset(items) -> Pieces | None:
    out: set[str] = set()
    for op, av in items:
        if op is c.LITERAL:
            out.add(chr(av))
        elif op is c.RANGE and av[1] - av[0] <= MAX_CLASS:
            out.update(chr(x) for x in range(av[0], av[1] + 1))
        elif op is c.CATEGORY and av in _DIGITS:
            out.update(_DIGITS[av])
        else:
            return None
    return frozenset(out) if len(out) <= MAX_CLASS else None


class Prefilter:
    """`maybe(text)`: False only when no pattern can match the text."""

    def __init__(self, patterns: list[re.Pattern]):
        self._ac = self._chars = None
        pieces: set[str] = set()
        for p in patterns:
            got = required_pieces(p.pattern, p.flags & ~re.UNICODE)
            if got is None:  # a pattern that needs nothing in particular: every text must be tried
                return
            pieces |= got
        self._ac = ahocorasick_rs.AhoCorasick(sorted(pieces))
        chars = {ch for piece in pieces for ch in piece}
        if len(chars) <= MAX_CLASS:  # few characters (punctuation, capitals): a class search rules most texts out
            self._chars = re.compile("[" + "".join(map(re.escape, sorted(chars))) + "]")

    def maybe(self, text: str) -> bool:
        if self._ac is None:
            return True
        if self._chars is not None and self._chars.search(text) is None:
            return False
        return bool(self._ac.find_matches_as_indexes(text))
