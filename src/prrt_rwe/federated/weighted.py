"""The weighted analyses fitted across the network with the pooled drivers and algebra
(coordinator side; the sites' side is federated/weighted_replies.py).

* IPTW (results/confounding/iptw.py): the propensity model by distributed IRLS (the pooled
  ``logistic_fit.irls`` driver over the sites' sums, as federated/models.py's logistic
  models); the weights are computed at each site from the broadcast coefficients and the
  network's share of exposed patients; balance (stats/propensity.py ``balance``) from the
  arms' sums of x, x², w, w x and w x²; Kish ESS from Σw and Σw²; the weighted Kaplan-Meier
  curves with R's robust (infinitesimal-jackknife) intervals from the per-time sums of w and w²
  by status (stats/weighted_counts.py); the weighted Cox HR by WebDISCO on the weighted
  risk-set sums (the pooled ``cox_newton.newton_from``).  Exact.  The Cox model's robust
  (sandwich) SE, hence its CI and p, is not computed (shared/spec/federated.md).
* Comparators (results/comparators/): the naive matched comparison from the eligible
  patients' counts and per-time PFS counts; the MAIC weights by the pooled Newton driver
  (stats/maic.py ``newton_moments``) on the sites' sums of exp(z'a), z exp(z'a) and
  z z' exp(z'a); ESS, balance, weighted ORR and the weighted Kaplan-Meier PFS rate and median
  from the sites' weighted sums.  Exact.  The bootstrap intervals are not available (they
  resample patients); the convex-hull check of stats/maic.py is a linear programme over the
  patients, so a target outside the hull shows here as Newton's method not converging.

Each fit is a function of ``ask(analysis, params) -> {node: PartReply}`` run in lockstep with
the models (federated/lockstep.py).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from prrt_rwe.federated.errors import SiteFailure
from prrt_rwe.federated.models import Refused, aliased_columns, checked
from prrt_rwe.stats.cox_block_sums import FIELDS, CoxBlockSums, likelihood_from_blocks, merge_block_sums
from prrt_rwe.stats.cox_newton import newton_from
from prrt_rwe.stats.event_counts import EventCounts, merge_counts
from prrt_rwe.stats.logistic_fit import IrlsSums, irls
from prrt_rwe.stats.maic import MaicError, TOLERANCE, newton_moments
from prrt_rwe.stats.propensity import _smd
from prrt_rwe.stats.weighted_counts import WeightedCounts, merge_weighted

__all__ = ["ComparatorFit", "IptwFit", "NotEstimable", "comparator_fit", "iptw_fit"]

ARMS = ("exposed", "unexposed")


class NotEstimable(ValueError):
    """The analysis cannot be estimated on the network's data; the message is the block's reason,
    ``n`` the patients it would have analysed."""

    def __init__(self, reason: str, n: int | None = None):
        super().__init__(reason)
        self.n = n


@dataclass(frozen=True)
class IptwFit:
    exposure: str
    n: int
    ess: float
    columns: tuple[str, ...]
    smd_before: np.ndarray
    smd_after: np.ndarray
    hr: float
    arms: dict          # arm -> (n, WeightedCounts of PFS)
    ess_arm: dict       # arm -> Kish ESS
    iterations: int


def _sum(replies: dict, name: str) -> np.ndarray:
    return np.sum([r.arrays[name] for r in replies.values()], axis=0)


def _balance(sums: dict, binary: np.ndarray):
    """stats/propensity.py ``balance`` from each arm's sums (same moments and SMD)."""
    moments = {}
    for arm in ARMS:
        n, sx, sxx = sums[f"{arm}.n"][0], sums[f"{arm}.sx"], sums[f"{arm}.sxx"]
        sw, swx, swxx = sums[f"{arm}.sw"][0], sums[f"{arm}.swx"], sums[f"{arm}.swxx"]
        m, wm = sx / n, swx / sw
        var = np.where(binary, m * (1 - m), (sxx / n - m * m) * n / (n - 1))
        wvar = np.where(binary, wm * (1 - wm), (swxx / sw - wm * wm) * n / (n - 1))
        moments[arm] = (m, var, wm, wvar)
    (m1, v1, wm1, wv1), (m0, v0, wm0, wv0) = moments["exposed"], moments["unexposed"]
    before = np.array([_smd(*args) for args in zip(m1, m0, v1, v0)])
    after = np.array([_smd(*args) for args in zip(wm1, wm0, wv1, wv0)])
    return before, after


def iptw_fit(exposure: str, levels: dict):
    """The fit function of the IPTW analysis (module doc); raises NotEstimable or Refused."""
    def fit(ask) -> IptwFit:
        first = checked(ask("iptw_irls", {"levels": levels, "coef": None}), "the IPTW propensity sums")
        names = list(next(iter(first.values())).values["columns"])
        n = sum(int(r.values["n"]) for r in first.values())
        exposed = sum(int(r.values["exposed"]) for r in first.values())
        if n == 0:
            raise NotEstimable(f"IPTW not estimable: no patient has {exposure} and every propensity covariate "
                               "recorded")
        if not 0 < exposed < n:
            raise NotEstimable(f"IPTW not estimable: every analysed patient has {exposure} = "
                               f"{'yes' if exposed else 'no'}; there is no comparison to weight")
        dropped = aliased_columns(_sum(first, "information"), names, first=1)
        if dropped:
            raise NotEstimable(f"IPTW not estimable: propensity columns {dropped} are aliased", n)
        last = {"replies": first}

        def sums_at(coef) -> IrlsSums:
            if coef is not None:
                last["replies"] = checked(ask("iptw_irls", {"levels": levels, "coef": np.asarray(coef).tolist()}),
                                          "the IPTW propensity sums")
            r = last["replies"]
            return IrlsSums(_sum(r, "information"), _sum(r, "rhs"), float(_sum(r, "deviance")[0]))

        try:
            propensity = irls(sums_at)
        except (ValueError, ArithmeticError, np.linalg.LinAlgError) as exc:
            raise NotEstimable(f"IPTW not estimable: {exc}", n) from None
        extreme = sorted(s for s, r in last["replies"].items() if r.values.get("extreme"))
        if extreme:   # stats/separation.py's linear programme needs the rows; its symptom does not
            raise NotEstimable("IPTW not estimable: perfect or quasi-complete separation: fitted propensities of "
                               f"0 or 1 at {', '.join(extreme)}; maximum-likelihood odds ratios do not exist", n)
        p_exposed = exposed / n
        params = {"levels": levels, "coef": propensity.coef.tolist(), "p_exposed": p_exposed}
        replies = checked(ask("iptw_sums", params), "the IPTW weighted sums")
        sums = {name: _sum(replies, name) for name in next(iter(replies.values())).arrays
                if not name.split(".", 1)[1].startswith("pfs.")}
        binary = np.logical_and.reduce([np.asarray(r.values["binary"], dtype=bool) for r in first.values()])
        before, after = _balance(sums, binary)
        arms = {arm: (int(round(sums[f"{arm}.n"][0])),
                      merge_weighted(WeightedCounts.from_arrays(r.arrays, f"{arm}.pfs") for r in replies.values()))
                for arm in ARMS}
        sw = {arm: sums[f"{arm}.sw"][0] for arm in ARMS}
        sw2 = {arm: sums[f"{arm}.sw2"][0] for arm in ARMS}
        total, total2 = sw["exposed"] + sw["unexposed"], sw2["exposed"] + sw2["unexposed"]
        centre = sw["exposed"] / total
        deadwt = sum(float(table.wsum[:, 1].sum()) for _, table in arms.values())

        def evaluate(beta):
            r = checked(ask("iptw_cox", {**params, "centre": [centre], "beta": np.asarray(beta).tolist()}),
                        "the IPTW Cox sums")
            blocks = merge_block_sums(CoxBlockSums(**{f: x.arrays[f] for f in FIELDS}) for x in r.values())
            return likelihood_from_blocks(blocks, beta, "efron")

        variance = centre * (1 - centre)
        try:
            cox = newton_from(evaluate, [exposure], np.array([variance * deadwt]))
        except (ValueError, ArithmeticError, np.linalg.LinAlgError) as exc:
            raise NotEstimable(f"IPTW not estimable: {exc}", n) from None
        return IptwFit(exposure, n, float(total ** 2 / total2), tuple(names[1:]), before, after,
                       float(np.exp(cox.beta[0])), arms, {arm: float(sw[arm] ** 2 / sw2[arm]) for arm in ARMS},
                       propensity.iterations)
    return fit


@dataclass(frozen=True)
class ComparatorFit:
    """What the sites released for one comparator file, and its MAIC (or why not)."""

    id: str
    reason: str | None          # eligibility could not be applied (the item's reason)
    eligible: int | None        # eligible response-evaluable patients (None: a site refused)
    responders: int | None
    pfs: EventCounts | Refused  # the eligible patients' PFS counts
    eligible_n: int | None      # the MAIC set (eligible with every matching variable)
    naive_refused: Refused | None
    maic: dict | None           # the MAIC numbers, or None with maic_reason
    maic_reason: str | None
    eligible_n_refused: Refused | None = None   # sites that refused their MAIC set (eligible_n null)


def _values(replies: dict, key: str):
    return [r.values.get(key) for _, r in sorted(replies.items())]


def _maic_newton(ask, comparator_id: str, sz, szz, n: int, names):
    """a (on the scale of the matching variables) and the dropped columns: stats/maic.py
    ``maic_weights``' steps from the sites' sums."""
    keep = [j for j, name in enumerate(names) if name not in aliased_columns(szz, list(names))]
    dropped = tuple(name for j, name in enumerate(names) if j not in keep)
    a = np.zeros(len(names))
    if not keep:
        return a, dropped, 0
    mean = sz[keep] / n
    sd = np.sqrt(np.maximum(np.diag(szz)[keep] / n - mean * mean, 0.0))
    sd[sd == 0] = 1.0

    def evaluate(a_s):
        r = checked(ask("maic_newton", {"comparator": comparator_id, "columns": keep, "scale": sd.tolist(),
                                        "a": np.asarray(a_s).tolist()}), f"comparator {comparator_id} MAIC sums")
        s0 = float(_sum(r, "s0")[0])
        return np.log(s0), _sum(r, "s1"), _sum(r, "s2"), s0

    a_s, iterations = newton_moments(evaluate, len(keep))
    a[keep] = a_s / sd
    return a, dropped, iterations


def comparator_fit(comparator, min_eligible: int):
    """The fit function of one comparator file (module doc)."""
    from prrt_rwe.results.comparators.maic import MIN_ELIGIBLE

    def fit(ask) -> ComparatorFit:
        replies = ask("comparator_counts", {"comparator": comparator.id})
        failed = {node: r.error for node, r in replies.items() if r.error}
        if failed:
            node, reason = sorted(failed.items())[0]
            raise SiteFailure(node, f"could not compute comparator {comparator.id}: {reason}")
        reason = next((v for v in _values(replies, "reason") if v), None)
        if reason:
            return ComparatorFit(comparator.id, reason, 0, 0, EventCounts(np.empty(0), np.zeros((0, 2), int)),
                                 0, None, None, None)
        refused = {s: r.refused["naive"] for s, r in replies.items() if "naive" in r.refused}
        naive_refused = Refused(f"comparator {comparator.id} eligible patients", refused) if refused else None
        eligible = None if refused else sum(int(r.values["eligible"]) for r in replies.values())
        responders = None if refused else sum(int(r.values["responders"]) for r in replies.values())
        pfs_refused = {s: r.refused["pfs"] for s, r in replies.items() if "pfs" in r.refused}
        pfs = Refused(f"comparator {comparator.id} PFS counts", pfs_refused) if pfs_refused else merge_counts(
            (EventCounts(r.arrays["eligible_pfs.time"], r.arrays["eligible_pfs.counts"].reshape(-1, 2))
             for r in replies.values() if "eligible_pfs.time" in r.arrays), 2)
        n_refused = {s: r.refused["eligible_n"] for s, r in replies.items() if "eligible_n" in r.refused}
        eligible_n = None if n_refused else sum(int(r.values["eligible_n"]) for r in replies.values())
        maic_reason = next((v for v in _values(replies, "maic_reason") if v), None)
        base = (comparator.id, None, eligible, responders, pfs, eligible_n, naive_refused)
        if maic_reason:
            return ComparatorFit(*base, None, maic_reason)
        if n_refused:
            refused = Refused(f"comparator {comparator.id} MAIC set", n_refused)
            return ComparatorFit(*base, None, f"MAIC not available: {refused}", refused)
        if eligible_n < min_eligible:
            return ComparatorFit(*base, None, f"only {eligible_n} eligible patients with every matching variable "
                                              f"recorded (MAIC needs at least {MIN_ELIGIBLE})")
        names = next(v for v in _values(replies, "matched") if v)
        targets = np.array([t.value for t in comparator.baseline if t.matched], dtype=float)
        with_rows = {s: r for s, r in replies.items() if "maic.sz" in r.arrays}
        sz, szz = _sum(with_rows, "maic.sz"), _sum(with_rows, "maic.szz")
        try:
            a, dropped, iterations = _maic_newton(ask, comparator.id, sz, szz, eligible_n, names)
        except MaicError as exc:
            return ComparatorFit(*base, None, f"{exc} (the targets may lie outside the convex hull of our "
                                              "patients' matching variables, which a federated network does "
                                              "not test)")
        sums = checked(ask("maic_sums", {"comparator": comparator.id, "coef": a.tolist()}),
                       f"comparator {comparator.id} MAIC weighted sums")
        sw, sw2 = float(_sum(sums, "sw")[0]), float(_sum(sums, "sw2")[0])
        swx, sx = _sum(sums, "swx"), _sum(sums, "sx")
        diff = float(np.abs(swx / sw - targets).max())
        if diff > 1e-8 * (1 + np.abs(targets).max()):
            return ComparatorFit(*base, None, "targets are inconsistent with the linear dependence of the matching "
                                              f"variables (weighted means miss them by {diff:.3g})")
        pfs_w = {s: r.refused["pfs"] for s, r in sums.items() if "pfs" in r.refused}
        weighted = Refused(f"comparator {comparator.id} weighted PFS", pfs_w) if pfs_w else merge_weighted(
            WeightedCounts.from_arrays(r.arrays, "maic_pfs") for r in sums.values() if "maic_pfs.time" in r.arrays)
        maic = {"matched_on": list(names), "ess": sw ** 2 / sw2, "max_abs_diff": diff,
                "orr": float(_sum(sums, "swr")[0]) / sw, "n": eligible_n, "n_pfs": int(round(_sum(sums, "n_pfs")[0])),
                "balance": {name: {"target": float(targets[j]), "before": float(sx[j] / eligible_n),
                                   "after": float(swx[j] / sw)} for j, name in enumerate(names)},
                "dropped": list(dropped), "pfs": weighted, "iterations": iterations, "tolerance": TOLERANCE}
        return ComparatorFit(*base, maic, None)
    return fit
