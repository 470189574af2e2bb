"""The study's models fitted across the network with the pooled drivers (coordinator side).

* PFS Cox, unstratified: WebDISCO (Lu et al. 2015): each Newton step's likelihood from the
  sites' per-time risk-set sums (stats/cox_block_sums.py), iterated by the pooled
  ``cox_newton.newton_from`` (same start, steps, step halving and convergence as R coxph).
* PFS Cox stratified by site: each site's stratum likelihood at beta (the pooled Efron pass
  on its rows), summed; the same Newton driver.
* ORR logistic: distributed IRLS, the pooled ``logistic_fit.irls`` driver over the sites'
  sums of X' W X, X' W z and the deviance; Wald intervals as ``logistic``.

Each fit is a function of ``ask(analysis, params) -> {node: PartReply}`` (run in lockstep by
federated/lockstep.py).  A site that refuses (disclosure) raises :class:`Refused`; a site that
fails raises :class:`~prrt_rwe.federated.errors.SiteFailure`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.special import ndtr, ndtri

from prrt_rwe.federated.errors import FederationError, SiteFailure
from prrt_rwe.federated.protocol import PartReply
from prrt_rwe.stats.cox_block_sums import FIELDS, CoxBlockSums, likelihood_from_blocks, merge_block_sums
from prrt_rwe.stats.cox_efron import PartialLikelihood
from prrt_rwe.stats.cox_newton import newton_from
from prrt_rwe.stats.logistic import wald
from prrt_rwe.stats.logistic_fit import IrlsSums, irls
from prrt_rwe.stats.logistic_robust import sandwich_from_sums

TOLER_ALIASED = 1e-10   # residual variance, relative to the column's own

__all__ = ["FederatedFit", "Refused", "SecureHidden", "aliased_columns", "checked", "cox_stratified", "cox_unstratified",
           "logistic_irls"]


class Refused(Exception):
    """One or more sites refused a release the model needs; ``sites``: site -> reason."""

    def __init__(self, what: str, sites: dict):
        self.what, self.sites = what, dict(sites)
        named = "; ".join(f"{s}: {r}" for s, r in sorted(self.sites.items()))
        super().__init__(f"{what} refused by {len(self.sites)} site(s) ({named})")


class SecureHidden(ValueError):
    """A statistic that needs a site's own array, which secure aggregation hides."""


@dataclass(frozen=True)
class FederatedFit:
    """A model fitted across the network: what results.json and the report read."""

    terms: tuple[str, ...]
    coef: np.ndarray
    var: np.ndarray
    se: np.ndarray
    p: np.ndarray
    ratio: np.ndarray        # hazard or odds ratio
    ci95: np.ndarray         # (p, 2) on the ratio scale
    n: int
    events: int
    iterations: int
    strata: int | None = None
    aliased: tuple[str, ...] = ()          # columns dropped as linear combinations of the others
    cluster_site: object = None   # logistic: the same fit with the site-clustered sandwich (or why not)

    @property
    def hazard_ratio(self) -> np.ndarray:
        return self.ratio

    @property
    def odds_ratio(self) -> np.ndarray:
        return self.ratio

    @property
    def or_ci95(self) -> np.ndarray:
        return self.ci95


def aliased_columns(gram: np.ndarray, names, first: int = 0) -> list[str]:
    """Columns (from ``first`` on) that are a linear combination of the columns before them,
    read from a Gram matrix (X' W X with positive weights; the centred covariance when the
    intercept is implicit), as results/design.py's ``aliased`` reads X itself."""
    kept, out = list(range(first)), []
    for j in range(first, gram.shape[0]):
        if kept:
            sub = gram[np.ix_(kept, kept)]
            residual = gram[j, j] - gram[j, kept] @ np.linalg.solve(sub, gram[kept, j])
        else:
            residual = gram[j, j]
        if residual <= TOLER_ALIASED * max(gram[j, j], 1e-300):
            out.append(names[j])
        else:
            kept.append(j)
    return out


def checked(replies: dict, what: str) -> dict:
    """The replies when every site answered; Refused / SiteFailure otherwise."""
    failed = {node: r.error for node, r in replies.items() if r.error}
    if failed:
        node, reason = sorted(failed.items())[0]
        raise SiteFailure(node, f"could not compute {what}: {reason}")
    refused = {node: r.refused["*"] for node, r in replies.items() if "*" in r.refused}
    if refused:
        raise Refused(what, refused)
    columns = {tuple(r.values.get("columns", ())) for r in replies.values()}
    if len(columns) > 1:
        raise FederationError(f"{what}: the sites built different design columns ({sorted(columns)}); "
                              "the study's levels differ between sites")
    return replies


def _columns(replies: dict) -> tuple[str, ...]:
    return tuple(next(iter(replies.values())).values["columns"])


def _sum(replies: dict, name: str) -> np.ndarray:
    return np.sum([r.arrays[name] for r in replies.values()], axis=0)


def _wald_fit(coef, var, names, n, events, iterations, conf_level: float = 0.95, **extra) -> FederatedFit:
    """Wald summary, as R summary(coxph) / summary(glm): se from ``var``."""
    se = np.sqrt(np.diag(var))
    z = coef / se
    q = ndtri((1 + conf_level) / 2)
    ci = np.exp(np.column_stack((coef - q * se, coef + q * se)))
    return FederatedFit(tuple(names), coef, var, se, 2 * ndtr(-np.abs(z)), np.exp(coef), ci,
                        int(n), int(events), iterations, **extra)


def _moments(ask, model: str, levels: dict, drop_aliased: bool):
    replies = checked(ask("cox_moments", {"model": model, "levels": levels}), f"{model} Cox moments")
    names = list(_columns(replies))
    w, wx, wxx = float(np.rint(_sum(replies, "w")[0])), _sum(replies, "wx"), _sum(replies, "wxx")
    deaths = float(np.rint(_sum(replies, "deaths")[0]))   # counts (weights are 1)
    centre = wx / w
    covariance = wxx / w - np.outer(centre, centre)
    dropped = aliased_columns(covariance, names) if drop_aliased else []
    keep = [i for i, n in enumerate(names) if n not in dropped]
    strata = sum(r.values.get("sites_with_rows", int(r.arrays["w"][0] > 0)) for r in replies.values())
    return ([names[i] for i in keep], centre[keep], np.diag(covariance)[keep] * deaths, w, deaths, strata,
            tuple(dropped))


def _cox(request: str, combine, model: str, levels: dict, drop_aliased: bool):
    def fit(ask) -> FederatedFit:
        names, centre, reference, n, deaths, strata, dropped = _moments(ask, model, levels, drop_aliased)

        def evaluate(beta) -> PartialLikelihood:
            params = {"model": model, "levels": levels, "centre": centre.tolist(), "beta": np.asarray(beta).tolist()}
            if dropped:
                params["columns"] = names
            return combine(checked(ask(request, params), f"{model} Cox {request}"), beta)

        fit_ = newton_from(evaluate, names, reference)
        return _wald_fit(fit_.beta, fit_.var, names, n, deaths, fit_.iterations, strata=strata, aliased=dropped)
    return fit


def _risk_set_sums(replies: dict, beta) -> PartialLikelihood:
    blocks = merge_block_sums(CoxBlockSums(**{f: r.arrays[f] for f in FIELDS}) for r in replies.values())
    return likelihood_from_blocks(blocks, beta, "efron")


def _strata(replies: dict, beta) -> PartialLikelihood:
    return PartialLikelihood(float(_sum(replies, "loglik")[0]), _sum(replies, "score"), _sum(replies, "information"))


def cox_unstratified(model: str, levels: dict, drop_aliased: bool = False):
    """The fit function of the unstratified Cox model (WebDISCO)."""
    return _cox("cox_blocks", _risk_set_sums, model, levels, drop_aliased)


def cox_stratified(model: str, levels: dict):
    """The fit function of the Cox model stratified by site (one stratum per site)."""
    return _cox("cox_stratum", _strata, model, levels, False)


def _subset(replies: dict, keep: list[int]) -> dict:
    """IRLS replies restricted to some columns (the start's sums do not depend on the others)."""
    return {node: PartReply(values=r.values, arrays={"information": r.arrays["information"][np.ix_(keep, keep)],
                                                     "rhs": r.arrays["rhs"][keep], "deviance": r.arrays["deviance"]})
            for node, r in replies.items()}


def logistic_irls(model: str, levels: dict, drop_aliased: bool = False, conf_level: float = 0.95):
    """The fit function of a logistic model (distributed IRLS), with the site-clustered
    sandwich variance of the same fit (the sites are the clusters: each site's score at the
    estimate, as R ``sandwich::vcovCL(cluster = ~site)``)."""
    def fit(ask) -> FederatedFit:
        first = checked(ask("irls", {"model": model, "levels": levels, "coef": None}), f"{model} logistic sums")
        names = list(_columns(first))
        dropped = aliased_columns(_sum(first, "information"), names, first=1) if drop_aliased else []
        keep = [i for i, n in enumerate(names) if n not in dropped]
        names = [names[i] for i in keep]
        last = {"replies": _subset(first, keep)}

        def sums_at(coef) -> IrlsSums:
            if coef is not None:
                params = {"model": model, "levels": levels, "coef": np.asarray(coef).tolist()}
                if dropped:
                    params["columns"] = names[1:]
                last["replies"] = checked(ask("irls", params), f"{model} logistic sums")
            r = last["replies"]
            return IrlsSums(_sum(r, "information"), _sum(r, "rhs"), float(_sum(r, "deviance")[0]))

        result = irls(sums_at)
        n = sum(int(r.values["n"]) for r in first.values())
        events = sum(int(r.values["events"]) for r in first.values())
        _se, _z, _p, _limits = wald(result.coef, result.information, conf_level)
        model_var = np.linalg.inv(result.information)
        at_estimate = [r for r in last["replies"].values() if int(r.values["n"]) > 0]
        scores = np.array([r.arrays["rhs"] - r.arrays["information"] @ result.coef for r in at_estimate])
        robust = None
        if any(r.values.get("secure") for r in at_estimate):
            robust = SecureHidden("the site-clustered sandwich needs each site's score, which secure "
                                  "aggregation hides")
        elif len(at_estimate) > 1:
            robust = _wald_fit(result.coef, sandwich_from_sums(_sum(last["replies"], "information"), scores),
                               names, n, events, result.iterations, conf_level=conf_level)
        return _wald_fit(result.coef, model_var, names, n, events, result.iterations, conf_level=conf_level,
                         aliased=tuple(dropped), cluster_site=robust)
    return fit
