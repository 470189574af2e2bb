"""results.json, the report's extras and the survival curves of a federated study, built from
the sites' releases with the pooled results/ functions (shared/spec/federated.md, "results.json
in federated mode").

* Counts and proportions: the sites' count trees summed (federated/count_tree.py).
* Kaplan-Meier summaries, the follow-up median, landmark rates, the KMunicate risk tables and
  the subgroup medians: the pooled results/survival.py functions on the merged per-time counts
  written back as rows (stats/event_counts.py) -- exact, since a Kaplan-Meier curve depends on
  the rows only through those counts.
* The age median: the median of the merged counts of the distinct ages.
* The models: federated/models.py.
* Everything else of the pooled document (each key the sites' skeletons name) is null and
  listed in ``federation.not_available`` with the reason; a key a site suppressed under
  ``min_cell`` is null and listed in ``federation.suppressed`` with the sites.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass

import numpy as np

from prrt_rwe.federated.contract import kind_of, path_join
from prrt_rwe.federated.count_tree import proportion_none
from prrt_rwe.federated.models import FederatedFit, Refused
from prrt_rwe.results import survival as surv
from prrt_rwe.results.analysis import SCHEMA, Analysis, Curves, km_options, risk_tables
from prrt_rwe.results.canonical import canonical
from prrt_rwe.results.comparisons import comparisons
from prrt_rwe.results.models import cox_terms, logistic_terms, not_estimable
from prrt_rwe.results.proportion import proportion
from prrt_rwe.results.safety import LAB_TESTS, lab_grade3plus_rate
from prrt_rwe.stats.event_counts import expand_counts

__all__ = ["Releases", "assemble", "REASONS"]

NEEDS_ROWS = "needs patient-level rows; not computed from the released aggregates"
REASONS = {
    "models.pfs_cox.concordance": "Harrell's concordance compares pairs of patients (across sites)",
    "models.pfs_cox.ph_test": "cox.zph needs every event's scaled Schoenfeld residuals",
    "baseline.age_median": "the sites' age counts were not all released",
}


@dataclass(frozen=True)
class Releases:
    """What the coordinator gathered: merged skeletons and count trees, merged per-time
    tables (or a Refused), merged age counts, the fitted models (or the exception)."""

    skeleton: dict            # document -> tree
    counts: dict              # document -> count_tree.Merged
    survival: dict            # set name -> EventCounts | Refused
    ages: object              # EventCounts | Refused
    fits: dict                # name -> FederatedFit | Exception
    sites: tuple              # site ids
    federation: dict          # min_cell, time_unit, secure_aggregation, quantization


class _Document:
    """One document being filled, remembering which keys were computed or suppressed."""

    def __init__(self, name: str, skeleton: dict, merged):
        self.name = name
        self.tree = _fill(copy.deepcopy(skeleton or {}), merged.tree)
        self.computed: set = set()
        self.suppressed = {k: (sites, "counts under min_cell") for k, sites in merged.suppressed.items()}
        self.differing = list(merged.differing)

    def set(self, path: str, value, suppressed: tuple | None = None) -> None:
        node, keys = self.tree, path.split(".")
        for k in keys[:-1]:
            node = node.setdefault(k, {})
        node[keys[-1]] = value
        self.computed.add(path)
        if suppressed is not None:
            self.suppressed[path] = suppressed

    def get(self, path: str):
        node = self.tree
        for k in path.split("."):
            if not isinstance(node, dict) or k not in node:
                return None
            node = node[k]
        return node

    def not_available(self) -> list[str]:
        return _collapse(self.tree, "", self._available)

    def _available(self, path: str) -> bool:
        """Released (itself or as part of a proportion) or computed by the coordinator."""
        ancestors = [path[:i] for i in range(len(path) + 1) if i == len(path) or path[i] in ".["]
        return any(kind_of(self.name, a) is not None for a in ancestors if a) or any(
            a in self.computed for a in ancestors)


def _fill(skeleton, tree):
    """The skeleton with the merged count tree's values written in."""
    if tree is None:
        return skeleton
    if isinstance(skeleton, dict) and isinstance(tree, dict):
        if {"n", "N", "estimate", "ci95"} <= set(tree):
            return tree
        return {k: _fill(v, tree.get(k)) for k, v in skeleton.items()}
    if isinstance(skeleton, list) and isinstance(tree, list) and len(skeleton) == len(tree):
        return [_fill(s, t) for s, t in zip(skeleton, tree)]
    return tree


def _collapse(node, path: str, available) -> list[str]:
    """Normalised paths of the leaves that are not available; a key all of whose leaves are
    not available is listed once, by its own path."""
    if isinstance(node, dict) and node:
        parts = [(_collapse(v, path_join(path, k), available), v) for k, v in node.items()]
    elif isinstance(node, list) and node:
        parts = [(_collapse(v, path_join(path, i), available), v) for i, v in enumerate(node)]
    else:
        return [] if available(path) else [path]
    listed = sorted({p for sub, _ in parts for p in sub})
    children = {path_join(path, k) for k in (node if isinstance(node, dict) else range(len(node)))}
    if path and children <= set(listed) and not available(path):
        return [path]
    return listed


def _refusal(refused: Refused) -> tuple:
    return tuple(sorted(refused.sites)), "; ".join(f"{s}: {r}" for s, r in sorted(refused.sites.items()))


def _survival_data(table) -> surv.SurvivalData:
    if isinstance(table, Refused):
        return surv.SurvivalData(np.empty(0), np.empty(0, dtype=np.int8))
    time, status = expand_counts(table)
    return surv.SurvivalData(time, status.astype(np.int8))


def _summary_none(options) -> dict:
    return {"n": None, "events": None, "median_months": None, "ci95": [None, None],
            "rate_at": {surv.landmark_key(m): {"estimate": None, "ci95": [None, None]}
                        for m in options.landmarks_months}}


def _survival(doc: _Document, key: str, table, options, what) -> None:
    if isinstance(table, Refused):
        doc.set(key, what(None), _refusal(table))
    else:
        doc.set(key, what(_survival_data(table)))


def _age_median(ages):
    if isinstance(ages, Refused):
        return None
    values, _ = expand_counts(ages)
    return float(np.median(values)) if values.size else None


def _model_block(doc: "_Document", key: str, fit, ratio: str, extra: dict) -> tuple[dict, str | None]:
    """(results.json block, why not estimable) of a fitted or failed model; a failed model
    keeps the term names the sites' own results carry."""
    if isinstance(fit, FederatedFit):
        terms = cox_terms(fit, list(fit.terms)) if ratio == "hr" else \
            logistic_terms(fit, [t for t in fit.terms if t != "(Intercept)"])
        return {"n": fit.n, "events": fit.events, **extra, "terms": terms}, None
    names = [t.get("term") for t in (doc.get(f"{key}.terms") or []) if isinstance(t, dict)]
    return {"n": None, "events": None, **extra, "terms": not_estimable(names, ratio, "")}, str(fit)


def _suppressed_by(fit):
    return _refusal(fit) if isinstance(fit, Refused) else None


def assemble(releases: Releases, config) -> tuple[Analysis, dict]:
    """(Analysis for the report, the federation block); the Analysis' results carry
    ``mode`` and ``federation``."""
    options = km_options(config)
    results = _Document("results", releases.skeleton["results"], releases.counts["results"])
    extras = _Document("extras", releases.skeleton["extras"], releases.counts["extras"])
    sets = releases.survival
    _survival(results, "pfs", sets["pfs"], options, lambda d: surv.summary(d, options) if d else _summary_none(options))
    _survival(results, "os", sets["os"], options, lambda d: surv.summary(d, options) if d else _summary_none(options))
    _survival(results, "followup_median_months", sets["fu"], options,
              lambda d: surv.median_months(d, options) if d else None)
    age = _age_median(releases.ages)
    results.set("baseline.age_median", age,
                _refusal(releases.ages) if isinstance(releases.ages, Refused) else None)
    notes = _models(results, extras, releases)
    _extras(results, extras, releases, options, notes)
    return _finish(results, extras, releases, config, options)


def _models(results: _Document, extras: _Document, releases: Releases) -> dict:
    fits, notes = releases.fits, {}
    orr, notes["orr_logistic"] = _model_block(results, "models.orr_logistic", fits["orr_logistic"], "or", {})
    results.set("models.orr_logistic", orr, _suppressed_by(fits["orr_logistic"]))
    main, notes["pfs_cox_main"] = _model_block(results, "models.pfs_cox", fits["pfs_cox"], "hr",
                                               {"ties": "efron", "concordance": None})
    main["ph_test"] = {"global_p": None}
    for key in ("n", "events", "ties", "concordance", "terms", "ph_test"):
        results.set(f"models.pfs_cox.{key}", main[key], _suppressed_by(fits["pfs_cox"]) if key == "terms" else None)
    results.computed -= {"models.pfs_cox.concordance", "models.pfs_cox.ph_test"}
    strat = fits["pfs_cox_stratified"]
    block, notes["pfs_cox_stratified"] = _model_block(
        extras, "sensitivity.stratified_by_site", strat, "hr",
        {"strata": strat.strata if isinstance(strat, FederatedFit) else None})
    names = [t["term"] for t in main["terms"]]
    robust = {"n": main["n"], "events": main["events"], "clusters": len(releases.sites),
              "terms": not_estimable(names, "hr", "")}
    extras.set("sensitivity.stratified_by_site", block, _suppressed_by(strat))
    extras.set("sensitivity.cluster_robust_by_site", robust)
    extras.set("sensitivity.ph_test", {"global_p": None, "terms": []})
    extras.computed -= {"sensitivity.cluster_robust_by_site", "sensitivity.ph_test"}
    return {k: v for k, v in notes.items() if v}


def _extras(results: _Document, extras: _Document, releases: Releases, options, notes: dict) -> None:
    sets = releases.survival
    extras.set("model_notes", notes)
    worst, N = results.get("safety.lab.worst_grade"), results.get("safety.N")
    extras.set("lab_grade3plus", {t: lab_grade3plus_rate(worst, t, N)
                                  if worst and N is not None and None not in worst.get(t, {None: None}).values()
                                  else proportion_none() for t in LAB_TESTS})
    marked, evaluable = (results.get(f"hormonal_symptoms.{k}") for k in ("marked_improvement", "evaluable"))
    extras.set("hormonal_marked_share",
               None if marked is None or evaluable is None else proportion(marked, evaluable)["estimate"])
    for name in ("pfs", "os"):
        _survival(extras, f"{name}_median_months_pancreas", sets[f"{name}_pancreas"], options,
                  lambda d: surv.median_months(d, options) if d else None)
    pfs, os_ = _survival_data(sets["pfs"]), _survival_data(sets["os"])
    extras.set("risk_tables", risk_tables(pfs, os_))


def _finish(results: _Document, extras: _Document, releases: Releases, config, options):
    results.computed.add("benchmarks")   # compared below, from the federated numbers
    not_available = results.not_available()
    suppressed = [{"key": k, "sites": list(sites), "reason": reason}
                  for k, (sites, reason) in sorted(results.suppressed.items())]
    federation = {"sites": len(releases.sites), **releases.federation, "not_available": not_available,
                  "reasons": {k: _reason(k, results.differing) for k in not_available},
                  "suppressed": suppressed}
    extras.tree["federation"] = {
        "not_available": extras.not_available(),
        "suppressed": [{"key": k, "sites": list(sites), "reason": reason}
                       for k, (sites, reason) in sorted(extras.suppressed.items())]}
    ordered = {"schema": SCHEMA, "mode": "federated", "federation": federation,
               **{k: v for k, v in results.tree.items() if k != "schema"}}
    res = canonical(ordered)
    ext = canonical(extras.tree)
    res["benchmarks"] = canonical(comparisons(res, ext))
    pfs, os_ = _survival_data(releases.survival["pfs"]), _survival_data(releases.survival["os"])
    analysis = Analysis(results=res, extras=ext, curves=Curves(pfs, os_, options),
                        rules=canonical(config.to_dict()))
    return analysis, federation


def _reason(key: str, differing: list) -> str:
    if key in differing:
        return "differs between sites; not combined"
    for prefix, reason in REASONS.items():
        if key == prefix or key.startswith(prefix + "."):
            return reason
    return NEEDS_ROWS
