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


# Rows of the registry per shuffle partition (issue 17): spark.sql.shuffle.partitions scales
# with the registry (1e5 patients, ~10 M rows: 10; 1e6: 100), so that a partition's sort and
# window stay a few hundred MB whatever the size; adaptive execution merges the small ones.
ROWS_PER_PARTITION = 1_000_000
MIN_PARTITIONS = 8
# A relation of at most this many bytes (a per-patient relation, the baseline rows) is
# broadcast to the joins instead of sorting both sides (Spark's default: 10 MB).
BROADCAST_BYTES = 64 * 2**20


def session(master: str | None = None):
    """The SparkSession: Spark Connect when SPARK_REMOTE is set, else ``master`` (default
    PRRT_SPARK_MASTER or local[2]); UTC, quiet, ANSI off (SQL NULL semantics as DuckDB);
    adaptive execution, no runtime Bloom filters (a second scan of the lab rows per join)."""
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
                   .config("spark.sql.shuffle.partitions", os.environ.get("PRRT_SPARK_PARTITIONS", str(MIN_PARTITIONS)))
                   .config("spark.driver.memory", os.environ.get("PRRT_SPARK_DRIVER_MEMORY", "2g")))
        if not os.environ.get("PYSPARK_PYTHON"):   # local workers run this Python (POW_UDF needs pyarrow)
            import sys

            os.environ["PYSPARK_PYTHON"] = sys.executable   # the Arrow UDF's workers read it here
            builder = builder.config("spark.pyspark.python", sys.executable)
    spark = builder.config("spark.sql.session.timeZone", "UTC").config("spark.sql.ansi.enabled", "false") \
        .getOrCreate()
    for key, value in (("spark.sql.adaptive.enabled", "true"),
                       ("spark.sql.adaptive.coalescePartitions.enabled", "true"),
                       ("spark.sql.optimizer.runtime.bloomFilter.enabled", "false"),
                       ("spark.sql.autoBroadcastJoinThreshold", str(BROADCAST_BYTES)),
                       ("spark.sql.adaptive.autoBroadcastJoinThreshold", str(BROADCAST_BYTES))):
        spark.conf.set(key, value)
    if not os.environ.get("SPARK_REMOTE"):
        spark.sparkContext.setLogLevel("ERROR")
    return spark


def scale_partitions(spark, rows: int) -> None:
    """spark.sql.shuffle.partitions for a registry of ``rows`` rows (ROWS_PER_PARTITION), unless
    PRRT_SPARK_PARTITIONS sets it."""
    if not os.environ.get("PRRT_SPARK_PARTITIONS"):
        spark.conf.set("spark.sql.shuffle.partitions", str(max(MIN_PARTITIONS, -(-int(rows) // ROWS_PER_PARTITION))))


# Spark's power() is fdlibm's (java.lang.StrictMath), which differs from the C library's pow
# (DuckDB, PostgreSQL, numpy) in the last bit for some arguments: eGFR (CKD-EPI 2021, three
# powers) then differs by an ulp, enough for the eGFR mixed model of a small registry to move in
# the 6th digit. Spark therefore computes power() with the C library's pow as a Python UDF on
# whole Arrow batches: pyarrow.compute.power is std::pow per element (not a SIMD approximation,
# as numpy's array power may be), NULL in, NULL out; so every engine gives the same doubles.
POW_UDF = "prrt_pow"
_POWER = re.compile(r"\bPOWER\(", re.IGNORECASE)


def register_pow(spark) -> None:
    """Register POW_UDF: an Arrow UDF (pyspark >= 4.1), else a row-at-a-time Python UDF (local
    functions: pickled by value, the workers need pyarrow, numpy)."""
    from pyspark.sql.types import DoubleType

    try:
        from pyspark.sql.functions import arrow_udf
    except ImportError:   # pyspark 4.0
        arrow_udf = None
    if arrow_udf is not None:
        def _c_pow_batch(x, y):
            import pyarrow as pa
            import pyarrow.compute as pc

            return pc.power(x.cast(pa.float64()), y.cast(pa.float64()))

        spark.udf.register(POW_UDF, arrow_udf(_c_pow_batch, DoubleType()))
        return

    def _c_pow(x, y):
        import numpy as np

        if x is None or y is None:
            return None
        with np.errstate(all="ignore"):
            return float(np.power(np.float64(x), np.float64(y)))

    spark.udf.register(POW_UDF, _c_pow, DoubleType())


def with_c_pow(sql: str) -> str:
    """Spark SQL with every power() call through the C library's pow (POW_UDF)."""
    return _POWER.sub(f"{POW_UDF}(", sql)


class SparkEngine(Engine):
    """``scratch``: a folder the driver and the executors share (local mode: the handover folder)
    for the materialised relations, as Parquet; None: local checkpoints."""

    name = "spark"
    dialect = "spark"

    def __init__(self, spark, views: list[str], scratch=None):
        self.spark = spark
        self._views = list(views)
        self._scratch = scratch

    @classmethod
    def open(cls, tables: dict | None = None, master: str | None = None, scratch=None):
        """``tables``: registry table name -> Parquet path, read as temporary views."""
        spark = session(master)
        register_pow(spark)
        scale_partitions(spark, _rows(tables or {}))
        views = []
        for name, path in (tables or {}).items():
            spark.read.parquet(str(path)).createOrReplaceTempView(name)
            views.append(name)
        return cls(spark, views, scratch)

    def _arrow(self, sql: str) -> pa.Table:
        return self.spark.sql(with_c_pow(sql)).toArrow()

    def _export_parquet(self, sql: str, folder) -> None:
        self.spark.sql(with_c_pow(sql)).write.mode("overwrite").parquet(str(folder))

    def _materialize(self, name: str, sql: str) -> None:
        """Computed now and read back from Parquet files in ``scratch``: the lineage is cut (a
        later query never recomputes it) and the relation's statistics are its files' size, so
        that the joins broadcast the small relations (a checkpoint's size is an estimate from its
        plan: every join with a per-patient relation sorted the lab rows). No scratch folder: a
        local checkpoint (the executors' memory and disk)."""
        frame = self.spark.sql(with_c_pow(sql))
        if self._scratch is None:
            frame = frame.localCheckpoint(eager=True)
        else:
            from pathlib import Path

            path = str(Path(self._scratch) / f"relation-{len(self._views)}-{name}")
            frame.write.mode("overwrite").parquet(path)
            frame = self.spark.read.parquet(path)
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


def _rows(tables: dict) -> int:
    """Rows of the Parquet files ``tables`` (their footers; 0 for a folder or a missing file)."""
    from pathlib import Path

    import pyarrow.parquet as pq

    return sum(pq.read_metadata(str(p)).num_rows for p in tables.values() if Path(p).is_file())


def from_duckdb(con, folder, master: str | None = None) -> SparkEngine:
    """A Spark engine on the registry tables of a (validated) DuckDB connection, handed over as
    one Parquet file per table written into ``folder``; local mode materialises its relations
    there too (a cluster: local checkpoints, as the folder is the driver's)."""
    from pathlib import Path

    from prrt_rwe.schema import TABLES

    tables = {}
    for table in TABLES:
        path = Path(folder) / f"{table.name}.parquet"
        con.execute(f'COPY (SELECT * FROM "{table.name}") TO \'{path}\' (FORMAT parquet)')
        tables[table.name] = path
    local = not os.environ.get("SPARK_REMOTE") and \
        (master or os.environ.get("PRRT_SPARK_MASTER") or LOCAL_MASTER).startswith("local")
    return SparkEngine.open(tables=tables, master=master, scratch=folder if local else None)
