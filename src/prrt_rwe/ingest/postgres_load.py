"""Ingest into PostgreSQL (``prrt-rwe ingest DIR --db postgresql://…``, issue 17).

The registry is validated exactly as for DuckDB (nothing is written when it has an error),
loaded into an embedded DuckDB, and copied table by table (CSV through ``COPY … FROM STDIN``)
into the schema :data:`SCHEMA` of the database, in one transaction: a failing run leaves the
database as it was. Text columns use the "C" collation, so that rows sort the same as in
DuckDB and Spark (byte order). A schema of that name that is not ours (no ``ingest_meta``) is
never replaced. ``analyze --db postgresql://…`` then derives and analyses in PostgreSQL; it
does not re-read the rows as text (they were validated on the way in)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from prrt_rwe.engines.engine import EngineError
from prrt_rwe.engines.postgres_engine import PostgresEngine, redacted
from prrt_rwe.schema import FORMAT_VERSION, TABLES
from prrt_rwe.schema.duckdb_layout import META_DDL, table_ddl

SCHEMA = "prrt_rwe"
# DuckDB types of the layout -> PostgreSQL
PG_TYPES = {"VARCHAR": 'TEXT COLLATE "C"', "DOUBLE": "DOUBLE PRECISION", "BIGINT": "BIGINT",
            "BOOLEAN": "BOOLEAN", "DATE": "DATE", "INTEGER": "BIGINT"}


def pg_ddl(duckdb_ddl: str) -> str:
    """A CREATE TABLE of schema/duckdb_layout.py with PostgreSQL types, in SCHEMA."""
    head, cols = duckdb_ddl.split(" (", 1)
    name = head.removeprefix("CREATE TABLE ").strip()
    out = []
    for col in cols.rstrip(")").split(", "):
        column, sqltype = col.rsplit(" ", 1)
        out.append(f"{column} {PG_TYPES[sqltype]}")
    return f"CREATE TABLE {SCHEMA}.{name} ({', '.join(out)})"


def _ours(engine: PostgresEngine) -> bool | None:
    """None when SCHEMA does not exist, True when it holds our ingest_meta, False otherwise."""
    with engine.conn.cursor() as cur:
        cur.execute("SELECT count(*) FROM information_schema.schemata WHERE schema_name = %s", [SCHEMA])
        if cur.fetchone()[0] == 0:
            return None
        cur.execute("SELECT to_regclass(%s) IS NOT NULL", [f"{SCHEMA}.ingest_meta"])
        return bool(cur.fetchone()[0])


def copy_into_postgres(con, url: str) -> dict[str, int]:
    """Every table of a DuckDB connection with the layout into PostgreSQL SCHEMA (one transaction)."""
    engine = PostgresEngine.open(url)
    try:
        if _ours(engine) is False:
            raise EngineError(f"{redacted(url)}: schema {SCHEMA!r} exists and was not written by prrt-rwe ingest; "
                              "not replaced")
        engine.conn.autocommit = False
        rows = {}
        with tempfile.TemporaryDirectory(prefix="prrt-pg-") as tmp, engine.conn.transaction():
            with engine.conn.cursor() as cur:
                cur.execute(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE")
                cur.execute(f"CREATE SCHEMA {SCHEMA}")
                names = [t.name for t in TABLES] + [ddl.split('"')[1] for ddl in META_DDL]
                for ddl in [table_ddl(t) for t in TABLES] + list(META_DDL):
                    cur.execute(pg_ddl(ddl))
                for name in names:
                    rows[name] = _copy_table(con, cur, name, Path(tmp) / f"{name}.csv")
        return rows
    finally:
        engine.close()


def _copy_table(con, cur, name: str, path: Path) -> int:
    con.execute(f'COPY (SELECT * FROM "{name}") TO \'{path}\' (FORMAT csv, HEADER false)')
    with cur.copy(f'COPY {SCHEMA}."{name}" FROM STDIN (FORMAT csv)') as copy, open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            copy.write(chunk)
    os.unlink(path)
    return cur.rowcount


def open_postgres(url: str) -> tuple[PostgresEngine, dict]:
    """An engine on an ingested PostgreSQL database (search path SCHEMA) and its ingest_meta."""
    engine = PostgresEngine.open(url)
    if not _ours(engine):
        engine.close()
        raise EngineError(f"{redacted(url)}: no prrt-rwe registry (schema {SCHEMA!r} with ingest_meta); "
                          "run `prrt-rwe ingest DIR --db URL` first")
    engine.execute(f"SET search_path TO {SCHEMA}, pg_temp")
    meta = {r["key"]: r["value"] for r in engine.arrow('SELECT "key", "value" FROM ingest_meta').to_pylist()}
    if meta.get("format_version") != FORMAT_VERSION:
        engine.close()
        raise EngineError(f"{redacted(url)}: format version {meta.get('format_version')!r}, expected "
                          f"{FORMAT_VERSION!r}: ingest the registry again")
    return engine, meta


def stored_summary(engine: PostgresEngine) -> dict | None:
    """The validation summary ingest stored (ingest/load.py ``stored_validation_summary``)."""
    from prrt_rwe.ingest.load import parse_validation_summary

    rows = engine.arrow('SELECT "schema", "summary" FROM validation_summary').to_pylist()
    return parse_validation_summary((rows[0]["schema"], rows[0]["summary"]) if rows else None)
