"""The FAQ item as the catalog knows it, with the validation every entry point shares."""
from __future__ import annotations

import re
from dataclasses import dataclass, fields, replace
from datetime import datetime
from typing import Any

CATEGORIES = ("售前", "售中", "售后")
CATEGORY_ALIASES = {"presale": "售前", "insale": "售中", "aftersale": "售后",
                    "售前": "售前", "售中": "售中", "售后": "售后"}
CATEGORY_CODES = {"售前": "presale", "售中": "insale", "售后": "aftersale"}
STATUSES = ("draft", "on_shelf", "archived")

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
URL_RE = re.compile(r"^https?://[^\s<>\"']+$", re.IGNORECASE)

MAX_SLUG = 64
MAX_NUMBER = 999
MAX_QUESTION = 200
MAX_ANSWER = 300
MAX_BODY = 200_000
MAX_WORDS = 60
MAX_WORD = 80
MAX_URL = 2000

# The keys of a Markdown file's front matter and of a CSV row, in this order.
FRONT_MATTER_KEYS = ("slug", "number", "question", "answer", "category", "keywords", "examples",
                     "status", "escalation_url")


class ItemError(ValueError):
    """A field of an item is invalid; `field` names it for forms and import reports."""

    def __init__(self, field_name: str, message: str):
        super().__init__(f"{field_name}: {message}")
        self.field = field_name
        self.message = message


@dataclass(frozen=True)
class FaqItem:
    slug: str
    question: str
    answer: str = ""
    body: str = ""
    number: int | None = None
    category: str = "售前"
    keywords: tuple[str, ...] = ()
    examples: tuple[str, ...] = ()
    status: str = "draft"
    escalation_url: str = ""
    revision: int = 0
    created_at: datetime | None = None
    updated_at: datetime | None = None

    def content_equals(self, other: FaqItem) -> bool:
        """Same editable content (ignores revision and timestamps): an import of it changes nothing."""
        return all(getattr(self, k) == getattr(other, k) for k in (*FRONT_MATTER_KEYS, "body"))

    def to_dict(self) -> dict[str, Any]:
        d = {k: getattr(self, k) for k in FRONT_MATTER_KEYS}
        d["keywords"], d["examples"] = list(self.keywords), list(self.examples)
        d["body"] = self.body
        d["revision"] = self.revision
        d["created_at"] = self.created_at.isoformat() if self.created_at else None
        d["updated_at"] = self.updated_at.isoformat() if self.updated_at else None
        return d

    def with_changes(self, **changes: Any) -> FaqItem:
        return replace(self, **changes)


EDITABLE = tuple(f.name for f in fields(FaqItem) if f.name not in ("revision", "created_at", "updated_at"))


def _text(name: str, value: Any, limit: int, required: bool = False) -> str:
    if value is None:
        value = ""
    if not isinstance(value, str):
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            value = str(value)
        else:
            raise ItemError(name, "must be text")
    value = value.replace("\r\n", "\n").replace("\x00", "")
    # Leading blank lines and trailing whitespace of a body carry no meaning, and each format (front matter,
    # CSV cell, form) adds or drops some: trimming them keeps export → import a no-op.
    value = value.lstrip("\n").rstrip() if name == "body" else value.strip()
    if required and not value:
        raise ItemError(name, "is required")
    if len(value) > limit:
        raise ItemError(name, f"is too long ({len(value)} characters, at most {limit})")
    return value


def _words(name: str, value: Any) -> tuple[str, ...]:
    if value is None or value == "":
        return ()
    if isinstance(value, str):
        value = value.split("|")
    if not isinstance(value, (list, tuple)):
        raise ItemError(name, "must be a list of text")
    out: list[str] = []
    for v in value:
        if isinstance(v, (int, float)) and not isinstance(v, bool):
            v = str(v)
        if not isinstance(v, str):
            raise ItemError(name, "must be a list of text")
        v = v.strip()
        if not v:
            continue
        if len(v) > MAX_WORD:
            raise ItemError(name, f"entry '{v[:20]}…' is too long (at most {MAX_WORD} characters)")
        if v not in out:
            out.append(v)
    if len(out) > MAX_WORDS:
        raise ItemError(name, f"has {len(out)} entries, at most {MAX_WORDS}")
    return tuple(out)


def _number(value: Any) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise ItemError("number", "must be a whole number")
    if isinstance(value, str):
        value = value.strip()
        if not value.isdigit():
            raise ItemError("number", f"must be a whole number, got '{value[:20]}'")
        value = int(value)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if not isinstance(value, int):
        raise ItemError("number", "must be a whole number")
    if not 1 <= value <= MAX_NUMBER:
        raise ItemError("number", f"must be between 1 and {MAX_NUMBER}")
    return value


def normalize_category(value: Any) -> str:
    key = value.strip().lower() if isinstance(value, str) else value
    if key in (None, ""):
        return "售前"
    if key not in CATEGORY_ALIASES:
        raise ItemError("category", "must be 售前, 售中 or 售后 (presale, insale, aftersale)")
    return CATEGORY_ALIASES[key]


def build_item(data: dict[str, Any], *, revision: int = 0, created_at: datetime | None = None,
               updated_at: datetime | None = None) -> FaqItem:
    """Validate raw fields (from JSON, YAML, CSV or a form) into a FaqItem, or raise ItemError."""
    if not isinstance(data, dict):
        raise ItemError("item", "must be an object")
    unknown = set(data) - set(EDITABLE) - {"revision", "created_at", "updated_at", "id"}
    if unknown:
        raise ItemError(sorted(unknown)[0], "is not a known field")
    slug = _text("slug", data.get("slug"), MAX_SLUG, required=True).lower()
    if not SLUG_RE.match(slug):
        raise ItemError("slug", "must be lower-case letters, digits and single hyphens (like shipping-time)")
    status = _text("status", data.get("status"), 20) or "draft"
    if status not in STATUSES:
        raise ItemError("status", f"must be one of {', '.join(STATUSES)}")
    url = _text("escalation_url", data.get("escalation_url"), MAX_URL)
    if url and not URL_RE.match(url):
        raise ItemError("escalation_url", "must be an http(s) URL")
    return FaqItem(
        slug=slug,
        number=_number(data.get("number")),
        question=_text("question", data.get("question"), MAX_QUESTION, required=True),
        answer=_text("answer", data.get("answer"), MAX_ANSWER),
        body=_text("body", data.get("body"), MAX_BODY),
        category=normalize_category(data.get("category")),
        keywords=_words("keywords", data.get("keywords")),
        examples=_words("examples", data.get("examples")),
        status=status,
        escalation_url=url,
        revision=revision,
        created_at=created_at,
        updated_at=updated_at,
    )
