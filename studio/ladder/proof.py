"""Proof an answer worked: for each answer on air, the item's ask rate in the minutes before and after it started,
beside the show's other items in the same minutes (the baseline), the room's resolution signals ("1", "扣1", "懂了",
"解决了", "明白") and the comments still asking the same item afterwards. A host's "解决了扣1" (a room ask, POST
…/room-asks) marks where the signals are counted from.

Also each tier's share in help-desk words: answered in chat (bot), answered on air (host), handled by a specialist,
escalated to one-to-one.
"""
from __future__ import annotations

import re
import time

from sqlalchemy import func, select

from faq_catalog.normalize import normalize
from studio.errors import NotFound
from studio.store.models import Case, ChatReply, Comment, OneToOneContact, RoomAsk, Segment, Show

WINDOW = 300.0  # seconds before and after an answer's start
RESOLVED = re.compile(r"扣?1+|懂了?|懂啦|解决了?|已解决|明白了?|明白啦|清楚了|知道了|ok了|好的谢谢|谢谢主播")


def is_resolution(text: str) -> bool:
    return bool(RESOLVED.fullmatch(normalize(text)))


def _rate(n: int, seconds: float) -> float:
    return round(n / (seconds / 60), 3) if seconds > 0 else 0.0


def _drop(before: float, after: float) -> float | None:
    return round(1 - after / before, 4) if before > 0 else None


def proof_report(db, show_id: str, window: float = WINDOW, now: float | None = None) -> dict:
    now = time.time() if now is None else now
    with db.session() as s:
        show = s.get(Show, show_id)
        if show is None:
            raise NotFound(f"no show {show_id}")
        segments = s.execute(select(Segment.slug, Segment.started_at, Segment.ended_at)
                             .where(Segment.show_id == show_id).order_by(Segment.started_at)).all()
        asks = s.execute(select(RoomAsk.slug, RoomAsk.at).where(RoomAsk.show_id == show_id)
                         .order_by(RoomAsk.at)).all()
        answers = []
        for seg in segments:
            lo, start, hi = seg.started_at - window, seg.started_at, min(seg.started_at + window, now)
            rows = s.execute(select(Comment.slug, Comment.ts, Comment.text).where(
                Comment.show_id == show_id, Comment.ts >= lo, Comment.ts < hi)).all()
            before = [r for r in rows if r.ts < start]
            after = [r for r in rows if r.ts >= start]
            marks = [a.at for a in asks if start <= a.at < hi and (a.slug in (None, seg.slug))]
            signals_from = marks[0] if marks else start
            item_b = sum(1 for r in before if r.slug == seg.slug)
            item_a = sum(1 for r in after if r.slug == seg.slug)
            other_b = sum(1 for r in before if r.slug is not None and r.slug != seg.slug)
            other_a = sum(1 for r in after if r.slug is not None and r.slug != seg.slug)
            span_b, span_a = start - lo, hi - start
            rb, ra = _rate(item_b, span_b), _rate(item_a, span_a)
            ob, oa = _rate(other_b, span_b), _rate(other_a, span_a)
            drop, base = _drop(rb, ra), _drop(ob, oa)
            answers.append({
                "slug": seg.slug, "started_at": start, "ended_at": seg.ended_at, "window_seconds": window,
                "asks_before": item_b, "asks_after": item_a, "rate_before": rb, "rate_after": ra, "drop": drop,
                "others_rate_before": ob, "others_rate_after": oa, "others_drop": base,
                "drop_vs_others": round(drop - base, 4) if drop is not None and base is not None else None,
                "resolution_signals": sum(1 for r in after if r.ts >= signals_from and is_resolution(r.text)),
                "still_asking": item_a, "room_asked_at": marks[0] if marks else None})
        tiers = _tiers(s, show, now, window)
    return {"show": show_id, "window_seconds": window, "answers": answers, "tiers": tiers}


def tier_shares(db, show_id: str, window: float = WINDOW, now: float | None = None) -> dict:
    """Each tier's share alone (the printable report's): the same figures as proof_report's "tiers"."""
    now = time.time() if now is None else now
    with db.session() as s:
        show = s.get(Show, show_id)
        if show is None:
            raise NotFound(f"no show {show_id}")
        return _tiers(s, show, now, window)


def _tiers(s, show: Show, now: float, window: float) -> dict:
    start = show.started_at or 0.0
    end = show.ended_at or now
    bot = s.scalar(select(func.count()).select_from(ChatReply).where(
        ChatReply.show_id == show.id, ChatReply.state.in_(("posted", "copied")))) or 0
    segs = s.execute(select(Segment.slug, Segment.started_at, Segment.ended_at)
                     .where(Segment.show_id == show.id)).all()
    host = 0
    for seg in segs:  # the asks an answer on air served: its item's comments from a window before it to its end
        hi = seg.ended_at if seg.ended_at is not None else min(seg.started_at + window, now)
        host += s.scalar(select(func.count()).select_from(Comment).where(
            Comment.show_id == show.id, Comment.slug == seg.slug, Comment.ts >= seg.started_at - window,
            Comment.ts < hi)) or 0
    specialist = s.scalar(select(func.count()).select_from(Case).where(
        Case.show_id == show.id, Case.claimed_at.is_not(None))) or 0
    one_to_one = s.scalar(select(func.count()).select_from(OneToOneContact).where(
        OneToOneContact.ts >= start, OneToOneContact.ts < end)) or 0
    counts = {"answered_in_chat": bot, "answered_on_air": host, "handled_by_specialist": specialist,
              "escalated_to_one_to_one": one_to_one}
    total = sum(counts.values())
    return {"counts": counts, "total": total,
            "shares": {k: round(v / total, 4) if total else None for k, v in counts.items()}}


def ask_room(db, show_id: str, slug: str | None, at: float | None = None) -> dict:
    """The host asked the room "解决了扣1": resolution signals count from here."""
    at = time.time() if at is None else at
    with db.session() as s:
        if s.get(Show, show_id) is None:
            raise NotFound(f"no show {show_id}")
        s.add(RoomAsk(show_id=show_id, slug=slug, at=at))
    return {"show": show_id, "slug": slug, "at": at}
