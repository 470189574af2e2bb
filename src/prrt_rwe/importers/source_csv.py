"""A source CSV (REDCap export or dictionary, supplementary covariates) with the physical line of
each record: UTF-8 with or without BOM, quoted line breaks allowed, blank lines skipped."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from prrt_rwe.importers.problems import ImportFailed, Problem


def read_records(path, what: str) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """(header, [(line, cells)]) of ``path``; ImportFailed (I001) naming ``what`` when the file
    cannot be read or has no header row."""
    path = Path(path)
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise ImportFailed([Problem(path.name, 1, "", "I001", f"cannot read the {what}: {exc}")]) from None
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader, None)
    if not header:
        raise ImportFailed([Problem(path.name, 1, "", "I001", f"empty {what}: no header row")])
    records, start = [], 2
    for record in reader:
        line, start = start, reader.line_num + 1
        if record and (record[0].strip() or any(c.strip() for c in record)):
            records.append((line, record))
    return header, records
