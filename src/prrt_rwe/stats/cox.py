"""Cox proportional hazards regression: the front end (checks, fit, result object).

``cox_ph`` reproduces R survival 3.x ``coxph`` for right-censored and (start, stop] data:

* times equal up to rounding (relative 1.5e-8) are tied, as R's default ``timefix``
  (``timefix=False`` turns it off);
* ``entry``: (start, stop] data, R ``Surv(entry, time, event)`` (``agreg.fit``): a row is at
  risk at the event times in (entry, time] — delayed entry, or time-varying covariates
  with one row per piece of follow-up (then pass the subject as ``cluster`` for the
  robust variance R gives with ``cluster(id)``);
* ties "efron" (default, as R) or "breslow"; case weights enter every risk-set sum
  (Efron's virtual deaths carry deadwt / d each, as ``coxfit6.c``); "exact": the exact
  partial likelihood of discrete times (:mod:`prrt_rwe.stats.cox_exact`; right-censored,
  unweighted, model variance, as R allows);
* ``tt``: time-transformed covariates, R ``coxph(... + tt(x), tt = ...)``
  (:mod:`prrt_rwe.stats.cox_tt`);
* Newton-Raphson with step halving, eps 1e-9 on the relative log-likelihood change,
  at most 20 iterations (:mod:`prrt_rwe.stats.cox_newton`); failures are errors that
  name the covariate;
* ``strata``: separate baseline hazards (risk sets never cross strata);
* variance: the inverse information ("model"); "robust" (R's default when ``cluster`` is
  given or a weight is not an integer) is the sandwich D'D of dfbeta residuals summed
  within cluster (:mod:`prrt_rwe.stats.cox_robust`), and then z, p, CIs and the Wald test
  use it, as ``summary(coxph)`` does;
* Wald CIs exp(coef +- z_(1+level)/2 se); likelihood-ratio, Wald and score tests as
  ``summary(coxph)``; Harrell's concordance as ``coxph``'s ``concordance`` component
  (``concordance=False`` skips it: NaN then).

Rows are sorted once (stratum, time descending) and every risk-set sum is a cumulative
sum, so a fit costs O(n log n + n p^2 iterations), robust variance included.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np
import pandas as pd
from prrt_rwe.stats.numba_cache import CACHE  # before numba: sets NUMBA_CACHE_DIR if needed
from numba import njit
from scipy.special import chdtrc, ndtr, ndtri

from prrt_rwe.stats.concordance import Concordance, concordance_sorted
from prrt_rwe.stats.cox_baseline import baseline_survival
from prrt_rwe.stats.cox_exact import exact_partial_likelihood
from prrt_rwe.stats.cox_newton import CoxConvergenceError, CoxDesignError, NewtonFit, newton_raphson
from prrt_rwe.stats.cox_robust import robust_score_test, robust_variance
from prrt_rwe.stats.cox_zph import TRANSFORMS, ZphResult, check_transform, cox_zph
from prrt_rwe.stats.risk_sets import RiskSets, risk_sets, sorted_centred
from prrt_rwe.stats.survival_data import SurvivalData, SurvivalDataError, check_not_empty, survival_data
from prrt_rwe.stats.time_fix import aeq_times, fix_intervals

__all__ = ["cox_ph", "CoxResult", "ChiSquareTest", "ZphResult", "CoxConvergenceError", "CoxDesignError"]

TIES = ("efron", "breslow", "exact")


class ChiSquareTest(NamedTuple):
    """A chi-square test: statistic, degrees of freedom, p-value (unpacks as a tuple)."""

    statistic: float
    df: int
    p: float


def _chisq(stat: float, df: int) -> ChiSquareTest:
    return ChiSquareTest(float(stat), int(df), float(chdtrc(df, stat)))


@dataclass(frozen=True)
class _FitData:
    """What ph_test() and baseline_survival() need again (sorted, centred covariates)."""

    rs: RiskSets
    Xs: np.ndarray
    time: np.ndarray
    event: np.ndarray
    centre_shift: np.ndarray  # weighted means used for fitting minus R's fit$means
    entry: np.ndarray | None = None  # (start, stop] data: entry times (after the time fix)


@dataclass(frozen=True)
class CoxResult:
    """A fitted Cox model; arrays follow ``terms`` order.  Method choices are recorded in
    ``ties``, ``variance`` ("model" or "robust"), ``conf_level``, ``ci_method`` ("wald")."""

    terms: tuple[str, ...]
    coef: np.ndarray
    se: np.ndarray  # model-based (inverse information)
    robust_se: np.ndarray | None  # sandwich, when variance == "robust"
    var: np.ndarray  # the variance used for z, p, CIs and the Wald test
    naive_var: np.ndarray
    z: np.ndarray
    p: np.ndarray
    hazard_ratio: np.ndarray
    ci95: np.ndarray  # (p, 2) hazard-ratio limits at conf_level
    loglik: tuple[float, float]  # (null: beta = 0, final)
    wald_test: ChiSquareTest
    score_test: ChiSquareTest
    lr_test: ChiSquareTest
    robust_score_test: ChiSquareTest | None
    concordance: float
    concordance_se: float
    concordance_counts: Concordance
    n: int
    n_events: int
    iterations: int
    means: np.ndarray  # centring values of R's fit$means (baseline_survival is at these)
    ties: str
    variance: str
    conf_level: float
    strata: tuple = ()
    n_clusters: int | None = None
    ci_method: str = "wald"
    counting: bool = False  # (start, stop] data
    time_transform: bool = False  # fitted with tt (R: cox.zph and survfit refuse such fits)
    _data: _FitData | None = field(default=None, repr=False, compare=False)

    def summary(self) -> pd.DataFrame:
        """One row per term: coef, hazard ratio, SEs, z, p and the CI limits."""
        lo, hi = _ci_labels(self.conf_level)
        cols = {"coef": self.coef, "hazard_ratio": self.hazard_ratio, "se": self.se}
        if self.robust_se is not None:
            cols["robust_se"] = self.robust_se
        cols.update({"z": self.z, "p": self.p, lo: self.ci95[:, 0], hi: self.ci95[:, 1]})
        return pd.DataFrame(cols, index=pd.Index(self.terms, name="term"))

    def ph_test(self, transform="km", terms: dict | None = None) -> ZphResult:
        """R ``cox.zph(fit, transform)``: per-term chisq, df, p and GLOBAL.

        ``transform``: "km", "rank", "identity", "log", or a function of the event/censoring
        times (one value per row, as R's user transform).  ``terms`` maps a term name to
        its column names; by default columns named ``name[level]`` form one term ``name``
        (a factor, as R groups them), others stand alone."""
        check_transform(transform)
        if self.time_transform:
            raise ValueError("ph_test is not defined for a model with time-transformed (tt) covariates "
                             "(R: cox.zph 'function not defined for models with tt() terms')")
        d = self._data
        cols = _term_columns(self.terms, terms)
        return cox_zph(d.rs, d.Xs, self.coef, d.time, d.event, cols, transform, entry=d.entry)

    def baseline_survival(self) -> pd.DataFrame:
        """R ``survfit(fit)``: time, n_risk, n_event, n_censor, cumhaz, survival (per
        stratum, column ``strata``) for a subject at ``means``."""
        if self.time_transform:
            raise ValueError("baseline_survival is not defined for a model with time-transformed (tt) "
                             "covariates (R: survfit refuses coxph models with a tt term)")
        d = self._data
        return baseline_survival(d.rs, d.Xs + d.centre_shift, self.coef, self.strata)


def _ci_labels(level: float) -> tuple[str, str]:
    pct = f"{100 * level:g}"
    return f"ci{pct}_lower", f"ci{pct}_upper"


def _term_columns(names: tuple[str, ...], terms: dict | None) -> dict:
    index = {n: j for j, n in enumerate(names)}
    if terms is not None:
        return {t: [index[c] for c in cs] for t, cs in terms.items()}
    out: dict[str, list[int]] = {}
    for j, name in enumerate(names):
        m = re.fullmatch(r"(.+)\[[^\[\]]+\]", name)
        out.setdefault(m.group(1) if m else name, []).append(j)
    return out


def _r_means(X: np.ndarray, weighted_means: np.ndarray) -> np.ndarray:
    """R coxph ``fit$means``: weighted means, 0 for columns with values in {-1, 0, 1}."""
    means = weighted_means.copy()
    means[_unit_valued_columns(np.asarray(X, dtype=float))] = 0.0
    return means


@njit(cache=CACHE)
def _unit_valued_columns(X):
    """Per column: every value in {-1, 0, 1} (R's ``nocenter``); one pass, stops early."""
    n, p = X.shape
    flag = np.ones(p, dtype=np.bool_)
    left = p
    for i in range(n):
        for j in range(p):
            if flag[j]:
                v = X[i, j]
                if not (v == 0.0 or v == 1.0 or v == -1.0):
                    flag[j] = False
                    left -= 1
        if left == 0:
            break
    return flag


def _check(sd: SurvivalData, ties: str, conf_level: float, robust) -> None:
    if ties not in TIES:
        raise ValueError(f"ties must be one of {TIES}, got {ties!r}")
    if ties == "exact":
        if sd.weights is not None and np.any(sd.weights != 1):
            raise SurvivalDataError("weights", "are not supported with ties='exact' (R: 'Case weights are not "
                                    "supported for the exact method')")
        if sd.entry is not None:
            raise SurvivalDataError("entry", "(start, stop] data is fitted with ties='efron' or 'breslow'; "
                                    "ties='exact' is implemented for right-censored data")
        if sd.cluster is not None or robust:
            raise ValueError("ties='exact' has no robust variance (R: 'dfbeta residuals are not available "
                             "for the exact method'); drop cluster/robust or use ties='efron'")
    if not 0 < conf_level < 1:
        raise ValueError(f"conf_level must be in (0, 1), got {conf_level!r}")
    if sd.X is None or sd.X.shape[1] == 0:
        raise SurvivalDataError("X", "needs at least one covariate column")
    if len(set(sd.names)) != len(sd.names):
        raise SurvivalDataError("X", f"has duplicated column names {list(sd.names)}")
    if sd.event.sum() == 0:
        raise SurvivalDataError("event", "has no events; a Cox model needs at least one")


def cox_ph(time, event, X, *, ties: str = "efron", strata=None, cluster=None, weights=None,
           conf_level: float = 0.95, robust: bool | None = None, entry=None, tt=None, timefix: bool = True,
           concordance: bool = True) -> CoxResult:
    """Fit a Cox proportional hazards model (R ``coxph``); see the module docstring.

    ``robust=None`` follows R: robust variance when ``cluster`` is given or any weight is
    not an integer (each row its own cluster then).  ``entry``: start times of (start,
    stop] data.  ``tt``: a function ``tt(x, t)`` of the covariates of the subjects at risk
    at an event time and that time, returning the design used at time t; or a dict
    {column: f(values, t)} adding a term ``tt(column)``, as R's ``tt()`` terms (shapes and
    names: :mod:`prrt_rwe.stats.cox_tt`).  ``concordance=False`` skips the concordance."""
    sd = survival_data(time, event, X=X, weights=weights, strata=strata, cluster=cluster, entry=entry)
    check_not_empty(sd.time)
    _check(sd, ties, conf_level, robust)
    if tt is not None:
        from prrt_rwe.stats.cox_tt import fit_time_transform

        return fit_time_transform(sd, X, tt, ties=ties, conf_level=conf_level, robust=robust, timefix=timefix,
                                  concordance=concordance)
    w = np.ones(sd.n) if sd.weights is None else sd.weights
    if robust is None:
        robust = sd.cluster is not None or bool(np.any(w != np.floor(w)))
    layout_ties = "breslow" if ties == "exact" else ties  # R's cox.zph and survfit of an exact fit
    time, entry_fixed, rs = _layout(sd, layout_ties, timefix)
    counting = entry_fixed is not None
    centre = w @ sd.X / w.sum()
    Xs = sorted_centred(sd.X, rs.order, centre)
    if ties == "exact":
        fit = newton_raphson(rs, Xs, sd.names, evaluate=lambda b: exact_partial_likelihood(rs, Xs, b),
                             settle_before_converging=True)
    else:
        fit = newton_raphson(rs, Xs, sd.names, settle_before_converging=counting,
                             infinite_rule="agreg" if counting else "coxph")
    cluster_s = None if sd.cluster is None else sd.cluster[rs.order]
    # R's fit$means: weighted means (coxph.fit); agreg.fit and coxexact.fit use colMeans
    means = _r_means(sd.X, np.ones(sd.n) @ sd.X / sd.n if counting or ties == "exact" else centre)
    data = _FitData(rs, Xs, time, sd.event, centre - means, entry_fixed)
    return _result(sd, fit, rs, Xs, cluster_s, robust, means, ties, conf_level, data, concordance)


def _layout(sd: SurvivalData, ties: str, timefix: bool):
    """(time, entry, risk sets) after R's time fix."""
    if sd.entry is not None:
        entry, time = fix_intervals(sd.entry, sd.time, timefix)
        return time, entry, risk_sets(time, sd.event, sd.weights, sd.strata, ties, entry=entry)
    rs = risk_sets(sd.time, sd.event, sd.weights, sd.strata, ties)
    time = aeq_times(sd.time, rs.time_s[rs.block_start]) if timefix else sd.time
    if time is not sd.time:  # near-tied times (R timefix): sort again on the merged times
        rs = risk_sets(time, sd.event, sd.weights, sd.strata, ties)
    return time, None, rs


_NO_CONCORDANCE = Concordance(np.nan, np.nan, np.nan, np.nan, np.nan, np.nan, np.nan, True)


def _result(sd, fit: NewtonFit, rs, Xs, cluster_s, robust, means, ties, conf_level, data,
            with_concordance: bool = True) -> CoxResult:
    se = np.sqrt(np.diag(fit.var))
    var, robust_se, rscore = fit.var, None, None
    if robust:
        var = robust_variance(rs, Xs, fit.beta, fit.var, cluster_s)
        robust_se = np.sqrt(np.diag(var))
        rscore = _chisq(robust_score_test(rs, Xs, cluster_s), len(fit.beta))
    used_se = np.sqrt(np.diag(var))
    z = fit.beta / used_se
    q = ndtri((1 + conf_level) / 2)
    ci = np.exp(np.column_stack((fit.beta - q * used_se, fit.beta + q * used_se)))
    conc = (concordance_sorted(rs, Xs @ fit.beta, cluster_s=cluster_s if robust else None)
            if with_concordance else _NO_CONCORDANCE)
    k = len(fit.beta)
    return CoxResult(
        terms=sd.names, coef=fit.beta, se=se, robust_se=robust_se, var=var, naive_var=fit.var,
        z=z, p=2 * ndtr(-np.abs(z)), hazard_ratio=np.exp(fit.beta), ci95=ci,
        loglik=(fit.loglik_null, fit.loglik),
        wald_test=_chisq(fit.beta @ np.linalg.solve(var, fit.beta), k),
        score_test=_chisq(fit.score_test, k),
        lr_test=_chisq(2 * (fit.loglik - fit.loglik_null), k),
        robust_score_test=rscore,
        concordance=conc.concordance, concordance_se=conc.std, concordance_counts=conc,
        n=sd.n, n_events=int(sd.event.sum()), iterations=fit.iterations, means=means,
        ties=ties, variance="robust" if robust else "model", conf_level=conf_level,
        strata=sd.strata_levels, n_clusters=None if sd.cluster is None else len(sd.cluster_levels),
        counting=rs.counting, _data=data,
    )
