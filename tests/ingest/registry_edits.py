"""Edit a registry folder one cell or row at a time (tests start from examples/minimal)."""

from __future__ import annotations

import csv
from pathlib import Path

MINIMAL = Path(__file__).resolve().parents[2] / "examples" / "minimal"


def read_rows(folder: Path, name: str) -> list[list[str]]:
    with open(folder / f"{name}.csv", newline="", encoding="utf-8") as f:
        return list(csv.reader(f))


def write_rows(folder: Path, name: str, rows: list[list[str]]) -> None:
    with open(folder / f"{name}.csv", "w", newline="", encoding="utf-8") as f:
        csv.writer(f, lineterminator="\n").writerows(rows)


def cell(folder: Path, name: str, line: int, column: str) -> str:
    rows = read_rows(folder, name)
    return rows[line - 1][rows[0].index(column)]


def set_cell(folder: Path, name: str, line: int, column: str, value: str) -> None:
    """Set one cell; ``line`` counts the header as line 1."""
    rows = read_rows(folder, name)
    rows[line - 1][rows[0].index(column)] = value
    write_rows(folder, name, rows)


def append_row(folder: Path, name: str, values: dict[str, str]) -> int:
    """Append a row (missing columns empty); returns its line number."""
    rows = read_rows(folder, name)
    rows.append([str(values.get(c, "")) for c in rows[0]])
    write_rows(folder, name, rows)
    return len(rows)


def delete_rows(folder: Path, name: str, keep) -> None:
    """Keep the header and the data rows (as dicts) for which keep(row) is true."""
    rows = read_rows(folder, name)
    header = rows[0]
    write_rows(folder, name, [header] + [r for r in rows[1:] if keep(dict(zip(header, r)))])


def find_line(folder: Path, name: str, **match) -> int:
    """Line of the first row whose columns equal ``match``."""
    rows = read_rows(folder, name)
    header = rows[0]
    for line, row in enumerate(rows[1:], start=2):
        record = dict(zip(header, row))
        if all(record[k] == str(v) for k, v in match.items()):
            return line
    raise LookupError(f"{name}: no row {match}")


def codes(report, code: str) -> list[tuple[str, int, str]]:
    """(file, line, column) of every issue with this code."""
    return [(i.file, i.line, i.column) for i in report.issues if i.code == code]
