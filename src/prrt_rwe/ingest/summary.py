"""Per-site summary of a registry: rows per table, % missing covariates, issue counts.

The counts behind it (:class:`SiteCounts`) add up over the parts of a registry read in parts
(ingest/engine_reader.py); the percentages are computed once, from the sums."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import numpy as np

from prrt_rwe.ingest.codes import CODES_BY_ID, ERROR
from prrt_rwe.ingest.covariates import missing_covariates
from prrt_rwe.ingest.issues import Issue
from prrt_rwe.ingest.parse import ParsedTable
from prrt_rwe.ingest.report import SiteSummary


@dataclass
class SiteCounts:
    """Rows per site and table, patients rows per site, and missing covariates per site."""

    rows: dict[str, Counter] = field(default_factory=dict)
    tables: list[str] = field(default_factory=list)
    patients: Counter = field(default_factory=Counter)
    missing: dict[str, Counter] = field(default_factory=dict)
    covariates: tuple[str, ...] | None = None

    def add(self, tables: dict[str, ParsedTable]) -> None:
        for name, table in tables.items():
            if name not in self.tables:
                self.tables.append(name)
            counts = table.values["site_id"].dropna().astype("str").value_counts()
            for site, n in counts.items():
                self.rows.setdefault(site, Counter())[name] += int(n)
        if "patients" in tables:
            patients = tables["patients"]
            masks = missing_covariates(patients)
            self.covariates = tuple(masks)
            site = patients.values["site_id"].fillna("").astype("str").to_numpy(dtype=object)
            for s, n in Counter(site.tolist()).items():
                self.patients[s] += n
            for name, mask in masks.items():
                for s, n in Counter(site[mask].tolist()).items():
                    self.missing.setdefault(s, Counter())[name] += n

    def merge(self, other: SiteCounts) -> None:
        """Add the counts of another part (as if ``add`` had been called with its tables)."""
        for name in other.tables:
            if name not in self.tables:
                self.tables.append(name)
        for site, counts in other.rows.items():
            self.rows.setdefault(site, Counter()).update(counts)
        self.patients.update(other.patients)
        for site, counts in other.missing.items():
            self.missing.setdefault(site, Counter()).update(counts)
        if other.covariates is not None:
            self.covariates = other.covariates

    def percent_missing(self, site: str) -> dict[str, float]:
        n = self.patients.get(site, 0)
        if self.covariates is None or n == 0:
            return {}
        return {c: float(np.round(self.missing.get(site, Counter())[c] / n * 100, 1)) for c in self.covariates}


def site_summaries(tables: dict[str, ParsedTable], issues: list[Issue]) -> list[SiteSummary]:
    """One SiteSummary per site seen in any table, sorted by site_id."""
    counts = SiteCounts()
    counts.add(tables)
    return summaries_of(counts, issues)


def summaries_of(counts: SiteCounts, issues: list[Issue]) -> list[SiteSummary]:
    errors = Counter(i.site for i in issues if i.site and CODES_BY_ID[i.code].severity == ERROR)
    warnings = Counter(i.site for i in issues if i.site and CODES_BY_ID[i.code].severity != ERROR)
    out = []
    for site in sorted(counts.rows):
        table_rows = {name: counts.rows[site].get(name, 0) for name in counts.tables}
        out.append(SiteSummary(site, table_rows, counts.percent_missing(site), warnings[site], errors[site]))
    return out
