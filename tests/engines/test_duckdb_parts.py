"""DuckDBEngine.copy_parts_to_parquet (engines/duckdb_engine.py): the parts one after the other
in one file, ``inspect`` on the connection's worker right after each query, ``assemble`` on the
thread that writes (issue 17: the two threads' shares even)."""

import threading

import pyarrow as pa
import pyarrow.parquet as pq

from prrt_rwe.engines.duckdb_engine import DuckDBEngine


def test_parts_in_order_with_inspect_on_the_worker_and_assemble_on_the_writer(tmp_path):
    sqls = [f"SELECT CAST(i AS BIGINT) AS x, CAST(i * 2 AS BIGINT) AS y FROM range({lo}, {lo + 3}) t(i)"
            for lo in (0, 10, 20)]
    seen, threads = [], {"inspect": set(), "assemble": set()}

    def inspect(i, table):
        threads["inspect"].add(threading.get_ident())
        seen.append((i, table["x"].to_pylist()))

    def assemble(i, table):
        threads["assemble"].add(threading.get_ident())
        return table.set_column(1, "y", pa.chunked_array([pa.array([v + i for v in table["y"].to_pylist()],
                                                                     pa.int64())]))

    with DuckDBEngine.open() as engine:
        engine.copy_parts_to_parquet(sqls, tmp_path / "f.parquet", assemble=assemble, inspect=inspect)
    out = pq.read_table(tmp_path / "f.parquet")
    assert out["x"].to_pylist() == [0, 1, 2, 10, 11, 12, 20, 21, 22]
    assert out["y"].to_pylist() == [0, 2, 4, 21, 23, 25, 42, 44, 46]
    assert seen == [(0, [0, 1, 2]), (1, [10, 11, 12]), (2, [20, 21, 22])]
    assert threads["assemble"] == {threading.get_ident()}
    assert threading.get_ident() not in threads["inspect"]


def test_trim_heap_is_glibc_malloc_trim_or_nothing():
    import platform

    from prrt_rwe.engines import duckdb_engine

    trim = duckdb_engine._malloc_trim()
    if platform.system() == "Linux" and platform.libc_ver()[0] == "glibc":
        assert trim is not None and trim(0) in (0, 1)   # 1: memory was released, 0: none could be
    duckdb_engine.trim_heap()   # never raises, whatever the C library


def test_drop_frees_named_temp_tables_only():
    with DuckDBEngine.open() as engine:
        engine.materialize("prrt_a", "SELECT 1 AS x")
        engine.materialize("prrt_b", "SELECT 2 AS x")
        engine.drop(["prrt_a", "prrt_missing"])   # a name not staged: nothing
        assert not engine.has_table("prrt_a") and engine.arrow("SELECT x FROM prrt_b")["x"].to_pylist() == [2]
