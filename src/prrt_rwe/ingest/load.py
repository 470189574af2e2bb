"""Load a validated registry into DuckDB, all-or-nothing (registry format v1, last rule).

``ingest(path, db)`` validates first and writes nothing when any error is found; otherwise
it builds the whole database in a temporary folder next to ``db`` and moves it into place
with ``os.replace`` (atomic on one file system), so a failed or interrupted run leaves an
earlier database byte-identical. It refuses (DestinationError) to replace a file that is not
a prrt-rwe database or a path inside the registry; a stale ``db.wal`` of another process is
moved aside with the replace, and the ``.partial`` folders of killed runs are removed.
Extra columns are stored only with ``keep_extra_columns`` (they often hold identifiers).
``load_registry(path)`` loads into a scratch database: a file in the temporary folder, unlinked
once open (:func:`scratch_database`); the scratch files a process now gone left behind (its
WAL) are removed when the next one is made (ingest/temp_files.py).
Layout: prrt_rwe.schema.duckdb_layout; values canonical (codes as the schema spells them,
yes/no BOOLEAN, labs in canonical units with the values as written kept).
"""

from __future__ import annotations

import functools
import json
import os
import shutil
import tempfile
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa

from prrt_rwe.ingest.database import connect, layout_fingerprint
from prrt_rwe.ingest.report import ValidationReport
from prrt_rwe.ingest.validation import check_parts
from prrt_rwe.outputs.destination import cannot_write, check_database_destination, make_folder
from prrt_rwe.schema import FORMAT_VERSION, TABLES, create_tables
from prrt_rwe.schema.duckdb_layout import VALIDATION_SUMMARY_SCHEMA


@dataclass(frozen=True)
class IngestReport:
    """Result of ``ingest``: ``ok`` when the database was written."""

    ok: bool
    validation: ValidationReport
    db: Path | None = None
    rows: dict[str, int] = field(default_factory=dict)


def ingest(path, db, keep_extra_columns: bool = False) -> IngestReport:
    """Validate ``path`` and, when it has no errors, (re)place ``db`` with its content;
    ``db`` may be a ``postgresql://`` URL (ingest/postgres_load.py). The tables are written
    part by part while validating (validation.check_parts) into a staged file that replaces
    ``db`` only when no error was found."""
    from prrt_rwe.engines.postgres_engine import is_postgres_url

    if is_postgres_url(db):
        return _ingest_postgres(path, str(db), keep_extra_columns)
    db = Path(db)
    check_database_destination(db, path)
    new_folder = not db.parent.exists()   # removed again when nothing is ingested
    make_folder(db.parent)
    remove_stale_partials(db)
    try:
        workdir = Path(tempfile.mkdtemp(dir=db.parent, prefix=f".{db.name}.{os.getpid()}.",
                                        suffix=PARTIAL))
    except OSError as exc:
        raise cannot_write(db, exc) from None
    _IN_USE.add(workdir)
    try:
        staged = workdir / db.name
        con = connect(staged)
        try:
            report, rows = write_tables(con, path, keep_extra_columns)
            if report.ok:
                con.execute("CHECKPOINT")
        finally:
            con.close()
        if report.ok:
            _replace(staged, db, workdir)
    except OSError as exc:
        raise cannot_write(db, exc) from None
    finally:
        _IN_USE.discard(workdir)
        shutil.rmtree(workdir, ignore_errors=True)
    if not report.ok:
        if new_folder:
            shutil.rmtree(db.parent, ignore_errors=True)
        return IngestReport(False, report)
    return IngestReport(True, report, db, rows)


def _ingest_postgres(path, url: str, keep_extra_columns: bool) -> IngestReport:
    from prrt_rwe.ingest.postgres_load import copy_into_postgres

    con, report = load_registry(path, keep_extra_columns)
    if con is None:
        return IngestReport(False, report)
    try:
        rows = copy_into_postgres(con, url)
    finally:
        con.close()
    return IngestReport(True, report, None, {t.name: rows.get(t.name, 0) for t in TABLES})


PARTIAL = ".partial"
_IN_USE: set[Path] = set()   # this process's ingests under way (threads)


def _replace(staged: Path, db: Path, workdir: Path) -> None:
    """Move the staged database onto ``db``; a WAL left beside ``db`` (it belongs to the old
    file, or to another process) is moved aside first, or DuckDB would replay it onto the
    new database ("WAL does not match")."""
    wal = db.with_name(db.name + ".wal")
    if wal.exists():
        os.replace(wal, workdir / "stale.wal")
    os.replace(staged, db)


def remove_stale_partials(db: Path) -> list[Path]:
    """Remove the ``.DB.<pid>.*.partial`` folders of ingests whose process is gone."""
    removed = []
    for folder in db.parent.glob(f".{db.name}.*{PARTIAL}"):
        pid = folder.name[len(db.name) + 2:].split(".", 1)[0]
        if folder in _IN_USE:
            continue
        if folder.is_dir() and not (pid.isdigit() and _alive(int(pid))):
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder)
    return removed


def _alive(pid: int) -> bool:
    """Another process of this pid exists (this process's own folders are in _IN_USE)."""
    from prrt_rwe.ingest.temp_files import process_alive

    return pid != os.getpid() and process_alive(pid)


def scratch_database() -> duckdb.DuckDBPyConnection:
    """A DuckDB database in a new file of the temporary folder, unlinked as soon as it is open,
    so that it goes with the connection (or the process); DuckDB's WAL beside it is removed at
    each checkpoint and on close. A file rather than ``:memory:``: DuckDB stores the tables
    compressed and reads them through its buffer pool and the OS page cache, where an in-memory
    database holds them uncompressed (about 6 times the bytes) and spills them to its temporary
    directory beyond the memory limit (issue 17: some 10 GB of lab rows at 1e6 patients)."""
    from prrt_rwe.ingest.temp_files import remove_stale

    remove_stale()
    path = Path(tempfile.gettempdir()) / f"prrt-rwe-registry-{os.getpid()}-{os.urandom(6).hex()}.duckdb"
    con = connect(path)
    try:
        path.unlink()
    except OSError:
        pass
    return con


def load_registry(path, keep_extra_columns: bool = False) -> tuple[duckdb.DuckDBPyConnection | None, ValidationReport]:
    """A DuckDB database of a registry (None when it has errors) and its report, in a scratch
    file (:func:`scratch_database`); DuckDB spills to its temporary directory beyond its memory
    limit (engines/duckdb_engine.py)."""
    con = scratch_database()
    report, _ = write_tables(con, path, keep_extra_columns)
    if not report.ok:
        con.close()
        return None, report
    return con, report


def write_tables(con, path, keep_extra_columns: bool = False) -> tuple[ValidationReport, dict[str, int]]:
    """Validate ``path`` and write its typed tables into ``con`` part by part (the layout,
    ingest_meta, and the extra columns when ``keep_extra_columns``); the caller discards
    ``con`` when the report has errors. A part's typed tables are made where it is checked (a
    worker process, ingest/part_workers.py, or here: :func:`typed_tables`) and inserted by a
    worker thread while the next part is taken (DuckDB works without the GIL); parts go in in
    order and at most one waits."""
    create_tables(con)
    rows = dict.fromkeys((t.name for t in TABLES), 0)

    def insert_part(frames: list) -> None:
        for name, frame, extra in frames:
            _insert(con, name, frame)
            if extra is not None:
                _insert(con, "extra_columns", extra)
            rows[name] += frame.num_rows

    with ThreadPoolExecutor(1, thread_name_prefix="prrt-rwe-insert") as pool:
        pending: list[Future] = []

        def write_part(frames: list) -> None:
            if pending:
                pending.pop().result()
            pending.append(pool.submit(insert_part, frames))

        try:
            report = check_parts(path, write_part, functools.partial(typed_tables, keep_extra_columns=keep_extra_columns))
        except BaseException:
            for done in pending:   # wait for it; the validation's error is the one raised
                done.exception()
            raise
        for done in pending:
            done.result()
    if report.ok:
        meta = [("format_version", FORMAT_VERSION), ("input_kind", report.kind),
                ("input_fingerprint", report.fingerprint), ("layout_fingerprint", layout_fingerprint())]
        meta += [(f"rows.{name}", str(n)) for name, n in rows.items()]
        con.executemany('INSERT INTO "ingest_meta" VALUES (?, ?)', meta)
        con.execute('INSERT INTO "validation_summary" VALUES (?, ?)',
                    [VALIDATION_SUMMARY_SCHEMA, json.dumps(report.summary(), sort_keys=True)])
    return report, rows


def typed_tables(parsed: dict, keep_extra_columns: bool = False) -> list[tuple]:
    """(table, typed Arrow table, its extra columns as ``extra_columns`` rows or None) of one
    part, in layout order: what write_tables inserts (the text cells are not kept)."""
    return [(t.name, _typed_arrow(t, parsed[t.name]), _extra_rows(t.name, parsed[t.name]) if keep_extra_columns else None)
            for t in TABLES if t.name in parsed]


def stored_validation_summary(con) -> dict | None:
    """The summary ``write_tables`` stored, or None for a database written without one."""
    present = con.execute("SELECT count(*) FROM information_schema.tables "
                          "WHERE table_name = 'validation_summary'").fetchone()[0]
    row = con.execute('SELECT "schema", "summary" FROM "validation_summary"').fetchone() if present else None
    return parse_validation_summary(row)


def parse_validation_summary(row) -> dict | None:
    """The summary of a ``validation_summary`` row (schema, JSON), or None when it is not one."""
    if row is None or row[0] != VALIDATION_SUMMARY_SCHEMA:
        return None
    try:
        summary = json.loads(row[1])
    except (TypeError, ValueError):
        return None
    return summary if isinstance(summary, dict) and {"errors", "warnings", "codes", "sites"} <= set(summary) else None


@functools.cache
def layout_types() -> dict[str, dict[str, str]]:
    """Table -> column -> SQL type that create_tables declares (read once per process from an
    empty database, as layout_fingerprint does: every part's insert casts to these)."""
    con = connect(":memory:")
    try:
        create_tables(con)
        types: dict[str, dict[str, str]] = {}
        for table, column, kind in con.execute(
                "SELECT table_name, column_name, data_type FROM information_schema.columns "
                "WHERE table_schema = 'main' ORDER BY table_name, ordinal_position").fetchall():
            types.setdefault(table, {})[column] = kind
        return types
    finally:
        con.close()


def _typed_arrow(table, parsed) -> pa.Table:
    """The typed columns of a part as an Arrow table, column by column from the parsed values
    (the text columns are Arrow already: no copy of the frame, no pandas round trip)."""
    values, n = parsed.values, len(parsed.raw.lines)
    columns = [c.name for c in table.columns] + [name for name, _ in table.derived_columns]
    arrays = {c: (pa.array(values[c], from_pandas=True) if c in values.columns else pa.nulls(n))
              for c in columns}
    arrays["source_line"] = pa.array(parsed.raw.lines, pa.int64())
    return pa.table(arrays)


def _insert(con, name: str, frame) -> None:
    """INSERT ``frame`` (an Arrow table or a pandas frame) cast to the table's layout types.
    The strings go in as they are: DuckDB stores them alike whether they come dictionary-
    encoded or not, and encoding them first cost more CPU than it saved (issue 17)."""
    arrow = frame if isinstance(frame, pa.Table) else pa.Table.from_pandas(frame, preserve_index=False)
    types = layout_types()[name]
    select = ", ".join(f'CAST("{c}" AS {types[c]}) AS "{c}"' for c in arrow.column_names)
    con.register("_staged", arrow)
    try:
        con.execute(f'INSERT INTO "{name}" SELECT {select} FROM _staged')
    finally:
        con.unregister("_staged")


def _extra_rows(name: str, parsed) -> pa.Table | None:
    """The extra columns of a part as ``extra_columns`` rows (None when it has none)."""
    extra = parsed.raw.extra
    if extra.shape[1] == 0:
        return None
    long = extra.assign(source_line=parsed.raw.lines).melt(
        id_vars="source_line", var_name="column_name", value_name="value")
    long = long[long["value"] != ""]
    long.insert(0, "table_name", name)
    long = long[["table_name", "source_line", "column_name", "value"]]
    return pa.Table.from_pandas(long.reset_index(drop=True), preserve_index=False)
