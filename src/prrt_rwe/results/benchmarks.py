"""results.json ``benchmarks`` (results-v1.md, version 1): one item per published endpoint
that our cohort also estimates, ``{"study", "endpoint", "published", "ours"}`` — our whole
cohort's point estimate beside the published one, as the v1 contract defines it.  The
report reads the matched ``comparisons`` (:mod:`prrt_rwe.results.comparisons`) instead.

Each row of :data:`ENDPOINTS` pairs a figure of published.yaml (study id, key, and the
arm or field that holds the PRRT value) with the path of the same quantity in our
results. Published figures that are not a number (e.g. "renal grade >= 3 below 1 %") and
quantities defined differently from ours (MDS alone vs our MDS/AML) are left out here and
discussed in the report's benchmark section instead.
"""

from __future__ import annotations

from dataclasses import dataclass

from prrt_rwe.benchmarks.published import study


@dataclass(frozen=True)
class Endpoint:
    study: str
    key: str  # key of results: in published.yaml
    field: str | None  # field holding the PRRT-arm value (None: the value itself)
    ours: tuple  # path into our results (dicts), or into extras when it starts with "extras"
    label: str


ENDPOINTS: tuple[Endpoint, ...] = (
    Endpoint("okamoto2026", "orr", "estimate", ("response", "orr", "estimate"), "ORR (confirmed)"),
    Endpoint("okamoto2026", "orr_pancreas", "estimate",
             ("response", "by_primary_group", "pancreas", "estimate"), "ORR, pancreas"),
    Endpoint("okamoto2026", "orr_hindgut", "estimate",
             ("response", "by_primary_group", "hindgut", "estimate"), "ORR, hindgut"),
    Endpoint("okamoto2026", "pfs_median_months", "estimate", ("pfs", "median_months"),
             "Median PFS (months)"),
    Endpoint("okamoto2026", "hormonal_marked_improvement", None,
             ("extras", "hormonal_marked_share"), "Hormonal symptoms: marked improvement"),
    Endpoint("okamoto2026", "hematologic_grade3plus", "estimate",
             ("safety", "ae", "hematologic_grade3plus", "estimate"), "Haematologic grade >= 3 (AE)"),
    Endpoint("netter1", "pfs_rate_20m", "prrt", ("pfs", "rate_at", "20", "estimate"), "PFS rate at 20 months"),
    Endpoint("netter1", "orr", "prrt", ("response", "orr", "estimate"), "ORR"),
    Endpoint("netter1", "os_median_months_final", "prrt", ("os", "median_months"), "Median OS (months)"),
    Endpoint("netter1", "grade34_neutropenia", None, ("extras", "lab_grade3plus", "neutrophils", "estimate"),
             "Grade 3-4 neutropenia (lab)"),
    Endpoint("netter1", "grade34_thrombocytopenia", None,
             ("extras", "lab_grade3plus", "platelets", "estimate"), "Grade 3-4 thrombocytopenia (lab)"),
    Endpoint("netter1", "grade34_lymphopenia", None,
             ("extras", "lab_grade3plus", "lymphocytes", "estimate"), "Grade 3-4 lymphopenia (lab)"),
    Endpoint("netter2", "pfs_median_months", "prrt", ("pfs", "median_months"), "Median PFS (months)"),
    Endpoint("netter2", "orr", "prrt", ("response", "orr", "estimate"), "ORR"),
    Endpoint("netter2", "grade3plus_hematologic", "prrt",
             ("safety", "ae", "hematologic_grade3plus", "estimate"), "Haematologic grade >= 3 (AE)"),
    Endpoint("brabander2017", "orr", None, ("response", "orr", "estimate"), "ORR"),
    Endpoint("brabander2017", "pfs_median_months", "estimate", ("pfs", "median_months"), "Median PFS (months)"),
    Endpoint("brabander2017", "os_median_months", "estimate", ("os", "median_months"), "Median OS (months)"),
    Endpoint("compete", "pfs_median_months", "prrt", ("pfs", "median_months"), "Median PFS (months)"),
    Endpoint("compete", "orr", "prrt", ("response", "orr", "estimate"), "ORR"),
    Endpoint("netter_r_pnet", "orr", None, ("response", "by_primary_group", "pancreas", "estimate"),
             "ORR, pancreas"),
    Endpoint("netter_r_pnet", "pfs_median_months", None, ("extras", "pfs_median_months_pancreas"),
             "Median PFS, pancreas (months)"),
    Endpoint("netter_r_pnet", "os_median_months", None, ("extras", "os_median_months_pancreas"),
             "Median OS, pancreas (months)"),
)


def published_value(ep: Endpoint):
    """The PRRT-arm number of a published endpoint; ``{n, N}`` becomes n / N."""
    value = study(ep.study).results[ep.key]
    if ep.field is not None:
        value = value[ep.field]
    if isinstance(value, dict) and "n" in value and "N" in value:
        value = value["n"] / value["N"]
    return float(value)


def lookup(results: dict, extras: dict, path: tuple):
    node = extras if path[0] == "extras" else results
    for key in path[1:] if path[0] == "extras" else path:
        if not isinstance(node, dict) or key not in node:
            return None
        node = node[key]
    return node


def benchmarks(results: dict, extras: dict) -> list[dict]:
    return [{"study": ep.study, "endpoint": ep.key, "published": published_value(ep),
             "ours": lookup(results, extras, ep.ours)} for ep in ENDPOINTS]
