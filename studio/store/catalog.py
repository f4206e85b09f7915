"""The catalog in the database: FaqItems in and out, optimistic revisions, and all-or-nothing imports."""
from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy import update as sql_update

from faq_catalog.catalog_io import ParsedCatalog
from faq_catalog.model import FRONT_MATTER_KEYS, FaqItem
from studio.errors import AlreadyExists, Conflict, NotFound
from studio.store.decisions import fingerprint as decisions_fingerprint
from studio.store.models import FaqRecord, utcnow


class CatalogConflict(Conflict):
    """The edit was based on an older revision than the stored one."""

    def __init__(self, current: FaqItem):
        super().__init__(f"'{current.slug}' was changed by someone else (now revision {current.revision})")
        self.current = current


def no_item(slug: str) -> NotFound:
    return NotFound(f"no item '{slug[:64]}'")


def to_item(rec: FaqRecord) -> FaqItem:
    return FaqItem(slug=rec.slug, number=rec.number, question=rec.question, answer=rec.answer, body=rec.body,
                   category=rec.category, keywords=tuple(rec.keywords or ()), examples=tuple(rec.examples or ()),
                   status=rec.status, escalation_url=rec.escalation_url, revision=rec.revision,
                   created_at=rec.created_at, updated_at=rec.updated_at)


def _values(item: FaqItem) -> dict:
    """The stored columns of `item` (the tuples become JSON lists)."""
    return {key: list(getattr(item, key)) if key in ("keywords", "examples") else getattr(item, key)
            for key in (*FRONT_MATTER_KEYS, "body")}


def _write(rec: FaqRecord, item: FaqItem) -> None:
    for key, value in _values(item).items():
        setattr(rec, key, value)


@dataclass
class ImportReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    rejected: list[dict] = field(default_factory=list)
    applied: bool = False

    def to_dict(self) -> dict:
        return {"created": len(self.created), "updated": len(self.updated), "unchanged": len(self.unchanged),
                "rejected": len(self.rejected), "errors": self.rejected, "applied": self.applied,
                "slugs": {"created": self.created, "updated": self.updated}}


class CatalogStore:
    def __init__(self, db):
        self.db = db
        self._listeners: list[Callable[[], None]] = []
        self._local: list[Callable[[], None]] = []

    def on_change(self, fn: Callable[[], None]) -> None:
        """Called after every committed change (the matcher rebuilds, pages drop their cache), whichever process
        made it."""
        self._listeners.append(fn)

    def on_local_change(self, fn: Callable[[], None]) -> None:
        """Called after a change committed by this process only (to tell the other processes)."""
        self._local.append(fn)

    def _changed(self) -> None:
        self.changed_elsewhere()
        for fn in self._local:
            fn()

    def taught_changed(self) -> None:
        """The crew's decisions changed (studio.store.decisions): the matcher rebuilds, everywhere."""
        self._changed()

    def changed_elsewhere(self) -> None:
        """Another process changed the catalog: everything here that depends on it refreshes."""
        for fn in self._listeners:
            fn()

    def fingerprint(self) -> tuple:
        """Cheap to read, different after any committed create, edit, renumber or delete, and after any decision
        of the crew or its undo."""
        with self.db.session() as s:
            return tuple(s.execute(select(func.count(), func.max(FaqRecord.id), func.sum(FaqRecord.revision),
                                          func.max(FaqRecord.updated_at))).one()) + decisions_fingerprint(s)

    def all(self, status: str | None = None) -> list[FaqItem]:
        with self.db.session() as s:
            q = select(FaqRecord).order_by(FaqRecord.number.is_(None), FaqRecord.number, FaqRecord.slug)
            if status:
                q = q.where(FaqRecord.status == status)
            return [to_item(r) for r in s.scalars(q)]

    def get(self, slug: str) -> FaqItem:
        with self.db.session() as s:
            rec = s.scalar(select(FaqRecord).where(FaqRecord.slug == slug))
            if rec is None:
                raise no_item(slug)
            return to_item(rec)

    def create(self, item: FaqItem) -> FaqItem:
        with self.db.session() as s:
            if s.scalar(select(FaqRecord.id).where(FaqRecord.slug == item.slug)) is not None:
                raise AlreadyExists(f"an item with slug '{item.slug}' already exists")
            rec = FaqRecord(slug=item.slug, revision=1, created_at=utcnow(), updated_at=utcnow())
            _write(rec, item)
            s.add(rec)
            s.flush()
            out = to_item(rec)
        self._changed()
        return out

    def update(self, slug: str, item: FaqItem, base_revision: int) -> FaqItem:
        """Save over `base_revision` only if it is still the stored one: never a silent overwrite. The write is a
        compare-and-swap on the revision, so two processes saving at once cannot both win (SQLite has no
        SELECT ... FOR UPDATE)."""
        with self.db.session() as s:
            rec = s.scalar(select(FaqRecord).where(FaqRecord.slug == slug))
            if rec is None:
                raise no_item(slug)
            if rec.revision != base_revision:
                raise CatalogConflict(to_item(rec))
            if item.slug != slug and s.scalar(select(FaqRecord.id).where(FaqRecord.slug == item.slug)):
                raise AlreadyExists(f"an item with slug '{item.slug}' already exists")
            if to_item(rec).content_equals(item):
                return to_item(rec)
            done = s.execute(sql_update(FaqRecord).where(FaqRecord.id == rec.id, FaqRecord.revision == base_revision)
                             .values(**_values(item), revision=base_revision + 1, updated_at=utcnow())
                             .execution_options(synchronize_session=False))
            s.expire(rec)
            if done.rowcount != 1:
                raise CatalogConflict(to_item(rec))
            out = to_item(rec)
        self._changed()
        return out

    def renumber(self, slugs: list[str]) -> list[FaqItem]:
        """Give `slugs` the link numbers 1..N in this order (all or nothing)."""
        if len(set(slugs)) != len(slugs):
            raise ValueError("a slug is listed twice")
        with self.db.session() as s:
            recs = {r.slug: r for r in s.scalars(select(FaqRecord).where(FaqRecord.slug.in_(slugs)))}
            missing = [x for x in slugs if x not in recs]
            if missing:
                raise no_item(missing[0])
            clash = s.scalar(select(FaqRecord).where(FaqRecord.status == "on_shelf", FaqRecord.slug.not_in(slugs),
                                                     FaqRecord.number.between(1, len(slugs))))
            if clash is not None:
                raise ValueError(f"on-shelf item '{clash.slug}' keeps number {clash.number}: list it too")
            for n, slug in enumerate(slugs, start=1):
                rec = recs[slug]
                if rec.number != n:
                    rec.number, rec.revision, rec.updated_at = n, rec.revision + 1, utcnow()
            s.flush()
            out = [to_item(recs[x]) for x in slugs]
        self._changed()
        return out

    def delete(self, slug: str, base_revision: int | None = None) -> None:
        with self.db.session() as s:
            rec = s.scalar(select(FaqRecord).where(FaqRecord.slug == slug))
            if rec is None:
                raise no_item(slug)
            if base_revision is not None and rec.revision != base_revision:
                raise CatalogConflict(to_item(rec))
            s.delete(rec)
        self._changed()

    def apply_import(self, parsed: ParsedCatalog, dry_run: bool = False) -> ImportReport:
        """Idempotent by slug. Any error rejects the whole import: a broken file is never half-applied."""
        report = ImportReport(rejected=[e.to_dict() for e in parsed.errors])
        with self.db.session() as s:
            existing = {r.slug: r for r in s.scalars(select(FaqRecord).where(
                FaqRecord.slug.in_([i.slug for i in parsed.items])))}
            for item in parsed.items:
                rec = existing.get(item.slug)
                if rec is None:
                    report.created.append(item.slug)
                    if not dry_run and parsed.ok:
                        new = FaqRecord(slug=item.slug, revision=1, created_at=utcnow(), updated_at=utcnow())
                        _write(new, item)
                        s.add(new)
                elif to_item(rec).content_equals(item):
                    report.unchanged.append(item.slug)
                else:
                    report.updated.append(item.slug)
                    if not dry_run and parsed.ok:
                        _write(rec, item)
                        rec.revision += 1
                        rec.updated_at = utcnow()
            if dry_run or not parsed.ok:
                s.rollback()
                return report
        report.applied = True
        if report.created or report.updated:
            self._changed()
        return report


def items_by_slug(items: Iterable[FaqItem]) -> dict[str, FaqItem]:
    return {i.slug: i for i in items}
