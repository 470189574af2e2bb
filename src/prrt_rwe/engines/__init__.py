"""Engines (issue 17): one relational code base, three executors.

The derivations are written once in DuckDB's SQL dialect (derive/relational/); an
:class:`~prrt_rwe.engines.engine.Engine` runs them where the data are — embedded DuckDB (the
default, with a memory limit and a spill directory), a PostgreSQL database (psycopg 3) or Spark
(local mode or any cluster) — transpiling the SQL with SQLGlot for the latter two
(docs/architecture.md says why). Python receives only per-patient results and the arrays the
statistics need, as Arrow tables.
"""

from prrt_rwe.engines.engine import Engine, EngineError

__all__ = ["Engine", "EngineError", "open_engine"]


def open_engine(kind: str = "duckdb", **options) -> Engine:
    """An engine by name: ``duckdb`` (options: path, memory_limit, temp_directory),
    ``postgresql`` (options: url) or ``spark`` (options: master, tables)."""
    if kind == "duckdb":
        from prrt_rwe.engines.duckdb_engine import DuckDBEngine

        return DuckDBEngine.open(**options)
    if kind == "postgresql":
        from prrt_rwe.engines.postgres_engine import PostgresEngine

        return PostgresEngine.open(**options)
    if kind == "spark":
        from prrt_rwe.engines.spark_engine import SparkEngine

        return SparkEngine.open(**options)
    raise EngineError(f"unknown engine {kind!r} (known: duckdb, postgresql, spark)")
