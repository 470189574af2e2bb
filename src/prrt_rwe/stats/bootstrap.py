"""Nonparametric (row) bootstrap with percentile or BCa intervals.

``bootstrap(statistic, *arrays)`` resamples the rows of all ``arrays`` together (paired),
``n_resamples`` times, with indices from ``numpy.random.default_rng(seed)`` drawn as one
(n_resamples, n) matrix — the same seed gives the same resamples whatever the statistic.

* ``batch=True``: ``statistic`` takes arrays with a leading batch axis, shape (B, n), and
  returns B values (vectorised; evaluated in chunks of ``batch_size``).
* ``statistic is km_median`` (:func:`prrt_rwe.stats.bootstrap_km.km_median`) takes a fast
  path: every resample's Kaplan-Meier median from weighted cumulative sums, no refits.
* Intervals as R ``boot.ci`` (:mod:`prrt_rwe.stats.bootstrap_interval`).  BCa's
  acceleration needs empirical influence values: ``influence="regression"`` (default; what
  ``boot.ci(type = "bca")`` uses for ordinary bootstraps: regression of the resampled
  statistics on the resampling frequencies, no extra evaluations) or ``"jackknife"``
  (n leave-one-out evaluations; undefined for a median whose leave-one-out values all
  equal the estimate).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from prrt_rwe.stats.bootstrap_interval import (
    bca_interval,
    jackknife_influence,
    percentile_interval,
    regression_influence,
)
from prrt_rwe.stats.bootstrap_km import (
    code_survival,
    km_median,
    km_quantiles_batch,
    leave_one_out_tables,
    resample_tables,
)
from prrt_rwe.stats.survival_data import check_event, check_time

__all__ = ["BootstrapResult", "bootstrap", "bootstrap_km_median", "frequencies", "resample_indices"]

METHODS = ("percentile", "bca")
INFLUENCE = ("regression", "jackknife")


@dataclass(frozen=True)
class BootstrapResult:
    estimate: float
    ci: tuple[float, float]
    resamples: np.ndarray
    method: str
    conf_level: float
    n_resamples: int
    seed: int
    n_nonfinite: int  # resamples where the statistic was not finite (dropped from the CI)
    influence: str | None = None  # BCa acceleration from "regression" or "jackknife" influence

    @property
    def std_error(self) -> float:
        finite = self.resamples[np.isfinite(self.resamples)]
        return float(np.std(finite, ddof=1)) if finite.size > 1 else float("nan")


def resample_indices(n: int, n_resamples: int, seed: int) -> np.ndarray:
    """The (n_resamples, n) row indices every bootstrap here uses."""
    return np.random.default_rng(seed).integers(0, n, size=(n_resamples, n))


def _as_arrays(arrays) -> list[np.ndarray]:
    out = [np.asarray(a.to_numpy() if hasattr(a, "to_numpy") else a) for a in arrays]
    if not out:
        raise ValueError("bootstrap needs at least one data array")
    n = out[0].shape[0]
    for i, a in enumerate(out):
        if a.shape[0] != n:
            raise ValueError(f"array {i} has {a.shape[0]} rows, expected {n}")
    return out


def _evaluate(statistic, arrays, idx, batch, batch_size) -> np.ndarray:
    if not batch:
        return np.array([statistic(*(a[row] for a in arrays)) for row in idx], dtype=float)
    parts = [np.asarray(statistic(*(a[idx[s:s + batch_size]] for a in arrays)), dtype=float)
             for s in range(0, idx.shape[0], batch_size)]
    return np.concatenate(parts)


def _leave_one_out(statistic, arrays, batch) -> np.ndarray:
    n = arrays[0].shape[0]
    keep = ~np.eye(n, dtype=bool)
    idx = np.vstack([np.flatnonzero(row) for row in keep])
    return _evaluate(statistic, arrays, idx, batch, 256)


def frequencies(idx: np.ndarray, n: int) -> np.ndarray:
    """(B, n) multiplicity of each row in each resample (R ``boot.array``)."""
    B = idx.shape[0]
    flat = (idx + (np.arange(B) * n)[:, None]).ravel()
    return np.bincount(flat, minlength=B * n).reshape(B, n)


def _check(method, n_resamples, influence):
    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}, got {method!r}")
    if influence not in INFLUENCE:
        raise ValueError(f"influence must be one of {INFLUENCE}, got {influence!r}")
    if n_resamples < 2:
        raise ValueError("n_resamples must be at least 2")


def _result(estimate, t, idx, method, influence, conf_level, seed, loo_fn) -> BootstrapResult:
    if method == "percentile":
        ci = percentile_interval(t, conf_level)
    else:
        L = (regression_influence(frequencies(idx, idx.shape[1]), t) if influence == "regression"
             else jackknife_influence(loo_fn(), estimate))
        ci = bca_interval(t, estimate, L, conf_level)
    return BootstrapResult(float(estimate), ci, t, method, float(conf_level), int(t.size), int(seed),
                           int((~np.isfinite(t)).sum()), influence if method == "bca" else None)


def bootstrap(statistic, *arrays, n_resamples: int = 2000, method: str = "percentile", seed: int = 0,
              conf_level: float = 0.95, influence: str = "regression", batch: bool = False,
              batch_size: int = 500) -> BootstrapResult:
    """Bootstrap distribution and CI of ``statistic(*arrays)``; see the module doc."""
    if statistic is km_median:
        return bootstrap_km_median(*arrays, n_resamples=n_resamples, method=method, seed=seed,
                                   conf_level=conf_level, influence=influence)
    _check(method, n_resamples, influence)
    data = _as_arrays(arrays)
    estimate = float(statistic(*data)) if not batch else float(
        np.asarray(statistic(*(a[None, ...] for a in data))).reshape(-1)[0])
    idx = resample_indices(data[0].shape[0], n_resamples, seed)
    t = _evaluate(statistic, data, idx, batch, batch_size)
    return _result(estimate, t, idx, method, influence, conf_level, seed,
                   lambda: _leave_one_out(statistic, data, batch))


def bootstrap_km_median(time, event, *, n_resamples: int = 2000, method: str = "percentile",
                        seed: int = 0, conf_level: float = 0.95,
                        influence: str = "regression") -> BootstrapResult:
    """Bootstrap of the Kaplan-Meier median (fast path; same resamples as :func:`bootstrap`)."""
    _check(method, n_resamples, influence)
    t_arr, e_arr = check_time(time), check_event(event)
    if e_arr.shape[0] != t_arr.shape[0]:
        raise ValueError(f"event: has {e_arr.shape[0]} rows, expected {t_arr.shape[0]}")
    estimate = km_median(t_arr, e_arr)
    data = code_survival(t_arr, e_arr)
    idx = resample_indices(t_arr.shape[0], n_resamples, seed)
    t = km_quantiles_batch(data, *resample_tables(data, idx))

    def loo():
        return km_quantiles_batch(data, *leave_one_out_tables(data))

    return _result(estimate, t, idx, method, influence, conf_level, seed, loo)
