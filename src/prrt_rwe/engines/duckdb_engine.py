"""Embedded DuckDB, the default engine: a memory limit and a temporary directory, so that a
registry larger than memory spills to disk instead of failing (issue 17)."""

from __future__ import annotations

import functools
import os
import tempfile

import pyarrow as pa

from prrt_rwe.engines.engine import Engine

# Default budget per DuckDB database: a sixth of physical memory, at most 2 GB (a run may hold
# two: the registry being read and the one being written; 2 cores / 24 GB shared machines).
MAX_DEFAULT_MEMORY_GB = 2.0
PARQUET_BATCH_ROWS = 1 << 20   # rows per Arrow batch (and Parquet row group) of copy_parts_to_parquet
RELEASED_MEMORY_LIMIT = "64MB"   # DuckDBEngine.release: what the buffer pool keeps


def trim_heap() -> None:
    """Give the C heap's free memory back to the system (glibc's ``malloc_trim``; elsewhere
    nothing). DuckDB builds the Arrow tables of its results with ``malloc``; freed, glibc keeps
    much of them (issue 17: 1e5 patients, ADLB parts of 500,000 lab rows, the RSS at the end of
    the parts 1.26 GB without, 1.08 GB with a trim after each part; the peak 1.29 -> 1.18 GB)."""
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


@functools.cache
def _malloc_trim():
    import ctypes

    try:
        return ctypes.CDLL("libc.so.6").malloc_trim
    except (OSError, AttributeError):   # not glibc
        return None


def default_memory_limit() -> str:
    try:
        total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    except (ValueError, OSError, AttributeError):
        total = 12.0
    return f"{max(0.5, min(MAX_DEFAULT_MEMORY_GB, total / 6)):.1f}GB"


def configure(con, memory_limit: str | None = None, temp_directory: str | None = None) -> None:
    """Memory limit and spill directory of a DuckDB connection (env PRRT_DUCKDB_MEMORY_LIMIT /
    PRRT_DUCKDB_TEMP override the defaults); no progress bar on stdout. DuckDB creates the
    directory only when it spills and removes its files when the connection closes."""
    limit = memory_limit or os.environ.get("PRRT_DUCKDB_MEMORY_LIMIT") or default_memory_limit()
    temp = temp_directory or os.environ.get("PRRT_DUCKDB_TEMP") or os.path.join(
        tempfile.gettempdir(), f"prrt-rwe-duckdb-{os.getpid()}")   # one per process: DuckDB names its files alike
    con.execute(f"SET memory_limit = '{limit}'")
    con.execute(f"SET temp_directory = '{temp}'")
    con.execute("SET preserve_insertion_order = true")
    con.execute("SET enable_progress_bar = false")


def _unrounded(limit: str) -> str:
    """A memory limit as DuckDB states it (``18.7 GiB``: its value rounded down to a tenth)
    as a setting that DuckDB states the same way (half a tenth more; as stated it would read
    a tenth less); other forms as they are."""
    number, _, unit = limit.partition(" ")
    try:
        return f"{float(number) + 0.05:.2f} {unit}" if unit else limit
    except ValueError:
        return limit


class DuckDBEngine(Engine):
    name = "duckdb"
    dialect = "duckdb"

    def __init__(self, con, owned: bool = True):
        self.con = con
        self._owned = owned

    @classmethod
    def open(cls, path=":memory:", memory_limit: str | None = None, temp_directory: str | None = None,
             read_only: bool = False):
        from prrt_rwe.ingest.database import connect

        con = connect(path, read_only=read_only)
        if memory_limit or temp_directory:
            configure(con, memory_limit, temp_directory)
        return cls(con)

    @classmethod
    def wrap(cls, con):
        """An engine on an open connection (not closed by the engine)."""
        return cls(con, owned=False)

    def _arrow(self, sql: str) -> pa.Table:
        return self.con.sql(sql).to_arrow_table()

    def _materialize(self, name: str, sql: str) -> None:
        self.con.execute(f'CREATE OR REPLACE TEMP TABLE "{name}" AS {sql}')

    def _view(self, name: str, sql: str) -> None:
        self.con.execute(f'CREATE OR REPLACE TEMP VIEW "{name}" AS {sql}')

    def copy_to_parquet(self, sql: str, path) -> None:
        """``COPY (sql) TO path``: the SELECT (DuckDB dialect) written as one Parquet file by
        DuckDB's streaming writer, in the query's order."""
        target = str(path).replace("'", "''")
        self.con.execute(f"COPY ({sql}) TO '{target}' (FORMAT parquet)")

    def copy_parts_to_parquet(self, sqls: list[str], path, schema_sql: str | None = None,
                              assemble=None, inspect=None) -> None:
        """The rows of the SELECTs ``sqls`` (DuckDB dialect), one after the other and each in its
        query's order, as one Parquet file (a sort of a part of the rows instead of all of them:
        in memory, no spill). The file has the schema DuckDB's own writer gives ``schema_sql``
        (default: the first query; a query of the same columns over few rows is cheaper): types,
        and REQUIRED where DuckDB's statistics say a column has no NULL, as ``COPY`` writes.
        ``assemble(i, table)``: part ``i`` as the file's columns (a text column may be an Arrow
        dictionary array of text; default: the query's rows as they are), run by the thread
        that writes; ``inspect(i, table)``: run on the connection right after part ``i``'s query,
        before it is assembled. A worker thread runs the next part's query (and ``inspect``)
        while this one is assembled and written (DuckDB and pyarrow release the GIL; the two
        threads' shares are about even, issue 17): at most two parts in memory."""
        import tempfile
        from concurrent.futures import ThreadPoolExecutor, wait
        from pathlib import Path

        import pyarrow.parquet as pq

        path = Path(path)
        with tempfile.TemporaryDirectory(prefix="prrt-schema-", dir=path.parent) as folder:
            empty = Path(folder) / "schema.parquet"
            self.copy_to_parquet(schema_sql or sqls[0], empty)
            schema = pq.read_schema(empty).remove_metadata()

        def part(i: int) -> pa.Table:
            table = self.con.sql(sqls[i]).to_arrow_table()
            if inspect is not None:
                inspect(i, table)
            return table

        writer, written = None, schema
        with ThreadPoolExecutor(max_workers=1) as pool:
            ahead = pool.submit(part, 0) if sqls else None
            try:
                for i in range(len(sqls)):
                    table = ahead.result()
                    ahead = pool.submit(part, i + 1) if i + 1 < len(sqls) else None
                    if assemble is not None:
                        table = assemble(i, table)
                    if writer is None:
                        written = _written_schema(schema, table.schema)
                        writer = pq.ParquetWriter(str(path), written, store_schema=False)
                    writer.write_table(pa.Table.from_arrays(table.columns, schema=written),
                                       row_group_size=PARQUET_BATCH_ROWS)
                    del table
                    trim_heap()   # the part's rows (DuckDB's malloc) freed back to the system
            finally:
                if ahead is not None:
                    ahead.cancel()
                    wait([ahead])   # the connection is free again when this returns
                if writer is None:
                    writer = pq.ParquetWriter(str(path), written, store_schema=False)
                writer.close()

    def drop(self, names) -> None:
        for name in names:
            self.con.execute(f'DROP TABLE IF EXISTS temp."{name}"')

    def release(self) -> None:
        """Drop the temporary views and tables, then shrink the buffer pool (a small memory
        limit evicts the cached blocks of the database file, or spills what cannot be evicted;
        where it cannot, the pool stays as it is; the limit is put back after, to the 0.1 GiB
        DuckDB states it in): issue 17, the
        2 GB budget otherwise stays resident until the connection closes."""
        import duckdb

        for kind, catalog in (("VIEW", "duckdb_views"), ("TABLE", "duckdb_tables")):
            names = self.con.execute(f"SELECT {kind.lower()}_name FROM {catalog}() "
                                     "WHERE temporary AND NOT internal").fetchall()
            for (name,) in names:
                self.con.execute(f'DROP {kind} IF EXISTS temp."{name}"')
        limit = self.con.execute("SELECT current_setting('memory_limit')").fetchone()[0]
        try:
            self.con.execute(f"SET memory_limit = '{RELEASED_MEMORY_LIMIT}'")
        except duckdb.OutOfMemoryException:
            pass
        self.con.execute(f"SET memory_limit = '{_unrounded(limit)}'")

    def _export_parquet(self, sql: str, folder) -> None:
        from pathlib import Path

        Path(folder).mkdir(parents=True, exist_ok=True)
        self.copy_to_parquet(sql, Path(folder) / "part-0.parquet")

    def has_table(self, name: str) -> bool:
        return self.con.execute("SELECT count(*) FROM information_schema.tables WHERE table_name = ?",
                                [name]).fetchall()[0][0] > 0

    def close(self) -> None:
        if self._owned:
            self.con.close()
        self.closed()


def _written_schema(schema: pa.Schema, table: pa.Schema) -> pa.Schema:
    """``schema`` (the file's: DuckDB's types and nullability) with a text field as a dictionary
    of text where ``table`` has it so (Parquet stores both as UTF-8 text)."""
    fields = []
    for f in schema:
        t = table.field(f.name).type
        dictionary = pa.types.is_dictionary(t) and pa.types.is_string(t.value_type) and pa.types.is_string(f.type)
        fields.append(pa.field(f.name, t, nullable=f.nullable) if dictionary else f)
    return pa.schema(fields)

