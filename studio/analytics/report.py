"""Deflection analytics for a show: does the livestream take load off one-to-one service, and what to answer next.

Everything is counted inside the show window: from the show's start to its end (or now) plus WINDOW_TAIL, because
viewers keep reading solution pages, and keep not contacting the helpdesk, after the host moves on. Aggregation is
done by the database (GROUP BY over indexed columns); Python only joins a few hundred small rows.
Every figure is defined in DEFINITIONS, which the dashboard prints beside it.
"""
from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Integer, case, cast, func, literal, select, text
from sqlalchemy.orm import Session

from studio.analytics import erlang
from studio.analytics.intervals import deflection_estimate
from studio.store.models import (
    CommentCount,
    FaqRecord,
    OneToOneContact,
    Segment,
    ShelfEntry,
    Show,
    TopicMapping,
    ViewerEvent,
)
from studio.store.shows import get_show

WINDOW_TAIL = 1800          # seconds after the show still counted
ESCALATION_WINDOW = 1800    # a page view followed by an escalation within this many seconds is not self-service
MIN_BASELINE = 900          # a baseline shorter than this says nothing
BUCKET_CHOICES = (60, 300, 600, 900, 1800, 3600, 7200)
MAX_BUCKETS = 2000

# Why a figure is missing: a code for programs and pages (which translate it), and the English sentence API
# clients read. Reports carry both, the sentence always derived from this table.
REASONS: dict[str, str] = {
    "not_on_air": "not answered on air",
    "no_baseline_data": "no one-to-one data in the baseline period",
    "no_contacts_in_window": "no one-to-one contacts in the window",
    "no_views_or_contacts": "no page views and no contacts yet",
    "baseline_show_empty": "the chosen show has no recorded activity",
    "wait_inputs_missing": "enter agents on duty and the average handle time",
    "no_activity_yet": "the show has no recorded activity yet",
}


def _why(code: str) -> dict[str, str]:
    """{"reason_code": code, "reason": its English sentence}."""
    return {"reason_code": code, "reason": REASONS[code]}


DEFINITIONS: dict[str, tuple[str, str]] = {
    "window": (
        "统计窗口：从开播到下播（直播中为此刻），再加 30 分钟。所有数字只计窗口内的事件。",
        "Window: from the show's start to its end (or now while live), plus 30 minutes. Every figure counts only "
        "events inside it."),
    "self_service_score": (
        "自助服务比 = 窗口内打开过解答页的独立观众数 ÷ 同一窗口内联系一对一客服的独立客户数（按客户标识去重，"
        "没有标识时按会话号）。4 表示每有 1 人找客服，就有 4 人自己看了解答。",
        "Self-service score = unique viewers who opened a solution page ÷ unique people who contacted one-to-one "
        "service, same window (people counted by customer id, or by contact id where it is absent). 4 means four "
        "self-service users for every person who contacted an agent."),
    "self_service_share": (
        "自助解决占比 = 自助解决的观众 ÷（自助解决的观众 + 一对一咨询量）。自助解决：打开过解答页，且在任何一次"
        "打开后 30 分钟内没有点「转人工」。",
        "Self-service share = self-served viewers ÷ (self-served viewers + one-to-one contacts). Self-served: "
        "opened a solution page and did not escalate within 30 minutes after any page they opened."),
    "deflected_contacts_estimate": (
        "减少的咨询（估计）= 基线速率 × 暴露时长 − 实际咨询量。暴露期：该问题第一次上播到窗口结束；基线：同一主题在"
        "开播前（默认 24 小时）或所选往期直播中的每小时咨询量。区间为 95% 置信区间（泊松精确区间，差值用 MOVER "
        "合成）。没有基线数据时不给数字。",
        "Deflected contacts (estimate) = baseline rate × exposure time − observed contacts. Exposure: from the "
        "item's first on-air answer to the end of the window. Baseline: contacts per hour on the same topic before "
        "the show (24 h by default) or during a chosen earlier show. The range is a 95% interval (exact Poisson "
        "limits, combined for the difference with the MOVER method). No baseline data, no number."),
    "funnel": (
        "漏斗：评论里问到（匹配到该问题的评论数）→ 直播讲解时长（秒）→ 打开解答页的独立观众 → 有用 / 没用 → 转人工。",
        "Funnel: asked in comments (comments matched to the item) → answered on air (seconds) → unique viewers of "
        "the solution page → helpful yes / no → escalations to an agent."),
    "worth_answering_next": (
        "值得接下来讲：得分 = 100 × (需求 + 一对一量) ÷ 2 × (1 − 有用率)。需求、一对一量各按本场最高的问题归一到 "
        "0–1；有用率 = (有用 + 1) ÷ (有用 + 没用 + 2)，没有投票时为 0.5。",
        "Worth answering next: score = 100 × (demand + one-to-one volume) ÷ 2 × (1 − helpful rate). Demand and "
        "one-to-one volume are each scaled 0–1 against the show's top item; helpful rate = (yes + 1) ÷ (yes + no + "
        "2), 0.5 before any votes."),
    "wait_impact": (
        "等待时间影响（Erlang C）：按窗口内每小时一对一咨询量、平均处理时长和在岗客服数，估算平均等待时长和 180 秒"
        "内接起的比例；「没有直播」= 加回减少的咨询。流量超过团队能力时队列会一直变长，不给等待时长。",
        "Wait-time impact (Erlang C): average wait and the share answered within 180 seconds, from one-to-one "
        "contacts per hour in the window, average handle time and agents on duty; \"without the show\" adds the "
        "deflected contacts back. When traffic exceeds what the team can handle the queue grows without bound and "
        "no wait is given."),
}


@dataclass(frozen=True)
class Params:
    now: float
    bucket: int | None = None          # seconds; None picks one for ≤ ~80 points
    tz_offset: float = 0.0             # seconds east of UTC: buckets start on the lead's local boundaries
    baseline_hours: float = 24.0
    baseline_show: str | None = None
    agents: int | None = None
    aht: float | None = None           # seconds; None uses the contacts' mean handle time
    target_seconds: float = 180.0
    service_target: float = 0.8


class NoBaselineShow(LookupError):
    pass


# ---------------------------------------------------------------- SQL building blocks

def _bucket(col, origin: float, size: int, postgres: bool):
    """Bucket index of an epoch column; PostgreSQL's CAST rounds, so it floors explicitly."""
    x = (col - literal(origin)) / literal(float(size))
    return cast(func.floor(x), Integer) if postgres else cast(x, Integer)


def _contact_slug():
    """A contact's item: its own slug, else its topic's mapping (so a later mapping fixes past contacts)."""
    return func.coalesce(OneToOneContact.slug, TopicMapping.slug)


def _contacts_from(*cols):
    return (select(*cols).select_from(OneToOneContact)
            .outerjoin(TopicMapping, TopicMapping.topic == OneToOneContact.topic))


def _window(s: Session, show: Show, now: float) -> tuple[float, float, float] | None:
    """(start, end, data end): end includes the tail; data end is never after now."""
    start = show.started_at
    if start is None:  # a replayed or never-started show: its first recorded activity
        firsts = [s.scalar(select(func.min(Segment.started_at)).where(Segment.show_id == show.id)),
                  s.scalar(select(func.min(ViewerEvent.ts)).where(ViewerEvent.show_id == show.id)),
                  s.scalar(select(func.min(CommentCount.minute * 60)).where(CommentCount.show_id == show.id))]
        firsts = [float(x) for x in firsts if x is not None]
        if not firsts:
            return None
        start = min(firsts)
    end = (show.ended_at if show.ended_at is not None else now) + WINDOW_TAIL
    return start, end, max(start, min(end, now))


def _pick_bucket(span: float, wanted: int | None) -> int:
    """The wanted bucket size (kept under MAX_BUCKETS), or the smallest readable one: at most ~80 bars."""
    if wanted:
        return max(wanted, math.ceil(span / MAX_BUCKETS), 1)
    return next((b for b in BUCKET_CHOICES if span / b <= 80), BUCKET_CHOICES[-1])


# ---------------------------------------------------------------- the report

class _Report:
    """One computation of the deflection report; each method reads one thing with one or two queries."""

    def __init__(self, s: Session, show: Show, params: Params, window: tuple[float, float, float]):
        self.s, self.show, self.p = s, show, params
        self.start, self.end, self.data_end = window
        self.postgres = s.bind.dialect.name == "postgresql"
        self.size = _pick_bucket(self.data_end - self.start, params.bucket)
        # buckets begin on the lead's local clock boundaries (e.g. whole hours in Asia/Kolkata are :30 UTC)
        self.origin = self.start - ((self.start + params.tz_offset) % self.size)
        self.n_buckets = max(1, math.ceil((self.data_end - self.origin) / self.size))

    def in_window(self, col):
        return col.between(self.start, self.end)

    def series(self) -> list[float]:
        return [0] * self.n_buckets

    def add(self, series: list, bucket: int, value: float) -> None:
        if 0 <= bucket < len(series):
            series[bucket] += value

    # --- viewer events
    # For the per-show totals the window is a condition inside the aggregate, not in WHERE: it holds nearly all
    # of a show's events, and a WHERE range on ts tempts planners into a (show, ts) index plus a visit to the
    # table for every row, several times slower than the covering index scan this leaves them.
    def viewer_events(self) -> tuple[dict, list]:
        """Counts per item and type (the funnel), and page views per time bucket."""
        by_item: dict[str, dict[str, int]] = {}
        for slug, kind, n in self.s.execute(
                select(ViewerEvent.slug, ViewerEvent.type, func.sum(case((self.in_window(ViewerEvent.ts), 1), else_=0)))
                .where(ViewerEvent.show_id == self.show.id).group_by(ViewerEvent.slug, ViewerEvent.type)):
            by_item.setdefault(slug, {})[kind] = int(n or 0)
        # One index range count per bucket instead of GROUP BY on a computed bucket: no sort of every row.
        bk = select(literal(0).label("i")).cte("bk", recursive=True)
        bk = bk.union_all(select(bk.c.i + 1).where(bk.c.i + 1 < self.n_buckets))
        lo = literal(self.origin) + bk.c.i * literal(float(self.size))
        count = (select(func.count()).select_from(ViewerEvent)
                 .where(ViewerEvent.show_id == self.show.id, ViewerEvent.ts >= lo, ViewerEvent.ts < lo + self.size,
                        ViewerEvent.type == "page_view", self.in_window(ViewerEvent.ts)).scalar_subquery())
        series = self.series()
        for bucket, n in self.s.execute(select(bk.c.i, count)):
            self.add(series, bucket, n)
        return by_item, series

    def page_viewers(self) -> tuple[int, int]:
        """(unique page viewers, of whom escalated within ESCALATION_WINDOW after a page they opened)."""
        viewers = self.s.scalar(select(func.count(func.distinct(case((self.in_window(ViewerEvent.ts),
                                                                       ViewerEvent.viewer_hash)))))
                                .where(ViewerEvent.show_id == self.show.id, ViewerEvent.type == "page_view")) or 0
        esc = ViewerEvent.__table__.alias("esc")
        pv = ViewerEvent.__table__.alias("pv")
        opened_before = (select(literal(1)).select_from(pv)
                         .where(pv.c.show_id == esc.c.show_id, pv.c.type == "page_view",
                                pv.c.viewer_hash == esc.c.viewer_hash, pv.c.ts <= esc.c.ts,
                                pv.c.ts >= esc.c.ts - ESCALATION_WINDOW, self.in_window(pv.c.ts)).exists())
        # Escalations are looked at past the window too: a late "talk to an agent" still undoes self-service.
        escalated = self.s.scalar(select(func.count(func.distinct(esc.c.viewer_hash)))
                                  .where(esc.c.show_id == self.show.id, esc.c.type == "escalate", opened_before)) or 0
        return viewers, escalated

    # --- comments and segments
    def demand(self) -> tuple[dict, list]:
        by_item: dict[str, int] = {}
        series = self.series()
        first, last = int(self.start // 60), int(self.end // 60)
        for slug, minute, n in self.s.execute(
                select(CommentCount.slug, CommentCount.minute, CommentCount.count)
                .where(CommentCount.show_id == self.show.id, CommentCount.minute.between(first, last))):
            by_item[slug] = by_item.get(slug, 0) + n
            self.add(series, int((minute * 60 - self.origin) // self.size), n)
        return by_item, series

    def segments(self) -> list[dict]:
        rows = self.s.execute(select(Segment.slug, Segment.started_at, Segment.ended_at)
                              .where(Segment.show_id == self.show.id).order_by(Segment.started_at))
        return [{"slug": slug, "started_at": a, "ended_at": b} for slug, a, b in rows]

    # --- one-to-one contacts
    def contacts(self) -> dict:
        """Contacts per item and bucket in one pass, split by whether the item had been on air by then."""
        first = (select(Segment.slug.label("slug"), func.min(Segment.started_at).label("first"))
                 .where(Segment.show_id == self.show.id).group_by(Segment.slug).subquery())
        slug = _contact_slug()
        b = _bucket(OneToOneContact.ts, self.origin, self.size, self.postgres)
        exposed = case((OneToOneContact.ts >= first.c.first, 1), else_=0)
        out = {"by_item": {}, "series": self.series(), "exposed": {}, "handle_sum": 0.0, "handle_n": 0}
        for bucket, item, after_answer, n, h_sum, h_n in self.s.execute(
                _contacts_from(b, slug, exposed, func.count(), func.sum(OneToOneContact.handle_seconds),
                               func.count(OneToOneContact.handle_seconds))
                .outerjoin(first, first.c.slug == slug).where(self.in_window(OneToOneContact.ts))
                .group_by(b, slug, exposed)):
            out["by_item"][item] = out["by_item"].get(item, 0) + n
            self.add(out["series"], bucket, n)
            if after_answer:
                self.add(out["exposed"].setdefault(item, self.series()), bucket, n)
            out["handle_sum"] += float(h_sum or 0)
            out["handle_n"] += h_n
        person = case((OneToOneContact.customer_hash != "", OneToOneContact.customer_hash),
                      else_=literal("id:") + OneToOneContact.ext_id)
        out["people"] = self.s.scalar(select(func.count(func.distinct(person)))
                                      .where(self.in_window(OneToOneContact.ts))) or 0
        return out

    def baseline(self) -> dict:
        """Contacts per item in the baseline period and its length, or a reason why there is none."""
        if self.p.baseline_show:
            other = self.s.get(Show, self.p.baseline_show)
            if other is None:
                raise NoBaselineShow(self.p.baseline_show)
            w = _window(self.s, other, self.p.now)
            if w is None:
                return {"kind": "show", "show": other.id, **_why("baseline_show_empty")}
            lo, hi = w[0], w[2]
            info = {"kind": "show", "show": other.id}
        else:
            lo, hi = self.start - self.p.baseline_hours * 3600, self.start
            info = {"kind": "before_show", "hours": self.p.baseline_hours}
        # The baseline starts where the helpdesk data does: hours before the first import are not "zero contacts".
        earliest = self.s.scalar(select(func.min(OneToOneContact.ts)).where(OneToOneContact.ts < hi))
        if earliest is None or hi - max(lo, earliest) < MIN_BASELINE:
            return {**info, **_why("no_baseline_data")}
        lo = max(lo, earliest)
        slug = _contact_slug()
        counts = dict(self.s.execute(_contacts_from(slug, func.count())
                                     .where(OneToOneContact.ts >= lo, OneToOneContact.ts < hi).group_by(slug)).all())
        return {**info, "start": lo, "end": hi, "seconds": hi - lo, "counts": counts}


def _item_catalog(s: Session, show_id: str, slugs: set[str]) -> dict[str, dict]:
    """Number and question per slug: the show's shelf first, then any other item that has data."""
    info = {slug: {"number": number, "question": question}
            for slug, number, question in s.execute(
                select(FaqRecord.slug, ShelfEntry.number, FaqRecord.question)
                .join(FaqRecord, FaqRecord.id == ShelfEntry.item_id)
                .where(ShelfEntry.show_id == show_id).order_by(ShelfEntry.position))}
    missing = [x for x in slugs if x not in info]
    if missing:
        for slug, question in s.execute(select(FaqRecord.slug, FaqRecord.question).where(FaqRecord.slug.in_(missing))):
            info[slug] = {"number": None, "question": question}
    for slug in missing:
        info.setdefault(slug, {"number": None, "question": ""})
    return info


def _ratio(num: float, den: float) -> float | None:
    return num / den if den else None


def worth_score(asked: int, contacts: int, yes: int, no: int, max_asked: int, max_contacts: int) -> float:
    demand = asked / max_asked if max_asked else 0.0
    volume = contacts / max_contacts if max_contacts else 0.0
    helpful = (yes + 1) / (yes + no + 2)
    return round(100 * (demand + volume) / 2 * (1 - helpful), 1)


def _wait_impact(p: Params, contacts: int, deflected: float, hours: float, mean_handle: float | None) -> dict:
    aht = p.aht or mean_handle
    if not p.agents or not aht or hours <= 0:
        return {**_why("wait_inputs_missing"), "aht_seconds": aht, "agents": p.agents}
    rate = contacts / hours
    without = (contacts + max(deflected, 0.0)) / hours

    def scenario(per_hour: float) -> dict:
        m = erlang.model(per_hour, aht, p.agents, p.target_seconds).to_dict()
        m["agents_needed"] = erlang.agents_needed(m["load_erlangs"], aht, p.target_seconds, p.service_target)
        return m
    return {"agents": p.agents, "aht_seconds": aht, "aht_source": "input" if p.aht else "contacts",
            "target_seconds": p.target_seconds, "service_target": p.service_target,
            "with_show": scenario(rate), "without_show": scenario(without)}


def deflection_report(db, show_id: str, params: Params) -> dict[str, Any]:
    """The full report for the lead dashboard and GET /api/shows/<show>/deflection."""
    with db.session() as s:
        if s.bind.dialect.name == "postgresql":
            # For this read only: the events are hot in cache, so index-only scans are cheaper than the default
            # costs assume, and distinct counts of ~10^5 viewers should hash in memory rather than spill.
            s.execute(text("SET LOCAL random_page_cost = 1.1"))
            s.execute(text("SET LOCAL work_mem = '32MB'"))
        show = get_show(s, show_id)
        head = {"show": {"id": show.id, "title": show.title, "status": show.status,
                         "started_at": show.started_at, "ended_at": show.ended_at},
                "generated_at": params.now,
                "definitions": {k: {"zh": zh, "en": en} for k, (zh, en) in DEFINITIONS.items()}}
        window = _window(s, show, params.now)
        if window is None:
            return {**head, "window": None, **_why("no_activity_yet"),
                    "self_service_score": None, "self_service_share": None, "items": [], "series": None,
                    "worth_answering_next": [], "wait_impact": None, "totals": None}
        r = _Report(s, show, params, window)
        d = {"segments": r.segments(), "baseline": r.baseline(), "contacts": r.contacts()}
        d["events"], d["page_view_series"] = r.viewer_events()
        d["viewers"], d["escalated"] = r.page_viewers()
        d["asked"], d["demand_series"] = r.demand()
        slugs = {x for x in (*d["events"], *d["asked"], *d["contacts"]["by_item"], *(g["slug"] for g in d["segments"]))
                 if x}
        d["catalog"] = _item_catalog(s, show_id, slugs)
    return _assemble(head, r, d)


def _on_air(segments: list[dict], now: float) -> tuple[dict[str, float], dict[str, float]]:
    """Seconds on air per item, and when each item was first on air."""
    seconds: dict[str, float] = {}
    first: dict[str, float] = {}
    for g in segments:
        end = min(g["ended_at"] if g["ended_at"] is not None else now, now)
        seconds[g["slug"]] = seconds.get(g["slug"], 0.0) + max(0.0, end - g["started_at"])
        first.setdefault(g["slug"], g["started_at"])
    return seconds, first


def _items(r: _Report, d: dict) -> tuple[list[dict], dict]:
    """The funnel and deflection per item, and the deflection totals and series."""
    on_air, first_on_air = _on_air(d["segments"], r.p.now)
    baseline = d["baseline"]
    items, series = [], r.series()
    total = low_sq = high_sq = 0.0
    estimated = 0
    for slug, meta in d["catalog"].items():
        ev = d["events"].get(slug, {})
        item = {"slug": slug, **meta, "asked": d["asked"].get(slug, 0),
                "on_air_seconds": round(on_air.get(slug, 0.0), 1), "first_on_air": first_on_air.get(slug),
                "unique_page_views": ev.get("page_view", 0), "helpful_yes": ev.get("helpful", 0),
                "helpful_no": ev.get("not_helpful", 0), "escalations": ev.get("escalate", 0),
                "one_to_one_contacts": d["contacts"]["by_item"].get(slug, 0), "deflected_contacts_estimate": None,
                "deflected_low": None, "deflected_high": None, "expected_contacts": None, "baseline_contacts": None,
                "deflected_reason": None, "deflected_reason_code": None}
        items.append(item)
        if slug not in first_on_air:
            item.update(deflected_reason_code="not_on_air", deflected_reason=REASONS["not_on_air"])
            continue
        if "reason_code" in baseline:
            item.update(deflected_reason_code=baseline["reason_code"], deflected_reason=baseline["reason"])
            continue
        observed = d["contacts"]["exposed"].get(slug, [])
        n_base = baseline["counts"].get(slug, 0)
        est = deflection_estimate(n_base, baseline["seconds"], int(sum(observed)), r.data_end - first_on_air[slug])
        item.update(deflected_contacts_estimate=round(est["estimate"], 2), deflected_low=round(est["low"], 2),
                    deflected_high=round(est["high"], 2), expected_contacts=round(est["expected"], 2),
                    baseline_contacts=n_base)
        total += est["estimate"]
        low_sq += (est["estimate"] - est["low"]) ** 2
        high_sq += (est["high"] - est["estimate"]) ** 2
        estimated += 1
        _add_deflection_series(r, series, n_base / baseline["seconds"], first_on_air[slug], observed)
    _add_worth_scores(items)
    items.sort(key=lambda x: (-x["asked"], -x["unique_page_views"], x["slug"]))
    # Item intervals are independent, so the total's half-widths add in quadrature.
    totals = {"deflected_contacts_estimate": round(total, 2) if estimated else None,
              "deflected_low": round(total - math.sqrt(low_sq), 2) if estimated else None,
              "deflected_high": round(total + math.sqrt(high_sq), 2) if estimated else None,
              "on_air_seconds": round(sum(on_air.values()), 1)}
    cumulative = [round(x, 2) for x in itertools.accumulate(series)] if estimated else None
    return items, {"totals": totals, "cumulative": cumulative, "total": total}


def _assemble(head: dict, r: _Report, d: dict) -> dict:
    items, deflection = _items(r, d)
    viewers, escalated = d["viewers"], d["escalated"]
    self_served = viewers - escalated
    ct = d["contacts"]
    n_contacts, people = sum(ct["by_item"].values()), ct["people"]
    mean_handle = ct["handle_sum"] / ct["handle_n"] if ct["handle_n"] else None
    hours = (r.data_end - r.start) / 3600
    codes = {"self_service_score": None if people else "no_contacts_in_window",
             "self_service_share": None if self_served + n_contacts else "no_views_or_contacts",
             "deflected_contacts_estimate": d["baseline"].get("reason_code")}
    codes = {k: v for k, v in codes.items() if v}
    return {
        **head,
        "window": {"start": r.start, "end": r.end, "data_end": r.data_end, "live": head["show"]["status"] == "live"},
        "self_service_score": _ratio(viewers, people),
        "self_service_share": _ratio(self_served, self_served + n_contacts),
        "reasons": {k: REASONS[v] for k, v in codes.items()},
        "reason_codes": codes,
        "totals": {"page_viewers": viewers, "self_served_viewers": self_served, "escalated_viewers": escalated,
                   "one_to_one_contacts": n_contacts, "one_to_one_people": people,
                   "unmapped_contacts": ct["by_item"].get(None, 0), "asked": sum(d["asked"].values()),
                   "contacts_per_hour": round(n_contacts / hours, 2) if hours > 0 else None,
                   **deflection["totals"]},
        "items": items,
        "worth_answering_next": sorted((i for i in items if i["worth_score"] > 0),
                                       key=lambda i: (-i["worth_score"], i["slug"]))[:10],
        "segments": d["segments"],
        "baseline": {k: v for k, v in d["baseline"].items() if k != "counts"},
        "series": {"origin": r.origin, "bucket_seconds": r.size,
                   "t": [r.origin + i * r.size for i in range(r.n_buckets)],
                   "demand": d["demand_series"], "page_views": d["page_view_series"],
                   "contacts": ct["series"], "deflected_cumulative": deflection["cumulative"]},
        "wait_impact": _wait_impact(r.p, n_contacts, deflection["total"], hours, mean_handle),
    }


def _add_deflection_series(r: _Report, series: list, rate: float, first: float, observed: list) -> None:
    """Expected minus observed contacts per bucket for one item, from its first on-air start on."""
    for i in range(r.n_buckets):
        lo, hi = max(r.origin + i * r.size, first), min(r.origin + (i + 1) * r.size, r.data_end)
        if hi > lo:
            series[i] += rate * (hi - lo)
        if i < len(observed):
            series[i] -= observed[i]


def _add_worth_scores(items: list[dict]) -> None:
    max_asked = max((i["asked"] for i in items), default=0)
    max_contacts = max((i["one_to_one_contacts"] for i in items), default=0)
    for i in items:
        i["worth_score"] = worth_score(i["asked"], i["one_to_one_contacts"], i["helpful_yes"], i["helpful_no"],
                                       max_asked, max_contacts)
