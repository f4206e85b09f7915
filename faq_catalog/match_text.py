"""Turn normalized text into canonical tokens, the common ground of comments and catalog items.

Steps, each one pass: Latin runs (English words, pinyin abbreviations) become Chinese words; tiered
discounts (满300减50) become one notion; a first leftmost-longest Aho-Corasick pass folds function
words and dialect (哪儿 → 哪里, 咋 → 怎么) and drops filler (了, 的, 啊…) while leaving every lexicon
word whole; a second pass cuts the text into tokens, each lexicon variant becoming its canonical word
and every other character (or Latin/digit run) a token of its own. Loose characters are then read by
sound, so a homophone typo meets its word (神魔时候 → 什么时候, 韦款 → 尾款, fa货 → 发货; see
match_sound). Finally a few folds are read in
context: "几号" before an action or after "到" asks a date (→ 什么时候), otherwise which numbered link;
"后面/等会" before a price move means "later", not the next product; a stall beside the stream's own
words ("画面卡住") is the stream freezing, not the parcel; the A-not-A form ("送不送") counts its word once;
"到" before a product is its turn; a colour ordered and another received, or what came not being what was
ordered, is the wrong item sent; two coupons in one question ask whether they stack; 送 sent together is
delivery.

Tokens are joined as "|a|b|c|" so that index terms, also written "|…|", can only match whole tokens:
"款什么时候" inside "尾款什么时候" never matches "退款什么时候".
"""
from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping
from functools import lru_cache

import ahocorasick_rs

# Pinyin is only computed for catalog keywords at build time; pypinyin's phrase dictionary would keep 44 MB
# resident in every server process for no measurable gain on the evaluation set (same accuracy without it).
os.environ.setdefault("PYPINYIN_NO_PHRASES", "1")
from pypinyin import lazy_pinyin  # noqa: E402  (must follow the setting above)

from faq_catalog.match_lexicon import (
    FILLER,
    FIRST_PASS_WORDS,
    FRAME_CHARS,
    FUNCTION_WORDS,
    GOODS,
    GOODS_TOKEN,
    KEEP,
    LATIN,
    LATIN_STOP,
    LINK_WORD,
    NEXT_WORD,
    STALL_WORD,
    STREAM_WORD,
    SYNONYMS,
    WHEN_WORD,
    WHICH_LINK,
)
from faq_catalog.match_sound import SoundIndex
from faq_catalog.normalize import normalize

SEP = "|"
# A catalog keyword the lexicon does not know becomes one token when it is word-sized; longer ones
# ("价格不一样") are phrases and stay as their characters, so their parts can match on their own.
MAX_OWN_WORD = 4
_FIRST_PASS = FUNCTION_WORDS | FIRST_PASS_WORDS
MAX_LATIN_RUN = 40
_LATIN_RUN = re.compile(r"[a-z]+")
# 满300减50, 满几百减多少, 每满300减50: a tiered discount, whatever the figures.
_TIERED = re.compile(r"每?满[\d几多少一二三四五六七八九十百千两]+减[\d几多少一二三四五六七八九十百千两]*"
                     # an amount spent and what comes off it: 买600能减多少, 300减50
                     r"|\d{2,}[元块]?(?:能|可以|会)?减(?:\d+|几|多少)")
# 前100名, 前五十名: the first N buyers, whatever N.
_TOP_N = re.compile(r"前[\d几多少一二三四五六七八九十百千两]+名")
# "Again" before going on sale is a restock (再开卖, 再上架), whatever the lexicon says of either word; 再
# alone is filler and would be dropped.
_AGAIN_ON_SALE = re.compile(r"再(?:次)?(?:开卖|开抢|上架|卖|进货|来一批)")
RESTOCK_WORD = "补货"
_CHARS = re.compile(r"[a-z]+|\d+|[^\x1f]")
# After "几号", these start an action with a date ("几号发", "几号付尾款"); anything else asks a link.
_DATED_ACTION = frozenset("发付交到开上拍收寄退补领抢")
# Before "几号", a word that runs up to a date ("到几号", "截止几号", "保价到几号") makes it a date too.
_UNTIL = frozenset("到至止")
# A notion that happens on a date, right before "几号" ("尾款几号", "发货几号"), makes it a date as well.
SHADE_WORD, SKIN_WORD = "色号", "肤色"
_DATED_NOTION = frozenset(("尾款", "定金", "发货", "收到", "付款", "退款", "到账", "补货", "抽奖", "开奖", "双11"))
# "后面/等会" folds to the next product, but followed by a price move it means "later": "后面会不会降".
_PRICE_MOVE = frozenset(("降价", "降", "涨", "涨价", "便宜", "价格", "价保"))
_SKIPPABLE = frozenset(("不", "吗", "没有"))


_FENCE = "\x1f"  # kept out of every pattern; dropped from the tokens


@lru_cache(maxsize=1)
def _latin_heads() -> frozenset[str]:
    """Latin beginnings of lexicon words ("t" of t恤, "a" of a货): such a run must stay open to them."""
    heads = set()
    for word in _lexicon_words():
        m = _LATIN_RUN.match(word)
        if m and m.end() < len(word):
            heads.add(m.group(0))
    return frozenset(heads)


class _Pass:
    """Leftmost-longest replacement of variants by canonical words."""

    def __init__(self, mapping: Mapping[str, str]):
        patterns = [p for p in mapping if p]
        self._targets = [mapping[p] for p in patterns]
        self._ac = ahocorasick_rs.AhoCorasick(patterns, matchkind=ahocorasick_rs.MatchKind.LeftmostLongest)

    def text(self, s: str) -> str:
        """The rewritten string."""
        found = self._ac.find_matches_as_indexes(s)
        if not found:
            return s
        parts, pos, targets = [], 0, self._targets
        for idx, start, end in found:
            parts.append(s[pos:start])
            parts.append(targets[idx])
            pos = end
        parts.append(s[pos:])
        return "".join(parts)

    def tokens(self, s: str) -> list[str]:
        """Canonical words for found variants, single characters (or Latin/digit runs) elsewhere."""
        out: list[str] = []
        pos, targets = 0, self._targets
        for idx, start, end in self._ac.find_matches_as_indexes(s):
            if start > pos:
                out += _CHARS.findall(s, pos, start)
            if targets[idx]:
                out.append(targets[idx])
            pos = end
        if pos < len(s):
            out += _CHARS.findall(s, pos)
        return out

    def tokens_and_surfaces(self, s: str) -> tuple[list[str], list[str]]:
        """tokens() and, per token, the text it was read from (a homophone typo is found in the surface)."""
        out: list[str] = []
        surfaces: list[str] = []
        pos, targets = 0, self._targets
        for idx, start, end in self._ac.find_matches_as_indexes(s):
            if start > pos:
                chars = _CHARS.findall(s, pos, start)
                out += chars
                surfaces += chars
            if targets[idx]:
                out.append(targets[idx])
                surfaces.append(s[start:end])
            pos = end
        if pos < len(s):
            chars = _CHARS.findall(s, pos)
            out += chars
            surfaces += chars
        return out, surfaces


def _lexicon_words() -> dict[str, str]:
    """Every domain variant (normalized) → its canonical word; KEEP words and canonical words → themselves."""
    out: dict[str, str] = {}
    groups = {k: v for k, v in SYNONYMS.items() if k not in _FIRST_PASS}
    groups[GOODS_TOKEN] = GOODS
    for word in KEEP:
        out[normalize(word)] = word
    for canonical, variants in groups.items():
        for v in (canonical, *variants):
            out.setdefault(normalize(v), canonical)
    for word in _FIRST_PASS:
        out.setdefault(word, word)
    return out


@lru_cache(maxsize=1)
def _passes() -> tuple[_Pass, dict[str, str]]:
    """The function-word pass and the domain mapping (variants, filler → ''), built once per process."""
    lexicon = _lexicon_words()
    first_map = {w: w for w in lexicon}  # lexicon words stay whole through the first pass
    for canonical in _FIRST_PASS:
        for v in (canonical, *SYNONYMS[canonical]):
            first_map[normalize(v)] = canonical
    first = _Pass(first_map)
    second_map = dict(lexicon)
    for variant, canonical in lexicon.items():
        prepared = first.text(variant)  # the form a comment has after the first pass ("哪个仓" → "什么仓")
        second_map.setdefault(prepared, canonical)
    # Filler goes in the second pass, where a longer word holding the same character wins (会员 keeps 会).
    for word in FILLER:
        second_map[word] = ""
    for k, v in list(second_map.items()):
        if v in FILLER:
            second_map[k] = ""
    return first, second_map


@lru_cache(maxsize=1)
def _base_second() -> _Pass:
    return _Pass(_passes()[1])


_NUMERALS = frozenset("零一二三四五六七八九十百千万两仨俩")


@lru_cache(maxsize=1)
def _base_sound() -> SoundIndex:
    """Sound keys of every lexicon word: its variants as viewers write them, and as the first pass leaves them."""
    first, second_map = _passes()
    pairs = [(v, c) for v, c in second_map.items() if c]
    for canonical in _FIRST_PASS:
        for v in (canonical, *SYNONYMS[canonical]):
            pairs.append((normalize(v), canonical))
    # Plain characters are never taken for a typo: question frame (那 of 那个 is not 哪), and characters that
    # are words of their own in the lexicon (买 of 买完 is not 卖 of 卖完, 寄, 送, 退), and numerals: a number is
    # typed on purpose (十三号 is the 13th, not 十单号).
    single = {v for v, _ in pairs if len(v) == 1} | {w for w in second_map if len(w) == 1}
    return SoundIndex(pairs, FRAME_CHARS | frozenset(single) | _NUMERALS)


@lru_cache(maxsize=50_000)  # every matcher build (each decision of the crew) asks again for the catalog's words
def pinyin_forms(word: str) -> tuple[str, ...]:
    """Full toneless pinyin and initials of a Chinese word ("发货" → "fahuo", "fh"); () when not all Han."""
    if not word or not all("\u4e00" <= ch <= "\u9fff" for ch in word):
        return ()
    full = lazy_pinyin(word, errors="ignore")
    if len(full) != len(word):
        return ()
    initials = "".join(p[0] for p in full)
    # One-letter initials collide with sizes and English; two letters (fh, hb, lj) are what viewers type.
    return ("".join(full), initials) if len(initials) >= 2 else ("".join(full),)


# Chat abbreviations that are not initials of anything the shop says (laughter, praise, swearing).
_CHAT_LATIN = frozenset(("nb", "sb", "ok", "yyds", "xswl", "awsl", "zqsg", "dbq", "hhh", "nsdd", "plmm", "kswl",
                         "szd", "bdjw", "xjj", "xgg", "zbhm", "cpdd", "lol", "omg", "wow", "haha", "hahaha", "www"))


def catalog_latin(words: Iterable[str]) -> dict[str, str]:
    """Pinyin and initials of the catalog's words → the word. An abbreviation shared by several words
    ("hb": 红包, 花呗) stands for all of them and the rest of the comment decides. Initials made of one
    repeated letter (hh, mm) are laughter and emphasis, not words."""
    seen: dict[str, list[str]] = {}
    for w in words:
        for form in pinyin_forms(w):
            if form in _CHAT_LATIN or len(set(form)) == 1:
                continue
            bucket = seen.setdefault(form, [])
            if w not in bucket:
                bucket.append(w)
    return {form: "".join(ws[:3]) for form, ws in seen.items()}


class Canonicalizer:
    """Normalized text → "|token|token|" canonical form for one catalog.

    The catalog adds two things: pinyin forms of its keywords ("fh" → 发货), and its keywords that the
    lexicon does not know ("花呗", "专柜") as whole tokens, so they weigh as words, not loose characters.
    """

    def __init__(self, catalog_words: Iterable[str] = (), catalog_text: Iterable[str] = (),
                 taught_words: Iterable[str] = ()):
        """`taught_words` are words learnt from the crew's decisions (a typo, a slang term): read as one
        token each, like the catalog's own words, but never naming a topic on their own."""
        self._first, lexicon_map = _passes()
        base = _base_second()
        catalog_words = list(catalog_words)

        def whole(words: Iterable[str]) -> dict[str, str]:
            out: dict[str, str] = {}
            for word in words:
                w = self._first.text(word)
                if 1 < len(w) <= MAX_OWN_WORD and w not in lexicon_map and w.isalpha() and not w.isascii():
                    tokens = base.tokens(w)
                    if len(tokens) == len(w) and not any(t in lexicon_map for t in tokens):
                        out[w] = w
            return out

        own = whole(catalog_words)
        learnt = {w: w for w in whole(taught_words) if w not in own}
        extra = {**learnt, **own}
        self._second = _Pass({**lexicon_map, **extra}) if extra else base
        self._sound = _base_sound().merged(SoundIndex(extra)) if extra else _base_sound()
        # Words that can name a topic: canonical lexicon words and the catalog's own (not KEEP words).
        self.words = frozenset(SYNONYMS) | {GOODS_TOKEN} | frozenset(own)
        # Initials and pinyin of every word the catalog uses, as the producer wrote it and as the lexicon
        # reads it: 运费险 gives yfx, 物流 gives wl, and an item that says 退款 only in its question gives tk.
        words = list(dict.fromkeys(catalog_words))
        for text in (*catalog_words, *catalog_text):
            for tok, surface in zip(*self._second.tokens_and_surfaces(self._first.text(text))):
                words += [w for w in (tok, surface) if len(w) > 1]
        self._latin = catalog_latin(dict.fromkeys(words))
        self._latin.update(dict.fromkeys(LATIN_STOP, ""))
        self._latin.update(dict.fromkeys(_CHAT_LATIN, ""))  # chat slang is never split into initials (xs+wl)
        self._latin.update(LATIN)  # English wins over a coincidental pinyin form

    def _latin_word(self, m: re.Match) -> str:
        run = m.group(0)
        if run in _latin_heads() and run not in LATIN:
            return run  # "t" of t恤, "a" of a货: the lexicon reads it with what follows
        word = self._latin.get(run)
        if word is not None:
            return word
        word = self._split_latin(run)
        if word != run or run in _latin_heads():
            return word
        # An unknown run stays a token of its own: fenced, so "fa货" never reads as f + "a货" (a fake).
        return f"{_FENCE}{run}{_FENCE}"

    def _split_latin(self, run: str) -> str:
        """Normalization glues words ("where is my parcel" → "whereismyparcel"): split a run into known words
        (two letters or more, or a stop word such as "a"), fewest pieces first. A run that does not split
        wholly, or splits into stop words alone, stays as it is."""
        if len(run) > MAX_LATIN_RUN:
            return run
        best: dict[int, list[str]] = {0: []}
        for i in range(len(run)):
            if i not in best:
                continue
            for j in range(i + 1, len(run) + 1):
                piece = run[i:j]
                if (len(piece) > 1 or piece in LATIN_STOP) and piece in self._latin \
                        and (j not in best or len(best[j]) > len(best[i]) + 1):
                    best[j] = best[i] + [piece]
        pieces = best.get(len(run))
        if not pieces or all(p in LATIN_STOP for p in pieces) and len(pieces) > 1:
            return run
        return "".join(self._latin[p] for p in pieces)

    def tokens(self, normalized: str, sound: bool = True, respelled: list[str] | None = None) -> list[str]:
        """Canonical tokens; `sound=False` skips the homophone reading (catalog text is typed with care, and
        its own words must not be read as some other word's typo). When a typo was re-read, the comment as
        re-read is appended to `respelled`."""
        s = _LATIN_RUN.sub(self._latin_word, normalized)
        if "减" in s:
            s = _TIERED.sub("满减", s)
        if "名" in s:
            s = _TOP_N.sub("前多少名", s)
        if "再" in s:
            s = _AGAIN_ON_SALE.sub(RESTOCK_WORD, s)
        if sound:
            read, surfaces = self._second.tokens_and_surfaces(self._first.text(s))
            tokens = self._sound.rewrite(read, surfaces)
            if respelled is not None and tokens is not read:
                respelled.append("".join(tokens))
        else:
            tokens = self._second.tokens(self._first.text(s))
        if WHICH_LINK in tokens:
            # beside a skin tone, "which number" asks a shade ("冷白皮选几号", "哪个号显白")
            tokens = [SHADE_WORD if t == WHICH_LINK else t for t in tokens] if SKIN_WORD in tokens \
                else _read_which_link(tokens)
        if NEXT_WORD in tokens:
            tokens = _read_later(tokens)
        if "到" in tokens or "回" in tokens:
            tokens = _read_arrival(tokens)
        if "点" in tokens:
            tokens = _read_how(tokens)
        if STREAM_WORD in tokens:
            tokens = [t for t in tokens if t != STALL_WORD]
        return _read_more_context(tokens)

    def new_words(self, normalized: str) -> list[str]:
        """Words of a comment this canonicalizer does not know: Latin runs that are neither English nor a
        catalog word's pinyin ("sfh", "tysm"), and runs of 2–4 loose characters (a typo or slang term the
        homophone reading did not place), without question frame at their edges."""
        out = []
        for run in _LATIN_RUN.findall(normalized):
            if len(run) > 1 and len(set(run)) > 1 and run not in self._latin and self._split_latin(run) == run:
                out.append(run)
        loose: list[str] = []
        for tok in [*self.tokens(normalized), ""]:
            if len(tok) == 1 and "\u4e00" <= tok <= "\u9fff" and tok not in self.words:
                loose.append(tok)
                continue
            while loose and loose[0] in FRAME_CHARS:
                loose.pop(0)
            while loose and loose[-1] in FRAME_CHARS:
                loose.pop()
            if 1 < len(loose) <= MAX_OWN_WORD:
                out.append("".join(loose))
            loose = []
        return out

    def __call__(self, normalized: str, respelled: list[str] | None = None) -> str:
        tokens = self.tokens(normalized, respelled=respelled)
        return SEP + SEP.join(tokens) + SEP if tokens else ""


def _read_which_link(tokens: list[str]) -> list[str]:
    out: list[str] = []
    for i, tok in enumerate(tokens):
        if tok != WHICH_LINK:
            out.append(tok)
            continue
        nxt = tokens[i + 1] if i + 1 < len(tokens) else ""
        prev = out[-1] if out else ""
        if (nxt and nxt[0] in _DATED_ACTION) or (prev and (prev[-1] in _UNTIL or prev in _DATED_NOTION)):
            out.append(WHEN_WORD)
        else:
            out.append(tok)
            if nxt != LINK_WORD:
                out.append(LINK_WORD)
    return out


# Cantonese 点 before an action asks how ("点领", "点申请"); elsewhere it is a dot, a point or "order".
_HOW_ACTION = frozenset("领用退申买拍付寄改查攞揾填开换")


def _read_how(tokens: list[str]) -> list[str]:
    return [WHEN_WORD_HOW if t == "点" and i + 1 < len(tokens) and tokens[i + 1][:1] in _HOW_ACTION
            and not (i and tokens[i - 1].isdigit()) else t  # "8点付" is a time
            for i, t in enumerate(tokens)]


WHEN_WORD_HOW = "怎么"


# Money that "arrives" arrives in the account: "退款多久到" asks what "退款多久到账" asks.
_MONEY = frozenset(("退款", "钱", "款", "差价", "价保", "退"))


def _read_arrival(tokens: list[str]) -> list[str]:
    """Money that arrives ("到") or comes back ("回") after a refund is arriving in the account."""
    seen_money = False
    out = []
    for t in tokens:
        if t in _MONEY:
            seen_money = True
        out.append("到账" if t in ("到", "回") and seen_money else t)
    return out


def _read_later(tokens: list[str]) -> list[str]:
    """Drop a "next" that only says "later" before a price move; keep it everywhere else."""
    out: list[str] = []
    for i, tok in enumerate(tokens):
        if tok == NEXT_WORD:
            rest = [t for t in tokens[i + 1:i + 4] if t not in _SKIPPABLE]
            if rest and rest[0] in _PRICE_MOVE:
                continue
        out.append(tok)
    return out


def _read_a_not_a(tokens: list[str]) -> list[str]:
    """"送不送", "退不退": the A-not-A form asks once; read it as the word and a question, so the word
    counts once ("送不送运费险" is about the insurance, not a gift)."""
    out: list[str] = []
    i, n = 0, len(tokens)
    while i < n:
        t = tokens[i]
        if i + 2 < n and tokens[i + 1] == "不" and tokens[i + 2] == t and t not in FRAME_CHARS:
            out += [t, "吗"]
            i += 3
            continue
        out.append(t)
        i += 1
    return out


# "到" right before a product is its turn coming ("什么时候到锅具"); goods followed by "到哪里" is the parcel.
TURN_WORD, PARCEL_WORD = "上", "快递"


def _read_goods_moves(tokens: list[str]) -> list[str]:
    out = list(tokens)
    for i, t in enumerate(tokens):
        if t != GOODS_TOKEN:
            continue
        if i and tokens[i - 1] == "到":
            out[i - 1] = TURN_WORD
        if tokens[i + 1:i + 3] == ["到", "哪里"]:
            out[i] = PARCEL_WORD
    return out


COLOR_WORD = "色"
_COLORS = frozenset("黑白红蓝绿黄粉紫灰棕橙咖米金银")
# A colour ordered and another one received is the wrong item sent; two colours and a correction ("其实想要
# 白的", "能改成"), an order placed wrong.
_RECEIVED = frozenset(("收到", "发", "发货", "来", "到"))
WRONG_ITEM_WORD, WRONG_ORDER_WORD = "漏发", "拍错"
_CORRECTION = frozenset(("改", "换", "其", "想"))  # "其实想要", "能改", "换成"


def _read_colors(tokens: list[str]) -> list[str]:
    colors = [i for i, t in enumerate(tokens) if t in _COLORS]
    named = {tokens[i] for i in colors if i + 1 < len(tokens) and tokens[i + 1] == COLOR_WORD}
    if not named or len({tokens[i] for i in colors}) < 2:
        return tokens
    between = tokens[colors[0] + 1:colors[-1]]
    if any(t in _RECEIVED for t in between):
        return [*tokens, WRONG_ITEM_WORD]
    if any(t in _CORRECTION for t in tokens[colors[0] + 1:]):
        return [*tokens, WRONG_ORDER_WORD]
    return tokens


COUPON_WORD, STACKING_WORD = "优惠券", "叠加"
# 送 is the freebie ("买就送"), but sent together it is delivery: "一起送" says what "一起发" says.
_SENT_TOGETHER = frozenset(("一起", "合并发货"))
SENT_TOGETHER_WORD = "合并发货"


def _read_delivery(tokens: list[str]) -> list[str]:
    out: list[str] = []
    for t in tokens:
        if t == "送" and out and out[-1] in _SENT_TOGETHER:
            out[-1] = SENT_TOGETHER_WORD
            continue
        out.append(t)
    return out


def _read_more_context(tokens: list[str]) -> list[str]:
    """A-not-A, goods on the move, colours, 送 as delivery, two coupons at once."""
    if "不" in tokens:
        tokens = _read_a_not_a(tokens)
    if GOODS_TOKEN in tokens:
        tokens = _read_goods_moves(tokens)
    if COLOR_WORD in tokens:
        tokens = _read_colors(tokens)
    if "送" in tokens:
        tokens = _read_delivery(tokens)
    if tokens.count(COUPON_WORD) > 1:
        tokens = [*tokens, STACKING_WORD]  # two coupons in one question: whether they stack
    if "收到" in tokens and "拍" in tokens and "不" in tokens and _not_the_same(tokens):
        tokens = [*tokens, WRONG_ITEM_WORD]
    return tokens


def _not_the_same(tokens: list[str]) -> bool:
    """What came is not what was ordered: "收到的跟我拍的不是一个", "收到和拍的不一样"."""
    for i, t in enumerate(tokens[:-1]):
        same = tokens[i + 1:i + 2] in (["一"], ["一样"], ["同"]) or tokens[i + 1:i + 3] in (["是", "一"], ["是", "同"])
        if t == "不" and same:
            return tokens.index("收到") < i and tokens.index("拍") < i
    return False
