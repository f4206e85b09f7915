"""Read and write a catalog as a folder of Markdown files with YAML front matter, or as CSV.

Parsing never touches storage: it returns every item it could build and every error (file and line)
so the caller can refuse a broken catalog whole instead of half-applying it.
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

import yaml

from .model import FRONT_MATTER_KEYS, FaqItem, ItemError, build_item

MAX_FILE_BYTES = 5_000_000
LIST_SEPARATOR = "|"


@dataclass
class CatalogError:
    file: str
    line: int | None
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.message}"

    def to_dict(self) -> dict:
        return {"file": self.file, "line": self.line, "message": self.message}


@dataclass
class ParsedCatalog:
    items: list[FaqItem] = field(default_factory=list)
    errors: list[CatalogError] = field(default_factory=list)
    sources: dict[str, tuple[str, int | None]] = field(default_factory=dict)  # slug -> (file, line)

    def add(self, item: FaqItem, file: str, line: int | None) -> None:
        if item.slug in self.sources:
            first = self.sources[item.slug]
            self.errors.append(CatalogError(file, line, f"duplicate slug '{item.slug}' (first in {first[0]}"
                                                        f"{':' + str(first[1]) if first[1] else ''})"))
            return
        self.sources[item.slug] = (file, line)
        self.items.append(item)

    @property
    def ok(self) -> bool:
        return not self.errors


def _decode(raw: bytes, name: str, errors: list[CatalogError]) -> str | None:
    if len(raw) > MAX_FILE_BYTES:
        errors.append(CatalogError(name, None, f"file is larger than {MAX_FILE_BYTES // 1_000_000} MB"))
        return None
    try:
        return raw.decode("utf-8-sig")  # Excel writes a BOM
    except UnicodeDecodeError as e:
        line = raw[: e.start].count(b"\n") + 1
        errors.append(CatalogError(name, line, "not valid UTF-8 (save the file as UTF-8)"))
        return None


def parse_markdown_item(text: str, name: str) -> tuple[FaqItem | None, CatalogError | None, int]:
    """One Markdown file: `---` YAML front matter `---` then the solution page body."""
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].strip() != "---":
        return None, CatalogError(name, 1, "must start with '---' and YAML front matter"), 1
    end = next((i for i in range(1, len(lines)) if lines[i].strip() in ("---", "...")), None)
    if end is None:
        return None, CatalogError(name, 1, "front matter is not closed with '---'"), 1
    try:
        meta = yaml.safe_load("".join(lines[1:end])) or {}
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        line = mark.line + 2 if mark is not None else 1
        return None, CatalogError(name, line, f"front matter is not valid YAML: {getattr(e, 'problem', e)}"), 1
    if not isinstance(meta, dict):
        return None, CatalogError(name, 2, "front matter must be a mapping of keys to values"), 1
    unknown = [k for k in meta if k not in FRONT_MATTER_KEYS]
    if unknown:
        return None, CatalogError(name, _key_line(lines, end, unknown[0]), f"unknown key '{unknown[0]}'"), 1
    body = "".join(lines[end + 1:]).lstrip("\n")
    try:
        return build_item({**meta, "body": body}), None, 1
    except ItemError as e:
        line = _key_line(lines, end, e.field) if e.field != "body" else end + 2
        return None, CatalogError(name, line, str(e)), 1


def _key_line(lines: list[str], end: int, key: str) -> int:
    for i in range(1, end):
        if lines[i].split(":", 1)[0].strip() == key:
            return i + 1
    return 1


def parse_folder(path: Path) -> ParsedCatalog:
    result = ParsedCatalog()
    files = sorted(p for p in path.rglob("*.md") if p.is_file() and not p.name.startswith(("_", ".")))
    if not files:
        result.errors.append(CatalogError(str(path), None, "no .md files found"))
    for p in files:
        name = str(p.relative_to(path))
        text = _decode(p.read_bytes(), name, result.errors)
        if text is None:
            continue
        item, err, line = parse_markdown_item(text, name)
        if err:
            result.errors.append(err)
        else:
            result.add(item, name, line)
    return result


def parse_csv_text(text: str, name: str) -> ParsedCatalog:
    result = ParsedCatalog()
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = [h.strip() for h in (reader.fieldnames or [])]
    reader.fieldnames = header
    missing = [k for k in ("slug", "question") if k not in header]
    unknown = [h for h in header if h not in (*FRONT_MATTER_KEYS, "body")]
    if missing or unknown:
        msg = f"missing column(s) {', '.join(missing)}" if missing else f"unknown column '{unknown[0]}'"
        result.errors.append(CatalogError(name, 1, msg + f"; expected {', '.join((*FRONT_MATTER_KEYS, 'body'))}"))
        return result
    try:
        for row in reader:
            line = reader.line_num
            if None in row:
                result.errors.append(CatalogError(name, line, "more fields than columns"))
                continue
            if not any((v or "").strip() for v in row.values()):
                continue
            try:
                result.add(build_item({k: v for k, v in row.items() if v is not None}), name, line)
            except ItemError as e:
                result.errors.append(CatalogError(name, line, str(e)))
    except csv.Error as e:
        result.errors.append(CatalogError(name, reader.line_num, f"not valid CSV: {e}"))
    return result


def parse_csv(path: Path) -> ParsedCatalog:
    errors: list[CatalogError] = []
    text = _decode(path.read_bytes(), path.name, errors)
    if text is None:
        return ParsedCatalog(errors=errors)
    return parse_csv_text(text, path.name)


def load_catalog(path: str | Path) -> ParsedCatalog:
    """A folder of Markdown files, a single Markdown file, or a CSV file."""
    p = Path(path)
    if p.is_dir():
        return parse_folder(p)
    if not p.exists():
        return ParsedCatalog(errors=[CatalogError(str(p), None, "no such file or folder")])
    if p.suffix.lower() == ".csv":
        return parse_csv(p)
    if p.suffix.lower() == ".md":
        result = ParsedCatalog()
        text = _decode(p.read_bytes(), p.name, result.errors)
        if text is not None:
            item, err, line = parse_markdown_item(text, p.name)
            result.errors.append(err) if err else result.add(item, p.name, line)
        return result
    return ParsedCatalog(errors=[CatalogError(str(p), None, "expected a folder, a .md file or a .csv file")])


def item_to_markdown(item: FaqItem) -> str:
    meta = {k: getattr(item, k) for k in FRONT_MATTER_KEYS}
    meta["keywords"], meta["examples"] = list(item.keywords), list(item.examples)
    head = yaml.safe_dump(meta, allow_unicode=True, sort_keys=False, default_flow_style=None, width=1000)
    return f"---\n{head}---\n\n{item.body.rstrip()}\n"


def export_folder(items: Iterable[FaqItem], path: str | Path) -> int:
    p = Path(path)
    p.mkdir(parents=True, exist_ok=True)
    n = 0
    for item in items:
        (p / f"{item.slug}.md").write_text(item_to_markdown(item), encoding="utf-8")
        n += 1
    return n


def items_to_csv(items: Iterable[FaqItem], bom: bool = True) -> str:
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\r\n")
    w.writerow((*FRONT_MATTER_KEYS, "body"))
    for it in items:
        row = [getattr(it, k) for k in FRONT_MATTER_KEYS]
        row[FRONT_MATTER_KEYS.index("keywords")] = LIST_SEPARATOR.join(it.keywords)
        row[FRONT_MATTER_KEYS.index("examples")] = LIST_SEPARATOR.join(it.examples)
        row[0:2] = [it.slug, "" if it.number is None else it.number]
        w.writerow([*row, it.body])
    return ("\ufeff" if bom else "") + out.getvalue()


def export_csv(items: Iterable[FaqItem], path: str | Path) -> int:
    items = list(items)
    Path(path).write_text(items_to_csv(items), encoding="utf-8", newline="")
    return len(items)


def export_catalog(items: Iterable[FaqItem], path: str | Path) -> int:
    """CSV when the path ends in .csv, otherwise a folder of Markdown files."""
    return export_csv(items, path) if str(path).lower().endswith(".csv") else export_folder(items, path)
