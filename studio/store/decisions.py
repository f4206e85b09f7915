"""The crew's decisions for the matcher, in the database: "this comment asks item X" or "it asks no item".

The active decisions (not undone), oldest first, are the feedback every process builds its matcher with; a later
decision on the same normalized text wins, and undoing it brings back the one before (or none). A change runs the
catalog's change listeners, so the matcher rebuilds here and, scaled out, in every other process (catalog_sync).
Decisions travel with the catalog: per item, the comments taught to it and the comments it was wrongly given.
"""
from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import func, select

from faq_catalog.catalog_io import Taught
from faq_catalog.feedback import Feedback
from faq_catalog.normalize import normalize
from studio.errors import Conflict, Invalid, NotFound
from studio.store.models import Decision, FaqRecord

MAX_TEXT = 500
MAX_LIST = 500


def to_dict(d: Decision) -> dict:
    return {"id": d.id, "text": d.text, "normalized": d.normalized, "faq": d.slug, "guess": d.guess,
            "show": d.show_id, "who": d.who, "at": d.created_at, "undone": d.undone, "undone_by": d.undone_by,
            "undone_at": d.undone_at}


@dataclass(frozen=True)
class Imported:
    added: int
    unchanged: int


class DecisionStore:
    def __init__(self, db, catalog):
        self.db = db
        self.catalog = catalog

    # -- writing ----------------------------------------------------------------------------------------

    def decide(self, text: str, slug: str | None, who: str, show_id: str | None = None,
               guess: str | None = None) -> dict:
        """Store a decision and apply it (every process's matcher rebuilds). Raises Invalid or NotFound."""
        if not isinstance(text, str) or not text.strip():
            raise Invalid("text must be the comment's text")
        text = text.strip()
        if len(text) > MAX_TEXT:
            raise Invalid(f"text is too long ({len(text)} characters, at most {MAX_TEXT})")
        normalized = normalize(text)[:MAX_TEXT]
        if not normalized:
            raise Invalid("this comment has no words to learn from (emoji or punctuation only)")
        with self.db.session() as s:
            known = set(s.scalars(select(FaqRecord.slug).where(FaqRecord.slug.in_([x for x in (slug, guess) if x]))))
            if slug is not None and slug not in known:
                raise NotFound(f"no item '{slug[:64]}'")
            row = Decision(normalized=normalized, text=text, slug=slug, guess=guess if guess in known else None,
                           show_id=show_id, who=who[:80], created_at=time.time(), undone=False)
            s.add(row)
            s.flush()
            out = to_dict(row)
        self.catalog.taught_changed()
        return out

    def undo(self, decision_id: int, who: str, show_id: str | None = None) -> dict:
        with self.db.session() as s:
            row = s.get(Decision, decision_id)
            if row is None or (show_id is not None and row.show_id not in (None, show_id)):
                raise NotFound(f"no decision {decision_id}")
            if row.undone:
                raise Conflict(f"decision {decision_id} is already undone")
            row.undone, row.undone_by, row.undone_at = True, who[:80], time.time()
            s.flush()
            out = to_dict(row)
        self.catalog.taught_changed()
        return out

    # -- reading ----------------------------------------------------------------------------------------

    def list(self, show_id: str | None = None, include_undone: bool = True, limit: int = 100) -> list[dict]:
        """Newest first."""
        q = select(Decision).order_by(Decision.id.desc()).limit(max(1, min(limit, MAX_LIST)))
        if show_id is not None:
            q = q.where(Decision.show_id == show_id)
        if not include_undone:
            q = q.where(Decision.undone.is_(False))
        with self.db.session() as s:
            return [to_dict(d) for d in s.scalars(q)]

    def feedback(self) -> list[Feedback]:
        """The active decisions, oldest first: what the matcher is built with."""
        with self.db.session() as s:
            rows = s.execute(select(Decision.text, Decision.slug).where(Decision.undone.is_(False))
                             .order_by(Decision.id)).all()
        return [Feedback(text, slug) for text, slug in rows]

    def active(self) -> list[Taught]:
        """The decision in force per normalized text (the latest), oldest first, for an export."""
        with self.db.session() as s:
            rows = s.execute(select(Decision.normalized, Decision.text, Decision.slug, Decision.guess)
                             .where(Decision.undone.is_(False)).order_by(Decision.id)).all()
        latest: dict[str, Taught] = {}
        for normalized, text, slug, guess in rows:
            latest.pop(normalized, None)
            latest[normalized] = Taught(text, slug, guess if guess != slug else None)
        return list(latest.values())

    # -- import -----------------------------------------------------------------------------------------

    def import_taught(self, taught: Iterable[Taught], who: str = "import") -> Imported:
        """Decisions read from an imported catalog. Idempotent: a text whose decision in force already says the
        same is left alone; one that says otherwise gets the imported decision as the newer one."""
        current = {normalize(t.text): t.faq for t in self.active()}
        added = unchanged = 0
        now = time.time()
        with self.db.session() as s:
            slugs = set(s.scalars(select(FaqRecord.slug)))
            for t in taught:
                normalized = normalize(t.text)[:MAX_TEXT]
                if not normalized or (t.faq is not None and t.faq not in slugs):
                    continue
                if normalized in current and current[normalized] == t.faq:
                    unchanged += 1
                    continue
                current[normalized] = t.faq
                s.add(Decision(normalized=normalized, text=t.text[:MAX_TEXT], slug=t.faq,
                               guess=t.guess if t.guess in slugs else None, show_id=None, who=who,
                               created_at=now, undone=False))
                added += 1
        if added:
            self.catalog.taught_changed()
        return Imported(added, unchanged)


def fingerprint(session) -> tuple:
    """Different after any decision or undo: part of the catalog's fingerprint."""
    return tuple(session.execute(select(func.count(), func.max(Decision.id),
                                        func.sum(func.coalesce(Decision.undone_at, 0)))).one())
