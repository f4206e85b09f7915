"""Stored comments read again after the crew taught the matcher: where a decision changes a recent comment's item,
the stored comment, the per-minute counts and the show's ranking follow.

Only comments a decision can plausibly change are read again: those of the ranking window the matcher was unsure
about or left as open questions, and those written exactly as a comment the crew decided on lately (a "not this"
on a confident match). Run-sheet product questions are left as they were counted. Returns the moves for the board
(studio.comments.board.Recounted).
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Callable

from sqlalchemy import and_, or_, select, update

from studio.blocks.off_loop import off_loop
from studio.store.models import Comment, CommentCount, Decision

LIMIT = 20_000  # newest candidate comments read again per show; a decision is about what the room says now
PRODUCT_PREFIX = "product-"


def recount(db, show_id: str, match_many: Callable[[list[str]], list], since: float, unsure_below: float,
            match_chars: int) -> list[list]:
    """Re-read the show's candidate comments since `since` with `match_many` (the new matcher); store the changed
    ones and return their moves [before, now, ts, user_hash, quality, text], oldest first."""
    with db.session() as s:
        decided = list(s.scalars(select(Decision.text).where(Decision.created_at >= since).limit(500)))
        unsure = or_(and_(Comment.slug.is_(None), Comment.is_question.is_(True)),
                     and_(Comment.slug.is_not(None), Comment.score < unsure_below))
        wanted = or_(unsure, Comment.text.in_(decided)) if decided else unsure
        rows = s.execute(
            select(Comment.id, Comment.slug, Comment.ts, Comment.user_hash, Comment.user_quality, Comment.text)
            .where(Comment.show_id == show_id, Comment.ts >= since, wanted,
                   or_(Comment.slug.is_(None), Comment.slug.not_like(PRODUCT_PREFIX + "%")))
            .order_by(Comment.ts.desc()).limit(LIMIT)).all()
    if not rows:
        return []
    rows.reverse()
    matches = off_loop(match_many, [r.text[:match_chars] for r in rows])
    changed = [(r, m) for r, m in zip(rows, matches) if m.slug != r.slug]
    if not changed:
        return []
    minutes: Counter = Counter()
    with db.session() as s:
        for r, m in changed:
            s.execute(update(Comment).where(Comment.id == r.id)
                      .values(slug=m.slug, score=m.score, is_question=m.is_question or m.slug is not None))
            if r.slug is not None:
                minutes[(r.slug, int(r.ts // 60))] -= 1
            if m.slug is not None:
                minutes[(m.slug, int(r.ts // 60))] += 1
        for (slug, minute), n in minutes.items():
            if n:
                _add_count(s, show_id, slug, minute, n)
    return [[r.slug, m.slug, r.ts, r.user_hash, r.user_quality, r.text] for r, m in changed]


def _add_count(s, show_id: str, slug: str, minute: int, n: int) -> None:
    row = s.get(CommentCount, (show_id, slug, minute))
    if row is None:
        if n > 0:
            s.add(CommentCount(show_id=show_id, slug=slug, minute=minute, count=n))
    else:
        row.count = max(0, row.count + n)
