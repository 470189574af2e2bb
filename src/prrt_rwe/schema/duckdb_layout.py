"""The DuckDB layout that ingest writes and derive/ reads.

One table per registry table, same name; the registry columns in schema order with their
DuckDB types (codes stored in the canonical spelling of the schema, yes/no as BOOLEAN),
then the table's derived columns, then ``source_line`` (the line of the row in its file,
header = line 1) so every derived value can be traced to its input. Extra columns of the
input are kept in ``extra_columns`` (table, source_line, column, value), never dropped.
``validation_summary`` holds the data-quality summary of the validation that admitted the
data (one row: its JSON, schema ``prrt-rwe/validation-summary/1``: error and warning
counts, findings by code, per-site rows and % missing), so ``analyze --db`` reports data
quality as ``analyze REGISTRY`` does.
"""

from __future__ import annotations

from prrt_rwe.schema.registry_v1 import DUCKDB_TYPES, TABLES, Table


def table_ddl(table: Table) -> str:
    """CREATE TABLE statement for one registry table."""
    cols = [f'"{c.name}" {DUCKDB_TYPES[c.type]}' for c in table.columns]
    cols += [f'"{name}" {sqltype}' for name, sqltype in table.derived_columns]
    cols.append('"source_line" BIGINT')
    return f'CREATE TABLE "{table.name}" ({", ".join(cols)})'


META_DDL = (
    'CREATE TABLE "ingest_meta" ("key" VARCHAR, "value" VARCHAR)',
    'CREATE TABLE "extra_columns" ("table_name" VARCHAR, "source_line" BIGINT, '
    '"column_name" VARCHAR, "value" VARCHAR)',
    'CREATE TABLE "validation_summary" ("schema" VARCHAR, "summary" VARCHAR)',
)
VALIDATION_SUMMARY_SCHEMA = "prrt-rwe/validation-summary/1"


def create_tables(con) -> None:
    """Create every registry table (empty) and the metadata tables in a DuckDB connection."""
    for table in TABLES:
        con.execute(table_ddl(table))
    for ddl in META_DDL:
        con.execute(ddl)
