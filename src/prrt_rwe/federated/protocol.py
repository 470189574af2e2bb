"""The requests a coordinator may send and the replies a node gives: plain data (JSON-able
values and numpy arrays), independent of the runtime that carries them.

A request is one round: a tuple of :class:`Part` s, each naming one of :data:`ANALYSES` with
its parameters.  The reply maps every part id to a :class:`PartReply`: released values and
arrays, and the items the node refused (with the reason).  A part naming anything else, or
parameters outside an analysis' own, is refused as a whole and logged (federated/node.py).

The models are named by federated/study_models.py (the node's own copy of the study);
``columns`` restricts a model to some of its columns (the coordinator drops aliased ones).

Analyses (shared/spec/federated.md, "Exact statistics"):

``describe``      site id, code version, disclosure settings, latest date (for the cut-off)
``prepare``       counts of the pooled results blocks, per-time counts of the survival sets
                  and, by cause, of the competing-risks sets, counts of the distinct ages and
                  times to response, the first and last C1 (min_cell 1 only), the headline
                  responders and patients (not under secure aggregation), the models'
                  text-covariate levels
``cox_moments``   sums of w, w x and w x x' and the deaths of the Cox model's rows (centring)
``cox_blocks``    per-time risk-set sums at beta (WebDISCO: the unstratified Cox fit)
``cox_stratum``   the site's stratum of the site-stratified Cox fit at beta
``irls``          X' W X, X' W z and the deviance at the logistic coefficients
``iptw_irls``     the same sums of the propensity model (exposure on the propensity columns)
``iptw_sums``     per exposure arm at the propensity coefficients: counts, sums of x and x²
                  unweighted and weighted, of w and w², and the per-time weighted counts of PFS
``iptw_cox``      per-time risk-set sums of the IPTW-weighted Cox model of PFS on the exposure
``comparator_counts``  per comparator file: eligible patients, responders, per-time PFS counts,
                  and the MAIC set's n, sums of z and z z' (z = x - published targets)
``maic_newton``   sums of exp(z'a), z exp(z'a), z z' exp(z'a) (standardised z) at a
``maic_sums``     at the MAIC coefficients: sums of w, w², w x, w x responder, and per-time
                  weighted PFS counts

The weighted analyses (the last six) are answered only without secure aggregation (their
per-arm and per-time sums are not secured by SecAgg+ in this version).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

__all__ = ["ANALYSES", "MODEL_KINDS", "Part", "PartReply", "Request", "WEIGHTED_ANALYSES"]

WEIGHTED_ANALYSES = ("iptw_irls", "iptw_sums", "iptw_cox", "comparator_counts", "maic_newton", "maic_sums")
ANALYSES = ("describe", "prepare", "cox_moments", "cox_blocks", "cox_stratum", "irls", *WEIGHTED_ANALYSES)
MODEL_KINDS = {"cox_moments": "cox", "cox_blocks": "cox", "cox_stratum": "cox", "irls": "logistic"}

# analysis -> parameters it takes (a request with others is refused)
PARAMETERS = {
    "describe": set(),
    "prepare": {"config", "data_cutoff"},
    "cox_moments": {"model", "levels"},
    "cox_blocks": {"model", "levels", "columns", "centre", "beta"},
    "cox_stratum": {"model", "levels", "columns", "centre", "beta"},
    "irls": {"model", "levels", "columns", "coef"},
    "iptw_irls": {"levels", "coef"},
    "iptw_sums": {"levels", "coef", "p_exposed"},
    "iptw_cox": {"levels", "coef", "p_exposed", "centre", "beta"},
    "comparator_counts": {"comparator"},
    "maic_newton": {"comparator", "columns", "scale", "a"},
    "maic_sums": {"comparator", "coef"},
}


@dataclass(frozen=True)
class Part:
    id: str
    analysis: str
    params: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Request:
    round: int
    parts: tuple[Part, ...]


@dataclass(frozen=True)
class PartReply:
    values: dict = field(default_factory=dict)
    arrays: dict = field(default_factory=dict)   # name -> np.ndarray
    refused: dict = field(default_factory=dict)  # item (or "*" for the whole part) -> reason
    error: str | None = None                     # the node could not compute the part

    def array(self, name: str) -> np.ndarray:
        return self.arrays[name]
