"""Which comments need a person: the rules that route a comment to the specialist queue (tier 3).

A comment is routed when it describes a personal case (an order that did not ship, a parcel that stopped moving, a
wrong or broken item, a refund that did not arrive) or when it is angry or urgent (投诉, 骗子, 12315, 差评, capitals
and exclamation floods, the same viewer asking again and again). The rules are general: each is a pattern of what
such comments have in common (a first-person case plus a problem, a threat of escalation), not a list of comments.

`Triage.classify(raw, normalized)` judges one comment by its text alone; `RepeatAsks` remembers who asked what, to
route a viewer who keeps asking. What the crew teaches (a case marked "not ours") is an exact normalized text that is
no longer routed. Plain Python: no Flask, no database.

Each routed comment gets an urgency 0-100 (angry beats personal, floods and repeats add) and its reasons, as codes:
  personal.not_shipped  personal.parcel_stuck  personal.wrong_item  personal.broken_item  personal.refund_missing
  angry.complaint (投诉, 12315, 举报, 消协 …)  angry.fraud (骗子, 骗人, scam …)  angry.bad_review (差评)
  angry.abuse (垃圾, 黑店 …)  urgent.exclaim (!!!)  urgent.capitals (WHERE IS MY ORDER)  urgent.repeat
"""
from __future__ import annotations

import re
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from itertools import compress, repeat
from operator import is_not

from faq_catalog.required_text import Prefilter

# Someone speaks of their own case: first person, or an order / parcel they hold, or a time it has been waiting.
_MINE = re.compile(r"我|俺|本人|自己|咱|\bmy\b|\bmine\b|^my|\bi\b|\bive\b|\bim\b|(?<![a-z])i(?=ordered|paid|got)"
                   r"|订单号|单号|[一二两三四五六七八九十几好多\d]+天|一周|一个星期|几个星期|半个月|昨天|前天|上周|"
                   r"[\d一二三四五六七八九十]+号(?:拍|买|下单|付款)|拍了|买了|下单了|付款了|收到")
# A question about the rule (几号发货, 退款多久到账) is for the FAQ; these are reports that something went wrong.
_PERSONAL = (
    ("personal.not_shipped", re.compile(
        r"(?:还|一直|怎么|为什么|咋)?(?:没|未|不)(?:有)?(?:给我)?发(?:货|出|走)?(?!票)|还没发|没动静|不发货|"
        r"notshipped|hasnotshipped|hasntshipped|stillnotshipped|notsentyet|neverarrived")),
    ("personal.parcel_stuck", re.compile(
        r"(?:快递|物流|包裹|件|货)(?:.{0,6})(?:没动|不动|停了|停在|卡在|卡住|卡了|没更新|不更新|丢了|丢件|"
        r"没到|还没到|没收到|不见了|显示签收|被签收)|(?:没|未)(?:收到|到)(?:货|快递|包裹)|"
        r"(?:stuck|lost|notarrived|notreceived|missing)(?:parcel|package|order)?|trackinghasnotmoved")),
    ("personal.wrong_item", re.compile(
        r"发错|寄错|错发|少发|漏发|发少了|少了一|缺了|不是我(?:要|买|拍)的|颜色不对|尺码不对|码数不对|"
        r"wrongitem|wrongsize|wrongcolou?r|missingitem")),
    ("personal.broken_item", re.compile(
        r"(?:坏了|坏的|破了|破损|碎了|烂了|裂了|漏了|漏液|瑕疵|质量问题|用不了|不能用|打不开|开不了机|发霉|过期|"
        r"有异味|脏的|二手)|(?:broken|damaged|cracked|defective|doesntwork|notworking)")),
    ("personal.refund_missing", re.compile(
        r"(?:退款|退钱|钱|退货款|款)(?:.{0,6})(?:还没|没|未|不)(?:有)?(?:到|退|收到|给|回来|到账)|"
        r"(?:没|未)(?:收到|到)(?:退款|钱)|不给(?:我)?退|拒绝退款|refundnot|norefund|refundhasnot|"
        r"stillnorefund|wheresmyrefund|whereismyrefund|wheremyrefund|refundmissing")),
)
_ANGRY = (
    ("angry.complaint", 70, re.compile(r"投诉|(?<!\d)123(?:15|45)(?!\d)|举报|消协|消费者协会|工商局|市场监管|维权|"
                                       r"曝光你|报警|"
                                       r"起诉|告你|律师|report(?:you|this)|complain")),
    ("angry.fraud", 65, re.compile(r"骗子|骗人|骗钱|诈骗|欺诈|坑人|坑钱|忽悠|假货(?![吗嘛么])|scam|fraud")),
    ("angry.bad_review", 55, re.compile(r"差评|一星|给差|negativereview|badreview|onestar")),
    # The Latin abbreviations only as words of their own: "usb" holds no insult.
    ("angry.abuse", 50, re.compile(r"垃圾|黑店|无良|缺德|恶心|滚|什么破|太差了|差劲|气死|他妈|"
                                   r"(?<![a-z])(?:tmd|sb|cnm)(?![a-z])|rubbish|garbage|worst|terrible")),
)
_PERSONAL_URGENCY = 40
ROUTE_AFTER = 2  # RepeatAsks.ROUTE_AFTER
REPEAT_CAP = ROUTE_AFTER + 4  # more repeats than this add no urgency (the repeat weight stops at 60)
NOTHING = ((), "")  # the verdict of a text that gives no reason (one object: compared by identity)
_EXCLAIM = re.compile(r"[!！]{3,}|[?？]{4,}")
_LETTERS = re.compile(r"[A-Za-z]")
_CAPITALS = re.compile(r"[A-Z]")
_TWO_CAPITALS = re.compile(r"[A-Z]{2}")
FLOOD_MIN_CHARS = 4
_DELIGHT = re.compile(r"美|好看|喜欢|爱了|爱你|棒|赞|漂亮|帅|哈哈|冲|抢到|买到|拍到|666|耶|谢谢|感谢|来了|支持|加油|"
                      r"love|great|nice|cool|amazing|wow|yay|thanks|hype|omg")
# One pass before the rules: a text holding none of the pieces some rule cannot match without (most of the chat)
# gets its verdict from one automaton pass instead of a dozen patterns. Derived from the rules themselves
# (faq_catalog.required_text), so it cannot drift from them: what it lets through is judged as before.
_CUES = Prefilter([r for _, r in _PERSONAL] + [r for _, _, r in _ANGRY])
_RAW_CUES = Prefilter([_EXCLAIM, _TWO_CAPITALS])
CACHE_SIZE = 50_000  # texts whose verdict is kept (chat repeats itself); cleared whole when full


@dataclass(frozen=True, slots=True)
class Routed:
    """Why a comment goes to the specialist queue: `reason` is the strongest of `reasons`."""
    urgency: int
    reason: str
    reasons: tuple[str, ...]
    kind: str  # "personal" or "angry" (angry and urgent ones)


def _routed(found: tuple, repeats: int) -> Routed:
    scored = list(found[0])
    if repeats >= ROUTE_AFTER:
        scored.append((min(60, 20 + 10 * (repeats - ROUTE_AFTER)), "urgent.repeat"))
    ordered = sorted(scored, key=lambda s: -s[0])
    # The strongest reason counts in full, each further one adds half of its weight.
    urgency = ordered[0][0] + sum(w // 2 for w, _ in ordered[1:])
    return Routed(min(100, urgency), ordered[0][1], tuple(c for _, c in ordered), found[1])


class Triage:
    """The routing rules, with what the crew taught: normalized texts that are not for the specialists."""

    def __init__(self, not_ours: set[str] | None = None):
        self.not_ours = set(not_ours or ())
        self._cache: dict[str, tuple[tuple[tuple[int, str], ...], str]] = {}
        self._routed: dict[tuple, Routed] = {}  # (text's verdict, repeats) → the same Routed every time
        self.repeats = RepeatAsks()

    def teach_not_ours(self, normalized: str) -> None:
        if normalized:
            self.not_ours.add(normalized)

    def classify(self, raw: str, normalized: str, repeats: int = 0) -> Routed | None:
        """Routed or None. `repeats`: how many times this viewer asked before within the window (RepeatAsks).
        A viewer routed for asking again is routed once, on the ask that crosses the line; later asks only add
        to the urgency of a comment routed for another reason. Runs for every comment: the verdict on the text is
        cached, and the common case (nothing found, no repeat) is one lookup."""
        found = self._verdict(raw, normalized)
        if not found[0] and repeats != ROUTE_AFTER:
            return None
        if self.not_ours and normalized in self.not_ours:
            return None
        return self._judged(found, repeats)

    def _judged(self, found: tuple, repeats: int) -> Routed:
        """The verdict for a text's reasons and the viewer's repeats (one object per such pair, kept)."""
        key = (found, min(repeats, REPEAT_CAP) if repeats >= ROUTE_AFTER else 0)
        routed = self._routed.get(key)
        if routed is None:
            if len(self._routed) >= CACHE_SIZE:
                self._routed.clear()
            routed = self._routed[key] = _routed(found, key[1])
        return routed

    def _verdict(self, raw: str, normalized: str) -> tuple:
        found = self._cache.get(raw)
        if found is None:
            if len(self._cache) >= CACHE_SIZE:
                self._cache.clear()
            found = self._cache[raw] = self._by_text(raw, normalized)
        return found

    def route_batch(self, show_id: str, raws: list[str], normalized: Callable[[int], str], askers: list[str],
                    now: float) -> dict[int, Routed]:
        """classify() for a batch, as cheaply as Python allows: {row index: verdict} for the routed rows.
        `askers`: per row the viewer's id when the row asks something (matched or a question), else "";
        `normalized(i)`: row i's normalized text (needed only for texts not seen before)."""
        cache = self._cache
        verdicts = list(map(cache.get, raws))
        if None in verdicts:
            for i, v in enumerate(verdicts):
                if v is None:
                    verdicts[i] = self._verdict(raws[i], normalized(i))
        out: dict[int, Routed] = {}
        crossing, priors = self.repeats.note_batch(show_id, askers, now)
        not_ours = self.not_ours
        for i in crossing:  # classify(…, ROUTE_AFTER), inlined: a chatty room has dozens per batch
            if not (not_ours and normalized(i) in not_ours):
                out[i] = self._judged(verdicts[i], ROUTE_AFTER)
        if verdicts.count(NOTHING) != len(verdicts):  # in C: most batches have no text that gives a reason
            for i in compress(range(len(verdicts)), map(is_not, verdicts, repeat(NOTHING))):
                if i in out or (not_ours and normalized(i) in not_ours):
                    continue
                user = askers[i]
                # Only a viewer over the line after this batch can have a repeat that counts.
                repeats = priors[user] + askers[:i].count(user) if user in priors else 0
                out[i] = self._judged(verdicts[i], repeats if repeats > ROUTE_AFTER else 0)
        return out

    @staticmethod
    def _by_text(raw: str, normalized: str) -> tuple[tuple[tuple[int, str], ...], str]:
        """The reasons the text alone gives, with their weights, and the kind."""
        if not _CUES.maybe(normalized) and not _RAW_CUES.maybe(raw):
            return NOTHING
        scored: list[tuple[int, str]] = []
        kind = "angry"
        if _MINE.search(normalized) or _MINE.search(raw.lower()):
            for code, rule in _PERSONAL:
                if rule.search(normalized):
                    scored.append((_PERSONAL_URGENCY, code))
                    kind = "personal"
                    break
        for code, weight, rule in _ANGRY:
            if rule.search(normalized):
                scored.append((weight, code))
                kind = "angry"
        # A flood alone routes a sentence, not a cheer: 链接！！！, 抢到了！！！ and 好看好看！！！ are the room's joy.
        flood_counts = bool(scored) or (len(normalized) >= FLOOD_MIN_CHARS and not _DELIGHT.search(normalized))
        if flood_counts and _EXCLAIM.search(raw):
            scored.append((15 if scored else 35, "urgent.exclaim"))
        if flood_counts and _TWO_CAPITALS.search(raw):
            letters = len(_LETTERS.findall(raw))
            if letters >= 6 and len(_CAPITALS.findall(raw)) >= 0.7 * letters:
                scored.append((15 if scored else 35, "urgent.capitals"))
        if kind == "personal" and any(code.startswith("angry.") for _, code in scored):
            kind = "angry"
        return (tuple(scored), kind) if scored else NOTHING


class RepeatAsks:
    """How often each viewer asked (a question or a matched comment) in the show's current window of WINDOW
    seconds (fixed windows: counting starts again when one ends), per show; bounded in viewers per window."""
    WINDOW = 300.0
    ROUTE_AFTER = ROUTE_AFTER  # the third ask within the window routes the viewer

    def __init__(self, max_viewers: int = 50_000):
        self._windows: dict[str, tuple[float, Counter]] = {}  # show → (window start, asks per viewer)
        self._max = max_viewers

    def _window(self, show_id: str, now: float) -> Counter:
        started, counts = self._windows.get(show_id, (None, None))
        if counts is None or now - started >= self.WINDOW or now < started or len(counts) > self._max:
            counts = Counter()
            self._windows[show_id] = (now, counts)
        return counts

    def note(self, show_id: str, user_hash: str, ts: float | None = None) -> int:
        """Record one ask; returns how many asks of this viewer came before it within the window."""
        if not user_hash:
            return 0
        counts = self._window(show_id, time.time() if ts is None else ts)
        before = counts[user_hash]
        counts[user_hash] = before + 1
        return before

    def note_batch(self, show_id: str, askers: list[str], now: float) -> tuple[list[int], dict[str, int]]:
        """Record a batch of asks (per row the viewer, "" for rows that ask nothing), all at `now`. Returns the rows
        whose ask crosses ROUTE_AFTER, and the viewers who had asked before this batch with their counts (only
        those above the line: below it, no count matters). Counting runs in C; Python looks at each viewer of the
        batch once, and further only at those over the line."""
        asked = list(filter(None, askers))
        if not asked:
            return [], {}
        batch = Counter(asked)
        counts = self._window(show_id, now)
        counts.update(asked)  # counting a list runs in C (a mapping would be counted in Python)
        line = self.ROUTE_AFTER
        over = [u for u in batch if counts[u] > line]
        if not over:
            return [], {}
        priors = {u: counts[u] - batch[u] for u in over}
        # For a viewer who crosses in this batch: how many of their asks in it come before the crossing one.
        left = {u: line - p for u, p in priors.items() if p <= line}
        crossing = []
        if left:
            rows = list(compress(range(len(askers)), askers))  # the row of each ask
            for j in compress(range(len(asked)), map(left.__contains__, asked)):
                user = asked[j]
                k = left[user]
                if k == 0:
                    crossing.append(rows[j])
                left[user] = k - 1
        return crossing, priors
