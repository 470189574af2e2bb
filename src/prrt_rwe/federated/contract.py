"""Which keys of results.json (and of the report's extras) a node releases as counts, and how
the coordinator combines them (shared/spec/federated.md, "results.json in federated mode").

A key path is written ``a.b[].c`` (list positions as ``[]``) and matched with shell patterns:

* ``COUNTS``: whole numbers of patients; summed over sites;
* ``PROPORTIONS``: ``{n, N, estimate, ci95}`` blocks; n and N summed, the estimate and its
  Clopper-Pearson interval recomputed from the sums (results/proportion.py);
* ``LABELS``: fixed text or numbers that are the same at every site (a reason, a month);
  released as they are and checked equal;
* ``TABLES``: keys whose counts partition one set of patients (released all or none).

Nothing else leaves a node from the local results: a key outside these lists is either
computed by the coordinator from other releases (survival curves, models, medians of integer
values; federated/assembly.py) or not available (null, listed in ``federation.not_available``).
A key another engineer adds to results.json is therefore never summed by accident: it is null
until it is listed here or computed there.
"""

from __future__ import annotations

from fnmatch import fnmatchcase
from functools import lru_cache

__all__ = ["COUNTS", "LABELS", "PROPORTIONS", "TABLES", "kind_of", "leaves", "path_join"]

COUNTS = {
    "results": (
        "analysis_sets.enrolled", "analysis_sets.safety", "analysis_sets.efficacy",
        "analysis_sets.excluded[].n",
        "baseline.primary_group.*", "baseline.who_grade.*", "baseline.krenning4", "baseline.functioning",
        "response.bor_counts.*",
        "safety.N", "safety.lab.worst_grade.*.*",
        "safety.lab_te.worst_grade.*.*", "safety.lab_te_late.worst_grade.*.*", "safety.shift.*.*.*",
        "populations.evaluable", "populations.complete_case",
        "response_evaluable.bor_counts.*", "response_complete_case.bor_counts.*",
        "hormonal_symptoms.evaluable", "hormonal_symptoms.marked_improvement",
        "hormonal_symptoms.any_improvement",
    ),
    "extras": (
        "characteristics.*",   # Table 1: every whole number is a count of patients (median, quartiles are not)
        "ranges_defaulted.*", "data_cutoff_ignored.*",
        "egfr_trajectory[].n",
    ),
}

PROPORTIONS = {
    "results": (
        "response.orr", "response.orr_unconfirmed", "response.dcr", "response.by_primary_group.*",
        "response_evaluable.orr", "response_evaluable.orr_unconfirmed", "response_evaluable.dcr",
        "response_evaluable.by_primary_group.*",
        "response_complete_case.orr", "response_complete_case.orr_unconfirmed", "response_complete_case.dcr",
        "response_complete_case.by_primary_group.*",
        "safety.lab.hematologic_grade3plus", "safety.lab.renal_grade3plus", "safety.lab.egfr_decline30_12m",
        "safety.ae.*",
        "safety.lab_te.hematologic_grade3plus", "safety.lab_te.renal_grade3plus",
        "safety.lab_te_late.hematologic_grade3plus", "safety.lab_te_late.renal_grade3plus",
    ),
    "extras": (),
}

LABELS = {
    "results": ("schema", "analysis_sets.excluded[].reason", "models.*.terms[].term", "populations.headline"),
    "extras": ("egfr_trajectory[].month", "sensitivity.*.terms[].term"),
}

# Tables whose counts partition one set of patients across several keys (enrolled = efficacy
# + each exclusion): a site releases all of their counts or none (disclosure.py rule 1).
TABLES = {"results": ("analysis_sets",), "extras": ()}

_CONTINUOUS_SUMMARY = ("median", "q1", "q3")


def leaves(tree, path: str = ""):
    """(path, value) of every leaf of a results.json tree, list positions as ``[i]``."""
    if isinstance(tree, dict):
        for k, v in tree.items():
            yield from leaves(v, f"{path}.{k}" if path else str(k))
    elif isinstance(tree, (list, tuple)):
        for i, v in enumerate(tree):
            yield from leaves(v, f"{path}[{i}]")
    else:
        yield path, tree


def path_join(prefix: str, key) -> str:
    if isinstance(key, int):
        return f"{prefix}[]"
    return f"{prefix}.{key}" if prefix else str(key)


def _matches(path: str, patterns) -> bool:
    return any(fnmatchcase(path, p) for p in patterns)


@lru_cache(maxsize=None)   # a study has a few thousand key paths; each is asked per site and release
def kind_of(document: str, path: str) -> str | None:
    """"count", "proportion", "label" or None (not released) for a normalised key path of
    ``document`` ("results" or "extras"); a count pattern releases whole numbers only."""
    if path.rsplit(".", 1)[-1] in _CONTINUOUS_SUMMARY:
        return None   # a continuous variable's median and quartiles are never counts
    if _matches(path, PROPORTIONS[document]):
        return "proportion"
    if _matches(path, COUNTS[document]):
        return "count"
    if _matches(path, LABELS[document]):
        return "label"
    return None
