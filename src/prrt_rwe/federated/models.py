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
from prrt_rwe.stats.cox_block_sums import FIELDS, CoxBlockSums, likelihood_from_blocks, merge_block_sums
from prrt_rwe.stats.cox_efron import PartialLikelihood
from prrt_rwe.stats.cox_newton import newton_from
from prrt_rwe.stats.logistic import wald
from prrt_rwe.stats.logistic_fit import IrlsSums, irls

__all__ = ["FederatedFit", "Refused", "checked", "cox_stratified", "cox_unstratified", "logistic_irls"]


class Refused(Exception):
    """One or more sites refused a release the model needs; ``sites``: site -> reason."""

    def __init__(self, what: str, sites: dict):
        self.what, self.sites = what, dict(sites)
        named = "; ".join(f"{s}: {r}" for s, r in sorted(self.sites.items()))
        super().__init__(f"{what} refused by {len(self.sites)} site(s) ({named})")


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

    @property
    def hazard_ratio(self) -> np.ndarray:
        return self.ratio

    @property
    def odds_ratio(self) -> np.ndarray:
        return self.ratio

    @property
    def or_ci95(self) -> np.ndarray:
        return self.ci95


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


def _cox_result(fit, names, n, events, strata=None, conf_level: float = 0.95) -> FederatedFit:
    """Wald summary of a Newton fit, as R summary(coxph): se from the inverse information."""
    se = np.sqrt(np.diag(fit.var))
    z = fit.beta / se
    q = ndtri((1 + conf_level) / 2)
    ci = np.exp(np.column_stack((fit.beta - q * se, fit.beta + q * se)))
    return FederatedFit(tuple(names), fit.beta, fit.var, se, 2 * ndtr(-np.abs(z)), np.exp(fit.beta), ci,
                        int(n), int(events), fit.iterations, strata)


def _moments(ask, model: str, levels: dict):
    replies = checked(ask("cox_moments", {"model": model, "levels": levels}), f"{model} Cox moments")
    w, wx, wxx = _sum(replies, "w")[0], _sum(replies, "wx"), _sum(replies, "wxx")
    deaths = _sum(replies, "deaths")[0]
    centre = wx / w
    variance = np.diag(wxx) / w - centre ** 2
    strata = sum(1 for r in replies.values() if r.arrays["w"][0] > 0)
    return _columns(replies), centre, variance * deaths, w, deaths, strata


def cox_unstratified(model: str, levels: dict):
    """The fit function of the unstratified Cox model (WebDISCO)."""
    def fit(ask) -> FederatedFit:
        names, centre, reference, n, deaths, _ = _moments(ask, model, levels)

        def evaluate(beta) -> PartialLikelihood:
            replies = checked(ask("cox_blocks", {"model": model, "levels": levels, "centre": centre.tolist(),
                                                 "beta": np.asarray(beta).tolist()}), f"{model} Cox risk-set sums")
            blocks = merge_block_sums(CoxBlockSums(**{f: r.arrays[f] for f in FIELDS}) for r in replies.values())
            return likelihood_from_blocks(blocks, beta, "efron")

        return _cox_result(newton_from(evaluate, names, reference), names, n, deaths)
    return fit


def cox_stratified(model: str, levels: dict):
    """The fit function of the Cox model stratified by site (one stratum per site)."""
    def fit(ask) -> FederatedFit:
        names, centre, reference, n, deaths, strata = _moments(ask, model, levels)

        def evaluate(beta) -> PartialLikelihood:
            replies = checked(ask("cox_stratum", {"model": model, "levels": levels, "centre": centre.tolist(),
                                                  "beta": np.asarray(beta).tolist()}), f"{model} Cox strata")
            return PartialLikelihood(float(_sum(replies, "loglik")[0]), _sum(replies, "score"),
                                     _sum(replies, "information"))

        return _cox_result(newton_from(evaluate, names, reference), names, n, deaths, strata)
    return fit


def logistic_irls(model: str, levels: dict, conf_level: float = 0.95):
    """The fit function of the logistic model (distributed IRLS)."""
    def fit(ask) -> FederatedFit:
        first: dict = {}

        def sums_at(coef) -> IrlsSums:
            params = {"model": model, "levels": levels, "coef": None if coef is None else np.asarray(coef).tolist()}
            replies = checked(ask("irls", params), f"{model} logistic sums")
            first.setdefault("replies", replies)
            return IrlsSums(_sum(replies, "information"), _sum(replies, "rhs"), float(_sum(replies, "deviance")[0]))

        result = irls(sums_at)
        replies = first["replies"]
        names = _columns(replies)
        n = sum(int(r.values["n"]) for r in replies.values())
        events = sum(int(r.values["events"]) for r in replies.values())
        se, _z, p, limits = wald(result.coef, result.information, conf_level)
        var = np.linalg.inv(result.information)
        return FederatedFit(names, result.coef, var, se, p, np.exp(result.coef), np.exp(limits), n, events,
                            result.iterations)
    return fit
