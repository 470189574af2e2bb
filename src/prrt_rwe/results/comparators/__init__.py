"""results.json ``comparators`` (results-v1.md, "Additions: comparators"): per comparator
file the eligible patients of our response-evaluable population, the matched naive
comparison and the MAIC (null with the reason when it cannot be estimated), and the report
extras behind them (balance, weight histogram, bootstrap counts, curves)."""

from __future__ import annotations

from dataclasses import dataclass

from prrt_rwe import stats
from prrt_rwe.benchmarks.comparators import EligibilityError
from prrt_rwe.results.comparators.cohort import POPULATION_LABEL, evaluable, patients
from prrt_rwe.results.comparators.maic import MaicNotEstimable, design, maic
from prrt_rwe.results.comparators.naive import naive, naive_median
from prrt_rwe.results.comparators.published import n_is_arm_size, published
from prrt_rwe.results.comparators.reconstructed import hazard_ratio, reconstruct

__all__ = ["ComparatorSettings", "comparator_results"]

NO_CURVE = "the comparator file has no digitised Kaplan-Meier curve (km block), so no arm can be reconstructed"


@dataclass(frozen=True)
class ComparatorSettings:
    resamples: int = 2000
    seed: int = 20260501


def _eligible_n(pts, comparator) -> int:
    try:
        X = design(pts.adsl, comparator).X
    except MaicNotEstimable:
        return pts.n
    return int(X.notna().all(axis=1).sum()) if X.shape[1] else pts.n


def _reconstruction(comparator, extra: dict):
    """The callback MAIC uses for the HR vs the reconstructed arm, or None (reason in extra)."""
    if comparator.km is None:
        extra["pfs_hr_reason"] = NO_CURVE
        return None
    ipd = comparator.km.ipd
    if ipd is None:
        try:
            ipd = reconstruct(comparator.km)
        except stats.ReconstructionError as exc:
            extra["pfs_hr_reason"] = f"the digitised curve cannot be reconstructed: {exc}"
            return None
    return lambda pts, w: hazard_ratio(ipd, pts, w)


def _same_maic(comparator, months):
    """Comparators with the same eligibility, targets and landmark (the two arms of a trial)
    get the same MAIC; a digitised curve makes each its own."""
    if comparator.km is not None:
        return None
    return (tuple(c.text for c in comparator.eligibility),
            tuple((t.variable, t.kind, t.value, t.level) for t in comparator.baseline), months)


def one(adam, population, comparator, options, settings: ComparatorSettings, cache=None) -> tuple[dict, dict]:
    item = {"id": comparator.id, "study": comparator.study, "arm": comparator.arm, "eligible_n": 0,
            "naive": None, "maic": None, "reason": None}
    extra = {"population": POPULATION_LABEL, "criteria": [c.text for c in comparator.eligibility],
             "reference": comparator.reference, "n": comparator.n,
             "n_is_arm_size": {k: n_is_arm_size(o) for k, o in comparator.outcomes.items()},
             "targets": [{"label": t.label, "kind": t.kind, "value": t.value} for t in comparator.baseline],
             "notes": comparator.notes}
    try:
        pts = patients(adam, population, comparator.eligibility)
    except EligibilityError as exc:
        item["reason"] = str(exc)
        return item, extra
    extra["eligible_evaluable_n"] = pts.n
    item["naive"] = naive(pts, comparator, options)
    extra["naive_pfs_median_months"] = naive_median(pts, options)
    median = comparator.outcome("pfs_median_months")
    extra["published_pfs_median_months"] = published(median, comparator)
    item["eligible_n"] = _eligible_n(pts, comparator)
    hr = _reconstruction(comparator, extra)
    rate = comparator.outcome("pfs_rate")
    key = _same_maic(comparator, None if rate is None else rate.months)
    cache = {} if cache is None else cache
    if key is None or key not in cache:
        try:
            found = maic(pts, comparator, resamples=settings.resamples, seed=settings.seed, reconstructed=hr)
        except MaicNotEstimable as exc:
            found = exc
        if key is not None:
            cache[key] = found
    else:
        found = cache[key]
    if isinstance(found, MaicNotEstimable):
        item["reason"] = str(found)
    else:
        item["maic"], extra["maic"] = found
    return item, extra


def comparator_results(adam, comparators, options, settings: ComparatorSettings = ComparatorSettings()):
    """(results.json ``comparators`` list, extras keyed by comparator id)."""
    population = evaluable(adam.adsl)
    items, extras, cache = [], {}, {}
    for c in comparators:
        item, extra = one(adam, population, c, options, settings, cache)
        items.append(item)
        extras[c.id] = extra
    return items, extras
