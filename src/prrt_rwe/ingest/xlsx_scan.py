"""What a workbook declares and holds, read from its XML before any cell is loaded (issue 12).

A reader that trusts a workbook can be made to allocate without bound: a 2 kB file whose
used range ends at BL1048576 makes calamine allocate 2 GB, a 2 MB file can hold a 1.5 GB
shared string. So the worksheet and shared-string XML is streamed once (chunks, C-speed
regular expressions, nothing kept per cell) and checked against schema/limits.py: declared
range, used range, cells, unpacked bytes, text bytes, longest cell. A sheet over a limit is
refused with E014 naming it; the rest are read. The same pass finds what calamine would read
silently wrong: Excel error values and formulas without a cached result (E015 in
xlsx_reader) and percent-formatted numbers (read as Excel shows them: 0.053 -> 5.3).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
import zipfile
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import PurePosixPath

import numpy as np

from prrt_rwe.schema.limits import (
    MAX_CELL_BYTES,
    MAX_SHEET_CELLS,
    MAX_SHEET_COLUMNS,
    MAX_SHEET_ROWS,
    MAX_WORKBOOK_CELLS,
    MAX_WORKBOOK_TEXT_BYTES,
    MAX_WORKBOOK_XML_BYTES,
)

CHUNK = 8 << 20
MAX_PART_BYTES = 16 << 20        # workbook.xml, its relations, styles.xml
MAX_ROW_XML = MAX_SHEET_COLUMNS * (MAX_CELL_BYTES + 4096)
PERCENT_FORMATS = {9, 10}        # built-in 0% and 0.00% (ECMA-376 18.8.30)

_P = rb"(?:[\w.-]+:)?"           # optional namespace prefix
_Q = rb"[\"']"
_ROW_END = re.compile(rb"</" + _P + rb"row>|</" + _P + rb"sheetData>")
_DIMENSION = re.compile(rb"<" + _P + rb"dimension\b[^>]*?\bref=" + _Q + rb"([A-Z$0-9:]+)" + _Q)
_ROW_R = re.compile(rb"<" + _P + rb"row\b[^>]*?\br=" + _Q + rb"(\d+)" + _Q)
_CELL_COL = re.compile(rb"<" + _P + rb"c\b[^>]*?\br=" + _Q + rb"([A-Z]{1,3})\d")
_CELL_LONG_ROW = re.compile(rb"<" + _P + rb"c\b[^>]*?\br=" + _Q + rb"[A-Z]{1,3}(\d{7,})" + _Q)
_CELL = re.compile(rb"<" + _P + rb"c\b([^>]*?)(?:/>|>(.*?)</" + _P + rb"c>)", re.S)
_ERROR_CELL = re.compile(rb"<" + _P + rb"c\b(?=[^>]*\bt=" + _Q + rb"e" + _Q + rb")([^>]*)>(.*?)</" + _P + rb"c>", re.S)
_SHARED_REF = re.compile(rb"<" + _P + rb"c\b(?=[^>]*\bt=" + _Q + rb"s" + _Q + rb")[^>]*>\s*<" + _P + rb"v>(\d+)<")
_INLINE = re.compile(rb"<" + _P + rb"is>.*?</" + _P + rb"is>", re.S)
_REF = re.compile(rb"\br=" + _Q + rb"([A-Z]{1,3})(\d+)" + _Q)
_TYPE = re.compile(rb"\bt=" + _Q + rb"(\w+)" + _Q)
_STYLE = re.compile(rb"\bs=" + _Q + rb"(\d+)" + _Q)
_VALUE = re.compile(rb"<" + _P + rb"v>([^<]*)</" + _P + rb"v>")
_FORMULA = re.compile(rb"<" + _P + rb"f[\s>/]")
_SI_END = re.compile(rb"</" + _P + rb"si>")
_CELL_COUNT = (b"<c ", b"<c>", b":c ")


def column_index(letters: bytes | str) -> int:
    """A -> 1, BL -> 64, XFD -> 16384."""
    n = 0
    for ch in letters.decode() if isinstance(letters, bytes) else letters:
        n = n * 26 + ord(ch) - 64
    return n


@dataclass
class SheetScan:
    """One worksheet: extents, what must not be read silently, and why it is refused."""

    title: str
    rows: int = 0
    columns: int = 0
    cells: int = 0
    text_bytes: int = 0
    errors: list[tuple[int, int, str]] = field(default_factory=list)   # (row, column, value)
    uncached: list[tuple[int, int]] = field(default_factory=list)
    percent: set[tuple[int, int]] = field(default_factory=set)
    refused: str | None = None
    refused_line: int = 1

    def refuse(self, reason: str, line: int = 1) -> None:
        if self.refused is None:
            self.refused, self.refused_line = reason, line


@dataclass
class WorkbookScan:
    """Every sheet title in workbook order, the scans of the sheets to read, and whether the
    workbook may be opened at all (a shared string over the cell limit forbids it: readers
    load every shared string up front)."""

    titles: tuple[str, ...]
    sheets: dict[str, SheetScan]
    refused: str | None = None
    readable: bool = True


class _Budget:
    """Unpacked XML bytes read so far, against MAX_WORKBOOK_XML_BYTES."""

    def __init__(self):
        self.used = 0

    def take(self, n: int) -> bool:
        self.used += n
        return self.used <= MAX_WORKBOOK_XML_BYTES


def _small_part(book: zipfile.ZipFile, name: str) -> bytes | None:
    try:
        info = book.getinfo(name)
    except KeyError:
        return None
    if info.file_size > MAX_PART_BYTES:
        raise ValueError(f"{name} unpacks to {info.file_size:,} bytes")
    with book.open(info) as f:
        data = f.read(MAX_PART_BYTES + 1)
    if len(data) > MAX_PART_BYTES:
        raise ValueError(f"{name} unpacks to more than {MAX_PART_BYTES:,} bytes")
    return data


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _sheet_parts(book: zipfile.ZipFile) -> dict[str, str]:
    """Sheet title -> its part name in the archive (xl/worksheets/sheet1.xml)."""
    workbook = _small_part(book, "xl/workbook.xml")
    rels = _small_part(book, "xl/_rels/workbook.xml.rels")
    if workbook is None or rels is None:
        return {}
    targets = {}
    for rel in ET.fromstring(rels):
        target = rel.get("Target", "")
        path = target.lstrip("/") if target.startswith("/") else str(PurePosixPath("xl") / target)
        targets[rel.get("Id")] = path
    parts = {}
    for el in ET.fromstring(workbook).iter():
        if _local(el.tag) == "sheet":
            rid = next((v for k, v in el.attrib.items() if _local(k) == "id"), None)
            if rid in targets:
                parts[el.get("name", "")] = targets[rid]
    return parts


def _percent_styles(book: zipfile.ZipFile) -> set[int]:
    """Indices of cellXfs whose number format shows a percent sign."""
    styles = _small_part(book, "xl/styles.xml")
    if styles is None:
        return set()
    root = ET.fromstring(styles)
    percent_ids = set(PERCENT_FORMATS)
    for el in root.iter():
        if _local(el.tag) == "numFmt":
            code = re.sub(r'"[^"]*"|\\.|\[[^\]]*\]', "", el.get("formatCode", ""))
            if "%" in code:
                percent_ids.add(int(el.get("numFmtId", -1)))
    out = set()
    for el in root.iter():
        if _local(el.tag) == "cellXfs":
            for i, xf in enumerate(x for x in el if _local(x.tag) == "xf"):
                if int(xf.get("numFmtId", 0)) in percent_ids:
                    out.add(i)
    return out


def _chunks(book: zipfile.ZipFile, name: str, budget: _Budget):
    with book.open(name) as f:
        while block := f.read(CHUNK):
            if not budget.take(len(block)):
                raise OverflowError
            yield block


def _shared_string_lengths(book: zipfile.ZipFile, budget: _Budget) -> tuple[np.ndarray, int | None]:
    """XML length of every shared string (<si>), and the index of the first one longer than
    the cell limit (None when all fit); stops reading there."""
    name = "xl/sharedStrings.xml"
    if name not in book.namelist():
        return np.zeros(0, np.int64), None
    limit = MAX_CELL_BYTES + 4096
    lengths: list[int] = []
    buffer = b""
    for block in _chunks(book, name, budget):
        buffer += block
        ends = [m.end() for m in _SI_END.finditer(buffer)]
        new = [e - s for s, e in zip([0, *ends[:-1]], ends)]
        if ends:
            buffer = buffer[ends[-1]:]
        big = next((i for i, n in enumerate(new) if n > limit), None)
        if big is not None:
            return np.asarray(lengths + new, np.int64), len(lengths) + big
        lengths += new
        if len(buffer) > limit:
            return np.asarray(lengths, np.int64), len(lengths)
    return np.asarray(lengths, np.int64), None


def _ref(attrs: bytes) -> tuple[int, int]:
    m = _REF.search(attrs)
    return (int(m.group(2)), column_index(m.group(1))) if m else (0, 0)


def _check_dimension(scan: SheetScan, head: bytes) -> None:
    m = _DIMENSION.search(head)
    if not m:
        return
    ref = m.group(1).decode().replace("$", "")
    last = ref.split(":")[-1]
    letters, digits = re.match(r"([A-Z]*)(\d*)", last).groups()
    rows, cols = int(digits or 0), column_index(letters) if letters else 0
    if rows > MAX_SHEET_ROWS or cols > MAX_SHEET_COLUMNS:
        scan.refuse(f"declares the range {ref} ({rows:,} rows x {cols:,} columns; the limit is "
                    f"{MAX_SHEET_ROWS:,} rows and {MAX_SHEET_COLUMNS} columns a sheet)")


def _scan_segment(scan: SheetScan, seg: bytes, percent_styles: set[int], strings: np.ndarray,
                  oversized: int | None) -> None:
    rows = _ROW_R.findall(seg)
    if rows:
        scan.rows = max(scan.rows, max(map(int, rows)))
    cols = set(_CELL_COL.findall(seg))
    if cols:
        scan.columns = max(scan.columns, max(map(column_index, cols)))
    for digits in _CELL_LONG_ROW.findall(seg):
        scan.rows = max(scan.rows, int(digits))
    scan.cells += sum(seg.count(t) for t in _CELL_COUNT)
    for m in _ERROR_CELL.finditer(seg):
        value = _VALUE.search(m.group(2))
        scan.errors.append((*_ref(m.group(1)), value.group(1).decode("utf-8", "replace") if value else "#ERROR"))
    refs = _SHARED_REF.findall(seg)
    if refs:
        idx = np.fromiter(map(int, refs), np.int64, len(refs))
        if oversized is not None and (idx >= oversized).any():
            where = next(_ref(m.group(1)) for m in _CELL.finditer(seg)
                         if (v := _VALUE.search(m.group(2) or b"")) and _TYPE.search(m.group(1))
                         and _TYPE.search(m.group(1)).group(1) == b"s" and int(v.group(1)) >= oversized)
            scan.refuse(f"cell at row {where[0]}, column {where[1]} holds a shared text longer than "
                        f"{MAX_CELL_BYTES:,} bytes (the limit of a cell)", where[0])
        known = idx[(idx >= 0) & (idx < len(strings))]
        scan.text_bytes += int(strings[known].sum())
    for m in _INLINE.finditer(seg):
        n = m.end() - m.start()
        scan.text_bytes += n
        if n > MAX_CELL_BYTES + 4096:
            scan.refuse(f"a cell holds a text longer than {MAX_CELL_BYTES:,} bytes (the limit of a cell)")
    has_formula = _FORMULA.search(seg) is not None
    has_percent = bool(percent_styles) and _percent_pattern(frozenset(percent_styles)).search(seg) is not None
    if has_formula or has_percent:
        _scan_cells(scan, seg, percent_styles if has_percent else set(), has_formula)


@lru_cache(maxsize=8)
def _percent_pattern(styles: frozenset[int]) -> re.Pattern:
    alternatives = b"|".join(str(i).encode() for i in sorted(styles))
    return re.compile(rb"<" + _P + rb"c\b[^>]*?\bs=" + _Q + rb"(?:" + alternatives + rb")" + _Q)


def _scan_cells(scan: SheetScan, seg: bytes, percent_styles: set[int], has_formula: bool) -> None:
    """Cell by cell, only for segments holding a formula or a percent-styled cell."""
    for m in _CELL.finditer(seg):
        attrs, body = m.group(1), m.group(2) or b""
        kind = _TYPE.search(attrs)
        kind = kind.group(1) if kind else b"n"
        if has_formula and _FORMULA.search(body):
            value = _VALUE.search(body)
            if (value is None or value.group(1) == b"") and kind != b"str":
                scan.uncached.append(_ref(attrs))
        if percent_styles and kind == b"n":
            style = _STYLE.search(attrs)
            if style and int(style.group(1)) in percent_styles:
                scan.percent.add(_ref(attrs))


def _scan_sheet(book: zipfile.ZipFile, title: str, part: str, budget: _Budget,
                percent_styles: set[int], strings: np.ndarray, oversized: int | None) -> SheetScan:
    scan = SheetScan(title)
    buffer, first = b"", True
    try:
        for block in _chunks(book, part, budget):
            buffer += block
            if first:
                _check_dimension(scan, buffer[:4096])
                first = False
            cut = None
            for cut in _ROW_END.finditer(buffer):
                pass
            if cut is None:
                if len(buffer) > MAX_ROW_XML:
                    scan.refuse("a row longer than the limits of a row allow")
                    break
                continue
            _scan_segment(scan, buffer[:cut.end()], percent_styles, strings, oversized)
            buffer = buffer[cut.end():]
            _check_extent(scan)
            if scan.refused:
                break
        else:
            if buffer:
                _scan_segment(scan, buffer, percent_styles, strings, oversized)
    except OverflowError:
        scan.refuse(f"the workbook unpacks to more than {MAX_WORKBOOK_XML_BYTES:,} bytes of XML "
                    "(export it as CSV)")
    _check_extent(scan)
    return scan


def _check_extent(scan: SheetScan) -> None:
    if scan.rows > MAX_SHEET_ROWS or scan.columns > MAX_SHEET_COLUMNS:
        scan.refuse(f"used range reaches row {scan.rows:,}, column {scan.columns:,} (the limit is "
                    f"{MAX_SHEET_ROWS:,} rows and {MAX_SHEET_COLUMNS} columns a sheet)")
    span = max(scan.rows * scan.columns, scan.cells)
    if span > MAX_SHEET_CELLS:
        scan.refuse(f"used range spans {scan.rows:,} rows x {scan.columns:,} columns = {span:,} cells "
                    f"(the limit is {MAX_SHEET_CELLS:,} cells a sheet; export large tables as CSV)")


def scan_workbook(path, wanted) -> WorkbookScan:
    """Scan the sheets whose title ``wanted(title)`` accepts; ValueError when the file is no
    workbook."""
    try:
        book = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise ValueError(f"not a zip archive ({exc})") from None
    with book:
        try:
            parts = _sheet_parts(book)
            percent_styles = _percent_styles(book)
        except (ET.ParseError, ValueError, KeyError, zipfile.BadZipFile) as exc:
            raise ValueError(f"workbook parts unreadable ({exc})") from None
        budget = _Budget()
        try:
            strings, oversized = _shared_string_lengths(book, budget)
        except OverflowError:
            return WorkbookScan(tuple(parts), {}, f"shared strings unpack to more than {MAX_WORKBOOK_XML_BYTES:,} "
                                    "bytes of XML (export it as CSV)")
        except (zipfile.BadZipFile, OSError, EOFError) as exc:
            raise ValueError(f"shared strings unreadable ({exc})") from None
        sheets, cells, text = {}, 0, 0
        for title, part in parts.items():
            if not wanted(title):
                continue
            try:
                scan = _scan_sheet(book, title, part, budget, percent_styles, strings, oversized)
            except (zipfile.BadZipFile, OSError, EOFError, KeyError) as exc:
                scan = SheetScan(title)
                scan.refuse(f"sheet XML unreadable ({exc})")
            if not scan.refused:
                cells += scan.rows * scan.columns
                text += scan.text_bytes
            if cells > MAX_WORKBOOK_CELLS:
                scan.refuse(f"the sheets read so far span {cells:,} cells (the limit is "
                            f"{MAX_WORKBOOK_CELLS:,} a workbook; export large tables as CSV)")
            if text > MAX_WORKBOOK_TEXT_BYTES:
                scan.refuse(f"the sheets read so far hold {text:,} bytes of text (the limit is "
                            f"{MAX_WORKBOOK_TEXT_BYTES:,} a workbook; export large tables as CSV)")
            sheets[title] = scan
        refused = None
        if oversized is not None and not any(s.refused for s in sheets.values()):
            refused = (f"shared string {oversized} is longer than {MAX_CELL_BYTES:,} bytes "
                       "(the limit of a cell)")
        return WorkbookScan(tuple(parts), sheets, refused, readable=oversized is None)
