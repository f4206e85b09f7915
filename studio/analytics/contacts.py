"""One-to-one traffic in: helpdesk CSV exports and a live webhook, stored idempotently as `one_to_one_contacts`.

A contact names its FAQ item either directly (a slug) or through a helpdesk topic; topics are mapped to items in
`topic_mappings`, resolved when the analytics read, so fixing a mapping later fixes every past contact too.

CSV columns (header names are matched without case, spaces, underscores or a bracketed unit such as "(秒)"):
  ts        required  timestamp, time, created_at, date, 时间, 创建时间, 咨询时间 …   ISO 8601, "2024-11-11 20:05:00",
                      "2024/11/11 20:05", or epoch seconds / milliseconds; times without an offset are read in --tz
  topic     one of    topic, category, subject, tag, reason, 主题, 问题类型, 咨询类型, 分类 …
  slug      both      slug, faq, faq_slug, FAQ编号
  id        optional  id, ticket_id, contact_id, 工单号, 会话ID … (without it a stable hash of the row is the id)
  channel   optional  channel, source, via, 渠道, 来源
  customer  optional  customer, customer_id, user_id, requester, 客户, 买家, 用户ID … (stored only as a salted hash)
  wait_seconds   optional  wait, wait_time, first_response_time, 等待时长 …   seconds, "mm:ss" or "hh:mm:ss"
  handle_seconds optional  handle_time, aht, duration, 处理时长, 通话时长 …     same formats
"""
from __future__ import annotations

import csv
import hashlib
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo
from typing import IO

from sqlalchemy import delete, func, select

from studio.blocks.slices import Slices
from studio.store.db import dialect_insert
from studio.store.models import FaqRecord, OneToOneContact, TopicMapping

MAX_WEBHOOK_ITEMS = 5000
MAX_LISTED_ERRORS = 1000
MAX_MAPPINGS = 5000
BATCH = 2000

COLUMN_ALIASES: dict[str, tuple[str, ...]] = {
    "id": ("id", "ticketid", "ticket", "contactid", "conversationid", "sessionid", "caseid", "工单号", "工单id",
           "工单编号", "会话id", "编号"),
    "ts": ("ts", "timestamp", "time", "createdat", "created", "createtime", "datetime", "date", "starttime",
           "时间", "创建时间", "咨询时间", "开始时间", "进线时间"),
    "channel": ("channel", "source", "via", "medium", "渠道", "来源", "接入渠道"),
    "topic": ("topic", "category", "subject", "tag", "reason", "contactreason", "主题", "问题类型", "咨询类型",
              "分类", "问题分类", "咨询主题"),
    "slug": ("slug", "faq", "faqslug", "faqid", "faq编号"),
    "customer": ("customer", "customerid", "user", "userid", "requester", "buyer", "buyerid", "客户", "客户id",
                 "用户", "用户id", "买家", "买家id", "顾客"),
    "wait_seconds": ("waitseconds", "wait", "waittime", "firstresponsetime", "firstresponseseconds", "queuetime",
                     "等待时长", "等待时间", "排队时长", "首次响应时长"),
    "handle_seconds": ("handleseconds", "handletime", "aht", "duration", "handlingtime", "处理时长", "通话时长",
                       "会话时长", "接待时长"),
}
_ALIAS_TO_FIELD = {alias: name for name, aliases in COLUMN_ALIASES.items() for alias in aliases}


def _header_key(name: str) -> str:
    name = re.sub(r"[（(\[【].*?[)）\]】]", "", name.strip().lower())
    return re.sub(r"[\s_\-./:#]+", "", name)


class UnreadableFile(ValueError):
    """The whole file cannot be read (no usable header)."""


@dataclass
class ContactRow:
    ext_id: str
    ts: float
    channel: str
    topic: str
    slug: str | None
    customer_hash: str
    wait_seconds: float | None
    handle_seconds: float | None


@dataclass
class IngestReport:
    accepted: int = 0
    duplicate: int = 0
    rejected: int = 0
    errors: list[dict] = field(default_factory=list)

    def reject(self, where: dict, reason: str) -> None:
        self.rejected += 1
        if len(self.errors) < MAX_LISTED_ERRORS:
            self.errors.append({**where, "reason": reason})

    def to_dict(self) -> dict:
        return {"accepted": self.accepted, "duplicate": self.duplicate, "rejected": self.rejected,
                "errors": self.errors}


# ---------------------------------------------------------------- field parsing

def parse_time(value: object, tz: tzinfo = UTC) -> float:
    """Epoch seconds from ISO 8601 / common export formats / epoch numbers; naive times are read in `tz`."""
    if isinstance(value, bool):
        raise ValueError("timestamp is not a time")
    if isinstance(value, (int, float)):
        ts = float(value)
    else:
        text = str(value).strip()
        if not text:
            raise ValueError("timestamp is empty")
        if re.fullmatch(r"\d{9,13}(\.\d+)?", text):
            ts = float(text)
        else:
            text = re.sub(r"^(\d{4})/(\d{1,2})/(\d{1,2})", lambda m: f"{m[1]}-{int(m[2]):02d}-{int(m[3]):02d}", text)
            text = re.sub(r"(\d)[ T](\d):", r"\1 0\2:", text)  # "2024-11-11 9:05" → "09:05"
            try:
                dt = datetime.fromisoformat(text)
            except ValueError:
                raise ValueError(f"cannot read the time {str(value)[:40]!r} "
                                 "(use ISO 8601, e.g. 2024-11-11T20:05:00+08:00)") from None
            if dt.tzinfo is None:
                dt = dt.replace(tzinfo=tz)
            ts = dt.timestamp()
    if ts > 1e11:  # milliseconds
        ts /= 1000.0
    if not 946684800 <= ts <= 4102444800:  # 2000-01-01 … 2100-01-01
        raise ValueError("timestamp is outside 2000-2100")
    return ts


def parse_seconds(value: object) -> float | None:
    """A duration in seconds from a number, "95", "1:35" or "00:01:35"; None when empty."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise ValueError("duration must be a number of seconds")
    if isinstance(value, (int, float)):
        secs = float(value)
    else:
        text = str(value).strip().lower().removesuffix("s").strip()
        if not text:
            return None
        if re.fullmatch(r"\d+(:\d{1,2}){1,2}", text):
            secs = 0.0
            for part in text.split(":"):
                secs = secs * 60 + int(part)
        else:
            try:
                secs = float(text)
            except ValueError:
                raise ValueError(f"cannot read the duration {str(value)[:20]!r} (seconds, mm:ss or hh:mm:ss)") from None
    if not 0 <= secs <= 86400 * 7:
        raise ValueError("duration must be between 0 and 7 days")
    return secs


def _text(value: object, limit: int, what: str) -> str:
    if value is None:
        return ""
    if not isinstance(value, (str, int)) or isinstance(value, bool):
        raise ValueError(f"{what} must be text")
    text = str(value).strip()
    if len(text) > limit:
        raise ValueError(f"{what} is longer than {limit} characters")
    return text


class RowReader:
    """Turns one raw contact (CSV row as dict, or webhook item) into a ContactRow or a ValueError with a reason."""

    def __init__(self, known_slugs: set[str], pseudonym: Callable[[str, str], str], tz: tzinfo = UTC):
        self.known_slugs = known_slugs
        self.pseudonym = pseudonym
        self.tz = tz
        self._seen_rows: Counter = Counter()

    def read(self, raw: dict, id_required: bool = False) -> ContactRow:
        if raw.get("ts") in (None, ""):
            raise ValueError("ts (time of the contact) is missing")
        ts = parse_time(raw["ts"], self.tz)
        topic = _text(raw.get("topic"), 200, "topic")
        slug = _text(raw.get("slug"), 64, "slug") or None
        if slug is not None and slug not in self.known_slugs:
            raise ValueError(f"unknown FAQ slug {slug!r}")
        if not topic and slug is None:
            raise ValueError("topic or slug is missing")
        if slug is None and topic in self.known_slugs:
            slug = topic  # helpdesks that already tag contacts with our slugs need no mapping
        channel = _text(raw.get("channel"), 64, "channel")
        customer = _text(raw.get("customer"), 200, "customer")
        wait, handle = parse_seconds(raw.get("wait_seconds")), parse_seconds(raw.get("handle_seconds"))
        ext_id = _text(raw.get("id"), 128, "id")
        if not ext_id:
            if id_required:
                raise ValueError("id is missing")
            ext_id = self._row_hash(ts, channel, topic, slug, customer, wait, handle)
        return ContactRow(ext_id=ext_id, ts=ts, channel=channel, topic=topic, slug=slug,
                          customer_hash=self.pseudonym("customer", customer) if customer else "",
                          wait_seconds=wait, handle_seconds=handle)

    def _row_hash(self, *values: object) -> str:
        # Identical rows in one file are distinct contacts: number them, so re-importing the file maps each to
        # the same id again instead of folding them into one.
        content = "\x1f".join("" if v is None else repr(v) for v in values)
        self._seen_rows[content] += 1
        digest = hashlib.sha256(f"{content}\x1e{self._seen_rows[content]}".encode()).hexdigest()
        return "row:" + digest[:40]


# ---------------------------------------------------------------- storage

def known_slugs(db) -> set[str]:
    with db.session() as s:
        return set(s.scalars(select(FaqRecord.slug)))


def store(db, rows: list[ContactRow]) -> tuple[int, int]:
    """Insert the contacts not stored yet; returns (inserted, duplicates). Safe to repeat."""
    unique: dict[str, dict] = {}
    for r in rows:
        unique.setdefault(r.ext_id, r.__dict__)
    table = OneToOneContact.__table__
    with db.session() as s:
        # RETURNING names only the rows this statement inserted, so the count holds beside concurrent imports
        stmt = (dialect_insert(s.connection().dialect.name)(table).on_conflict_do_nothing(index_elements=["ext_id"])
                .returning(table.c.ext_id))
        inserted = len(s.execute(stmt, list(unique.values())).all()) if unique else 0
    return inserted, len(rows) - inserted


def ingest_items(db, items: list, pseudonym: Callable[[str, str], str]) -> dict:
    """The webhook: JSON items → stored contacts, with per-item rejections by index."""
    report = IngestReport()
    reader = RowReader(known_slugs(db), pseudonym)
    good: list[ContactRow] = []
    for index, raw in enumerate(items):
        try:
            if not isinstance(raw, dict):
                raise ValueError("each item must be an object")
            good.append(reader.read(raw, id_required=True))
        except ValueError as e:
            report.reject({"index": index}, str(e))
    report.accepted, report.duplicate = store(db, good) if good else (0, 0)
    return report.to_dict()


# ---------------------------------------------------------------- CSV

def _decoded_lines(stream: IO[bytes], progress: Callable[[int], None] | None) -> Iterator[str]:
    first = True
    for raw in stream:
        if progress:
            progress(len(raw))
        if first:
            raw, first = raw.removeprefix(b"\xef\xbb\xbf"), False
        # surrogateescape keeps bad bytes visible so the row holding them can be rejected by line number
        yield raw.decode("utf-8", errors="surrogateescape")


def _columns(header: list[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for i, name in enumerate(header):
        field_name = _ALIAS_TO_FIELD.get(_header_key(name))
        if field_name and field_name not in found:
            found[field_name] = i
    if "ts" not in found or not ({"topic", "slug"} & found.keys()):
        raise UnreadableFile("the header needs a time column and a topic or slug column; accepted names: "
                           + "; ".join(f"{k}: {', '.join(v[:4])}" for k, v in COLUMN_ALIASES.items()))
    return found


def _sniff_delimiter(line: str) -> str:
    return max((",", ";", "\t"), key=line.count)


def import_csv(db, stream: IO[bytes], pseudonym: Callable[[str, str], str], tz: tzinfo = UTC,
               progress: Callable[[int], None] | None = None) -> dict:
    """Import a helpdesk export. Returns accepted / duplicate / rejected counts and errors with line numbers."""
    lines = _decoded_lines(stream, progress)
    header_line = next(lines, "")
    if not header_line.strip():
        raise UnreadableFile("the file is empty")
    delimiter = _sniff_delimiter(header_line)
    columns = _columns(next(csv.reader([header_line], delimiter=delimiter)))
    report = IngestReport()
    reader = RowReader(known_slugs(db), pseudonym, tz)
    rows = csv.reader(lines, delimiter=delimiter)
    batch: list[ContactRow] = []
    records = lines_before = 0
    slices = Slices()  # a 10 MB export read in slices: the studio keeps serving the show meanwhile
    for record in rows:
        slices.tick()
        # the header was line 1; a record starts on the line after the previous one ends (quoted cells may span lines)
        line_no, lines_before = lines_before + 2, rows.line_num
        if not any(cell.strip() for cell in record):
            continue
        records += 1
        try:
            if any("\udc80" <= ch <= "\udcff" for cell in record for ch in cell):
                raise ValueError("not UTF-8 text: save the export as CSV UTF-8")
            batch.append(reader.read({k: record[i] if i < len(record) else "" for k, i in columns.items()}))
        except ValueError as e:
            report.reject({"line": line_no}, str(e))
        if len(batch) >= BATCH:
            _flush(db, batch, report)
    _flush(db, batch, report)
    return {"rows": records, **report.to_dict()}


def _flush(db, batch: list[ContactRow], report: IngestReport) -> None:
    if batch:
        inserted, dup = store(db, batch)
        report.accepted += inserted
        report.duplicate += dup
        batch.clear()


# ---------------------------------------------------------------- topic mappings

def topics(db) -> dict:
    """The mappings, plus the helpdesk topics seen in contacts that map to nothing yet (most frequent first)."""
    with db.session() as s:
        mappings = [{"topic": m.topic, "slug": m.slug}
                    for m in s.scalars(select(TopicMapping).order_by(TopicMapping.topic))]
        unmapped = s.execute(
            select(OneToOneContact.topic, func.count())
            .outerjoin(TopicMapping, TopicMapping.topic == OneToOneContact.topic)
            .where(OneToOneContact.slug.is_(None), TopicMapping.topic.is_(None), OneToOneContact.topic != "")
            .group_by(OneToOneContact.topic).order_by(func.count().desc()).limit(200)).all()
    return {"mappings": mappings, "unmapped": [{"topic": t, "contacts": n} for t, n in unmapped]}


def set_topics(db, entries: Iterable) -> dict:
    """Replace every mapping with `entries` ([{"topic", "slug"}]); unknown slugs are refused."""
    if not isinstance(entries, list) or len(entries) > MAX_MAPPINGS:
        raise ValueError(f"mappings must be a list of at most {MAX_MAPPINGS} {{topic, slug}} objects")
    slugs = known_slugs(db)
    clean: dict[str, str] = {}
    for i, e in enumerate(entries):
        if not isinstance(e, dict):
            raise ValueError(f"mapping {i}: must be an object with topic and slug")
        topic = _text(e.get("topic"), 200, f"mapping {i}: topic")
        slug = _text(e.get("slug"), 64, f"mapping {i}: slug")
        if not topic:
            raise ValueError(f"mapping {i}: topic is empty")
        if slug not in slugs:
            raise ValueError(f"mapping {i}: unknown FAQ slug {slug!r}")
        if clean.get(topic, slug) != slug:
            raise ValueError(f"topic {topic!r} is mapped twice")
        clean[topic] = slug
    with db.session() as s:
        s.execute(delete(TopicMapping))
        s.add_all(TopicMapping(topic=t, slug=sl) for t, sl in clean.items())
    return topics(db)
