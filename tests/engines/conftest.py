"""Session-scoped servers of the engine tests: one PostgreSQL, one Spark session (local mode)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from servers import PostgresServer, pg_available  # noqa: E402


@pytest.fixture(scope="session")
def postgres_url():
    if not pg_available():
        pytest.skip("PostgreSQL 15 binaries not installed (scripts/install-system-deps.sh)")
    server = PostgresServer().start()
    try:
        yield server.url
    finally:
        server.stop()


@pytest.fixture(scope="session")
def spark():
    import os

    from prrt_rwe.engines.spark_engine import session

    os.environ.setdefault("PRRT_SPARK_PARTITIONS", "2")   # test registries are small

    spark = session()
    try:
        yield spark
    finally:
        spark.stop()
