"""A registry folder read by the embedded engine, in parts of whole patients (issue 17).

Every CSV file is scanned once in chunks (csv_scan: its sha256 and the checks of
csv_reader.decode) and staged as a DuckDB table of text cells ``c0 … cn`` with its ``line``
(header = line 1) and a ``part``: a hash of the patient key (site_id + patient_id, trimmed and
normalized as key_text does) modulo the number of parts, so that all rows of one patient, in
every table, fall into the same part. Files whose lines are each one record are read by DuckDB's
CSV reader (out of core: it spills under the connection's memory limit); the others (blank lines,
line breaks inside quoted values, ragged rows) by csv_reader, as before. The checks of
validation.py then run part by part on RawTables built exactly as csv_reader builds them, so
each finding keeps its file, line, column and message; only one part's rows are in Python at a
time. A registry under :data:`ROWS_PER_PART` rows is one part.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from prrt_rwe.ingest.columns import build_table, clean_cells
from prrt_rwe.ingest.csv_reader import UnreadableFile, _read, _records, decode
from prrt_rwe.ingest.csv_scan import scan_file
from prrt_rwe.ingest.issues import Issue, file_issue
from prrt_rwe.ingest.key_text import KEY_COLUMNS, normalize_key
from prrt_rwe.ingest.raw import RawTable
from prrt_rwe.ingest.sources import missing_required
from prrt_rwe.schema import TABLES_BY_NAME
from prrt_rwe.schema.limits import MAX_CELL_BYTES

ROWS_PER_PART = 1_000_000
# ASCII whitespace that pyarrow's utf8_trim_whitespace removes (csv_reader.PADDING_BYTES and \n)
TRIM = "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f "
SEP = "\x1f"


@dataclass
class StagedFile:
    name: str
    file: str
    header: list[str]
    table: str              # the DuckDB stage table
    padded: bool
    keys: tuple[int, int] | None   # positions of site_id and patient_id in the header


@dataclass
class StagedFolder:
    con: object
    files: dict[str, StagedFile]
    issues: list[Issue]
    fingerprint: str
    label: str
    parts: int
    kind: str = "csv"
    rows: dict[str, int] = field(default_factory=dict)

    def part(self, k: int) -> tuple[dict[str, RawTable], list[Issue]]:
        """The RawTables of part ``k`` (rows in file order) and the issues building them gives."""
        tables, issues = {}, []
        for name, staged in self.files.items():
            cols = ", ".join(f"c{i}" for i in range(len(staged.header)))
            arrow = self.con.sql(f'SELECT line, {cols} FROM "{staged.table}" WHERE part = {k} '
                                     "ORDER BY line").to_arrow_table()
            lines = arrow.column("line").to_numpy().astype(np.int64)
            frame = pa.table({f"c{i}": pc.fill_null(arrow.column(f"c{i}"), "").cast(pa.large_string())
                              for i in range(len(staged.header))})
            cells, keep = clean_cells(frame, trim=staged.padded)
            table, found = build_table(name, staged.file, staged.header, cells, lines[keep])
            issues += found
            if table is not None:
                tables[name] = table
        return tables, issues

    def close(self) -> None:
        for staged in self.files.values():
            self.con.execute(f'DROP TABLE IF EXISTS "{staged.table}"')


def _header(scan_header: bytes) -> list[str]:
    return next(_records(scan_header.rstrip(b"\r").decode("utf-8")))[1]


def _key_positions(name: str, header: list[str]) -> tuple[int, int] | None:
    seen = {}
    for pos, label in enumerate(header):
        seen.setdefault(str(label).strip().lower(), pos)
    if name == "sites" or not all(k in seen for k in KEY_COLUMNS):
        return None
    return seen["site_id"], seen["patient_id"]


def _part_sql(keys, parts: int) -> str:
    if keys is None or parts == 1:
        return "0"
    site, patient = (f"trim(coalesce(c{i}, ''), '{TRIM}')" for i in keys)
    return f"CAST(hash({site} || '{SEP}' || {patient}) % {parts} AS BIGINT)"


def _stage_duckdb(con, path: Path, table: str, n: int, part: str) -> None:
    columns = "{" + ", ".join(f"'c{i}': 'VARCHAR'" for i in range(n)) + "}"
    con.execute(f"""CREATE TABLE "{table}" AS SELECT CAST(row_number() OVER () + 1 AS BIGINT) AS line, *,
        {part} AS part
        FROM read_csv('{str(path).replace("'", "''")}', header = false, skip = 1, columns = {columns},
                      delim = ',', quote = '"', escape = '"', auto_detect = false, strict_mode = true,
                      null_padding = false)""")


def _stage_python(con, path: Path, name: str, table: str, parts: int, simple: bool
                  ) -> tuple[list[str], list[Issue]]:
    """csv_reader's readers (the files DuckDB's reader does not take), staged like the others."""
    data = decode(path.read_bytes())
    header, frame, lines, issues = _read(data, path.name, name, simple)
    arrow = pa.table({"line": pa.array(lines, pa.int64()),
                      **{f"c{i}": frame.column(i) for i in range(frame.num_columns)}})
    con.register("_read", arrow)
    try:
        con.execute(f'CREATE TABLE "{table}" AS SELECT *, {_part_sql(_key_positions(name, header), parts)} '
                    'AS part FROM _read')
    finally:
        con.unregister("_read")
    return header, issues


def _oversized(con, staged: StagedFile) -> list[Issue]:
    """E014 for every cell longer than the cell limit (the file is then not read, as csv_reader)."""
    n = len(staged.header)
    long = [f"coalesce(strlen(c{i}), 0) > {MAX_CELL_BYTES}" for i in range(n)]
    rows = con.execute(f'SELECT line, {", ".join(long)} FROM "{staged.table}" WHERE {" OR ".join(long)} '
                       "ORDER BY line").fetchall()
    return [file_issue(staged.file, staged.name, "E014", f"value longer than {MAX_CELL_BYTES:,} bytes "
                       "(the limit of a cell)", column=str(staged.header[i]).strip(), line=int(r[0]))
            for i in range(n) for r in rows if r[1 + i]]


def _fix_non_ascii_keys(con, staged: StagedFile, parts: int) -> None:
    """Keys with non-ASCII characters: the part of their key as key_text normalizes it."""
    if staged.keys is None or parts == 1:
        return
    s, p = (f"c{i}" for i in staged.keys)
    pairs = con.execute(f'SELECT DISTINCT {s}, {p} FROM "{staged.table}" '
                        f"WHERE regexp_matches(coalesce({s}, '') || coalesce({p}, ''), '[^\\x00-\\x7F]')").fetchall()
    if not pairs:
        return
    keys = [normalize_key(_trim(a)) + SEP + normalize_key(_trim(b)) for a, b in pairs]
    con.register("_keys", pa.table({"s": [a for a, _ in pairs], "p": [b for _, b in pairs], "k": keys}))
    try:
        con.execute(f'UPDATE "{staged.table}" AS t SET part = CAST(hash(m.k) % {parts} AS BIGINT) FROM _keys m '
                    f"WHERE t.{s} IS NOT DISTINCT FROM m.s AND t.{p} IS NOT DISTINCT FROM m.p")
    finally:
        con.unregister("_keys")


def _trim(text) -> str:
    return pc.utf8_trim_whitespace(pa.scalar(text or "", pa.string())).as_py()


def _stage(con, path: Path, name: str, table: str, scan, parts: int) -> tuple[list[str], list[Issue], bool]:
    """(header, reader issues, whether cells may need trimming) of one staged file: DuckDB's CSV
    reader for a file of one record per line, csv_reader for the others and for what DuckDB's
    reader refuses (ragged rows, stray quotes); UnreadableFile as csv_reader raises it."""
    if scan.simple:
        header = _header(scan.header)
        try:
            _stage_duckdb(con, path, table, len(header), _part_sql(_key_positions(name, header), parts))
            return header, [], scan.padded
        except duckdb.Error:
            con.execute(f'DROP TABLE IF EXISTS "{table}"')
    header, found = _stage_python(con, path, name, table, parts, scan.simple)
    return header, found, True


def stage_folder(con, folder: Path) -> StagedFolder:
    """Every table file of ``folder`` staged in ``con`` (module doc); reader issues as
    sources._read_folder gives them (W109, E014, E001)."""
    issues: list[Issue] = []
    digest = hashlib.sha256()
    files = sorted(p for p in folder.iterdir() if p.is_file() and not p.name.startswith("."))
    chosen, scans = {}, {}
    for path in files:
        name = path.stem.strip().lower()
        if path.suffix.lower() != ".csv" or name not in TABLES_BY_NAME:
            issues.append(file_issue(path.name, "", "W109", f"unknown extra file '{path.name}' ignored"))
            continue
        if name in chosen:
            issues.append(file_issue(path.name, name, "E014", f"second file for table '{name}'"))
            continue
        scan = scan_file(path, digest)
        if scan.error is not None:
            issues.append(file_issue(path.name, name, "E014", str(scan.error), line=scan.error.line))
            continue
        chosen[name], scans[name] = path, scan
    parts = max(1, math.ceil(sum(s.lines for s in scans.values()) / ROWS_PER_PART))
    staged: dict[str, StagedFile] = {}
    for name, path in chosen.items():
        table, scan = f"_stage_{name}", scans[name]
        try:
            header, found, padded = _stage(con, path, name, table, scan, parts)
        except UnreadableFile as exc:
            issues.append(file_issue(path.name, name, "E014", str(exc), line=exc.line))
            continue
        issues += found
        one = StagedFile(name, path.name, header, table, padded, _key_positions(name, header))
        too_long = _oversized(con, one)
        if too_long:
            issues += too_long
            con.execute(f'DROP TABLE "{table}"')
            continue
        _fix_non_ascii_keys(con, one, parts)
        staged[name] = one
    seen = {p.stem.strip().lower() for p in files if p.suffix.lower() == ".csv"}
    issues += missing_required(seen, lambda n: f"{n}.csv")
    return StagedFolder(con, staged, issues, digest.hexdigest(), folder.name, parts)
