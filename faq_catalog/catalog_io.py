"""Read and write a catalog as a folder of Markdown files with YAML front matter, or as CSV.

Parsing never touches storage: it returns every item it could build and every error (file and line)
so the caller can refuse a broken catalog whole instead of half-applying it.

The crew's decisions travel with the items: an item's front matter (or CSV row) may list `taught`, comments the
crew said ask this item, and `not_this`, comments the matcher gave this item that the crew said do not ask it.
Comments marked "not a shelf question" that the matcher gave no item are listed in `_not_questions.yaml` beside the
Markdown files (a YAML list of texts).
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
from faq_catalog.normalize import normalize

MAX_FILE_BYTES = 5_000_000
MAX_ZIP_FILES = 5000
MAX_ZIP_BYTES = 50_000_000
LIST_SEPARATOR = "|"
TAUGHT_KEYS = ("taught", "not_this")  # optional front-matter keys / CSV columns: the crew's decisions
NOT_QUESTIONS_FILE = "_not_questions.yaml"
MAX_TAUGHT = 5000  # comments per list
MAX_TAUGHT_TEXT = 500


@dataclass(frozen=True)
class Taught:
    """One decision of the crew as a catalog carries it: `faq` is the item the comment asks (None: no item);
    `guess` is the item the matcher had given it, when that was wrong (the comment is a counter-example of it)."""
    text: str
    faq: str | None
    guess: str | None = None


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
    taught_to: list[tuple[str, str]] = field(default_factory=list)  # (text, slug) from `taught` lists
    not_this: list[tuple[str, str]] = field(default_factory=list)  # (text, slug) from `not_this` lists
    not_questions: list[str] = field(default_factory=list)

    @property
    def taught(self) -> list[Taught]:
        """The decisions the catalog carries, one per comment text."""
        wrong = {normalize(text): slug for text, slug in self.not_this}
        out: dict[str, Taught] = {}
        for text, slug in self.taught_to:
            out[normalize(text)] = Taught(text, slug, wrong.get(normalize(text)))
        for text, slug in self.not_this:
            out.setdefault(normalize(text), Taught(text, None, slug))
        for text in self.not_questions:
            out.setdefault(normalize(text), Taught(text, None))
        return [t for n, t in out.items() if n]

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


def _texts(key: str, value, line: int, name: str) -> tuple[list[str], CatalogError | None]:
    """A list of comment texts (`taught`, `not_this`): YAML list, or `|`-separated text in a CSV cell."""
    if value is None or value == "":
        return [], None
    if isinstance(value, str):
        value = value.split(LIST_SEPARATOR)
    if not isinstance(value, list) or not all(isinstance(v, (str, int, float)) for v in value):
        return [], CatalogError(name, line, f"{key}: must be a list of comment texts")
    if len(value) > MAX_TAUGHT:
        return [], CatalogError(name, line, f"{key}: has {len(value)} entries, at most {MAX_TAUGHT}")
    out = [str(v).strip() for v in value if str(v).strip()]
    long = next((v for v in out if len(v) > MAX_TAUGHT_TEXT), None)
    if long is not None:
        return [], CatalogError(name, line, f"{key}: entry '{long[:20]}…' is too long (at most {MAX_TAUGHT_TEXT})")
    return out, None


def parse_markdown_item(text: str, name: str, taught: ParsedCatalog | None = None
                        ) -> tuple[FaqItem | None, CatalogError | None, int]:
    """One Markdown file: `---` YAML front matter `---` then the solution page body. The decisions listed in its
    front matter go into `taught` when given."""
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
    unknown = [k for k in meta if k not in (*FRONT_MATTER_KEYS, *TAUGHT_KEYS)]
    if unknown:
        return None, CatalogError(name, _key_line(lines, end, unknown[0]), f"unknown key '{unknown[0]}'"), 1
    lists = {}
    for key in TAUGHT_KEYS:
        lists[key], err = _texts(key, meta.pop(key, None), _key_line(lines, end, key), name)
        if err:
            return None, err, 1
    body = "".join(lines[end + 1:]).lstrip("\n")
    try:
        item = build_item({**meta, "body": body})
    except ItemError as e:
        line = _key_line(lines, end, e.field) if e.field != "body" else end + 2
        return None, CatalogError(name, line, str(e)), 1
    if taught is not None:
        taught.taught_to += [(t, item.slug) for t in lists["taught"]]
        taught.not_this += [(t, item.slug) for t in lists["not_this"]]
    return item, None, 1


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
        if name.rsplit("/", 1)[-1] == NOT_QUESTIONS_FILE:
            _not_questions(text, name, result)
            continue
        item, err, line = parse_markdown_item(text, name, result)
        if err:
            result.errors.append(err)
        else:
            result.add(item, name, line)
    if not result.items and not result.errors:
        result.errors.append(CatalogError(where, None, "no .md files found"))
    return result.check_numbers()


def _not_questions(text: str, name: str, result: ParsedCatalog) -> None:
    try:
        value = yaml.safe_load(text)
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        result.errors.append(CatalogError(name, mark.line + 1 if mark is not None else 1, "not valid YAML"))
        return
    texts, err = _texts("not_questions", value, 1, name)
    if err:
        result.errors.append(err)
    result.not_questions += texts


def _is_item_file(name: str) -> bool:
    base = name.rsplit("/", 1)[-1]
    return base.lower().endswith(".md") and not base.startswith(("_", "."))


def _is_catalog_file(name: str) -> bool:
    return _is_item_file(name) or name.rsplit("/", 1)[-1] == NOT_QUESTIONS_FILE


def parse_folder(path: Path) -> ParsedCatalog:
    files = sorted(p for p in path.rglob("*") if p.is_file() and _is_catalog_file(p.as_posix()))
    return parse_markdown_files(((p.relative_to(path).as_posix(), p.read_bytes()) for p in files), str(path))


def parse_zip(raw: bytes, name: str) -> ParsedCatalog:
    """A zip of Markdown files (as `export` writes it). Sizes are checked before anything is inflated."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(raw))
        entries = [e for e in archive.infolist() if not e.is_dir() and _is_catalog_file(e.filename)
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
    unknown = [h for h in header if h not in (*FRONT_MATTER_KEYS, "body", *TAUGHT_KEYS)]
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
            lists = {}
            for key in TAUGHT_KEYS:
                lists[key], err = _texts(key, row.pop(key, None), line, name)
                if err:
                    result.errors.append(err)
            try:
                item = build_item({k: v for k, v in row.items() if v is not None})
            except ItemError as e:
                result.errors.append(CatalogError(name, line, str(e)))
                continue
            result.add(item, name, line)
            result.taught_to += [(t, item.slug) for t in lists.get("taught", ())]
            result.not_this += [(t, item.slug) for t in lists.get("not_this", ())]
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


@dataclass
class _ByItem:
    taught: dict[str, list[str]] = field(default_factory=dict)
    not_this: dict[str, list[str]] = field(default_factory=dict)
    not_questions: list[str] = field(default_factory=list)


def _by_item(taught: Iterable[Taught], slugs: set[str]) -> _ByItem:
    out = _ByItem()
    for t in taught:
        if t.faq is not None and t.faq in slugs:
            out.taught.setdefault(t.faq, []).append(t.text)
        if t.guess is not None and t.guess in slugs and t.guess != t.faq:
            out.not_this.setdefault(t.guess, []).append(t.text)
        elif t.faq is None and t.guess is None:
            out.not_questions.append(t.text)
    return out


def item_to_markdown(item: FaqItem, taught: Iterable[str] = (), not_this: Iterable[str] = ()) -> str:
    meta = {k: getattr(item, k) for k in FRONT_MATTER_KEYS}
    meta["keywords"], meta["examples"] = list(item.keywords), list(item.examples)
    for key, texts in (("taught", list(taught)), ("not_this", list(not_this))):
        if texts:
            meta[key] = texts
    head = yaml.safe_dump(meta, allow_unicode=True, sort_keys=False, default_flow_style=None, width=1000)
    return f"---\n{head}---\n\n{item.body.rstrip()}\n"


def _markdown_files(items: Iterable[FaqItem], taught: Iterable[Taught]) -> list[tuple[str, str]]:
    items = list(items)
    grouped = _by_item(taught, {i.slug for i in items})
    files = [(f"{i.slug}.md", item_to_markdown(i, grouped.taught.get(i.slug, ()), grouped.not_this.get(i.slug, ())))
             for i in items]
    if grouped.not_questions:
        files.append((NOT_QUESTIONS_FILE, yaml.safe_dump(grouped.not_questions, allow_unicode=True, width=1000)))
    return files


def export_folder(items: Iterable[FaqItem], path: str | Path, taught: Iterable[Taught] = ()) -> int:
    p = Path(path)
    p.mkdir(parents=True, exist_ok=True)
    n = 0
    for name, text in _markdown_files(items, taught):
        (p / name).write_text(text, encoding="utf-8")
        n += name.endswith(".md")
    return n


def items_to_zip(items: Iterable[FaqItem], taught: Iterable[Taught] = ()) -> bytes:
    """The Markdown folder export as one zip (for a download): one `<slug>.md` per item, and the crew's decisions
    that belong to no item in `_not_questions.yaml`."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in _markdown_files(items, taught):
            archive.writestr(name, text)
    return out.getvalue()


def items_to_csv(items: Iterable[FaqItem], bom: bool = True, taught: Iterable[Taught] = ()) -> str:
    """One row per item. With decisions, the columns `taught` and `not_this` list them per item (a `|` inside a
    comment becomes ｜); decisions that belong to no item need the Markdown export."""
    items = list(items)
    grouped = _by_item(taught, {i.slug for i in items})
    extra = TAUGHT_KEYS if grouped.taught or grouped.not_this else ()
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\r\n")
    w.writerow((*FRONT_MATTER_KEYS, "body", *extra))
    for it in items:
        row = [getattr(it, k) for k in FRONT_MATTER_KEYS]
        row[FRONT_MATTER_KEYS.index("keywords")] = LIST_SEPARATOR.join(it.keywords)
        row[FRONT_MATTER_KEYS.index("examples")] = LIST_SEPARATOR.join(it.examples)
        row[0:2] = [it.slug, "" if it.number is None else it.number]
        lists = [LIST_SEPARATOR.join(t.replace(LIST_SEPARATOR, "｜") for t in getattr(grouped, key).get(it.slug, ()))
                 for key in extra]
        w.writerow([*row, it.body, *lists])
    return ("\ufeff" if bom else "") + out.getvalue()


def export_csv(items: Iterable[FaqItem], path: str | Path, taught: Iterable[Taught] = ()) -> int:
    items = list(items)
    Path(path).write_text(items_to_csv(items, taught=taught), encoding="utf-8", newline="")
    return len(items)


def export_catalog(items: Iterable[FaqItem], path: str | Path, taught: Iterable[Taught] = ()) -> int:
    """CSV when the path ends in .csv, a zip of Markdown files for .zip, otherwise a folder of Markdown files.
    `taught`: the crew's decisions, carried per item."""
    suffix = str(path).lower().rsplit(".", 1)[-1]
    if suffix == "csv":
        return export_csv(items, path, taught)
    if suffix == "zip":
        items = list(items)
        Path(path).write_bytes(items_to_zip(items, taught))
        return len(items)
    return export_folder(items, path, taught)
