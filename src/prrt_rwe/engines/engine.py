"""What every engine offers the derivations: run a query written in DuckDB's dialect and get an
Arrow table back, and materialise a query as a named temporary relation that later queries
read. SQL is transpiled once per (query, dialect) by SQLGlot (:func:`transpile`)."""

from __future__ import annotations

from abc import ABC, abstractmethod
from functools import lru_cache

import pyarrow as pa

SOURCE_DIALECT = "duckdb"


class EngineError(Exception):
    """An engine that cannot be opened or used; the message says which and why."""


@lru_cache(maxsize=512)
def transpile(sql: str, dialect: str) -> str:
    """``sql`` (DuckDB dialect) in ``dialect``; unchanged for DuckDB itself."""
    if dialect == SOURCE_DIALECT:
        return sql
    import sqlglot

    statements = sqlglot.transpile(sql, read=SOURCE_DIALECT, write=dialect, unsupported_level=sqlglot.ErrorLevel.RAISE)
    if len(statements) != 1:
        raise EngineError(f"expected one SQL statement, got {len(statements)}")
    return statements[0]


class Engine(ABC):
    """A connection to one engine; ``name`` is duckdb, postgresql or spark."""

    name: str = ""
    dialect: str = SOURCE_DIALECT

    def arrow(self, sql: str) -> pa.Table:
        """Result of a SELECT (DuckDB dialect) as an Arrow table."""
        return self._arrow(transpile(sql, self.dialect))

    def materialize(self, name: str, sql: str) -> None:
        """Make the SELECT ``sql`` (DuckDB dialect) readable as relation ``name``."""
        self._materialize(name, transpile(sql, self.dialect))

    def view(self, name: str, sql: str) -> None:
        """Make the SELECT ``sql`` (DuckDB dialect) readable as relation ``name``, computed when
        read (no copy: for the big row tables read once or twice)."""
        self._view(name, transpile(sql, self.dialect))

    def export_parquet(self, sql: str, folder) -> None:
        """Write the rows of the SELECT ``sql`` (DuckDB dialect), in any order, as Parquet files
        ``folder/*.parquet`` (made here), streaming: never the whole result in Python."""
        self._export_parquet(transpile(sql, self.dialect), folder)

    def _export_parquet(self, sql: str, folder) -> None:
        raise EngineError(f"{self.name} cannot export Parquet")

    def release(self) -> None:
        """Free the memory the engine holds for this process once nothing more is read from it
        (its staged relations dropped): derive_all, when its caller closes the engine next.
        Nothing by default (PostgreSQL and Spark hold it in their own processes)."""

    def drop(self, names) -> None:
        """Free the staged relations ``names`` that nothing reads any more (derive_all, when its
        caller closes the engine next). Nothing by default (PostgreSQL and Spark hold them in
        their own processes)."""

    @abstractmethod
    def _view(self, name: str, sql: str) -> None: ...

    @abstractmethod
    def _arrow(self, sql: str) -> pa.Table: ...

    @abstractmethod
    def _materialize(self, name: str, sql: str) -> None: ...

    @abstractmethod
    def has_table(self, name: str) -> bool: ...

    @abstractmethod
    def close(self) -> None: ...

    def on_close(self, callback) -> None:
        """Run ``callback`` after the engine is closed (e.g. remove its temporary files)."""
        self.__dict__.setdefault("_on_close", []).append(callback)

    def closed(self) -> None:
        for callback in self.__dict__.pop("_on_close", []):
            callback()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
