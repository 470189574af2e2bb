"""A registry folder read by the embedded engine, in parts of whole patients (issue 17).

Every CSV file is scanned once in chunks (csv_scan: its sha256 and the checks of
csv_reader.decode) and staged, partitioned by *part*: its text cells ``c0 … cn``, its ``line``
(header = line 1) and DuckDB's hash of the patient key (site_id + patient_id, trimmed and
normalized as key_text does) modulo the number of parts, so that all rows of one patient, in
every table, fall into the same part. A file without quotes whose lines are each one record is
streamed by pyarrow's CSV reader (multithreaded, in file order: line = row ordinal + 2) into one
Arrow IPC file per part (:func:`_stage_arrow`); other files whose lines are each one record are
read by DuckDB's CSV reader (rows numbered as read) and written as Parquet; the others (blank
lines, line breaks inside quoted values, ragged rows) by csv_reader, as before. Both staged
forms give every part the same rows in the same order. The checks of validation.py then run part by part on
RawTables built exactly as csv_reader builds them, so each finding keeps its file, line, column
and message; only one part's rows are in Python at a time. A registry under
:data:`ROWS_PER_PART` rows is one part.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from prrt_rwe.ingest.columns import build_table, clean_cells
from prrt_rwe.ingest.csv_reader import _read, _records, decode
from prrt_rwe.ingest.csv_reader import UnreadableFile
from prrt_rwe.ingest.csv_scan import DigestThread, scan_file
from prrt_rwe.ingest.issues import Issue, file_issue
from prrt_rwe.ingest.key_text import KEY_COLUMNS, normalize_key
from prrt_rwe.ingest.raw import RawTable
from prrt_rwe.ingest.read_ahead import read_ahead
from prrt_rwe.ingest.sources import folder_files, missing_required
from prrt_rwe.schema.limits import MAX_CELL_BYTES

ROWS_PER_PART = 1_000_000
BLOCK_BYTES = 16 << 20   # pyarrow's CSV blocks (a longer line: the DuckDB path, as before)
# ASCII whitespace that pyarrow's utf8_trim_whitespace removes (csv_reader.PADDING_BYTES and \n)
TRIM = "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f "
SEP = "\x1f"


def _quoted(path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


@dataclass
class StagedFile:
    """One table's text cells: in ``folder/part=k/*.parquet`` (a folder) or a temp table."""

    name: str
    file: str
    header: list[str]
    where: str              # Parquet folder, Arrow folder or DuckDB table name
    padded: bool
    parquet: bool = True
    arrow: bool = False     # ``where`` holds ``part-k.arrow`` (Arrow IPC streams, see _stage_arrow)

    def arrow_part(self, k: int) -> pa.Table | None:
        """Part ``k`` of an Arrow-staged file (line, c0..cn in file order; None when empty)."""
        path = Path(self.where) / f"part-{k}.arrow"
        if not path.is_file():
            return None
        with pa.memory_map(str(path)) as source:
            return pa.ipc.open_stream(source).read_all()

    def relation(self, k: int) -> str | None:
        """SQL relation of part ``k`` (None when the part has no row of this table)."""
        if not self.parquet:
            return f'(SELECT * FROM "{self.where}" WHERE part = {k})'
        folder = Path(self.where) / f"part={k}"
        return f"read_parquet({_quoted(folder / '*.parquet')})" if folder.is_dir() else None

    def everything(self) -> str:
        if not self.parquet:
            return f'"{self.where}"'
        return f"read_parquet({_quoted(Path(self.where) / '*' / '*.parquet')}, hive_partitioning = false)"


@dataclass
class StagedFolder:
    con: object
    files: dict[str, StagedFile]
    issues: list[Issue]
    fingerprint: str
    label: str
    parts: int
    kind: str = "csv"

    def part(self, k: int) -> tuple[dict[str, RawTable], list[Issue]]:
        """The RawTables of part ``k`` (rows in file order) and the issues building them gives."""
        tables, issues = {}, []
        for name, staged in self.files.items():
            n = len(staged.header)
            if staged.arrow:
                arrow, relation = staged.arrow_part(k), None
            else:
                arrow, relation = None, staged.relation(k)
            if relation is not None:
                cols = ", ".join(f"c{i}" for i in range(n))
                arrow = self.con.sql(f"SELECT line, {cols} FROM {relation} ORDER BY line").to_arrow_table()
            elif arrow is None:
                arrow = pa.table({"line": pa.array([], pa.int64()),
                                  **{f"c{i}": pa.array([], pa.large_string()) for i in range(n)}})
            lines = arrow.column("line").to_numpy().astype(np.int64)
            frame = pa.table({f"c{i}": pc.fill_null(arrow.column(f"c{i}"), "").cast(pa.large_string())
                              for i in range(n)})
            cells, keep = clean_cells(frame, trim=staged.padded)
            table, found = build_table(name, staged.file, staged.header, cells, lines[keep])
            issues += found
            if table is not None:
                tables[name] = table
        return tables, issues

    def close(self) -> None:
        for staged in self.files.values():
            if not staged.parquet and not staged.arrow:
                self.con.execute(f'DROP TABLE IF EXISTS "{staged.where}"')


def _header(scan_header: bytes) -> list[str]:
    return next(_records(scan_header.rstrip(b"\r").decode("utf-8")))[1]


def key_positions(name: str, header: list[str]) -> tuple[int, int] | None:
    seen = {}
    for pos, label in enumerate(header):
        seen.setdefault(str(label).strip().lower(), pos)
    if name == "sites" or not all(k in seen for k in KEY_COLUMNS):
        return None
    return seen["site_id"], seen["patient_id"]


def part_sql(keys, parts: int, trim: bool = True, mapped: bool = False) -> str:
    """SQL of a row's part from its key columns (``m.k``: the normalized key of a non-ASCII one)."""
    if keys is None or parts == 1:
        return "0"
    site, patient = ((f"trim(coalesce(t.c{i}, ''), '{TRIM}')" if trim else f"coalesce(t.c{i}, '')") for i in keys)
    key = f"{site} || '{SEP}' || {patient}"
    if mapped:
        key = f"coalesce(m.k, {key})"
    return f"CAST(hash({key}) % {parts} AS BIGINT)"


def _csv(path: Path, n: int) -> str:
    columns = "{" + ", ".join(f"'c{i}': 'VARCHAR'" for i in range(n)) + "}"
    return (f"read_csv({_quoted(path)}, header = false, skip = 1, columns = {columns}, delim = ',', "
            "quote = '\"', escape = '\"', auto_detect = false, strict_mode = true, null_padding = false)")


def _non_ascii_keys(con, rows: str, keys) -> pa.Table | None:
    """Distinct key pairs with a non-ASCII character and their key as key_text normalizes it."""
    s, p = (f"c{i}" for i in keys)
    both = f"(coalesce({s}, '') || coalesce({p}, ''))"
    pairs = con.execute(f"SELECT DISTINCT {s}, {p} FROM {rows} WHERE strlen({both}) <> length({both})").fetchall()
    if not pairs:
        return None
    return pa.table({"s": [a for a, _ in pairs], "p": [b for _, b in pairs],
                     "k": [normalize_key(_trim(a)) + SEP + normalize_key(_trim(b)) for a, b in pairs]})


def _trim(text) -> str:
    return pc.utf8_trim_whitespace(pa.scalar(text or "", pa.string())).as_py()


def _write_parts(con, rows: str, n: int, keys, parts: int, ascii_only: bool, folder: Path) -> None:
    """COPY the numbered rows (``rows`` has line, c0..cn) to ``folder``, partitioned by part."""
    keymap = None if ascii_only or keys is None or parts == 1 else _non_ascii_keys(con, rows, keys)
    cols = ", ".join(f"t.c{i}" for i in range(n))
    join = ""
    if keymap is not None:
        con.register("_keys", keymap)
        s, p = (f"t.c{i}" for i in keys)
        join = f" LEFT JOIN _keys m ON {s} IS NOT DISTINCT FROM m.s AND {p} IS NOT DISTINCT FROM m.p"
    try:
        con.execute(f"COPY (SELECT t.line, {cols}, {part_sql(keys, parts, mapped=keymap is not None)} AS part "
                    f"FROM {rows} t{join}) TO {_quoted(folder)} (FORMAT parquet, PARTITION_BY (part))")
    finally:
        if keymap is not None:
            con.unregister("_keys")


class _NotPlain(Exception):
    """A file the Arrow path leaves to the DuckDB path (a cell over the limit)."""


def _row_parts(con, batch: pa.RecordBatch, keys: tuple[int, int], parts: int, ascii_only: bool,
               trim: bool = True) -> np.ndarray:
    """The part of every row: DuckDB's hash of its key as key_text normalizes it (trimmed; NFC
    and format characters removed when not ASCII), as part_sql computes it, so a patient's rows
    share a part in every file and each part holds the rows the DuckDB path gives it.
    ``trim=False`` when the file has no byte to trim (csv_scan: ASCII without PADDING_BYTES; a
    cell of this reader holds no line feed), where trimming returns every cell as it is."""
    site, patient = ((pc.utf8_trim_whitespace(batch.column(i)) if trim else batch.column(i)) for i in keys)
    key = pc.binary_join_element_wise(site, patient, SEP)
    odd = None if ascii_only else ~pc.string_is_ascii(key).to_numpy(zero_copy_only=False)
    if odd is not None and odd.any():
        text = key.to_numpy(zero_copy_only=False).astype(object)
        s, p = (c.to_numpy(zero_copy_only=False) for c in (site, patient))
        fixed: dict[tuple, str] = {}
        for i in np.flatnonzero(odd):
            pair = (s[i], p[i])
            if pair not in fixed:
                fixed[pair] = normalize_key(pair[0]) + SEP + normalize_key(pair[1])
            text[i] = fixed[pair]
        codes, uniques = pd.factorize(text)
    else:
        encoded = pc.dictionary_encode(key)
        codes = encoded.indices.to_numpy(zero_copy_only=False)
        uniques = encoded.dictionary.to_numpy(zero_copy_only=False)
    con.register("_uniques", pa.table({"k": pa.array(uniques, pa.string())}))
    try:
        hashes = con.execute(f"SELECT CAST(hash(k) % {parts} AS BIGINT) AS part FROM _uniques").fetchnumpy()["part"]
    finally:
        con.unregister("_uniques")
    return np.asarray(hashes, dtype=np.int64)[codes]


def _next_batch(reader) -> pa.RecordBatch | None:
    """The next batch of ``reader`` (None at its end)."""
    try:
        return reader.read_next_batch()
    except StopIteration:
        return None


def _stage_arrow(con, path: Path, name: str, scan, parts: int, folder: Path) -> list[str] | None:
    """Stage a file without quotes whose lines are each one record (csv_scan) with pyarrow's
    streaming CSV reader: rows come in file order, so a row's line is its ordinal + 2; each
    block's rows go to ``folder/part-k.arrow`` (Arrow IPC) by the hash of their key. The header,
    or None when pyarrow refuses the file (ragged rows) or a cell is over the limit: the DuckDB
    path then reads it, as before."""
    if not scan.simple or scan.quoted or len(scan.header) > MAX_CELL_BYTES:
        return None
    header = _header(scan.header)
    names = [f"c{i}" for i in range(len(header))]
    keys = key_positions(name, header)
    schema = pa.schema([("line", pa.int64()), *((c, pa.string()) for c in names)])
    folder.mkdir(parents=True, exist_ok=True)
    writers: dict[int, object] = {}

    def write(k: int, batch: pa.RecordBatch) -> None:
        if k not in writers:
            writers[k] = pa.ipc.new_stream(str(folder / f"part-{k}.arrow"), schema)
        writers[k].write_batch(batch)

    line, ok, batches = 2, False, None
    try:
        reader = pacsv.open_csv(
            path,
            read_options=pacsv.ReadOptions(column_names=names, skip_rows=1, block_size=BLOCK_BYTES),
            parse_options=pacsv.ParseOptions(newlines_in_values=False),
            # check_utf8=False: scan_file decoded every non-ASCII chunk of the file (scan.error is
            # None), so pyarrow's own UTF-8 check (a third of its CPU time) finds nothing
            convert_options=pacsv.ConvertOptions(column_types={c: pa.string() for c in names},
                                                 strings_can_be_null=False, quoted_strings_can_be_null=False,
                                                 check_utf8=False))
        # the next block is parsed on a worker thread while this one is hashed, reordered and
        # written (pyarrow parses without the GIL: staging had kept one core of two busy)
        batches = read_ahead(lambda _: _next_batch(reader), itertools.count(), "prrt-rwe-csv")
        for batch in batches:
            if batch is None:
                break
            m = batch.num_rows
            if not m:
                continue
            if scan.size > MAX_CELL_BYTES and any(pc.max(pc.binary_length(c)).as_py() > MAX_CELL_BYTES
                                                  for c in batch.columns):
                raise _NotPlain
            batch = pa.RecordBatch.from_arrays([pa.array(np.arange(line, line + m, dtype=np.int64)),
                                                *batch.columns], schema=schema)
            line += m
            if keys is None or parts == 1:
                write(0, batch)
                continue
            part = _row_parts(con, batch, (keys[0] + 1, keys[1] + 1), parts, scan.ascii, scan.padded)
            counts = np.bincount(part, minlength=parts)
            # part numbers fit 16 bits (up to 65,536 parts): numpy's stable sort is then a radix sort
            small = part.astype(np.uint16) if parts <= 1 << 16 else part
            ordered = batch.take(pa.array(np.argsort(small, kind="stable")))
            start = 0
            for k in np.flatnonzero(counts):
                write(int(k), ordered.slice(start, int(counts[k])))
                start += int(counts[k])
        ok = True
    except (pa.ArrowInvalid, _NotPlain):
        pass
    finally:
        if batches is not None:
            batches.close()   # waits for the batch being parsed
        for writer in writers.values():
            writer.close()
    if not ok:
        import shutil

        shutil.rmtree(folder, ignore_errors=True)
        return None
    return header


def _stage(con, path: Path, name: str, scan, parts: int, folder: Path) -> tuple[list[str], list[Issue], bool]:
    """(header, reader issues, whether cells may need trimming) of one staged file: DuckDB's CSV
    reader for a file of one record per line, csv_reader for the others and for what DuckDB's
    reader refuses (ragged rows, stray quotes); UnreadableFile as csv_reader raises it."""
    if scan.simple:
        header = _header(scan.header)
        rows = f"(SELECT CAST(row_number() OVER () + 1 AS BIGINT) AS line, * FROM {_csv(path, len(header))})"
        try:
            _write_parts(con, rows, len(header), key_positions(name, header), parts, scan.ascii, folder)
            return header, [], scan.padded
        except duckdb.Error:
            import shutil

            shutil.rmtree(folder, ignore_errors=True)
    data = decode(path.read_bytes())
    header, frame, lines, issues = _read(data, path.name, name, scan.simple)
    con.register("_read", pa.table({"line": pa.array(lines, pa.int64()),
                                    **{f"c{i}": frame.column(i) for i in range(frame.num_columns)}}))
    try:
        _write_parts(con, "_read", len(header), key_positions(name, header), parts, False, folder)
    finally:
        con.unregister("_read")
    return header, issues, True


def oversized(con, staged: StagedFile) -> list[Issue]:
    """E014 for every cell longer than the cell limit (the file is then not read, as csv_reader)."""
    n = len(staged.header)
    long = [f"coalesce(strlen(c{i}), 0) > {MAX_CELL_BYTES}" for i in range(n)]
    rows = con.execute(f'SELECT line, {", ".join(long)} FROM {staged.everything()} '
                       f'WHERE {" OR ".join(long)} ORDER BY line').fetchall()
    return [file_issue(staged.file, staged.name, "E014", f"value longer than {MAX_CELL_BYTES:,} bytes "
                       "(the limit of a cell)", column=str(staged.header[i]).strip(), line=int(r[0]))
            for i in range(n) for r in rows if r[1 + i]]


def stage_folder(con, folder: Path, work: Path) -> StagedFolder:
    """Every table file of ``folder`` staged under ``work`` (module doc); reader issues as
    sources._read_folder gives them (W109, E014, E001). The fingerprint is hashed on a worker
    thread while the files are scanned and staged (csv_scan.DigestThread)."""
    found, issues, files = folder_files(folder)
    with DigestThread() as digest:
        staged, parts = _stage_files(con, found, work, issues, digest)
        fingerprint = digest.hexdigest()
    seen = {p.stem.strip().lower() for p in files if p.suffix.lower() == ".csv"}
    issues += missing_required(seen, lambda n: f"{n}.csv")
    return StagedFolder(con, staged, issues, fingerprint, folder.name, parts)


def _stage_files(con, found: dict, work: Path, issues: list, digest) -> tuple[dict[str, StagedFile], int]:
    """The staged files of ``found`` (table -> path, file-name order: the fingerprint's) and the
    number of parts; the reader issues are added to ``issues``."""
    chosen, scans = {}, {}
    for name, path in found.items():
        scan = scan_file(path, digest)
        if scan.error is not None:
            issues.append(file_issue(path.name, name, "E014", str(scan.error), line=scan.error.line))
            continue
        chosen[name], scans[name] = path, scan
    parts = max(1, math.ceil(sum(s.lines for s in scans.values()) / ROWS_PER_PART))
    staged: dict[str, StagedFile] = {}
    for name, path in chosen.items():
        target = work / name
        header = _stage_arrow(con, path, name, scans[name], parts, target)
        if header is not None:
            staged[name] = StagedFile(name, path.name, header, str(target), scans[name].padded, arrow=True)
            continue
        try:
            header, found_issues, padded = _stage(con, path, name, scans[name], parts, target)
        except UnreadableFile as exc:
            issues.append(file_issue(path.name, name, "E014", str(exc), line=exc.line))
            continue
        issues += found_issues
        one = StagedFile(name, path.name, header, str(target), padded)
        if not target.is_dir():   # no row at all: the empty part of every part
            target.mkdir(parents=True)
        too_long = oversized(con, one) if any(target.iterdir()) and scans[name].size > MAX_CELL_BYTES else []
        if too_long:
            issues += too_long
            continue
        staged[name] = one
    return staged, parts
