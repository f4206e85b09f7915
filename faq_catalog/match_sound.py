"""Homophone and near-homophone typos, read at the syllable level: 神魔时候 → 什么时候, 韦款 → 尾款.

Viewers type with a pinyin input method, so a typo is usually another character of the same or a
close sound. Each character has a sound key: its toneless pinyin (pypinyin's character table only,
no phrase dictionary) with the distinctions many speakers and input methods blur folded away
(zh/z, ch/c, sh/s, n/l, -ng/-n). A known word (a lexicon variant or a catalog word) is indexed under
the keys of every reading of its characters; a run of characters the passes left unrecognized is
looked up by the keys of its characters' usual readings. A run is taken for a word only when it
keeps at least one of the word's characters in place and changes at most half of them: a typo
swaps a character, it does not write a different word that happens to sound alike (加个 is not 价格).
Nor is a plain function character (那, 在, 这) taken for a typo: 那个 is not 哪个, 现在上 is not 再上.
"""
from __future__ import annotations

import os
import unicodedata
from collections.abc import Iterable, Mapping
from functools import cache, lru_cache
from itertools import product

os.environ.setdefault("PYPINYIN_NO_PHRASES", "1")
from pypinyin.pinyin_dict import pinyin_dict  # noqa: E402  (the character table alone)

MIN_WORD, MAX_WORD = 2, 4
MAX_READINGS = 16  # reading combinations indexed per word (polyphonic characters multiply)
_INITIAL_FOLD = (("zh", "z"), ("ch", "c"), ("sh", "s"), ("n", "l"))
_FINAL_FOLD = (("iang", "ian"), ("uang", "uan"), ("ang", "an"), ("eng", "en"), ("ing", "in"))


def _fold(syllable: str) -> str:
    s = "".join(c for c in unicodedata.normalize("NFD", syllable) if not unicodedata.combining(c))
    s = s.replace("ü", "v")
    for a, b in _INITIAL_FOLD:
        if s.startswith(a):
            s = b + s[len(a):]
            break
    for a, b in _FINAL_FOLD:
        if s.endswith(a):
            s = s[: -len(a)] + b
            break
    return s


@cache
def readings(ch: str) -> tuple[str, ...]:
    """Folded toneless readings of one Han character, most usual first; () when the table has none."""
    raw = pinyin_dict.get(ord(ch))
    if not raw:
        return ()
    out: list[str] = []
    for r in raw.split(","):
        f = _fold(r)
        if f and f not in out:
            out.append(f)
    return tuple(out)


@lru_cache(maxsize=1)
def _syllables() -> frozenset[str]:
    """Every toneless pinyin syllable of the table, as a viewer types it ("fa", "zhi", "lv")."""
    toned = {r for raw in set(pinyin_dict.values()) for r in raw.split(",")}
    return frozenset("".join(c for c in unicodedata.normalize("NFD", r) if not unicodedata.combining(c))
                     .replace("ü", "v") for r in toned)


def _piece_key(piece: str) -> str | None:
    """The sound key of one written piece: a Han character's usual reading, or a typed pinyin syllable
    ("fa货": the viewer typed the sound of the character they did not find)."""
    if len(piece) == 1 and "\u4e00" <= piece <= "\u9fff":
        r = readings(piece)
        return r[0] if r else None
    if piece.isascii() and piece.isalpha() and 1 < len(piece) <= 6 and piece in _syllables():
        return _fold(piece)
    return None


_KEYS: dict[str, str] = {}  # character → its key ("" when none); bounded by the character set


MAX_KEYS = 100_000


def _key(piece: str) -> str:
    k = _KEYS.get(piece)
    if k is None:
        k = _piece_key(piece) or ""
        if len(_KEYS) < MAX_KEYS:
            _KEYS[piece] = k
    return k


def _second_dash(key: str) -> int:
    first = key.index("-")
    second = key.find("-", first + 1)
    return second if second > 0 else len(key)


def _is_han(word: str) -> bool:
    return all("\u4e00" <= ch <= "\u9fff" for ch in word)


@cache
def common(ch: str) -> bool:
    """One of the 3,755 most used characters (GB 2312 level 1). A typo is the input method's offer for a
    common word, so only words written in common characters are looked for (俾钱 is nobody's typo)."""
    try:
        lead = ch.encode("gb2312")[0]
    except UnicodeEncodeError:
        return False
    return 0xB0 <= lead <= 0xD7


class SoundIndex:
    """Sound keys of known words → (surface, canonical token) candidates."""

    def __init__(self, words: Mapping[str, str] | Iterable[tuple[str, str]], plain: frozenset[str] = frozenset()):
        self._plain = plain
        pairs = words.items() if isinstance(words, Mapping) else words
        index: dict[str, list[tuple[str, str]]] = {}
        for surface, canonical in pairs:
            if not canonical or not MIN_WORD <= len(surface) <= MAX_WORD or not _is_han(surface) \
                    or not all(common(ch) for ch in surface):
                continue
            per_char = [readings(ch) for ch in surface]
            if not all(per_char):
                continue
            for n, combo in enumerate(product(*per_char)):
                if n >= MAX_READINGS:
                    break
                bucket = index.setdefault("-".join(combo), [])
                if (surface, canonical) not in bucket:
                    bucket.append((surface, canonical))
        self._index = index
        self._pairs = frozenset(k[:_second_dash(k)] for k in index)

    def __len__(self) -> int:
        return len(self._index)

    def merged(self, other: SoundIndex) -> SoundIndex:
        """A new index holding both; `other`'s candidates come first."""
        out = SoundIndex((), self._plain | other._plain)
        merged = {k: list(v) for k, v in self._index.items()}
        for k, v in other._index.items():
            merged[k] = [*v, *[c for c in merged.get(k, ()) if c not in v]]
        out._index = merged
        out._pairs = self._pairs | other._pairs
        return out

    def word(self, chars: str | list[str]) -> str | None:
        """The canonical token `chars` (characters, or pieces that may be typed syllables) is a sound-alike
        typo of, or None."""
        pieces = list(chars)
        return self._word(pieces, [_key(p) for p in pieces])

    def rewrite(self, tokens: list[str], surfaces: list[str]) -> list[str]:
        """Tokens with every run of single characters (as written) re-read where a part sounds like a known
        word, longest first, left to right. A character read as a word of its own (赠 → 赠品, 发) may still be
        half of a mistyped longer one (赠频 → 赠品, 发获 → 发货), so runs take every single Han character."""
        get = _KEYS.get
        keys = [get(sf) for sf in surfaces]
        if None in keys:
            keys = [k if k is not None else _key(sf) for k, sf in zip(keys, surfaces)]
        pairs = self._pairs
        for a in range(len(keys) - 1):
            if keys[a] and keys[a + 1] and f"{keys[a]}-{keys[a + 1]}" in pairs:
                break
        else:
            return tokens  # no two neighbours sound like the start of any known word: the common case
        out: list[str] = []
        found = False
        i, n = 0, len(tokens)
        while i < n:
            if not keys[i]:
                out.append(tokens[i])
                i += 1
                continue
            for size in range(min(MAX_WORD, n - i), MIN_WORD - 1, -1):
                word = self._word(surfaces[i:i + size], keys[i:i + size])
                if word is not None:
                    out.append(word)
                    i += size
                    found = True
                    break
            else:
                out.append(tokens[i])
                i += 1
        return out if found else tokens  # the same list when nothing was re-read

    def _word(self, pieces: list[str], keys: list[str]) -> str | None:
        if not all(keys) or all(p.isascii() for p in pieces):
            return None
        found = self._index.get("-".join(keys))
        if not found:
            return None
        n = len(pieces)
        for surface, canonical in found:
            changed = [a for a, b in zip(pieces, surface) if a != b]
            if changed and len(changed) <= max(1, n // 2) and len(changed) < n \
                    and not any(a in self._plain for a in changed):
                return canonical
        return None
