"""Spark (``--engine spark``): local mode by default, any cluster through the usual settings —
``SPARK_REMOTE`` (Spark Connect) or ``PRRT_SPARK_MASTER`` / ``spark.master``.

The validated registry tables are handed to Spark as Parquet files (one per table, written by
the embedded engine after validation) and read as temporary views; the derivations run in
Spark SQL and only their per-patient results come back (``DataFrame.toArrow``)."""

from __future__ import annotations

import os
import re

import pyarrow as pa

from prrt_rwe.engines.engine import Engine, EngineError

LOCAL_MASTER = "local[2]"


def session(master: str | None = None):
    """The SparkSession: Spark Connect when SPARK_REMOTE is set, else ``master`` (default
    PRRT_SPARK_MASTER or local[2]); UTC, quiet, ANSI off (SQL NULL semantics as DuckDB)."""
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        raise EngineError("--engine spark needs pyspark (pip install 'prrt-rwe[spark]')") from None
    builder = SparkSession.builder.appName("prrt-rwe")
    if os.environ.get("SPARK_REMOTE"):
        builder = builder.remote(os.environ["SPARK_REMOTE"])
    else:
        builder = (builder.master(master or os.environ.get("PRRT_SPARK_MASTER") or LOCAL_MASTER)
                   .config("spark.ui.enabled", "false").config("spark.ui.showConsoleProgress", "false")
                   .config("spark.sql.shuffle.partitions", os.environ.get("PRRT_SPARK_PARTITIONS", "8"))
                   .config("spark.driver.memory", os.environ.get("PRRT_SPARK_DRIVER_MEMORY", "2g")))
        if not os.environ.get("PYSPARK_PYTHON"):   # local workers run this Python (POW_UDF needs numpy)
            import sys

            builder = builder.config("spark.pyspark.python", sys.executable)
    spark = builder.config("spark.sql.session.timeZone", "UTC").config("spark.sql.ansi.enabled", "false") \
        .getOrCreate()
    if not os.environ.get("SPARK_REMOTE"):
        spark.sparkContext.setLogLevel("ERROR")
    return spark


# Spark's power() is fdlibm's (java.lang.StrictMath), which differs from the C library's pow
# (DuckDB, PostgreSQL, numpy) in the last bit for some arguments: eGFR (CKD-EPI 2021, three
# powers) then differs by an ulp, enough for the eGFR mixed model of a small registry to move in
# the 6th digit. Spark therefore computes power() with the C library's pow, through numpy, as a
# Python UDF (vectorised by Arrow), so that every engine gives the same doubles.
POW_UDF = "prrt_pow"
_POWER = re.compile(r"\bPOWER\(", re.IGNORECASE)


def register_pow(spark) -> None:
    """Register POW_UDF (a local function: pickled by value, the workers need numpy only)."""
    from pyspark.sql.types import DoubleType

    def _c_pow(x, y):
        import numpy as np

        if x is None or y is None:
            return None
        with np.errstate(all="ignore"):
            return float(np.power(np.float64(x), np.float64(y)))

    try:
        spark.udf.register(POW_UDF, _c_pow, DoubleType(), useArrow=True)
    except TypeError:   # a Spark without Arrow-optimised Python UDFs
        spark.udf.register(POW_UDF, _c_pow, DoubleType())


def with_c_pow(sql: str) -> str:
    """Spark SQL with every power() call through the C library's pow (POW_UDF)."""
    return _POWER.sub(f"{POW_UDF}(", sql)


class SparkEngine(Engine):
    name = "spark"
    dialect = "spark"

    def __init__(self, spark, views: list[str]):
        self.spark = spark
        self._views = list(views)

    @classmethod
    def open(cls, tables: dict | None = None, master: str | None = None):
        """``tables``: registry table name -> Parquet path, read as temporary views."""
        spark = session(master)
        register_pow(spark)
        views = []
        for name, path in (tables or {}).items():
            spark.read.parquet(str(path)).createOrReplaceTempView(name)
            views.append(name)
        return cls(spark, views)

    def _arrow(self, sql: str) -> pa.Table:
        return self.spark.sql(with_c_pow(sql)).toArrow()

    def _export_parquet(self, sql: str, folder) -> None:
        self.spark.sql(with_c_pow(sql)).write.mode("overwrite").parquet(str(folder))

    def _materialize(self, name: str, sql: str) -> None:
        frame = self.spark.sql(with_c_pow(sql)).localCheckpoint(eager=True)
        frame.createOrReplaceTempView(name)
        self._views.append(name)

    def _view(self, name: str, sql: str) -> None:
        self.spark.sql(with_c_pow(sql)).createOrReplaceTempView(name)
        self._views.append(name)

    def has_table(self, name: str) -> bool:
        return self.spark.catalog.tableExists(name)

    def close(self) -> None:
        for name in self._views:
            self.spark.catalog.dropTempView(name)
        self._views = []
        self.closed()


def from_duckdb(con, folder, master: str | None = None) -> SparkEngine:
    """A Spark engine on the registry tables of a (validated) DuckDB connection, handed over as
    one Parquet file per table written into ``folder``."""
    from pathlib import Path

    from prrt_rwe.schema import TABLES

    tables = {}
    for table in TABLES:
        path = Path(folder) / f"{table.name}.parquet"
        con.execute(f'COPY (SELECT * FROM "{table.name}") TO \'{path}\' (FORMAT parquet)')
        tables[table.name] = path
    return SparkEngine.open(tables=tables, master=master)
