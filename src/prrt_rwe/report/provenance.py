"""Provenance: code version, input fingerprint, configuration and the software in use, so
that a reader can tie the report to its input and rerun it."""

from __future__ import annotations

import platform
from importlib import metadata

from prrt_rwe.report.section import Section
from prrt_rwe.report.table import Table

PACKAGES = ("prrt-rwe", "numpy", "scipy", "pandas", "pyarrow", "duckdb", "matplotlib", "jinja2")


def versions() -> dict:
    out = {"python": platform.python_version()}
    for name in PACKAGES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = None
    return out


def section(ctx) -> Section:
    p = ctx.provenance
    rows = (("Run id", p.get("run_id") or "unknown"),
            ("prrt-rwe version", p.get("code_version") or "unknown"),
            ("Input", p.get("input_kind") or "unknown"),
            ("Input fingerprint (SHA-256)", p.get("input_fingerprint") or "unknown"),
            ("Study configuration", p.get("config") or "defaults of derivations.md"),
            ("Comparator files", ", ".join(f"{c['id']} ({c['file']})" for c in p.get("comparators", [])) or "none"),
            ("Small-cell suppression", f"counts below {ctx.numbers.suppress_below}"
             if ctx.numbers.suppress_below else "none"),
            ("Software", ", ".join(f"{k} {v}" for k, v in (p.get("versions") or {}).items() if v)))
    t = Table("Provenance", ("", ""), rows,
              footnotes=("results.json is byte-identical for the same input and configuration; run "
                         "times and dates are kept apart in run.json.",), table_id="table-provenance", text_columns=2)
    return Section("provenance", "Provenance", t.html())
