"""Comparators as data: one YAML file per published trial arm or cohort (shared/spec/
comparators.md), read by one loader (:func:`load_comparator`).

Shipped: NETTER-1 (Strosberg et al., N Engl J Med 2017) and NETTER-2 (Singh et al., Lancet
2024), both arms each, with what their papers' abstracts and the sources named in each
file report.  Users add their own with ``prrt-rwe analyze --comparator FILE``.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources

from prrt_rwe.benchmarks.comparators.eligibility import (
    Criterion,
    CriterionError,
    EligibilityError,
    eligible,
    parse_criterion,
)
from prrt_rwe.benchmarks.comparators.schema import (
    Comparator,
    ComparatorFileError,
    KmCurve,
    Outcome,
    Target,
    load_comparator,
)

__all__ = ["Comparator", "ComparatorFileError", "Criterion", "CriterionError", "EligibilityError", "KmCurve",
           "Outcome", "Target", "eligible", "load_comparator", "parse_criterion", "shipped_comparators",
           "shipped_files"]

SHIPPED = ("netter1_lu177.yaml", "netter1_octreotide.yaml", "netter2_lu177.yaml", "netter2_octreotide.yaml")


def shipped_files() -> tuple:
    """Paths of the shipped comparator files, in report order."""
    folder = resources.files("prrt_rwe.benchmarks.comparators")
    return tuple(folder.joinpath(name) for name in SHIPPED)


@lru_cache(maxsize=1)
def shipped_comparators() -> tuple[Comparator, ...]:
    return tuple(load_comparator(p) for p in shipped_files())
