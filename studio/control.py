"""The control room: every live show at a glance, for agencies running several rooms at once. Per show: comment
rate, top asks, items burning (ask rate rising fast), minutes the room has been asking without an answer on air,
source health, and who works it (staff and squads). Reads the engine, the intake health and the store."""
from __future__ import annotations

import time

from sqlalchemy import func, select

from studio.store.models import Comment, Segment, Show
from studio.store.staff import list_squads, show_staff

TOP_ASKS = 3
BURNING_MIN_PER_MINUTE = 5  # a rising item with fewer asks a minute is noise, not a fire
BURNING_SHOWN = 3
SOURCE_OK = ("connected", "running", "live", "ok", "receiving")
# A show not started in the studio but taking comments (nobody pressed "Start show" yet) is watched too.
TAKING_FOR = 300.0


def burning(rows: list[dict]) -> list[dict]:
    """Items whose ask rate is rising fast (the last minute well above the minutes before it), the most asked first:
    at most BURNING_SHOWN, since at a show's start everything rises and a tile must stay readable."""
    hot = [r for r in rows if r.get("trend") == "rising" and r.get("count_1m", 0) >= BURNING_MIN_PER_MINUTE]
    return sorted(hot, key=lambda r: -r.get("count_1m", 0))[:BURNING_SHOWN]


def _unanswered(s, show: Show, asked: bool, now: float) -> tuple[str | None, float]:
    """(the slug on air, or None; minutes since an answer was last on air or the show started while the room
    is asking: 0 while an answer is on air or nobody asks)."""
    current = s.scalar(select(Segment.slug).where(Segment.show_id == show.id, Segment.ended_at.is_(None)))
    if current is not None or not asked:
        return current, 0.0
    last_end = s.scalar(select(func.max(Segment.ended_at)).where(Segment.show_id == show.id))
    since = max((x for x in (last_end, show.started_at) if x is not None), default=now)
    return None, round(max(0.0, now - since) / 60, 1)


def _taking(s, show: Show, now: float) -> bool:
    """A comment in the last TAKING_FOR seconds (one index lookup per show)."""
    return s.scalar(select(Comment.id).where(Comment.show_id == show.id, Comment.ts >= now - TAKING_FOR).limit(1)) \
        is not None


def _sources(entries: list[dict]) -> dict:
    problems = [e for e in entries if e.get("stale") or not e.get("connected", e.get("state") in SOURCE_OK)]
    return {"total": len(entries), "ok": len(entries) - len(problems),
            "problems": [f"{e.get('platform', '')} {e.get('room', '')}".strip() + f": {e.get('state', '')}"
                         for e in problems][:5]}


def room(studio, show: Show, now: float) -> dict:
    rows = studio.engine.ranking(show.id, 20)
    with studio.db.session() as s:
        per_minute = s.scalar(select(func.count()).select_from(Comment)
                              .where(Comment.show_id == show.id, Comment.ts >= now - 60)) or 0
        on_air, unanswered = _unanswered(s, show, bool(rows), now)
    questions = {r["slug"]: r.get("question") for r in rows}
    return {"id": show.id, "title": show.title, "status": show.status, "comment_rate": per_minute,
            "top_asks": [{"slug": r["slug"], "question": r.get("question") or r["slug"], "number": r.get("number"),
                          "count_1m": r.get("count_1m", 0), "askers": r.get("askers", 0), "trend": r.get("trend")}
                         for r in rows[:TOP_ASKS]],
            "burning": [{"slug": r["slug"], "question": r.get("question") or r["slug"], "count_1m": r["count_1m"]}
                        for r in burning(rows)],
            "on_air": (questions.get(on_air) or on_air) if on_air else None,
            "unanswered_minutes": unanswered, "sources": _sources(studio.intake.list(show.id)),
            "staff": show_staff(studio.db, show.id)}


def control_room(studio, visible: set[str] | None) -> dict:
    """Every live show the viewer may see (None: all), busiest first, and the squads."""
    now = time.time()
    with studio.db.session() as s:
        shows = list(s.scalars(select(Show).where(Show.status.in_(("live", "planned")))))
        shows = [x for x in shows
                 if (visible is None or x.id in visible) and (x.status == "live" or _taking(s, x, now))]
    rooms = sorted((room(studio, x, now) for x in shows), key=lambda r: -r["comment_rate"])
    squads = [q for q in list_squads(studio.db) if visible is None or q["show"] in visible]
    return {"shows": rooms, "squads": squads, "at": now}
