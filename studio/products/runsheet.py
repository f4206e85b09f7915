"""Reading a run sheet (排品表): CSV (UTF-8 with or without BOM, or GB18030 as older Excel saves it) or .xlsx, one row
per product. The header row is found, its columns mapped to product fields (guessed from common header names, or
given once per sheet format and remembered by the header's signature), and every row checked. Plain Python: no
database, no web."""
from __future__ import annotations

import csv
import hashlib
import io
import re
from dataclasses import dataclass, field
from datetime import datetime, time

MAX_ROWS = 2000
MAX_CELL = 500
HEADER_SCAN = 10  # the header may sit under a title row or two
FIELDS = ("number", "name", "shop", "category", "price", "discount", "gift", "stock", "shipping", "start_time",
          "status")
FACTS = FIELDS[1:]  # what a card shows; number is the key
REQUIRED = ("number", "name")
# Header words seen in agencies' sheets → field. The first field whose word appears in a header wins.
GUESSES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("number", ("序号", "编号", "链接号", "排序", "顺序", "no", "#")),
    ("discount", ("满减", "优惠券", "优惠", "券")),
    ("gift", ("赠品", "赠送", "附赠")),
    ("price", ("到手价", "直播价", "价格", "售价", "价")),
    ("stock", ("库存", "数量", "件数")),
    ("shipping", ("发货", "物流", "时效")),
    ("start_time", ("开讲", "上播", "开播", "计划时间", "时间", "时段")),
    ("status", ("状态",)),
    ("shop", ("店铺", "品牌", "商家")),
    ("category", ("类目", "品类", "分类")),
    ("name", ("商品名称", "商品名", "品名", "商品", "名称", "产品")),
)


class SheetError(ValueError):
    """A sheet that cannot be read as it is: the message says what to fix (and the row, when it is one)."""


@dataclass
class Sheet:
    headers: list[str]
    rows: list[list[str]]  # data rows as text, under the header
    header_row: int  # 1-based, for messages

    @property
    def signature(self) -> str:
        return header_signature(self.headers)


@dataclass
class Parsed:
    products: dict[int, dict[str, str]]  # number → facts (only those the sheet has a value for)
    order: list[int]
    mapping: dict[str, str]
    columns: set[str] = field(default_factory=set)  # the fact fields this sheet has a column for


def header_signature(headers: list[str]) -> str:
    norm = "|".join(re.sub(r"\s+", "", h).lower() for h in headers if h.strip())
    return hashlib.sha256(norm.encode("utf-8")).hexdigest()[:32]


def read_sheet(data: bytes, filename: str) -> Sheet:
    name = filename.lower()
    if name.endswith(".xlsx") or data[:4] == b"PK\x03\x04":
        grid = _xlsx_grid(data)
    elif name.endswith((".csv", ".txt")) or not name:
        grid = _csv_grid(data)
    else:
        raise SheetError("the run sheet must be a .csv or .xlsx file")
    return _with_header(grid)


def _cell(v) -> str:
    if v is None:
        return ""
    if isinstance(v, datetime):
        return v.strftime("%Y-%m-%d %H:%M") if (v.hour, v.minute) != (0, 0) else v.strftime("%Y-%m-%d")
    if isinstance(v, time):
        return v.strftime("%H:%M")
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v).strip()[:MAX_CELL]


def _xlsx_grid(data: bytes) -> list[list[str]]:
    import zipfile

    from openpyxl import load_workbook
    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as e:
        raise SheetError(f"not a readable .xlsx file ({e.__class__.__name__}); save it again from Excel") from None
    try:
        ws = wb.worksheets[0]
        grid = []
        for row in ws.iter_rows(values_only=True):
            grid.append([_cell(v) for v in row])
            if len(grid) > MAX_ROWS + HEADER_SCAN:
                raise SheetError(f"the sheet has more than {MAX_ROWS} rows")
        return grid
    finally:
        wb.close()


def _csv_grid(data: bytes) -> list[list[str]]:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise SheetError("the CSV is neither UTF-8 nor GB18030 text")
    if "\x00" in text:
        raise SheetError("the file is not a CSV text file")
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",\t;")
    except csv.Error:
        dialect = csv.excel
    grid = []
    for row in csv.reader(io.StringIO(text), dialect):
        grid.append([c.strip()[:MAX_CELL] for c in row])
        if len(grid) > MAX_ROWS + HEADER_SCAN:
            raise SheetError(f"the sheet has more than {MAX_ROWS} rows")
    return grid


def _with_header(grid: list[list[str]]) -> Sheet:
    """The header is the first of the top rows where at least two cells name a known field, else the first row
    with text (a mapping then names its columns: see `reheaded`)."""
    if not any(any(c for c in r) for r in grid):
        raise SheetError("the sheet is empty")
    for i, row in enumerate(grid[:HEADER_SCAN]):
        if sum(1 for c in row if c and guess_field(c)) >= 2:
            return _split(grid, i)
    return _split(grid, next(i for i, r in enumerate(grid) if any(c for c in r)))


def _split(grid: list[list[str]], i: int) -> Sheet:
    headers = [c.strip() for c in grid[i]]
    rows = [r + [""] * (len(headers) - len(r)) for r in grid[i + 1:] if any(c for c in r)]
    sheet = Sheet(headers, [r[:len(headers)] for r in rows], i + 1)
    sheet.grid = grid
    return sheet


def reheaded(sheet: Sheet, columns: list[str]) -> Sheet:
    """The same sheet with its header on the top row that holds every column a mapping names."""
    grid = getattr(sheet, "grid", None)
    if grid is None or all(c in sheet.headers for c in columns):
        return sheet
    for i, row in enumerate(grid[:HEADER_SCAN]):
        if all(c in [x.strip() for x in row] for c in columns):
            return _split(grid, i)
    return sheet


def guess_field(header: str) -> str | None:
    h = re.sub(r"\s+", "", header).lower()
    if not h:
        return None
    for fld, words in GUESSES:
        if any(w in h for w in words):
            return fld
    return None


def guess_mapping(headers: list[str]) -> dict[str, str]:
    mapping: dict[str, str] = {}
    for h in headers:
        fld = guess_field(h)
        if fld and fld not in mapping.values():
            mapping[h] = fld
    return mapping


def check_mapping(headers: list[str], mapping: dict) -> dict[str, str]:
    """A mapping given by a person: header text → field, every header in the sheet, every field known, the
    required ones present, none twice."""
    if not isinstance(mapping, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in mapping.items()):
        raise SheetError("mapping must be an object of header → field")
    unknown_headers = [h for h in mapping if h not in headers]
    if unknown_headers:
        raise SheetError(f"mapping names column {unknown_headers[0]!r}, which the sheet does not have "
                         f"(its columns: {', '.join(h for h in headers if h)})")
    bad = [v for v in mapping.values() if v not in FIELDS]
    if bad:
        raise SheetError(f"unknown field {bad[0]!r}; fields: {', '.join(FIELDS)}")
    values = list(mapping.values())
    twice = sorted({v for v in values if values.count(v) > 1})
    if twice:
        raise SheetError(f"field {twice[0]!r} is mapped from more than one column")
    return dict(mapping)


def parse(sheet: Sheet, mapping: dict[str, str]) -> Parsed:
    missing = [f for f in REQUIRED if f not in mapping.values()]
    if missing:
        raise SheetError(f"no column for {' and '.join(missing)}: map the columns "
                         f"(the sheet's columns: {', '.join(h for h in sheet.headers if h)})")
    index = {fld: sheet.headers.index(h) for h, fld in mapping.items()}
    products: dict[int, dict[str, str]] = {}
    order: list[int] = []
    for offset, row in enumerate(sheet.rows):
        line = sheet.header_row + 1 + offset
        raw = row[index["number"]].strip()
        m = re.fullmatch(r"#?\s*(\d{1,4})\s*号?", raw)
        if not m or not 1 <= int(m.group(1)) <= 9999:
            raise SheetError(f"row {line}: order number {raw!r} is not a number from 1 to 9999")
        number = int(m.group(1))
        if number in products:
            raise SheetError(f"row {line}: order number {number} appears twice")
        facts = {fld: row[i].strip() for fld, i in index.items() if fld != "number" and row[i].strip()}
        if "name" not in facts:
            raise SheetError(f"row {line}: product {number} has no name")
        products[number] = facts
        order.append(number)
    return Parsed(products, order, mapping, {f for f in mapping.values() if f != "number"})
