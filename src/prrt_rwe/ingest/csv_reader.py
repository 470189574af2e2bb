"""The CSV readers of a registry file (UTF-8, optionally with BOM, comma, one header row)
that DuckDB's reader does not take (ingest/engine_reader.py reads the others).

Every cell is read as text; parsing happens later, identically for CSV and Excel. Files
where each line is one record go through pyarrow's CSV reader (line = row + 2); files with
blank lines, line breaks inside quoted values or ragged rows go through the csv module,
which tracks the physical line of each record. A value longer than the schema's cell limit
(1 MiB; a 10 MB line, or an unclosed quote that swallows the rest of the file) is E014 on the
line where its record starts, and the file is not read further.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from contextlib import contextmanager

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

from prrt_rwe.ingest.issues import Issue, file_issue
from prrt_rwe.schema.limits import MAX_CELL_BYTES

UTF8_BOM = b"\xef\xbb\xbf"
UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
# ASCII whitespace that pyarrow's utf8_trim_whitespace removes, line feed aside
PADDING_BYTES = b"\t\x0b\x0c\r\x1c\x1d\x1e\x1f "


class UnreadableFile(Exception):
    """A file that is not UTF-8 CSV; carries the line where reading failed."""

    def __init__(self, message: str, line: int = 1):
        super().__init__(message)
        self.line = line


def decode(data: bytes) -> bytes:
    """The bytes of a UTF-8 file, BOM dropped, checked to decode; UnreadableFile naming the
    byte and line otherwise."""
    if data.startswith(UTF16_BOMS):
        raise UnreadableFile("file is UTF-16 encoded; save it as UTF-8")
    data = data.removeprefix(UTF8_BOM)
    if not data.isascii():
        try:
            data.decode("utf-8")
        except UnicodeDecodeError as exc:
            line = data[: exc.start].count(b"\n") + 1
            raise UnreadableFile(f"not UTF-8: byte 0x{data[exc.start]:02x} at offset {exc.start} "
                                 f"(line {line}); save the file as UTF-8", line) from None
    nul = data.find(b"\x00")
    if nul >= 0:
        line = data.count(b"\n", 0, nul) + 1
        raise UnreadableFile(f"NUL byte at offset {nul} (line {line}): binary or UTF-16 file, "
                             "save it as UTF-8", line)
    if not data or data.isspace():
        raise UnreadableFile("empty file: no header row")
    return data


@contextmanager
def _field_limit(limit: int):
    """The csv module's field limit (process-wide) set to ``limit`` while reading."""
    before = csv.field_size_limit(limit)
    try:
        yield
    finally:
        csv.field_size_limit(before)


def _records(text: str) -> Iterator[tuple[int, list[str]]]:
    """(line where the record starts, fields) of every record; UnreadableFile naming the line
    when a value is longer than the cell limit or the csv module cannot split the record."""
    reader = csv.reader(io.StringIO(text, newline=""))
    start = 1
    with _field_limit(MAX_CELL_BYTES):
        while True:
            try:
                record = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                if "field larger than field limit" in str(exc):
                    raise UnreadableFile(f"a value of the record starting on line {start} is longer "
                                         f"than {MAX_CELL_BYTES:,} characters (the limit of a cell; "
                                         "an unclosed quote?)", start) from None
                raise UnreadableFile(f"record starting on line {start} cannot be read ({exc})",
                                     start) from None
            yield start, record
            start = reader.line_num + 1


def _read_fast(data: bytes) -> tuple[list[str], pa.Table, np.ndarray]:
    header_line = data.split(b"\n", 1)[0].rstrip(b"\r").decode("utf-8")
    header = next(_records(header_line))[1]
    names = [f"c{i}" for i in range(len(header))]
    table = pacsv.read_csv(
        io.BytesIO(data),
        read_options=pacsv.ReadOptions(column_names=names, skip_rows=1),
        parse_options=pacsv.ParseOptions(newlines_in_values=False),
        convert_options=pacsv.ConvertOptions(
            column_types={n: pa.large_string() for n in names},
            strings_can_be_null=False, quoted_strings_can_be_null=False),
    )
    return header, table, np.arange(table.num_rows, dtype=np.int64) + 2


def _read_general(text: str, file: str, table: str) -> tuple[list[str], pa.Table, np.ndarray, list[Issue]]:
    header: list[str] | None = None
    rows, lines, issues = [], [], []
    for line, record in _records(text):
        if header is None:
            header = record
            continue
        if not record or all(not cell.strip() for cell in record):
            continue
        if len(record) != len(header):
            issues.append(file_issue(file, table, "E014",
                                     f"row has {len(record)} fields, the header has {len(header)}",
                                     line=line))
            continue
        rows.append(record)
        lines.append(line)
    columns = list(zip(*rows)) if rows else [()] * len(header)
    table = pa.table({f"c{i}": pa.array(col, type=pa.large_string()) for i, col in enumerate(columns)})
    return header, table, np.asarray(lines, dtype=np.int64), issues


def _read(data: bytes, file: str, table: str, simple: bool) -> tuple[list[str], pa.Table, np.ndarray, list[Issue]]:
    if simple:
        try:
            return (*_read_fast(data), [])
        except pa.ArrowInvalid:
            pass
    return _read_general(data.decode("utf-8"), file, table)
