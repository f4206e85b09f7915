"""Read and write a catalog as a folder of Markdown files with YAML front matter, or as CSV.

Parsing never touches storage: it returns every item it could build and every error (file and line)
so the caller can refuse a broken catalog whole instead of half-applying it.
"""
from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from faq_catalog.model import FRONT_MATTER_KEYS, FaqItem, ItemError, build_item

MAX_FILE_BYTES = 5_000_000
MAX_ZIP_FILES = 5000
MAX_ZIP_BYTES = 50_000_000
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

    def check_numbers(self) -> ParsedCatalog:
        """Two on-shelf items under one link number would send viewers to the wrong page: an error."""
        seen: dict[int, FaqItem] = {}
        for item in self.items:
            if item.status != "on_shelf" or item.number is None:
                continue
            if item.number in seen:
                file, line = self.sources[item.slug]
                self.errors.append(CatalogError(file, line, f"number {item.number} is already used by on-shelf "
                                                            f"item '{seen[item.number].slug}'"))
            else:
                seen[item.number] = item
        return self

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


def parse_markdown_files(files: Iterable[tuple[str, bytes]], where: str) -> ParsedCatalog:
    """Markdown files given as (name, content) pairs: a folder on disk or the entries of a zip upload."""
    result = ParsedCatalog()
    for name, raw in files:
        text = _decode(raw, name, result.errors)
        if text is None:
            continue
        item, err, line = parse_markdown_item(text, name)
        if err:
            result.errors.append(err)
        else:
            result.add(item, name, line)
    if not result.items and not result.errors:
        result.errors.append(CatalogError(where, None, "no .md files found"))
    return result.check_numbers()


def _is_item_file(name: str) -> bool:
    base = name.rsplit("/", 1)[-1]
    return base.lower().endswith(".md") and not base.startswith(("_", "."))


def parse_folder(path: Path) -> ParsedCatalog:
    files = sorted(p for p in path.rglob("*.md") if p.is_file() and _is_item_file(p.as_posix()))
    return parse_markdown_files(((p.relative_to(path).as_posix(), p.read_bytes()) for p in files), str(path))


def parse_zip(raw: bytes, name: str) -> ParsedCatalog:
    """A zip of Markdown files (as `export` writes it). Sizes are checked before anything is inflated."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(raw))
        entries = [e for e in archive.infolist() if not e.is_dir() and _is_item_file(e.filename)
                   and not e.filename.startswith("__MACOSX/")]
    except (zipfile.BadZipFile, ValueError) as e:
        return ParsedCatalog(errors=[CatalogError(name, None, f"not a valid zip file: {e}")])
    if len(entries) > MAX_ZIP_FILES:
        return ParsedCatalog(errors=[CatalogError(name, None, f"more than {MAX_ZIP_FILES} .md files")])
    if sum(e.file_size for e in entries) > MAX_ZIP_BYTES:
        return ParsedCatalog(errors=[CatalogError(name, None, f"unpacks to more than {MAX_ZIP_BYTES // 1_000_000} MB")])
    try:
        files = [(e.filename, archive.read(e)) for e in sorted(entries, key=lambda e: e.filename)]
    except (zipfile.BadZipFile, RuntimeError, OSError) as e:  # corrupt data, encrypted entries
        return ParsedCatalog(errors=[CatalogError(name, None, f"cannot read the zip file: {e}")])
    return parse_markdown_files(files, name)


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
    # line_num is where the reader stopped, i.e. where a record ends; a quoted body spans lines, so a record
    # starts one after the previous one ended.
    start = line = reader.line_num + 1
    try:
        for row in reader:
            line, start = start, reader.line_num + 1
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
        result.errors.append(CatalogError(name, line, f"not valid CSV: {e}"))
    return result.check_numbers()


def parse_upload(name: str, raw: bytes) -> ParsedCatalog:
    """An uploaded catalog: a .csv, a .zip of .md files or a single .md file, told apart by its name."""
    lower = name.lower()
    if lower.endswith(".zip"):
        return parse_zip(raw, name)
    errors: list[CatalogError] = []
    if not lower.endswith((".csv", ".md")):
        return ParsedCatalog(errors=[CatalogError(name, None, "expected a .csv, a .zip of .md files or a .md file")])
    text = _decode(raw, name, errors)
    if text is None:
        return ParsedCatalog(errors=errors)
    if lower.endswith(".csv"):
        return parse_csv_text(text, name)
    return parse_markdown_files([(name, raw)], name)


def load_catalog(path: str | Path) -> ParsedCatalog:
    """A folder of Markdown files, a single Markdown file, a CSV file or a zip of Markdown files."""
    p = Path(path)
    if p.is_dir():
        return parse_folder(p)
    if not p.exists():
        return ParsedCatalog(errors=[CatalogError(str(p), None, "no such file or folder")])
    if p.suffix.lower() in (".csv", ".md", ".zip"):
        return parse_upload(p.name, p.read_bytes())
    return ParsedCatalog(errors=[CatalogError(str(p), None, "expected a folder, a .md, .csv or .zip file")])


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


def items_to_zip(items: Iterable[FaqItem]) -> bytes:
    """The Markdown folder export as one zip (for a download): one `<slug>.md` per item."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for item in items:
            archive.writestr(f"{item.slug}.md", item_to_markdown(item))
    return out.getvalue()


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
    """CSV when the path ends in .csv, a zip of Markdown files for .zip, otherwise a folder of Markdown files."""
    suffix = str(path).lower().rsplit(".", 1)[-1]
    if suffix == "csv":
        return export_csv(items, path)
    if suffix == "zip":
        items = list(items)
        Path(path).write_bytes(items_to_zip(items))
        return len(items)
    return export_folder(items, path)
