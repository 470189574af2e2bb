"""Data quality of the input: validation findings by code and a per-site summary (rows,
share of missing model covariates, warnings), from the ingest ValidationReport."""

from __future__ import annotations

from prrt_rwe.ingest.codes import CODES_BY_ID
from prrt_rwe.report.section import Section, paragraph
from prrt_rwe.report.table import Table


def quality_summary(report) -> dict:
    """JSON-able summary of a ValidationReport, or of the summary dict an ingested database
    stores (ValidationReport.summary()); ``{"available": False}`` without either."""
    if report is None:
        return {"available": False}
    summary = report if isinstance(report, dict) else report.summary()
    return {"available": True, **summary}


def codes_table(q: dict, nb) -> Table:
    rows = tuple((code, CODES_BY_ID[code].severity, CODES_BY_ID[code].title, nb.count(n))
                 for code, n in q["codes"].items())
    return Table("Table 12. Validation findings by code", ("Code", "Severity", "Finding", "Rows"),
                 rows or (("—", "—", "no findings", "0"),),
                 footnotes=("Warnings are ingested and flagged; any error stops the analysis. "
                            "`prrt-rwe validate DIR` lists each finding as file:line:column.",),
                 table_id="table-quality-codes", text_columns=3)


def sites_table(q: dict, nb) -> Table:
    covariates = sorted({c for s in q["sites"] for c in s["missing_percent"]})
    rows = tuple((s["site_id"], nb.count(s["rows"].get("patients", 0)),
                  *[nb.number(s["missing_percent"].get(c), 0) for c in covariates],
                  nb.count(s["warnings"])) for s in q["sites"])
    return Table("Table 13. Data quality by site",
                 ("Site", "Patients", *[f"% missing {c.replace('_', ' ')}" for c in covariates], "Warnings"), rows,
                 footnotes=("Site codes as given in the registry (pseudonymous); no patient "
                            "identifier appears in this report.",),
                 table_id="table-quality-sites")


def section(ctx) -> Section:
    q = ctx.quality
    if not q.get("available"):
        body = paragraph("The analysis read a database written without a stored validation summary "
                         "(an older prrt-rwe); ingest it again to see its data quality here.")
    else:
        body = codes_table(q, ctx.numbers).html() + sites_table(q, ctx.numbers).html()
    return Section("quality", "Data quality", body,
                   lead=f"{q.get('warnings', 0)} warnings, {q.get('errors', 0)} errors."
                   if q.get("available") else "")
