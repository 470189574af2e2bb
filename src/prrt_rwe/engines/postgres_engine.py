"""PostgreSQL through psycopg 3: ``--db postgresql://user@host:port/dbname``.

The registry tables are those ``prrt-rwe ingest DIR --db postgresql://…`` wrote (the layout of
schema/duckdb_layout.py, in the database's search path); the derivations run in PostgreSQL
and only their per-patient results come back (typed by the result columns' OIDs)."""

from __future__ import annotations

import pyarrow as pa

from prrt_rwe.engines.engine import Engine, EngineError

# PostgreSQL type OIDs of the result columns -> Arrow types.
_ARROW_TYPES = {16: pa.bool_(), 20: pa.int64(), 21: pa.int64(), 23: pa.int64(), 700: pa.float64(),
                701: pa.float64(), 1700: pa.float64(), 25: pa.string(), 1043: pa.string(),
                1042: pa.string(), 1082: pa.date32()}


def is_postgres_url(text) -> bool:
    return str(text).startswith(("postgresql://", "postgres://"))


def redacted(url: str) -> str:
    """The URL without its password (for messages)."""
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
    return urlunsplit(parts._replace(netloc=netloc))


def _array(values, arrow_type) -> pa.Array:
    if pa.types.is_floating(arrow_type):   # numeric (Decimal) as double
        values = [None if v is None else float(v) for v in values]
    return pa.array(values, type=arrow_type)


class PostgresEngine(Engine):
    name = "postgresql"
    dialect = "postgres"

    def __init__(self, conn, url: str):
        self.conn = conn
        self.url = url

    @classmethod
    def open(cls, url: str):
        import psycopg

        try:
            conn = psycopg.connect(url, autocommit=True)
        except psycopg.Error as exc:
            raise EngineError(f"{redacted(url)}: cannot connect ({str(exc).strip().splitlines()[0]})") from None
        return cls(conn, url)

    @property
    def url_shown(self) -> str:
        """The URL without its password."""
        return redacted(self.url)

    def execute(self, sql: str, params=None) -> None:
        with self.conn.cursor() as cur:
            cur.execute(sql, params)

    def _arrow(self, sql: str) -> pa.Table:
        with self.conn.cursor() as cur:
            cur.execute(sql)
            names = [d.name for d in cur.description]
            types = [_ARROW_TYPES.get(d.type_code, pa.string()) for d in cur.description]
            rows = cur.fetchall()
        columns = list(zip(*rows)) if rows else [()] * len(names)
        return pa.table({n: _array(c, t) for n, c, t in zip(names, columns, types)})

    def _export_parquet(self, sql: str, folder, batch_rows: int = 100_000) -> None:
        """A server-side cursor read in batches into one Parquet file (bounded memory)."""
        from pathlib import Path

        import pyarrow.parquet as pq

        Path(folder).mkdir(parents=True, exist_ok=True)
        writer = None
        with self.conn.transaction(), self.conn.cursor(name="prrt_export") as cur:
            cur.execute(sql)
            while True:
                rows = cur.fetchmany(batch_rows)
                if cur.description is None or (not rows and writer is not None):
                    break
                names = [d.name for d in cur.description]
                types = [_ARROW_TYPES.get(d.type_code, pa.string()) for d in cur.description]
                columns = list(zip(*rows)) if rows else [()] * len(names)
                table = pa.table({n: _array(c, t) for n, c, t in zip(names, columns, types)})
                if writer is None:
                    writer = pq.ParquetWriter(str(Path(folder) / "part-0.parquet"), table.schema)
                writer.write_table(table)
                if not rows:
                    break
        if writer is not None:
            writer.close()

    def _materialize(self, name: str, sql: str) -> None:
        self.execute(f'DROP TABLE IF EXISTS "{name}"')
        self.execute(f'CREATE TEMP TABLE "{name}" AS {sql}')
        self.execute(f'ANALYZE "{name}"')

    def _view(self, name: str, sql: str) -> None:
        self.execute(f'DROP VIEW IF EXISTS "{name}"')
        self.execute(f'CREATE TEMP VIEW "{name}" AS {sql}')

    def has_table(self, name: str) -> bool:
        with self.conn.cursor() as cur:
            cur.execute("SELECT to_regclass(%s) IS NOT NULL", [f'"{name}"'])
            return bool(cur.fetchone()[0])

    def close(self) -> None:
        self.conn.close()
        self.closed()