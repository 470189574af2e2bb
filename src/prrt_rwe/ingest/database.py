"""What makes a file a prrt-rwe database, and reading one back for analysis (issue 12).

Every connection prrt-rwe opens has DuckDB's extension autoloading and autoinstalling off
(a foreign file must never make DuckDB download code). A database is ours when it carries
the DuckDB magic bytes, an ``ingest_meta`` table with our format version and the layout
fingerprint (sha256 over every table and column type that schema/duckdb_layout.py declares,
so a table added to the layout is covered without change here). Before deriving, analyze
re-reads every registry table as text and re-runs the column and cross-table checks of
validation, so a database edited after ingest (a death moved before C1) is refused with the
same codes as the files would have been: ``registry.duckdb[patients]:4:death_date: E010 ...``.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import duckdb

from prrt_rwe.schema import FORMAT_VERSION, TABLES, create_tables

DUCKDB_MAGIC = b"DUCK"   # bytes 8..12 of every DuckDB file
SAFE_CONFIG = {"autoload_known_extensions": False, "autoinstall_known_extensions": False}


class NotOurDatabase(Exception):
    """A file that is not a prrt-rwe database, or one that cannot be read; says why."""


def connect(path, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """A DuckDB connection that never loads or installs an extension, with a memory limit and
    a spill directory (engines/duckdb_engine.configure)."""
    from prrt_rwe.engines.duckdb_engine import configure

    con = duckdb.connect(str(path), read_only=read_only, config=dict(SAFE_CONFIG))
    configure(con)
    return con


def _columns(con) -> list[tuple]:
    return con.execute(
        "SELECT table_name, column_name, data_type FROM information_schema.columns "
        "WHERE table_schema = 'main' ORDER BY table_name, ordinal_position").fetchall()


def _digest(columns: list[tuple]) -> str:
    return hashlib.sha256(repr(columns).encode()).hexdigest()


def layout_fingerprint() -> str:
    """sha256 of the layout (every table, column and type) that create_tables builds."""
    con = connect(":memory:")
    try:
        create_tables(con)
        return _digest(_columns(con))
    finally:
        con.close()


def has_duckdb_magic(path: Path) -> bool:
    with open(path, "rb") as f:
        return f.read(12)[8:12] == DUCKDB_MAGIC


def open_database(path) -> tuple[duckdb.DuckDBPyConnection, dict]:
    """A read-only connection to a prrt-rwe database and its ingest_meta; NotOurDatabase
    saying what is wrong otherwise (empty, text, SQLite, another tool's DuckDB, a missing
    table, a layout of another version, a damaged file)."""
    path = Path(path)
    if not path.is_file():
        raise NotOurDatabase("not a file")
    if path.stat().st_size == 0:
        raise NotOurDatabase("empty file, not a prrt-rwe database")
    if not has_duckdb_magic(path):
        raise NotOurDatabase("not a DuckDB database (no DuckDB header); give a file written by "
                             "`prrt-rwe ingest`")
    try:
        con = connect(path, read_only=True)
    except duckdb.Error as exc:
        raise NotOurDatabase(f"cannot be opened as a DuckDB database ({_first_line(exc)})") from None
    try:
        meta = _meta(con)
        _check_layout(con, meta)
    except NotOurDatabase:
        con.close()
        raise
    except duckdb.Error as exc:
        con.close()
        raise NotOurDatabase(f"cannot be read ({_first_line(exc)})") from None
    return con, meta


def _first_line(exc: Exception) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


def _meta(con) -> dict:
    tables = {r[0] for r in con.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main'").fetchall()}
    if "ingest_meta" not in tables:
        raise NotOurDatabase("a DuckDB database without ingest_meta: not written by `prrt-rwe ingest`")
    meta = dict(con.execute('SELECT "key", "value" FROM "ingest_meta"').fetchall())
    if meta.get("format_version") != FORMAT_VERSION:
        raise NotOurDatabase(f"format version {meta.get('format_version')!r}, expected "
                             f"{FORMAT_VERSION!r}: ingest the registry again")
    return meta


def _check_layout(con, meta: dict) -> None:
    expected = connect(":memory:")
    try:
        create_tables(expected)
        want = _columns(expected)
    finally:
        expected.close()
    have = set(_columns(con))
    missing_tables = sorted({t for t, _, _ in want} - {t for t, _, _ in have})
    if missing_tables:
        raise NotOurDatabase(f"table(s) {', '.join(missing_tables)} missing: not a complete prrt-rwe database")
    wrong = [f"{t}.{c} {ty}" for t, c, ty in want if (t, c, ty) not in have]
    if wrong or meta.get("layout_fingerprint") != _digest(want):
        detail = f" (expected columns {', '.join(wrong[:5])})" if wrong else ""
        raise NotOurDatabase(f"its tables do not match the layout of this version{detail}: "
                             "ingest the registry again")


def is_prrt_database(path) -> bool:
    """True when ``path`` opens as a prrt-rwe database (used before replacing a file)."""
    try:
        con, _ = open_database(path)
    except (NotOurDatabase, OSError):
        return False
    con.close()
    return True


def stage_database(con, label: str, meta: dict):
    """Every registry table of the database as text cells (as a file would hold them: the
    cells validation read on ingest), each row's line = its source_line, file =
    ``label[table]``, staged in parts of whole patients (ingest/engine_reader.py) so that
    re-validation holds one part in memory; empty optional tables are left out."""
    import math

    from prrt_rwe.ingest.engine_reader import ROWS_PER_PART, StagedFile, StagedFolder, part_sql

    counts = {t.name: con.execute(f'SELECT count(*) FROM "{t.name}"').fetchall()[0][0] for t in TABLES}
    parts = max(1, math.ceil(sum(counts.values()) / ROWS_PER_PART))
    files = {}
    for table in TABLES:
        if counts[table.name] == 0 and not table.file_required:
            continue
        names = [c.name for c in table.columns]
        cells = ", ".join(f'coalesce(CAST(t."{c}" AS VARCHAR), \'\') AS c{i}' for i, c in enumerate(names))
        keys = (names.index("site_id"), names.index("patient_id")) \
            if {"site_id", "patient_id"} <= set(names) and table.name != "sites" else None
        stage = f"_stage_{table.name}"
        con.execute(f'CREATE OR REPLACE TEMP TABLE "{stage}" AS SELECT *, {part_sql(keys, parts, trim=False)} '
                    f'AS part FROM (SELECT t."source_line" AS line, {cells} FROM "{table.name}" t) t')
        files[table.name] = StagedFile(table.name, f"{label}[{table.name}]", names, stage, False, parquet=False)
    return StagedFolder(con, files, [], meta.get("input_fingerprint", ""), label, parts, kind="duckdb")
