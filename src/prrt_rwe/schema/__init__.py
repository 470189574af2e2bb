"""The registry format as data (tables, columns, codes, units) and its DuckDB layout."""

from prrt_rwe.schema.registry_v1 import (
    FORMAT_VERSION,
    TABLES,
    TABLES_BY_NAME,
    Column,
    Table,
)
from prrt_rwe.schema.units import UNITS, normalize_unit, to_canonical
from prrt_rwe.schema.duckdb_layout import create_tables, table_ddl

__all__ = [
    "FORMAT_VERSION", "TABLES", "TABLES_BY_NAME", "Column", "Table", "UNITS",
    "normalize_unit", "to_canonical", "create_tables", "table_ddl",
]
