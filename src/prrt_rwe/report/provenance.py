"""Provenance: code version, input fingerprint, configuration and the software in use, so
that a reader can tie the report to its input and rerun it; the derivation rules
(docs/derivations.md) are written beside the report as OUT/derivations.md and linked."""

from __future__ import annotations

import hashlib
import platform
from importlib import metadata, resources
from pathlib import Path

from prrt_rwe.report.section import Section
from prrt_rwe.report.table import Table

RULES_FILE = "derivations.md"  # docs/derivations.md, packaged in report/templates/


def rules_text() -> str:
    """The derivation rules (the text of docs/derivations.md)."""
    return resources.files("prrt_rwe.report").joinpath("templates", RULES_FILE).read_text("utf-8")


def write_rules_text(out: Path) -> Path:
    path = Path(out) / RULES_FILE
    path.write_text(rules_text(), encoding="utf-8")
    return path


def rules_link() -> str:
    """HTML: a link to OUT/derivations.md (relative, so it works offline beside report.html)."""
    return (f'<a href="{RULES_FILE}">{RULES_FILE}</a> (beside this report; docs/derivations.md '
            "in the prrt-rwe sources)")


def file_sha256(path) -> str | None:
    return None if path is None else hashlib.sha256(Path(path).read_bytes()).hexdigest()

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
            *((("Input note", p["input_note"]),) if p.get("input_note") else ()),
            ("Input fingerprint (SHA-256)", p.get("input_fingerprint") or "unknown"),
            ("Study configuration", f"{p['config']} (SHA-256 {p.get('config_sha256')})" if p.get("config")
             else "defaults of derivations.md (no study.toml)"),
            ("Comparator files", ", ".join(f"{c['id']} ({c['file']})" for c in p.get("comparators", [])) or "none"),
            ("Small-cell suppression", f"counts below {ctx.numbers.suppress_below}"
             if ctx.numbers.suppress_below else "none"),
            ("Software", ", ".join(f"{k} {v}" for k, v in (p.get("versions") or {}).items() if v)))
    t = Table("Provenance", ("", ""), rows,
              footnotes=("results.json is byte-identical for the same input and configuration; run "
                         "times and dates are kept apart in run.json.",), table_id="table-provenance", text_columns=2)
    rules = f"<p>Derivation rules in force: {rules_link()}; the values in force are listed in " \
            '<a href="#methods">Statistical methods</a>.</p>'
    return Section("provenance", "Provenance", t.html() + rules)
