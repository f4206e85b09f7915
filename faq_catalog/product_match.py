"""Product questions in comments: which run-sheet product a comment asks about and which fact (price, stock,
shipping, start time), or whether it asks what comes next. Plain Python beside the FAQ matcher; it reads the
normalized text the matcher made (faq_catalog.normalize) so a comment is normalized once.

A product question needs a fact word (多少钱, 有货, 发货, 几点上 …). The product is named by its order number (3号,
三号, 链接3), by a word of its name, shop or category (口红, 零食), or not at all ("这个多少钱": the product on air).
A comment naming no product that the FAQ catalog already answers is left to the catalog ("什么时候发货" is the
shop's shipping policy). Most comments have no fact word at all and leave at the first automaton pass.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import ahocorasick_rs

FIELDS = ("price", "stock", "shipping", "start_time")
FIELD_WORDS: dict[str, list[str]] = {
    "price": ("多少钱 多钱 价格 价钱 几块 几元 啥价 什么价 到手价 到手多少 多少米 便宜多少 优惠多少 有优惠 "
              "满减 有券 什么活动 啥活动 赠品 送什么 送啥 有赠 贵不贵 价位 多少一 多少块").split(),
    "stock": ("有货 没货 库存 还有吗 还有没 还有货 现货 售罄 卖完 抢完 抢光 补货 还剩 剩多少 断货 缺货 "
              "有多少件 多少件 多少单 有几件 有没有了 还能买 还能拍 拍得到").split(),
    "shipping": "发货 几天到 多久到 什么时候到 快递 包邮 物流 顺丰 多久能到 几天能到 发什么 现发 预售 多久发".split(),
    "start_time": ("几点 什么时候上 啥时候上 什么时候讲 啥时候讲 什么时候开 多久上 还要多久 还有多久 何时上 "
                   "什么时候有 啥时候有 什么时候播 啥时候播 什么时候轮到 啥时候轮到 还没上 怎么还不上 快上 "
                   "几时上 什么时间上").split(),
}
NEXT_WORDS = "下一个 下个 接下来 下一款 下一个品 下一位 后面 待会 等会".split()
NEXT_ASKS = ("是什么 讲什么 是啥 讲啥 上什么 上啥 卖什么 卖啥 什么品 什么东西 啥东西 推什么 推啥 播什么 "
             "什么呀 什么啊 啥呀").split()
# "这个" and friends point at the product on the screen, even where an FAQ item also fits.
DEICTIC = "这个 这款 这件 这套 这支 这瓶 这盒 现在这 手上这 当前".split()
_NUMERALS = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}
_NUMBER = re.compile(r"(?:(?:链接|第|编号|序号|no)(\d{1,4}))|(?:(\d{1,4})(?:号|链接|#))|(?:^(\d{1,4})(?=[^\d.]))"
                     r"|(?:(?:第)?([一二两三四五六七八九十]{1,3})号)")
# Name pieces that name no product: sizes, packaging, marketing.
_NOISE = set("套装 礼盒 组合 超值 限定 新款 升级 正装 官方 旗舰 专享 直播 同款 款式 系列 国货 进口 大牌 好物 "
             "爆款 家用 男女 女士 男士 儿童".split())
_MIN_ALIAS = 2


@dataclass(frozen=True)
class ProductFacts:
    number: int
    name: str
    shop: str = ""
    category: str = ""


@dataclass(frozen=True)
class ProductAsk:
    number: int | None  # None for "what comes next"
    field: str  # one of FIELDS, or "next"
    named: bool  # the comment named the product (number or name) rather than meaning the one on air
    # False when the product is a pick among several the comment's word names (口红 on a sheet of three lipsticks):
    # good enough to count the ask, not to answer the viewer with that product's facts.
    sure: bool = True


def _chinese_number(s: str) -> int:
    if s == "十":
        return 10
    if s.startswith("十"):
        return 10 + _NUMERALS.get(s[1:], 0)
    if "十" in s:
        tens, _, ones = s.partition("十")
        return _NUMERALS.get(tens, 0) * 10 + _NUMERALS.get(ones, 0)
    return _NUMERALS.get(s, 0) if len(s) == 1 else 0


def _aliases(p: ProductFacts) -> set[str]:
    """Pieces of the name (2 to 6 characters), plus shop and category whole: 口红 in 完美日记小细跟口红."""
    out = {a for a in (p.shop, p.category) if len(a) >= _MIN_ALIAS}
    name = re.sub(r"[\s\W\d_]+", "|", p.name.lower())
    for part in name.split("|"):
        for size in range(_MIN_ALIAS, min(6, len(part)) + 1):
            for i in range(len(part) - size + 1):
                out.add(part[i:i + size])
    return {a for a in out if a not in _NOISE}


class ProductMatcher:
    """Built from one show's products (rebuilt when the sheet changes: it is cheap, a few ms for 500 rows)."""

    def __init__(self, products: list[ProductFacts]):
        self.products = {p.number: p for p in products}
        self._triggers = ahocorasick_rs.AhoCorasick(
            [w for ws in FIELD_WORDS.values() for w in ws] + list(NEXT_WORDS),
            matchkind=ahocorasick_rs.MatchKind.LeftmostLongest)
        self._field_of = {w: f for f, ws in FIELD_WORDS.items() for w in ws}
        by_alias: dict[str, set[int]] = {}
        for p in products:
            for a in _aliases(p):
                by_alias.setdefault(a, set()).add(p.number)
        # A piece shared by most of the sheet (a shop selling everything) names nothing.
        limit = max(3, len(products) // 3)
        self._alias_products = {a: sorted(ns) for a, ns in by_alias.items() if len(ns) <= limit}
        self._names = (ahocorasick_rs.AhoCorasick(list(self._alias_products),
                                                  matchkind=ahocorasick_rs.MatchKind.LeftmostLongest)
                       if self._alias_products else None)
        self._alias_list = list(self._alias_products)

    def match(self, normalized: str, on_air: int | None = None, upcoming: tuple[int, ...] = (),
              faq_answered: bool = False) -> ProductAsk | None:
        hits = self._triggers.find_matches_as_strings(normalized)
        if not hits:
            return None
        if any(h in NEXT_WORDS for h in hits) and any(a in normalized for a in NEXT_ASKS):
            return ProductAsk(None, "next", False)
        fields = [self._field_of[h] for h in hits if h in self._field_of]
        if not fields:
            return None
        field = fields[0]
        number, sure = self._named_number(normalized), True
        if number is None:
            number, sure = self._by_name(normalized, on_air, upcoming)
        if number is not None:
            return ProductAsk(number, field, True, sure)
        if on_air is None or field == "start_time":
            return None
        if faq_answered and not any(d in normalized for d in DEICTIC):
            return None
        # No product named: "有货吗", "这个多少钱" ask about the one on the screen.
        return ProductAsk(on_air, field, False)

    def _named_number(self, text: str) -> int | None:
        for m in _NUMBER.finditer(text):
            digits = m.group(1) or m.group(2) or m.group(3)
            n = int(digits) if digits else _chinese_number(m.group(4))
            if n in self.products:
                return n
        return None

    def _by_name(self, text: str, on_air: int | None, upcoming: tuple[int, ...]) -> tuple[int | None, bool]:
        """(the product the text names, whether the name was its alone)."""
        if self._names is None:
            return None, False
        found = self._names.find_matches_as_strings(text)
        if not found:
            return None, False
        best = max(found, key=len)
        candidates = self._alias_products[best]
        if len(candidates) == 1:
            return candidates[0], True
        # Several products share the word: the one on air, then the nearest to come, then the first.
        for n in (on_air, *upcoming):
            if n in candidates:
                return n, False
        return candidates[0], False


FIELD_LABELS = {"price": "价格", "stock": "库存", "shipping": "发货", "start_time": "开讲时间"}
UNKNOWN = "待确认"


def answer(ask: ProductAsk, facts: dict[str, dict[str, str]], upcoming: tuple[int, ...] = ()) -> str:
    """A one-line reply from the sheet. `facts` is number → fields as stored; missing facts say 待确认."""
    if ask.field == "next":
        if not upcoming:
            return "下一个商品" + UNKNOWN
        n = upcoming[0]
        f = facts.get(n, {})
        when = f.get("start_time")
        return f"下一个是{n}号 {f.get('name', '')}" + (f"，{when}开讲" if when else "")
    f = facts.get(ask.number, {})
    head = f"{ask.number}号 {f.get('name', '')}"
    if ask.field == "price":
        parts = [f"到手价{f['price']}" if f.get("price") else f"到手价{UNKNOWN}"]
        parts += [f"满减{f['discount']}"] if f.get("discount") else []
        parts += [f"赠品{f['gift']}"] if f.get("gift") else []
        return head + "：" + "，".join(parts)
    value = f.get(ask.field) or UNKNOWN
    return f"{head}：{FIELD_LABELS[ask.field]}{value}"


# What sheets write in a cell whose fact is not settled: as good as empty for an answer in chat.
UNSETTLED = frozenset({UNKNOWN, "待定", "未定", "待公布", "待更新", "暂无", "tbd", "tba", "?", "？", "-", "—", "/"})


def settled(value: str | None) -> bool:
    v = (value or "").strip()
    return bool(v) and v.lower() not in UNSETTLED


def fact_reply(ask: ProductAsk, fields: dict[str, str]) -> str | None:
    """What an answer in chat may say to a product question, from the product's own facts. None when the fact asked
    is not settled (empty, 待确认, 待定 …): a bot never says 待确认 for the host, and the rundown lists the fact to
    chase. None too for "what comes next", which the host announces."""
    if ask.number is None or ask.field not in FIELDS or not settled(fields.get(ask.field)):
        return None
    facts = {k: v for k, v in fields.items() if settled(v)}  # no 待定 gift or discount beside a known price
    return answer(ask, {ask.number: facts})
