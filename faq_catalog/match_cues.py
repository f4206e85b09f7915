"""Does a normalized comment ask something? Live chat almost never uses "?", so read the words.

Two kinds of cue make a comment worth answering: a question form (particles 吗/呢/么, question words,
A-not-A "送不送", a trailing 不/没 "能退不" "发了没", requests "求…" "发一下", Cantonese 咩/点样/边度/冇),
and a trouble report that implies "what now?" (没收到, 查不到, 付不了, 发错, 破了…). A statement that
names a topic but asks nothing ("尾款付好了", "一号链接拍了") has neither; nor has a negated report
("没破", "没坏") or one the viewer has let go ("…算了").
"""
from __future__ import annotations

import re

_QUESTION = re.compile(
    r"吗|呢(?![个啲度])|么$|[咋啥哪谁咩]|什么|怎|如何|为何|何时|多久|多少|多长|多大|多远|多重|是否"
    r"|(?<![好这那十没几])几(?![十百千万])"
    r"|(.)[不唔没]\1|[不没]$|没有$|未$|有无|冇"
    r"|点样|边度|边个|几时|[系是]咪|系唔系|点[计算解]|边[只支款间位家条件种样]|(?<![好行干])嘛"
    r"|^求|请问|问下|问一下|想问|想知道|有人知道|麻烦|帮我|帮忙|一下$"
    r"|想[换改退取申查]|急用|还是|呗$|[上来发给求]个"
    r"|进度|进展|推荐|去咗边|去边|边$|时间$|时间呢|要[退换]货|^[上发要]链接|点[领用退申买拍付寄改查攞揾]"
    r"|pls|plz|please|定[系是]"
    r"|when|where|which|what|how|why|^can|^could|^do[ye]|^is|^are|^will|^any|isthere|arethere|canyou|cani"
)
# Trouble reports, in the words viewers use before any synonym folding (t2s has already run).
_PROBLEM = re.compile(
    r"没收到|没到|还没|没有|没发|不动|没更新|不更新|没记录|没反应|[查找看收领用付拍买下交俾畀][不唔][到了上]|[不唔冇没]郁"
    r"|[点打加载显示出弹进]不[出开进了]|一直没|一直不|[停卡]在|[停卡]了[\d一两二三四五六七八九十几好]|提交不|失败|闪退|卡住|转圈|[点选拍买下发]成|(?<!不)错|少了|少发|缺件|瑕疵|质量[问有差不]"
    r"|(?<![没不无未])(?<!没有)(?:漏|破(?!防)|坏|碎|裂|烂(?!脸))|少咗|烂咗|唔见|冇收到"
    r"|(?<!没)问题|不对|不回|不理|没[动变送给见]|没[看找]到|一直显示|不一样|不小心|多拍了|拍多了|买多了|多买了"
    r"|[抢开登]不[到了上]|只[到收发来][了一两二三四五六七八九\d]|不是我[买拍要下选订]|说好的|后悔|(?:付款|支付|下单|提交|付钱)不了|忘[记了]?[付交拍领填]|没在|没抵|抵不了|用不了|用不上|洞|划痕|掉漆|脱胶"
    r"|broken|damaged|missing|wrong|notreceived|neverreceived|didnt|didnot|havent|hasnt|failed|lost|stuck|notarrived"
)


# "Never mind" closes the matter: "拍错了 算了不改了" reports nothing that still needs an answer.
_SETTLED = re.compile(r"(?<![点打])算了|不用了|没事了|没关系|不[改退换]了$|已经重[拍下]|重[拍下]了|[改换]好了|解决了|"
                      r"补[寄发]?了|已经补|终于")


def settled(normalized: str) -> bool:
    """The viewer has let the matter go ("算了", "不用了", "已经补寄了")."""
    return _SETTLED.search(normalized) is not None


# A statement put up for confirmation: "能退的吧", "可以用的吧", "是正品吧".
_CONFIRM = re.compile(r"(?:能|可以|会|是|有)[\u4e00-\u9fff]{0,6}吧$")


# Whom the viewer addresses, put after the question ("发货了没 主播", "还有吗宝宝们"): the question ends before it.
_ADDRESSED = re.compile(r"(?:主播|客服|小助理|助理|宝宝们?|宝们|姐妹们?|家人们?|亲爱的|亲|老师|小姐姐|美女)+$")


def asks(normalized: str) -> bool:
    """A question form in the words of the comment."""
    if _QUESTION.search(normalized) is not None:
        return True
    spoken = _ADDRESSED.sub("", normalized) or normalized
    if spoken is not normalized and _QUESTION.search(spoken) is not None:
        return True
    return spoken.endswith("吧") and _CONFIRM.search(spoken) is not None


def reports_trouble(normalized: str) -> bool:
    """A trouble report (missing, wrong, broken, failing, not updating) that asks for help implicitly,
    unless the viewer has already let it go ("算了", "不用了")."""
    return _PROBLEM.search(normalized) is not None and _SETTLED.search(normalized) is None


# The host's own things (outfit, jewellery, make-up) are not for sale here: no catalog item answers them.
_ABOUT_HOST = re.compile(r"主播(?:今天)?(?:的|穿|戴|用|涂|擦|身上|头上|手上|脸上|头发|[衣裙裤鞋帽项耳戒镯链妆])")
# What the host holds up is the product on sale: asking its link or number is a shelf question.
_HOST_SHOWS = re.compile(r"主播手[上里]\S*(?:第几|几号|链接|哪拍|拍哪|在哪[买拍下])")


# The stream itself (its hours, its sound and picture) is no shelf item's business.
_ABOUT_STREAM = re.compile(r"播到几点|几点[开下]?播|[开下]播|直播到几点|还播|还有直播|直播吗|回放"
                           r"|没声音|没画面|黑屏|画面卡|声音卡")


def about_stream(normalized: str) -> bool:
    """The comment is about the stream ("今天播到几点", "怎么没声音了")."""
    return _ABOUT_STREAM.search(normalized) is not None


# A viewer venting ("客服不理人 差评") or telling what happened before ("上次漏发了 客服很快补了") asks nothing, though
# the words report trouble; the person lane still hears the anger (faq_catalog/triage.py).
_VENTING = re.compile(r"差评|垃圾|辣鸡|无语|服了|气死|恶心|太差|太慢|什么破")
_BEFORE = re.compile(r"^(?:上次|上回|之前|以前|去年|前几天|上个月)")
_NOW = re.compile(r"这次|又|现在|今天|还是|还没")


def just_telling(normalized: str) -> bool:
    """A trouble report that only vents or tells a past case, with no question form."""
    if asks(normalized):
        return False
    return _VENTING.search(normalized) is not None or (
        _BEFORE.search(normalized) is not None and _NOW.search(normalized) is None)


def about_host(normalized: str) -> bool:
    """The comment is about the host's own things ("主播的项链", "主播穿的鞋")."""
    return _ABOUT_HOST.search(normalized) is not None and _HOST_SHOWS.search(normalized) is None


def looks_like_question(normalized: str) -> bool:
    """The comment asks something or reports trouble: worth an answer, and worth clustering if no item fits."""
    return asks(normalized) or reports_trouble(normalized)
