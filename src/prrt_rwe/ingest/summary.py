"""Per-site summary of a registry: rows per table, % missing covariates, issue counts."""

from __future__ import annotations

from collections import Counter

from prrt_rwe.ingest.codes import CODES_BY_ID, ERROR
from prrt_rwe.ingest.covariates import percent_missing_by_site
from prrt_rwe.ingest.issues import Issue
from prrt_rwe.ingest.parse import ParsedTable
from prrt_rwe.ingest.report import SiteSummary


def site_summaries(tables: dict[str, ParsedTable], issues: list[Issue]) -> list[SiteSummary]:
    """One SiteSummary per site seen in any table, sorted by site_id."""
    rows: dict[str, dict[str, int]] = {}
    for name, table in tables.items():
        counts = table.values["site_id"].dropna().astype("str").value_counts()
        for site, n in counts.items():
            rows.setdefault(site, {})[name] = int(n)
    missing = percent_missing_by_site(tables["patients"]) if "patients" in tables else None
    errors = Counter(i.site for i in issues if i.site and CODES_BY_ID[i.code].severity == ERROR)
    warnings = Counter(i.site for i in issues if i.site and CODES_BY_ID[i.code].severity != ERROR)
    out = []
    for site in sorted(rows):
        pct = {}
        if missing is not None and site in missing.index:
            pct = {c: float(missing.loc[site, c]) for c in missing.columns}
        table_rows = {name: rows[site].get(name, 0) for name in tables}
        out.append(SiteSummary(site, table_rows, pct, warnings[site], errors[site]))
    return out
