"""results.json, the report's extras and the survival curves of a federated study, built from
the sites' releases with the pooled results/ functions (shared/spec/federated.md, "results.json
in federated mode").

* Counts and proportions: the sites' count trees summed (federated/count_tree.py).
* Kaplan-Meier summaries, the follow-up median, landmark rates, the KMunicate risk tables and
  the subgroup medians: the pooled results/survival.py functions on the merged per-time counts
  written back as rows (stats/event_counts.py) -- exact, since a Kaplan-Meier curve depends on
  the rows only through those counts.
* The age median and the time-to-response quartiles: the pooled functions on the merged counts
  of the distinct values.
* pfs_by_group / os_by_group: results/survival_by_group.py on each level's merged counts -- the
  log-rank test and the cox.zph check of a grouping depend on the rows only through the counts
  by (time, status, level), so they are exact too.
* The study period: results/study_period.py on the network's first and last C1.
* The models: federated/models.py, their blocks by federated/model_blocks.py.
* safety.cumulative_incidence and safety.gray_test: the pooled results/late_effects.py on the
  merged per-time counts by cause (and by level for Gray's test) written back as rows -- exact,
  since Aalen-Johansen and cmprsk's test depend on the rows only through those counts.
* sites.orr_meta: the pooled meta-analysis on the sites' released headline responders and
  patients (federated/site_meta.py); not available under secure aggregation.
* iptw and comparators: federated/weighted_blocks.py from the weighted analyses of
  federated/weighted.py (point estimates exact; the robust SE of the weighted Cox model and
  the MAIC bootstrap intervals not available).
* Everything else of the pooled document (each key the sites' skeletons name) is null and
  listed in ``federation.not_available`` with the reason; a key a site suppressed under
  ``min_cell`` is null and listed in ``federation.suppressed`` with the sites.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from prrt_rwe.federated.contract import kind_of, path_join
from prrt_rwe.federated.count_tree import blank, leaf_types, proportion_none
from prrt_rwe.federated.models import Refused
from prrt_rwe.federated.site_meta import site_rows, sites_meta
from prrt_rwe.results.sites.site_groups import OTHER
from prrt_rwe.federated.weighted_blocks import REASONS as WEIGHTED_REASONS
from prrt_rwe.federated.weighted_blocks import comparator_blocks, iptw_block
from prrt_rwe.results import survival as surv
from prrt_rwe.results import survival_by_group as groups
from prrt_rwe.results.analysis import SCHEMA, Analysis, Curves, km_options, risk_tables
from prrt_rwe.results.benchmarks import benchmarks
from prrt_rwe.results.canonical import canonical
from prrt_rwe.results.efficacy import EFFICACY_POPULATIONS
from prrt_rwe.results.late_effects import ENDPOINTS, CompetingData, cif_summary, gray_block
from prrt_rwe.results.proportion import proportion
from prrt_rwe.results.response_duration import time_to_response
from prrt_rwe.results.safety import LAB_TESTS, lab_grade3plus_rate
from prrt_rwe.results.study_period import study_period
from prrt_rwe.stats.event_counts import EventCounts, expand_counts, merge_counts

__all__ = ["Releases", "assemble", "REASONS"]

NEEDS_ROWS = "needs patient-level rows; not computed from the released aggregates"
NOT_FEDERATED = "not federated in this version"
REASONS = {
    "models.pfs_cox.concordance": "Harrell's concordance compares pairs of patients (across sites)",
    "models.pfs_cox.ph_test": "cox.zph needs every event's scaled Schoenfeld residuals",
    "models.pfs_cox_liver3.concordance": "Harrell's concordance compares pairs of patients (across sites)",
    "models.pfs_cox_liver3.ph_test": "cox.zph needs every event's scaled Schoenfeld residuals",
    "models.orr_logistic_cluster_site": "the site-clustered sandwich needs each site's score, which secure "
                                        "aggregation hides",
    "sites.n_sites": "counting the sites with headline patients needs each site's count, which secure "
                     "aggregation hides",
    "sites.orr_meta": "the meta-analysis needs each site's responders and patients, which secure aggregation "
                      "hides",
}
# Whole keys never computed from the releases (whatever parts of them the sites release).
NOT_AVAILABLE = {
    "models.pfs_cox_ph_stratified": "stratifies on the terms cox.zph flags; cox.zph is not available",
    "included_vs_excluded": f"means, variances and shares of each side per variable: {NOT_FEDERATED}",
    "comparisons": f"matches patients to each published study's eligibility: {NOT_FEDERATED}",
    # wave 2 (results-v1.md additions)
    "models.orr_logistic_mi": "multiple imputation draws each missing value from other patients' rows",
    "models.pfs_cox_mi": "multiple imputation draws each missing value from other patients' rows",
    "missingness": f"missing-value counts per covariate and site: {NOT_FEDERATED}",
    "evalues": f"E-values of the models, including the imputed and weighted ones: {NOT_FEDERATED}",
    "sites.leave_one_out": f"the estimates refitted without each site: {NOT_FEDERATED}",
    "sites.frailty_cox": f"the shared gamma frailty Cox model by site: {NOT_FEDERATED}",
    "safety.ae_table": f"adverse-event terms ranked by count across the network: {NOT_FEDERATED}",
    "safety.fine_gray": "Fine-Gray weights each patient by the censoring distribution at their own time",
    "safety.egfr_slope": "the eGFR mixed model (REML) needs each patient's series of values",
}
KM_BLOCKS = {"pfs": "pfs", "os": "os", "pfs_evaluable": "pfs_evaluable", "os_evaluable": "os_evaluable",
             "pfs_complete_case": "pfs_complete_case", "os_complete_case": "os_complete_case",
             "duration_of_response": "dor"}   # results.json key -> survival set (federated/site.py)


@dataclass(frozen=True)
class Releases:
    """What the coordinator gathered: merged skeletons and count trees, merged per-time
    tables and value counts (or a Refused), the study period, the fitted models (or the
    exception)."""

    skeleton: dict            # document -> tree
    counts: dict              # document -> count_tree.Merged
    survival: dict            # set name -> EventCounts | Refused (federated/site.py survival_sets)
    competing: dict           # set name -> EventCounts by cause | Refused (federated/site.py competing_sets)
    values: dict              # "age", "ttr" -> EventCounts of distinct values | Refused
    study_period: object      # (first C1 day, last C1 day, cut-off) | Refused
    site_response: object     # site -> (headline responders, patients) | Refused | None (secure aggregation)
    fits: dict                # model name (federated/study_models.py) or "pfs_stratified" -> fit | Exception
    sites: tuple              # site ids
    federation: dict          # min_cell, time_unit, secure_aggregation, quantization
    comparators: tuple = ()   # the comparator files in force (their fits in ``fits``: "comparator.<id>")
    site_pfs: dict = None     # site -> its own released headline PFS counts | Refused (the sites' forest plot)


class _Document:
    """One document being filled, remembering which keys were computed or suppressed."""

    def __init__(self, name: str, skeleton: dict, merged):
        self.name = name
        self.types = leaf_types(skeleton or {})
        self.tree = _fill(blank(skeleton or {}), merged.tree)
        self.computed: set = set()
        self.withheld: set = set()   # keys not available in this run (as NOT_AVAILABLE, by setting)
        self.reasons: dict = {}      # why, for a withheld key whose reason is not in REASONS
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

    def withhold(self, path: str, reason: str | None = None) -> None:
        """``path`` is not available in this run: null and listed whole (its reason ``reason``,
        else in REASONS)."""
        self.computed.discard(path)
        self.withheld.add(path)
        if reason is not None:
            self.reasons[path] = reason

    def get(self, path: str):
        node = self.tree
        for k in path.split("."):
            if not isinstance(node, dict) or k not in node:
                return None
            node = node[k]
        return node

    def not_available(self) -> list[str]:
        """The keys not available, each as high up as all its leaves are; a not-available key
        holding a list (whose items the sites may even count differently) becomes null."""
        keys = _collapse(self.tree, "", self._available)
        for key in keys:
            if "[" not in key and (_holds_list(self.get(key)) or key in NOT_AVAILABLE or key in self.withheld):
                self.set(key, None)
                self.computed.discard(key)
        return keys

    def _available(self, path: str) -> bool:
        """Released (itself or as part of a proportion) or computed by the coordinator."""
        ancestors = [path[:i] for i in range(len(path) + 1) if i == len(path) or path[i] in ".["]
        if any(a in self.withheld or (self.name == "results" and a in NOT_AVAILABLE) for a in ancestors):
            return False
        if any(a in self.computed for a in ancestors):
            return True
        kinds = {kind_of(self.name, a) for a in ancestors if a} - {None}
        return bool(kinds) and not (kinds == {"count"} and self.types.get(path) == "f")


def _holds_list(tree) -> bool:
    """Whether ``tree`` holds a list of items (what the report and the ARD walk item by item)."""
    if isinstance(tree, list):
        return bool(tree)
    return isinstance(tree, dict) and any(_holds_list(v) for v in tree.values())


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


def _km_summary(options):
    return lambda d: surv.summary(d, options) if d else _summary_none(options)


def _median(options):
    return lambda d: surv.median_months(d, options) if d else None


def _median_of(table):
    if isinstance(table, Refused):
        return None
    values, _ = expand_counts(table)
    return float(np.median(values)) if values.size else None


def assemble(releases: Releases, config) -> tuple[Analysis, dict]:
    """(Analysis for the report, the federation block); the Analysis' results carry
    ``mode`` and ``federation``."""
    from prrt_rwe.federated.model_blocks import model_blocks

    options = km_options(config)
    results = _Document("results", releases.skeleton["results"], releases.counts["results"])
    extras = _Document("extras", releases.skeleton["extras"], releases.counts["extras"])
    sets = releases.survival
    for key, name in KM_BLOCKS.items():
        if key in results.tree:
            _survival(results, key, sets[name], options, _km_summary(options))
    _survival(results, "followup_median_months", sets["fu"], options, _median(options))
    ages = releases.values["age"]
    results.set("baseline.age_median", _median_of(ages), _refusal(ages) if isinstance(ages, Refused) else None)
    _efficacy(results, extras, releases, options)
    _late_effects(results, releases.competing)
    _sites(results, extras, releases, config, options)
    notes = model_blocks(results, extras, releases.fits, config, releases.sites)
    weighted_curves = iptw_block(results, extras, releases.fits.get("iptw"), config, options)
    comparator_blocks(results, extras, releases.fits, releases.comparators, options)
    _extras(results, extras, releases, options, notes)
    return _finish(results, extras, releases, config, options, weighted_curves)


def _group_curves(sets: dict, endpoint: str) -> dict:
    """The sites' by-group per-time counts as results/survival_by_group.py's GroupCurves (one
    row per counted patient), or the Refused of a level."""
    out = {}
    for key, _column, levels in groups.GROUPINGS:
        tables = [sets[f"{endpoint}_by.{key}.{level}"] for level, _ in levels]
        refused = [t for t in tables if isinstance(t, Refused)]
        out[key] = refused[0] if refused else groups.GroupCurves(
            key, tuple(level for level, _ in levels), tuple(_survival_data(t) for t in tables))
    return out


def _by_group(results: _Document, extras: _Document, sets: dict, options) -> None:
    notes = {}
    for endpoint in ("pfs", "os"):
        notes[endpoint] = {}
        for key, gc in _group_curves(sets, endpoint).items():
            if isinstance(gc, Refused):
                results.set(f"{endpoint}_by_group.{key}", None, _refusal(gc))
                notes[endpoint][key] = {"ph_p": None, "rmst_difference": None}
            else:
                block, notes[endpoint][key] = groups.grouping_block(gc, options)
                results.set(f"{endpoint}_by_group.{key}", block)
    if extras.get("efficacy_notes") is not None:
        extras.set("efficacy_notes.groups", notes)
        extras.set("efficacy_notes.followup_median_months",
                   {pop: _median(options)(None if isinstance(sets[f"fu_{pop}"], Refused)
                                          else _survival_data(sets[f"fu_{pop}"]))
                    for pop in EFFICACY_POPULATIONS})


def _time_to_response(results: _Document, ttr) -> None:
    if isinstance(ttr, Refused):
        results.set("time_to_response_months", {"n": None, "median": None, "q1": None, "q3": None},
                    _refusal(ttr))
        return
    days, _ = expand_counts(ttr)
    ids = np.arange(days.size).astype(str)
    adtte = pd.DataFrame({"USUBJID": ids, "PARAMCD": "TTR", "AVAL": days, "CNSR": 0})
    results.set("time_to_response_months", time_to_response(adtte, pd.Index(ids)))


def _period_rows(first_day, last_day, cutoff) -> pd.DataFrame:
    """Safety-set ADSL rows carrying the network's first and last C1 and the cut-off, for
    results/study_period.py."""
    days = [d for d in (first_day, last_day) if d is not None]
    return pd.DataFrame({"SAFFL": ["Y"] * len(days),
                         "TRTSDT": pd.to_datetime(np.array(days, dtype="float64"), unit="D"),
                         "DCUTDT": pd.to_datetime([cutoff] * len(days))})


def _efficacy(results: _Document, extras: _Document, releases: Releases, options) -> None:
    """The reviewer-grade efficacy blocks that are exact from the releases."""
    if "pfs_by_group" in results.tree:
        _by_group(results, extras, releases.survival, options)
    if "time_to_response_months" in results.tree:
        _time_to_response(results, releases.values["ttr"])
    if "study_period" in results.tree:
        period = releases.study_period
        if isinstance(period, Refused):
            results.set("study_period", {"first_c1": None, "last_c1": None, "data_cutoff": None,
                                         "followup_calendar_months": None}, _refusal(period))
        elif period[0] is not None:
            results.set("study_period", study_period(_period_rows(*period)))


def _competing_data(table) -> CompetingData:
    time, status = expand_counts(table)
    return CompetingData(np.arange(time.size).astype(str), time, status.astype(np.int64))


def _late_effects(results: _Document, sets: dict) -> None:
    """safety.cumulative_incidence and safety.gray_test: the pooled results/late_effects.py on
    the merged per-time counts by cause (of each level, for Gray's test) written back as rows."""
    if results.get("safety") is None or "cumulative_incidence" not in results.tree["safety"]:
        return
    for key in ENDPOINTS:
        table = sets[f"cif.{key}"]
        if isinstance(table, Refused):
            results.set(f"safety.cumulative_incidence.{key}", blank(cif_summary(_competing_data(
                EventCounts(np.empty(0), np.zeros((0, 3), dtype=np.int64))))), _refusal(table))
        else:
            results.set(f"safety.cumulative_incidence.{key}", cif_summary(_competing_data(table)))
    for grouping in ("primary_group", "prior_lines3"):
        key = f"safety.gray_test.heme_grade3plus_te.{grouping}"
        prefix = f"gray.{grouping}."
        tables = {name[len(prefix):]: t for name, t in sets.items() if name.startswith(prefix)}
        refused = [t for t in tables.values() if isinstance(t, Refused)]
        if refused:   # the sites that refused any level's counts
            sites = {s: r for t in refused for s, r in t.sites.items()}
            results.set(key, {"stat": None, "df": None, "p": None}, _refusal(Refused(key, sites)))
            continue
        parts = {level: _competing_data(t) for level, t in sorted(tables.items())}
        data = CompetingData(np.concatenate([d.usubjid for d in parts.values()] or [np.empty(0, object)]),
                             np.concatenate([d.days for d in parts.values()] or [np.empty(0)]),
                             np.concatenate([d.status for d in parts.values()] or [np.empty(0, np.int64)]))
        labels = pd.Series(np.concatenate([[level] * d.n for level, d in parts.items()] or [np.empty(0, object)]),
                           dtype=object)
        results.set(key, gray_block(data, labels))


def _sites(results: _Document, extras: _Document, releases: Releases, config, options) -> None:
    """sites.n_sites, min_site_n and orr_meta (federated/site_meta.py); orr_meta null under
    secure aggregation, or naming the sites that refused their counts.  The report's per-site
    rows (extras ``missing_confounding_sites.per_site``): each pseudo-site's ORR from its
    released counts and its PFS summary from its own released per-time counts (the sites of
    "other" merged), as results/sites/per_site.py computes them on the rows."""
    if "sites" not in results.tree:
        return
    released = releases.site_response
    results.set("sites.min_site_n", config.sites.min_site_n)
    if released is None:
        results.withhold("sites.n_sites")
        results.withhold("sites.orr_meta")
    elif isinstance(released, Refused):
        results.set("sites.n_sites", None, _refusal(released))
        results.set("sites.orr_meta", {"REML": None, "DL": None}, _refusal(released))
    else:
        n_sites, meta = sites_meta(released, config.sites.min_site_n)
        results.set("sites.n_sites", n_sites)
        results.set("sites.orr_meta", meta)
        rows = _site_pfs(site_rows(released, config.sites.min_site_n), released, releases.site_pfs or {},
                         config.sites.min_site_n, options)
        if rows is not None:
            extras.set("missing_confounding_sites.per_site", rows)


def _site_pfs(rows: list, released: dict, tables: dict, min_site_n: int, options) -> list | None:
    """``rows`` with each pseudo-site's PFS summary; None when a site's PFS counts were refused."""
    groups: dict = {}
    for site, (_k, patients) in released.items():
        if patients:
            groups.setdefault(OTHER if patients < min_site_n else site, []).append(site)
    out = []
    for row in rows:
        parts = [tables.get(site) for site in groups[row["site"]]]
        if any(t is None or isinstance(t, Refused) for t in parts):
            return None
        data = _survival_data(merge_counts(parts, 2))
        out.append({**row, "pfs": surv.summary(data, options) if data.n else _summary_none(options)})
    return out


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


def _finish(results: _Document, extras: _Document, releases: Releases, config, options, weighted_curves: dict):
    results.computed.add("benchmarks")   # compared below, from the federated numbers
    not_available = results.not_available()
    suppressed = [{"key": k, "sites": list(sites), "reason": reason}
                  for k, (sites, reason) in sorted(results.suppressed.items())]
    federation = {"sites": len(releases.sites), **releases.federation, "not_available": not_available,
                  "reasons": {k: results.reasons.get(k) or _reason(k, results.differing) for k in not_available},
                  "suppressed": suppressed}
    extras.tree["federation"] = {
        "not_available": extras.not_available(),
        "suppressed": [{"key": k, "sites": list(sites), "reason": reason}
                       for k, (sites, reason) in sorted(extras.suppressed.items())]}
    ordered = {"schema": SCHEMA, "mode": "federated", "federation": federation,
               **{k: v for k, v in results.tree.items() if k != "schema"}}
    res = canonical(ordered)
    ext = canonical(extras.tree)
    res["benchmarks"] = canonical(benchmarks(res, ext))
    sets = releases.survival
    pfs, os_ = _survival_data(sets["pfs"]), _survival_data(sets["os"])
    competing = {key: _competing_data(table) for key in ENDPOINTS
                 if not isinstance(table := releases.competing[f"cif.{key}"], Refused)}
    analysis = Analysis(results=res, extras=ext, curves=Curves(pfs, os_, options, competing),
                        rules=canonical(config.to_dict()), efficacy=_figures(sets), weighted_curves=weighted_curves)
    return analysis, federation


def _figures(sets: dict):
    """What the efficacy figures draw: the by-group and duration-of-response curves from the
    counts; no waterfall or swimmer plot (one bar per patient)."""
    from prrt_rwe.results.efficacy import EfficacyFigures

    curves = {}
    for endpoint in ("pfs", "os"):
        curves[endpoint] = {k: gc if not isinstance(gc, Refused) else
                            groups.GroupCurves(k, (), ()) for k, gc in _group_curves(sets, endpoint).items()}
    return EfficacyFigures(curves["pfs"], curves["os"], _survival_data(sets["dor"]), None, None)


def _reason(key: str, differing: list) -> str:
    if key in differing:
        return "differs between sites; not combined"
    for prefix, reason in {**NOT_AVAILABLE, **REASONS, **WEIGHTED_REASONS}.items():
        if key == prefix or key.startswith(prefix + "."):
            return reason
    return NEEDS_ROWS
