"""Shows and their shelves. A new show's shelf is the catalog's on-shelf items in number order;
after that each show's shelf is its own."""
from __future__ import annotations

import re
import secrets

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from studio.errors import NotFound
from studio.store.models import FaqRecord, ShelfEntry, Show

SHOW_ID_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,31}$")
RESERVED_IDS = {"catalog", "new", "api", "static"}  # would be shadowed by fixed routes like /producer/catalog


def new_show_id() -> str:
    return "s" + secrets.token_hex(4)


def create_show(db, title: str, show_id: str | None = None) -> Show:
    title = (title or "").strip()
    if not title or len(title) > 200:
        raise ValueError("title must be 1-200 characters")
    show_id = show_id or new_show_id()
    if not SHOW_ID_RE.match(show_id):
        raise ValueError("show id must be lower-case letters, digits and hyphens (at most 32)")
    if show_id in RESERVED_IDS:
        raise ValueError(f"show id '{show_id}' is reserved; choose another")
    with db.session() as s:
        if s.get(Show, show_id) is not None:
            raise ValueError(f"show '{show_id}' already exists")
        show = Show(id=show_id, title=title, status="planned")
        s.add(show)
        s.flush()
        items = s.scalars(select(FaqRecord).where(FaqRecord.status == "on_shelf")
                          .order_by(FaqRecord.number.is_(None), FaqRecord.number, FaqRecord.slug)).all()
        used: set[int] = set()
        for pos, rec in enumerate(items):
            number = rec.number if rec.number and rec.number not in used else max(used | {0}) + 1
            used.add(number)
            s.add(ShelfEntry(show_id=show_id, item_id=rec.id, position=pos, number=number))
        return show


def get_show(s: Session, show_id: str) -> Show:
    show = s.get(Show, show_id) if show_id and len(show_id) <= 32 else None
    if show is None:
        raise no_show(show_id)
    return show


def no_show(show_id: str) -> NotFound:
    return NotFound("no such show")


def show_dict(show: Show) -> dict:
    return {"id": show.id, "title": show.title, "status": show.status, "started_at": show.started_at,
            "ended_at": show.ended_at, "revision": show.revision, "public_samples": bool(show.public_samples),
            "created_at": show.created_at.isoformat() + "Z" if show.created_at else None}


def list_shows(db, planned: bool = True) -> list[dict]:
    """Newest first; `planned=False` leaves out the shows not started yet (their titles are staff business)."""
    with db.session() as s:
        q = select(Show).order_by(Show.created_at.desc())
        if not planned:
            q = q.where(Show.status != "planned")
        return [show_dict(x) for x in s.scalars(q)]


def public_samples(db, show_id: str) -> bool:
    """Whether the show's public ranking carries comment samples (its overlay shows them)."""
    with db.session() as s:
        return bool(s.scalar(select(Show.public_samples).where(Show.id == show_id)))


def set_public_samples(db, show_id: str, on: bool) -> dict:
    with db.session() as s:
        show = get_show(s, show_id)
        show.public_samples = bool(on)
        s.flush()
        return show_dict(show)


def shelf(db, show_id: str) -> list[dict]:
    """The show's shelf in order: number, slug, question, answer, category; only items still on the shelf."""
    with db.session() as s:
        get_show(s, show_id)
        rows = s.execute(select(ShelfEntry, FaqRecord).join(FaqRecord, FaqRecord.id == ShelfEntry.item_id)
                         .where(ShelfEntry.show_id == show_id).order_by(ShelfEntry.position)).all()
        return [{"number": e.number, "slug": r.slug, "question": r.question, "answer": r.answer,
                 "category": r.category, "status": r.status, "keywords": list(r.keywords or []),
                 "examples": list(r.examples or [])}
                for e, r in rows if r.status != "archived"]


def set_shelf(db, show_id: str, entries: list[dict]) -> list[dict]:
    """Replace the shelf: `entries` is an ordered list of {"slug", "number"?}; numbers default to 1..N."""
    if not isinstance(entries, list) or len(entries) > 500:
        raise ValueError("shelf must be a list of at most 500 entries")
    with db.session() as s:
        show = get_show(s, show_id)
        slugs = []
        for e in entries:
            if not isinstance(e, dict) or not isinstance(e.get("slug"), str):
                raise ValueError("each shelf entry must be an object with a slug")
            slugs.append(e["slug"])
        if len(set(slugs)) != len(slugs):
            raise ValueError("an item can be on the shelf only once")
        recs = {r.slug: r for r in s.scalars(select(FaqRecord).where(FaqRecord.slug.in_(slugs)))}
        missing = [x for x in slugs if x not in recs]
        if missing:
            raise ValueError(f"unknown item '{missing[0]}'")
        numbers = []
        for pos, e in enumerate(entries):
            n = e.get("number", pos + 1)
            if not isinstance(n, int) or isinstance(n, bool) or not 1 <= n <= 999:
                raise ValueError("number must be a whole number from 1 to 999")
            numbers.append(n)
        if len(set(numbers)) != len(numbers):
            raise ValueError("two shelf items cannot share a link number")
        s.execute(delete(ShelfEntry).where(ShelfEntry.show_id == show_id))
        for pos, (slug, n) in enumerate(zip(slugs, numbers)):
            s.add(ShelfEntry(show_id=show_id, item_id=recs[slug].id, position=pos, number=n))
        show.revision += 1
    return shelf(db, show_id)

