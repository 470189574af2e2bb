"""Statistical engines: arrays in, frozen result objects out (results-v1.md, "Python API").

Every survival engine checks its inputs once against the survival-data contract
(:mod:`prrt_rwe.stats.survival_data`); every result records its method choices.

    stats.kaplan_meier(time, event, *, weights=None, conf_type="log-log", conf_level=0.95)
    stats.reverse_km(time, event) / stats.reverse_km_median(time, event)   # follow-up
    stats.logrank(time, event, group, *, strata=None)
    stats.cox_ph(time, event, X, *, ties="efron", strata=None, cluster=None, weights=None)
        also: entry= ((start, stop] data, also for kaplan_meier and nelson_aalen), ties="exact",
        tt=, timefix=, concordance=; kaplan_meier(..., estimator="fleming_harrington");
        logrank(..., rho=); fit.ph_test(transform="log" or a function)
    stats.nelson_aalen(time, event, *, weights=None, entry=None)
    stats.logistic(y, X, *, ci="wald"|"profile", firth=False)
    stats.logistic_cluster(y, X, cluster)   # sandwich::vcovCL(type = "HC0") standard errors
    stats.rmst(time, event, tau=None, *, group=None)   # restricted mean survival time
    stats.clopper_pearson(k, n, conf_level=0.95) / stats.wilson(k, n) / stats.proportion(k, n)
    stats.bootstrap(statistic, *arrays, n_resamples=2000, method="percentile"|"bca", seed=0)
    stats.km_median (a statistic with a fast bootstrap path), stats.bootstrap_km_median
    stats.fit_formula(formula, data) / stats.logistic_formula(formula, data)
    stats.pool_rubin(estimates, variances, *, df_complete=None)     # Rubin's rules, as mice::pool
    stats.mice(data, variables, *, auxiliary=None, m=20, iterations=5, seed=1)   # chained equations
    stats.evalue(estimate, lo=None, hi=None, *, measure="RR"|"OR"|"HR", rare=False)
    stats.iptw_weights(exposure, X, *, truncation=None) / stats.balance(X, exposure, weights)
    stats.escalc_plo(x, n) / stats.rma(yi, vi, method="REML"|"DL")  # metafor
    stats.cox_frailty(time, event, X, group)                        # coxph(... + frailty(group))
    stats.robust_kaplan_meier(time, event, weights)                 # survfit(..., weights) IJ variance
    stats.maic_weights(X, targets)   # matching-adjusted indirect comparison (Signorovitch 2010)
    stats.reconstruct_km(curve_time, curve_survival, at_risk_time, n_at_risk, *, total_events=None)
    stats.cumulative_incidence(time, status, *, group=None, conf_level=0.95)   # Aalen-Johansen
    stats.gray_test(time, status, group, *, cause=1, strata=None, rho=0)
    stats.fine_gray(time, status, X, *, cause=1)                              # as cmprsk::crr
    stats.linear_mixed_model(y, X, group, *, Z=None)                          # REML, as nlme::lme
"""

from __future__ import annotations

from prrt_rwe.stats.bootstrap import BootstrapResult, bootstrap, bootstrap_km_median
from prrt_rwe.stats.bootstrap import frequencies as bootstrap_frequencies
from prrt_rwe.stats.bootstrap_km import km_median
from prrt_rwe.stats.cox import CoxResult, cox_ph
from prrt_rwe.stats.evalue import EValue, evalue
from prrt_rwe.stats.frailty import FrailtyCox, cox_frailty
from prrt_rwe.stats.km_robust import robust_kaplan_meier
from prrt_rwe.stats.meta_analysis import MetaAnalysis, escalc_plo, rma
from prrt_rwe.stats.mice import ImputedVariable, Imputations, mice
from prrt_rwe.stats.propensity import Balance, IptwWeights, balance, iptw_weights
from prrt_rwe.stats.rubin import RubinPool, pool_rubin
from prrt_rwe.stats.cumulative_incidence import (
    CumulativeIncidence,
    CumulativeIncidenceAt,
    CumulativeIncidenceGroups,
    cumulative_incidence,
)
from prrt_rwe.stats.fine_gray import FineGray, fine_gray
from prrt_rwe.stats.kaplan_meier import (
    KaplanMeier,
    SurvivalAt,
    SurvivalQuantile,
    kaplan_meier,
    reverse_km,
    reverse_km_median,
)
from prrt_rwe.stats.gray_test import GrayTest, gray_test
from prrt_rwe.stats.logistic import Logistic, SeparationError, logistic
from prrt_rwe.stats.logistic_robust import RobustLogistic, logistic_cluster
from prrt_rwe.stats.logrank import LogRank, logrank
from prrt_rwe.stats.maic import MaicError, MaicWeights, maic_weights
from prrt_rwe.stats.nelson_aalen import NelsonAalen, nelson_aalen
from prrt_rwe.stats.proportions import Proportion, clopper_pearson, proportion, wilson
from prrt_rwe.stats.reconstruct_km import ReconstructedIPD, ReconstructionError, reconstruct_km
from prrt_rwe.stats.rmst import Rmst, RmstDifference, rmst
from prrt_rwe.stats.survival_data import SurvivalData, SurvivalDataError, survival_data


__all__ = [
    "BootstrapResult", "CoxResult", "KaplanMeier", "LogRank", "Logistic", "Proportion", "SeparationError",
    "SurvivalAt", "SurvivalData", "SurvivalDataError", "SurvivalQuantile", "bootstrap",
    "bootstrap_frequencies", "bootstrap_km_median", "clopper_pearson", "cox_ph", "fit_formula", "kaplan_meier",
    "km_median", "logistic", "logistic_formula", "logrank", "model_frame", "proportion",
    "reverse_km", "reverse_km_median", "survival_data", "wilson",
    "Balance", "EValue", "FrailtyCox", "ImputedVariable", "Imputations", "IptwWeights", "MetaAnalysis",
    "RubinPool", "balance", "cox_frailty", "escalc_plo", "evalue", "iptw_weights", "mice", "pool_rubin", "rma",
    "robust_kaplan_meier",
    "MaicError", "MaicWeights", "maic_weights", "ReconstructedIPD", "ReconstructionError", "reconstruct_km",
    "RobustLogistic", "logistic_cluster", "Rmst", "RmstDifference", "rmst",
    "CumulativeIncidence", "CumulativeIncidenceAt", "CumulativeIncidenceGroups", "FineGray", "GrayTest",
    "MixedModel", "cumulative_incidence", "fine_gray", "gray_test", "linear_mixed_model",
]
__all__ += ["NelsonAalen", "nelson_aalen"]

# Imported on first use (PEP 562): formulaic (formula) and scipy.stats (mixed_model) cost about
# a second of CPU per process, and no analysis of ``prrt-rwe analyze`` but the heavy eGFR slope
# model needs them (issue 17). Their module names differ from the names they give, so loading
# the submodule never replaces a function of this package by the module.
_LAZY = {"fit_formula": "formula", "logistic_formula": "formula", "model_frame": "formula",
         "MixedModel": "mixed_model", "linear_mixed_model": "mixed_model"}


def __getattr__(name: str):
    if name in _LAZY:
        import importlib

        value = getattr(importlib.import_module(f"{__name__}.{_LAZY[name]}"), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(_LAZY))
