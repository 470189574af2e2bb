"""docs/registry-format.md, written from the schema so the docs cannot drift from validation.

Regenerate with ``python -m prrt_rwe.schema.markdown > docs/registry-format.md``.
"""

from __future__ import annotations

from prrt_rwe.schema.registry_v1 import FORMAT_VERSION, TABLES, Column, Table
from prrt_rwe.schema.units import UNITS


def _range(col: Column) -> str:
    parts = []
    if col.min is not None or col.max is not None:
        lo = "" if col.min is None else f"{col.min:g}"
        hi = "" if col.max is None else f"{col.max:g}"
        parts.append(f"{lo}–{hi}" if col.max is not None else f"≥ {lo}")
    if col.warn_min is not None or col.warn_max is not None:
        parts.append(f"warning outside {col.warn_min:g}–{col.warn_max:g}")
    return "; ".join(parts)


def _values(col: Column) -> str:
    items = [", ".join(f"`{c}`" for c in col.codes)] if col.codes else []
    items += [x for x in (_range(col), col.note) if x]
    return "; ".join(items)


def table_markdown(table: Table) -> str:
    status = "required file" if table.file_required else "optional file"
    lines = [f"## {table.filename} ({status})", "", table.note, "",
             "| column | type | required | values / notes |", "|---|---|---|---|"]
    lines += [f"| {c.name} | {c.type} | {'yes' if c.required else 'no'} | {_values(c)} |"
              for c in table.columns]
    if table.key:
        lines += ["", "Key: " + " + ".join(table.key) + "."]
    return "\n".join(lines)


def units_markdown() -> str:
    lines = ["## Laboratory units", "", "| test | accepted unit | canonical unit | factor |",
             "|---|---|---|---|"]
    for test, units in UNITS.items():
        lines += [f"| {test} | {u} | {canon} | {factor:g} |" for u, (canon, factor) in units.items()]
    return "\n".join(lines)


def registry_markdown() -> str:
    head = (f"# Registry format ({FORMAT_VERSION})\n\nGenerated from `src/prrt_rwe/schema/` — the "
            "tables validation reads. CSV folder (UTF-8, comma, one header row) or one .xlsx "
            "workbook with sheets of the same names. Dates ISO `YYYY-MM-DD`; yes/no as "
            "`yes`/`no` (`y`/`n`, `true`/`false`, `1`/`0`); codes and units case-insensitive, "
            "`µ` = `u`. Validation codes: [validation-codes.md](validation-codes.md).")
    return "\n\n".join([head, *(table_markdown(t) for t in TABLES), units_markdown()]) + "\n"


if __name__ == "__main__":
    print(registry_markdown(), end="")
