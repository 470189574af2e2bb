"""Data quality of the input: validation findings by code and a per-site summary (rows,
share of missing model covariates, warnings), from the ingest ValidationReport."""

from __future__ import annotations

from prrt_rwe.ingest.codes import CODES_BY_ID
from prrt_rwe.report.cells import Percent, Show, Sum
from prrt_rwe.report.section import Section, paragraph
from prrt_rwe.report.study_period import cutoff_table, period_sentence
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


def sites_table(q: dict, nb, enrolled: int | None = None) -> Table:
    """Patients and % missing per site: a % of a small site, or of a few missing patients,
    is masked; the sites add up to the enrolled patients (complementary suppression)."""
    covariates = sorted({c for s in q["sites"] for c in s["missing_percent"]})
    rows, patients = [], []
    for s in q["sites"]:
        n = nb.n(f"data_quality.sites.{s['site_id']}.patients", s["rows"].get("patients", 0))
        patients.append(n)
        missing = [None if s["missing_percent"].get(c) is None else
                   Percent(nb.n(f"data_quality.sites.{s['site_id']}.missing.{c}",
                                round(s["missing_percent"][c] * n.value / 100)), n, digits=0)
                   for c in covariates]
        rows.append((s["site_id"], Show(n), *[m or "NA" for m in missing], nb.count(s["warnings"])))
    sums = ()
    if enrolled is not None and sum(n.value for n in patients) == enrolled:
        sums = (Sum(nb.n("analysis_sets.enrolled", enrolled), tuple(patients)),)
    return Table("Table 13. Data quality by site",
                 ("Site", "Patients", *[f"% missing {c.replace('_', ' ')}" for c in covariates], "Warnings"),
                 tuple(rows),
                 footnotes=("Site codes as given in the registry (pseudonymous); no patient "
                            "identifier appears in this report.",),
                 table_id="table-quality-sites", sums=sums, numbers=nb)


def section(ctx) -> Section:
    q = ctx.quality
    if not q.get("available"):
        body = paragraph("The analysis read a database written without a stored validation summary "
                         "(an older prrt-rwe); ingest it again to see its data quality here.")
    else:
        body = codes_table(q, ctx.numbers).html() + \
            sites_table(q, ctx.numbers, ctx.results["analysis_sets"]["enrolled"]).html()
    body += paragraph(period_sentence(ctx)) + cutoff_table(ctx).html()
    return Section("quality", "Data quality", body,
                   lead=f"{q.get('warnings', 0)} warnings, {q.get('errors', 0)} errors."
                   if q.get("available") else "")
