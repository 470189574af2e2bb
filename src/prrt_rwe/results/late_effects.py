"""results.json ``safety.cumulative_incidence``, ``safety.gray_test`` and
``safety.fine_gray`` (safety set): late effects with death as a competing risk, from the
ADTTE rows HEM3TE, MDSAML and RENDECL (derive/late_effects.py).

- Cumulative incidence: Aalen–Johansen with R survfit's multi-state 95 % CI (type "log"),
  rates at 12, 24, 36 and 60 months (days = months x 30.4375), ``null`` beyond the last
  follow-up time (R ``summary(fit, times, extend = FALSE)``).
- Gray's test (cmprsk ``cuminc``) of HEM3TE by primary_group (five levels) and by
  ``prior_lines3`` (0 / 1 / >= 2); patients with the grouping missing are left out.
- Fine–Gray (cmprsk ``crr``) of HEM3TE on covariates known at C1, complete case on them:
  age_per10y = age / 10, prior_lines, bone_metastases, activity_c1_per7_4gbq = first-cycle
  activity / 7.4 GBq, baseline_platelets_per50 = baseline platelets (10^9/L, ADLB ABLFL) / 50.
Where a test or model cannot be estimated its numbers are ``null`` and ``reason`` says why.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from prrt_rwe.results.parameters import parameter_rows
from prrt_rwe.results.populations import members
from prrt_rwe.results.safety import yes
from prrt_rwe.results.survival import DAYS_PER_MONTH, landmark_key
from prrt_rwe.stats.cumulative_incidence import cumulative_incidence
from prrt_rwe.stats.fine_gray import fine_gray
from prrt_rwe.stats.gray_test import gray_test

# results.json key -> ADTTE PARAMCD
ENDPOINTS = {"heme_grade3plus_te": "HEM3TE", "mds_aml": "MDSAML", "renal_decline": "RENDECL"}
CIF_LANDMARK_MONTHS = (12, 24, 36, 60)
FINE_GRAY_TERMS = ("age_per10y", "prior_lines", "bone_metastases", "activity_c1_per7_4gbq",
                   "baseline_platelets_per50")
PRIOR_LINES3 = ("0", "1", ">=2")


@dataclass(frozen=True)
class CompetingData:
    """Days from C1 and status (0 censored, 1 event, 2 death first) of one endpoint."""

    usubjid: np.ndarray
    days: np.ndarray
    status: np.ndarray

    @property
    def n(self) -> int:
        return int(self.days.size)


def competing_endpoint(adtte: pd.DataFrame, paramcd: str, usubjids: pd.Index) -> CompetingData:
    rows = parameter_rows(adtte, paramcd)
    rows = rows.loc[members(rows["USUBJID"], usubjids)].sort_values("USUBJID", kind="stable")
    event = pd.to_numeric(rows["CNSR"]).to_numpy() == 0
    status = np.where(event, 1, np.where(yes(rows["CMPEVFL"]).to_numpy(), 2, 0))
    return CompetingData(rows["USUBJID"].to_numpy(dtype=object),
                         pd.to_numeric(rows["AVAL"]).to_numpy(dtype=float), status.astype(np.int64))


def cif_summary(data: CompetingData) -> dict:
    """``{"n", "events", "competing", "rate_at"}`` of results-v1.md (CIF)."""
    out = {"n": data.n, "events": int((data.status == 1).sum()), "competing": int((data.status == 2).sum())}
    fit = cumulative_incidence(data.days, data.status) if data.n else None
    rates = {}
    for month in CIF_LANDMARK_MONTHS:
        at = None if fit is None else fit.cif_at(month * DAYS_PER_MONTH)
        rates[landmark_key(month)] = ({"estimate": None, "ci95": [None, None]} if at is None
                                      else {"estimate": at.estimate, "ci95": [at.lower, at.upper]})
    out["rate_at"] = rates
    return out


def prior_lines3(prior_lines) -> pd.Series:
    """0 / 1 / >=2 prior lines (missing stays missing)."""
    v = pd.to_numeric(pd.Series(prior_lines), errors="coerce")
    return pd.Series(np.select([v == 0, v == 1, v >= 2], PRIOR_LINES3, None), index=v.index).where(v.notna())


def gray_block(data: CompetingData, labels: pd.Series) -> dict:
    """Gray's test of ``data`` by ``labels`` (missing left out), or nulls and the reason."""
    keep = labels.notna().to_numpy()
    groups = labels.to_numpy(dtype=object)[keep]
    if len(set(groups)) < 2:
        return {"stat": None, "df": None, "p": None, "reason": "fewer than two groups with patients"}
    if not (data.status[keep] == 1).any():
        return {"stat": None, "df": None, "p": None, "reason": "no event"}
    res = gray_test(data.days[keep], data.status[keep], groups.astype(str))
    if not np.isfinite(res.statistic):
        return {"stat": None, "df": res.df, "p": None, "reason": "singular variance of the scores"}
    return {"stat": res.statistic, "df": res.df, "p": res.p}


def gray_groupings(data: CompetingData, adsl: pd.DataFrame) -> dict:
    """Grouping -> each row's label (missing: NA) for Gray's tests."""
    by_id = adsl.set_index("USUBJID").reindex(data.usubjid)
    return {"primary_group": by_id["primary_group"].astype(object).reset_index(drop=True),
            "prior_lines3": prior_lines3(by_id["prior_lines"].to_numpy()).reset_index(drop=True)}


def gray_tests(data: CompetingData, adsl: pd.DataFrame) -> dict:
    return {key: gray_block(data, labels) for key, labels in gray_groupings(data, adsl).items()}


def baseline_platelets(labs) -> pd.Series:
    """Per USUBJID the baseline platelet count (10^9/L, ADLB ABLFL; derived in the engine)."""
    return labs.baseline_platelets


def fine_gray_covariates(adsl: pd.DataFrame, labs, usubjid) -> pd.DataFrame:
    """The Fine–Gray design (columns FINE_GRAY_TERMS) for the given patients, NaN = missing."""
    a = adsl.set_index("USUBJID").reindex(usubjid)
    num = lambda col: pd.to_numeric(a[col].astype(object), errors="coerce").to_numpy(dtype=float)  # noqa: E731
    return pd.DataFrame({
        "age_per10y": num("age") / 10, "prior_lines": num("prior_lines"),
        "bone_metastases": num("bone_metastases"),
        "activity_c1_per7_4gbq": num("activity_c1_gbq") / 7.4,
        "baseline_platelets_per50": baseline_platelets(labs).reindex(usubjid).to_numpy(dtype=float) / 50,
    })


def fine_gray_block(data: CompetingData, adsl: pd.DataFrame, labs) -> dict:
    X = fine_gray_covariates(adsl, labs, data.usubjid)
    keep = X.notna().all(axis=1).to_numpy()
    n, events = int(keep.sum()), int((data.status[keep] == 1).sum())
    if events == 0:
        return {"n": n, "events": 0, "terms": [], "reason": "no event among complete cases"}
    try:
        fit = fine_gray(data.days[keep], data.status[keep], X.loc[keep].reset_index(drop=True))
    except np.linalg.LinAlgError:
        return {"n": n, "events": events, "terms": [], "reason": "singular information matrix"}
    terms = [{"term": t, "shr": float(fit.shr[j]), "ci95": [float(fit.ci95[j, 0]), float(fit.ci95[j, 1])],
              "p": float(fit.p[j])} for j, t in enumerate(fit.terms)]
    out = {"n": n, "events": events, "terms": terms}
    if not fit.converged:
        out["reason"] = "Newton-Raphson did not converge"
    return out
