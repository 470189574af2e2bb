"""Matching-adjusted indirect comparison of our eligible patients with one comparator
(comparators.md; Signorovitch et al. 2010; NICE DSU TSD 18).

1. Matching variables: the comparator's baseline targets with a mean or a proportion (a
   median-only target is reported, not matched), each turned into a column of ADSL — the
   variable itself for a mean, 1/0 for a boolean covariate or for ``variable == level``.
2. The MAIC set: eligible patients of the response-evaluable population with every matching
   variable recorded (``eligible_n``); fewer than 10 -> no MAIC (reason given).
3. Weights w_i = exp(z_i'a) from :func:`prrt_rwe.stats.maic_weights` (null with the reason
   when the targets lie outside the convex hull of our patients).
4. Weighted ORR Σw·responder / Σw; weighted PFS rate at the trial's landmark = the
   case-weighted KM (R ``survfit(weights = w)``); ESS = (Σw)²/Σw².
5. CIs: percentile bootstrap (R ``boot.ci(type = "perc")``) over ``resamples`` resamples of
   the MAIC set drawn with ``seed``, the weights re-estimated in each (TSD 18); a resample in
   which no weights exist is dropped and counted.
Unanchored MAIC (a single-arm cohort against one trial arm) assumes every prognostic factor
and effect modifier is among the matching variables; the report says so.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from prrt_rwe import stats
from prrt_rwe.results import survival as surv
from prrt_rwe.stats.bootstrap import frequencies
from prrt_rwe.stats.bootstrap_interval import percentile_interval
from prrt_rwe.stats.km_batch import median_batch, survival_at_batch
from prrt_rwe.stats.maic import maic_weights_batch

MIN_ELIGIBLE = 10
HISTOGRAM_BINS = 12
CHUNK_CELLS = 2_000_000  # resamples are drawn and solved in chunks of about this many (B x n) cells


class MaicNotEstimable(Exception):
    """MAIC cannot be done for this comparator; the message is the report's reason."""


@dataclass(frozen=True)
class Design:
    X: pd.DataFrame  # one column per matched target (label), one row per eligible patient
    targets: np.ndarray
    medians: tuple  # median-only targets: reported, not matched


def _column(adsl: pd.DataFrame, target) -> pd.Series:
    if target.variable not in adsl.columns:
        raise MaicNotEstimable(f"baseline key {target.variable!r} is not an ADSL variable, so it cannot be "
                               "matched (never silently left out)")
    col = adsl[target.variable]
    is_bool = pd.api.types.is_bool_dtype(col) or str(col.dtype) == "boolean"
    if target.level is not None:
        values = col.astype("string")
        return (values == target.level).astype("Float64").where(values.notna())
    if target.kind == "proportion" and not is_bool:
        numeric = pd.to_numeric(col, errors="coerce") if pd.api.types.is_numeric_dtype(col) else None
        if numeric is None or not numeric.dropna().isin([0, 1]).all():
            raise MaicNotEstimable(f"baseline {target.variable}: a proportion needs a yes/no variable or a "
                                   "'level' (e.g. level: \"M\")")
        return numeric.astype("Float64")
    if not is_bool and not pd.api.types.is_numeric_dtype(col):
        raise MaicNotEstimable(f"baseline {target.variable}: a mean needs a numeric variable")
    return col.astype("Float64")


def design(adsl: pd.DataFrame, comparator) -> Design:
    cols, targets = {}, []
    for t in comparator.baseline:
        if not t.matched:
            continue
        cols[t.label] = _column(adsl, t)
        targets.append(t.value)
    for t in comparator.baseline:
        if t.variable not in adsl.columns:
            _column(adsl, t)  # a median-only key must exist too
    medians = tuple(t for t in comparator.baseline if not t.matched)
    return Design(pd.DataFrame(cols, index=adsl.index), np.array(targets, dtype=float), medians)


def _interval(values: np.ndarray) -> list:
    finite = values[np.isfinite(values)]
    if finite.size < 2:
        return [None, None]
    return list(percentile_interval(finite, 0.95))


def _histogram(rescaled: np.ndarray) -> dict:
    counts, edges = np.histogram(rescaled, bins=HISTOGRAM_BINS, range=(0.0, max(float(rescaled.max()), 1e-9)))
    return {"edges": edges.tolist(), "counts": counts.tolist()}


def _balance(X: pd.DataFrame, targets, w) -> dict:
    """Per matched variable: the target, our unweighted and our weighted mean."""
    Xn = X.to_numpy(dtype=float)
    return {name: {"target": float(targets[j]), "before": float(Xn[:, j].mean()),
                   "after": float(w @ Xn[:, j] / w.sum())} for j, name in enumerate(X.columns)}


def _medians(pts, medians) -> dict:
    """Per median-only target: the published median and ours (reported, not matched)."""
    out = {}
    for t in medians:
        ours = pd.to_numeric(pts.adsl[t.variable], errors="coerce")
        out[t.variable] = {"published_median": t.value,
                           "ours_median": None if ours.dropna().empty else float(ours.median())}
    return out


def _curve(days, event, w) -> dict:
    fit = stats.kaplan_meier(days / surv.DAYS_PER_MONTH, event, weights=w)
    return {"time_months": fit.time.tolist(), "survival": fit.survival.tolist()}


@dataclass(frozen=True)
class Replicates:
    orr: np.ndarray
    pfs_rate: np.ndarray | None
    pfs_median_months: np.ndarray | None
    failed: int


def bootstrap(X: np.ndarray, targets, sub, months, resamples: int, seed: int) -> Replicates:
    """Step 5: resamples drawn as ``stats.bootstrap`` draws them (one generator seeded with
    ``seed``, n row indices per resample — taken in chunks, the same stream), the weights
    re-estimated in each (NaN where they do not exist), then the weighted statistics.
    ``resamples = 0`` (``[analyses] heavy = false``): none, so every CI is [null, null]."""
    n, has = sub.n, sub.has_pfs
    if resamples == 0:
        none = np.zeros(0)
        return Replicates(none, none if months is not None else None, none, 0)
    rng = np.random.default_rng(seed)
    chunk = max(1, min(resamples, CHUNK_CELLS // n))
    orr, rate, med, failed = [], [], [], 0
    r = sub.responder.astype(float)
    days, ev = sub.pfs_days[has], sub.pfs_event[has]
    for start in range(0, resamples, chunk):
        idx = rng.integers(0, n, size=(min(chunk, resamples - start), n))
        W, ok = maic_weights_batch(X, targets, frequencies(idx, n))
        failed += int((~ok).sum())
        with np.errstate(invalid="ignore"):
            orr.append((W @ r) / W.sum(axis=1))
        if has.sum() >= 2:
            if months is not None:
                rate.append(survival_at_batch(days, ev, W[:, has], months * surv.DAYS_PER_MONTH))
            med.append(median_batch(days, ev, W[:, has]) / surv.DAYS_PER_MONTH)
    return Replicates(np.concatenate(orr), np.concatenate(rate) if rate else None,
                      np.concatenate(med) if med else None, failed)


def maic(pts, comparator, *, resamples: int, seed: int, reconstructed=None) -> tuple[dict, dict]:
    """(results.json ``maic`` block, report extras); raises MaicNotEstimable with the reason."""
    d = design(pts.adsl, comparator)
    if d.X.shape[1] == 0:
        raise MaicNotEstimable("the comparator file gives no baseline mean or proportion to match on")
    complete = d.X.notna().all(axis=1).to_numpy()
    X = d.X.loc[complete].astype(float)
    sub = pts.subset(complete)
    if sub.n < MIN_ELIGIBLE:
        raise MaicNotEstimable(f"only {sub.n} eligible patients with every matching variable recorded "
                               f"(MAIC needs at least {MIN_ELIGIBLE})")
    try:
        fit = stats.maic_weights(X, d.targets)
    except stats.MaicError as exc:
        raise MaicNotEstimable(str(exc)) from None
    w = fit.weights
    r = sub.responder.astype(float)
    has = sub.has_pfs
    rate = comparator.outcome("pfs_rate")
    months = None if rate is None else rate.months
    reps = bootstrap(X.to_numpy(), d.targets, sub, months, resamples, seed)
    orr = float(w @ r / w.sum())
    block = {"matched_on": list(X.columns), "ess": fit.ess, "max_abs_diff": fit.max_abs_diff,
             "orr": {"estimate": orr, "ci95": _interval(reps.orr)}, "pfs_rate": None,
             "pfs_hr_vs_reconstructed": None}
    extras = {"maic_n": sub.n, "balance": _balance(X, d.targets, w), "unmatched_medians": _medians(sub, d.medians),
              "weights_histogram": _histogram(fit.rescaled), "max_weight_share": float(w.max() / w.sum()),
              "dropped": list(fit.dropped),
              "bootstrap": {"resamples": resamples, "seed": seed, "failed": reps.failed}}
    if has.sum() >= 2:
        days, ev, wp = sub.pfs_days[has], sub.pfs_event[has], w[has]
        km = stats.kaplan_meier(days, ev, weights=wp)
        if months is not None:
            at = km.survival_at(months * surv.DAYS_PER_MONTH)
            block["pfs_rate"] = {"months": months, "estimate": None if at is None else at.estimate,
                                 "ci95": _interval(reps.pfs_rate) if at is not None else [None, None]}
        extras["pfs_median_months"] = {"estimate": surv.months(km.median), "ci95": _interval(reps.pfs_median_months)}
        extras["pfs_curve"] = _curve(days, ev, wp)
    if reconstructed is not None and has.sum() >= 2:
        block["pfs_hr_vs_reconstructed"], extras["reconstructed"] = reconstructed(sub, w)
    return block, extras
