"""A site's rows of the weighted analyses and what it computes on them (the node decides what
is released, federated/node.py; the coordinator's side is federated/weighted.py).

* IPTW (results/confounding/iptw.py): the response-evaluable patients with the exposure and
  every propensity covariate recorded, the propensity columns built with the network's levels
  of the text covariates; the stabilized ATE weights from the broadcast propensity
  coefficients and the network's share of exposed patients, exactly as
  stats/propensity.py ``iptw_weights`` computes them on the pooled rows.
* Comparators (results/comparators/): per comparator file, our response-evaluable patients
  meeting its eligibility (applied here, to the site's own ADSL), their responses and PFS, and
  the MAIC matching variables centred on the published targets; the MAIC weights
  w = exp(z'a) from the broadcast coefficients, as stats/maic.py computes them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.special import expit

from prrt_rwe.results.confounding.iptw import _exposure, propensity_design
from prrt_rwe.results.design import observed_levels
from prrt_rwe.results.patient_outcomes import patient_outcomes
from prrt_rwe.results.populations import population_rows

__all__ = ["ComparatorRows", "IptwRows", "comparator_rows", "iptw_levels", "iptw_rows", "iptw_weights_at",
           "maic_weights_at"]


@dataclass(frozen=True)
class IptwRows:
    exposure: str
    a: np.ndarray            # 0/1
    X: pd.DataFrame          # propensity columns
    days: np.ndarray
    event: np.ndarray
    reason: str | None = None   # the study's [iptw] cannot be applied here (as the pooled block's reason)


def _evaluable_complete(adam, iptw_cfg):
    name = iptw_cfg.exposure
    covariates = tuple(c for c in iptw_cfg.covariates if c != name)
    out = patient_outcomes(population_rows(adam.adsl, "evaluable"), adam.adrs, adam.adtte)
    unknown = [c for c in covariates if c not in out.frame.columns]
    if unknown:
        raise ValueError(f"[iptw] covariates {unknown} are not ADSL variables")
    a = _exposure(out.frame, name)
    keep = ~np.isnan(a) & out.frame[list(covariates)].notna().all(axis=1).to_numpy()
    return out.subset(keep), a[keep], covariates


def iptw_levels(adam, config) -> dict:
    """The text covariates' levels seen here among the IPTW rows (a union builds the columns)."""
    try:
        sub, _a, covariates = _evaluable_complete(adam, config.iptw)
    except ValueError:
        return {}
    return observed_levels(sub.frame, [c for c in covariates if c != "who_grade"], config.models.orr_group_levels)


def iptw_rows(adam, config, levels: dict) -> IptwRows:
    name = config.iptw.exposure
    try:
        sub, a, covariates = _evaluable_complete(adam, config.iptw)
    except ValueError as exc:
        empty = np.empty(0)
        return IptwRows(name, empty, pd.DataFrame(), empty, empty, f"IPTW not estimable: {exc}")
    X = propensity_design(sub.frame, covariates, config.models, levels)
    return IptwRows(name, a.astype(float), X, sub.days.astype(float), sub.event.astype(float))


def iptw_weights_at(rows: IptwRows, coef, p_exposed: float) -> np.ndarray:
    """Stabilized ATE weights P(A=1)/e(x), P(A=0)/(1 - e(x)) (stats/propensity.py)."""
    D = np.column_stack([np.ones(rows.a.size), rows.X.to_numpy(dtype=float)])
    e = expit(D @ np.asarray(coef, dtype=float))
    return np.where(rows.a == 1, p_exposed / e, (1 - p_exposed) / (1 - e))


@dataclass(frozen=True)
class ComparatorRows:
    id: str
    patients: object           # results/comparators/cohort.Patients (eligible)
    matched: tuple[str, ...]   # MAIC matching variables (labels)
    Z: np.ndarray | None       # (complete, p): x - target, the MAIC set's rows
    X: np.ndarray | None       # (complete, p): x
    complete: np.ndarray | None   # bool over the eligible patients
    eligible_n: int            # results.json comparators[].eligible_n
    reason: str | None         # eligibility or design cannot be applied (as the pooled reason)
    maic_reason: str | None    # no MAIC whatever the network (the file gives nothing to match)


def comparator_rows(adam, comparator) -> ComparatorRows:
    """The site's rows of one comparator (results/comparators/__init__.py ``one``)."""
    from prrt_rwe.benchmarks.comparators import EligibilityError
    from prrt_rwe.results.comparators.cohort import evaluable, patients
    from prrt_rwe.results.comparators.maic import MaicNotEstimable, design

    try:
        pts = patients(adam, evaluable(adam.adsl), comparator.eligibility)
    except EligibilityError as exc:
        return ComparatorRows(comparator.id, None, (), None, None, None, 0, str(exc), None)
    try:
        d = design(pts.adsl, comparator)
    except MaicNotEstimable as exc:
        return ComparatorRows(comparator.id, pts, (), None, None, None, pts.n, None, str(exc))
    if d.X.shape[1] == 0:
        return ComparatorRows(comparator.id, pts, (), None, None, None, pts.n, None,
                              "the comparator file gives no baseline mean or proportion to match on")
    complete = d.X.notna().all(axis=1).to_numpy()
    X = d.X.loc[complete].to_numpy(dtype=float)
    return ComparatorRows(comparator.id, pts, tuple(d.X.columns), X - d.targets, X, complete,
                          int(complete.sum()), None, None)


def maic_weights_at(rows: ComparatorRows, coef) -> np.ndarray:
    """w = exp(z'a) on the MAIC set (stats/maic.py ``maic_weights``)."""
    return np.exp(rows.Z @ np.asarray(coef, dtype=float))

