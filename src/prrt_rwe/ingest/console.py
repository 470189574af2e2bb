"""Terminal output of a ValidationReport: the issue lines, then one summary table per site.

Plain text when the console is not a terminal (rich drops colour then). Values are printed
literally: markup is escaped, emoji codes are off (``cycles.csv:100:date`` holds ``:100:``)
and every control character is escaped (a site id holding ESC sequences cannot steer the
terminal; outputs/terminal.py).
"""

from __future__ import annotations

from rich import box
from rich.console import Console
from rich.markup import escape as _markup_escape
from rich.table import Table

from prrt_rwe.ingest.report import ValidationReport
from prrt_rwe.outputs.terminal import printable


def escape(text: str) -> str:
    return _markup_escape(printable(text, keep_newlines=False))

STYLES = {"error": "red", "warning": "yellow"}
# Short column headings so the summary fits 80 columns; sites.csv rows are not counted.
TABLE_LABELS = {"patients": "patients", "cycles": "cycles", "assessments": "scans",
                "lesions": "lesions", "labs": "labs", "adverse_events": "AEs",
                "hormonal_symptoms": "syndr."}
COVARIATE_LABELS = {"primary_site": "primary", "ki67_percent": "Ki-67",
                    "krenning_score": "Krenning", "liver_metastases": "liver mets",
                    "liver_tumor_burden_percent": "burden",
                    "largest_liver_lesion_mm": "lesion", "ssa_concomitant": "SSA"}


def print_report(report: ValidationReport, console: Console | None = None) -> None:
    """Print every issue as ``file:line:column: CODE message`` and the per-site summary."""
    console = console or Console(emoji=False)
    for issue in report.issues:
        console.print(escape(issue.format()), style=STYLES[issue.severity], highlight=False,
                      soft_wrap=True, emoji=False)
    if report.site_summary:
        console.print(_rows_table(report))
        if any(s.missing_percent for s in report.site_summary):
            console.print(_missing_table(report))
    verdict = "ok" if report.ok else "invalid"
    console.print(escape(f"{report.source}: {verdict} (errors: {len(report.errors)}, "
                         f"warnings: {len(report.warnings)})"), highlight=False, soft_wrap=True,
                  emoji=False)


def _rows_table(report: ValidationReport) -> Table:
    present = {name for s in report.site_summary for name in s.rows}
    tables = [t for t in TABLE_LABELS if t in present]
    grid = Table(box=box.SIMPLE_HEAD, title="rows per table and issues, by site")
    for name in ["site", *[TABLE_LABELS[t] for t in tables], "warn", "err"]:
        grid.add_column(name, justify="left" if name == "site" else "right", min_width=len(name))
    for site in report.site_summary:
        grid.add_row(escape(site.site_id), *[str(site.rows.get(t, 0)) for t in tables],
                     str(site.warnings), str(site.errors))
    return grid


def _missing_table(report: ValidationReport) -> Table:
    covariates = list(dict.fromkeys(c for s in report.site_summary for c in s.missing_percent))
    grid = Table(box=box.SIMPLE_HEAD, title="% of patients missing each model covariate, by site")
    for name in ["site", *[COVARIATE_LABELS.get(c, c) for c in covariates]]:
        grid.add_column(name, justify="left" if name == "site" else "right", min_width=len(name))
    for site in report.site_summary:
        grid.add_row(escape(site.site_id), *[f"{site.missing_percent[c]:.1f}"
                                             if c in site.missing_percent else "" for c in covariates])
    return grid
