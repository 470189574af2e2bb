"""The whole analysis: ADaM datasets in, one frozen :class:`Analysis` out.

``results`` is results.json exactly (shared/spec/results-v1.md, every key in contract
order); ``extras`` holds the report-only statistics (Table 1, sensitivity models,
subgroup medians, eGFR trajectory, KMunicate counts). Both are canonical (numbers rounded
as :mod:`prrt_rwe.results.canonical` says) and both go into the ARD.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from prrt_rwe.results import survival as surv
from prrt_rwe.results.baseline import baseline
from prrt_rwe.results.canonical import canonical
from prrt_rwe.results.characteristics import characteristics
from prrt_rwe.results.benchmarks import benchmarks
from prrt_rwe.results.comparators import ComparatorSettings, comparator_results
from prrt_rwe.results.comparisons import comparisons
from prrt_rwe.results.heavy import not_run, runs
from prrt_rwe.results.hormonal import hormonal
from prrt_rwe.results.kidney import trajectory
from prrt_rwe.results.missing_confounding_sites import evalues, missing_confounding_sites
from prrt_rwe.results.models import (
    model_notes,
    orr_logistic,
    pfs_cox,
    pfs_fits,
    sensitivity,
)
from prrt_rwe.results.efficacy import efficacy
from prrt_rwe.results.memo import analysis_memo
from prrt_rwe.results.populations import analysis_sets, flagged, population_rows
from prrt_rwe.results.proportion import proportion
from prrt_rwe.results.safety import (
    LAB_TESTS,
    defaulted_ranges,
    lab_grade3plus_rate,
    safety,
)
from prrt_rwe.results.safety_additions import competing_curves, safety_additions

SCHEMA = "prrt-rwe/results/1"
MAX_RISK_COLUMNS = 9


def risk_table_months(pfs, os_) -> tuple[int, ...]:
    """0, 6, 12, ... (or every 12 months) up to the last follow-up, at most 9 columns."""
    longest = max([d.days.max() for d in (pfs, os_) if d.n] or [0.0]) / surv.DAYS_PER_MONTH
    step = 6
    while longest / step > MAX_RISK_COLUMNS - 1:
        step *= 2
    last = max(step, int(-(-longest // step)) * step)
    return tuple(range(0, last + 1, step))


@dataclass(frozen=True)
class Curves:
    """Survival data of the headline population for the figures (never written out per patient)."""

    pfs: surv.SurvivalData
    os: surv.SurvivalData
    km_options: surv.KmOptions
    competing: dict = field(default_factory=dict)  # safety set: results key -> CompetingData


@dataclass(frozen=True)
class Analysis:
    results: dict
    extras: dict
    curves: Curves
    rules: dict = field(default_factory=dict)
    weighted_curves: dict = field(default_factory=dict)  # IPTW Kaplan-Meier fits per arm
    efficacy: object = None   # results.efficacy.EfficacyFigures (by-group curves, waterfall, swimmer)


def km_options(config) -> surv.KmOptions:
    km = config.km
    return surv.KmOptions(km.conf_type, km.conf_level, tuple(km.landmarks_months))


def subgroup_medians(adtte, eff, options) -> dict:
    pancreas = pd.Index(eff.loc[eff["primary_group"].astype("string").eq("pancreas").fillna(False),
                                "USUBJID"])
    return {"pfs_median_months_pancreas": surv.median_months(surv.endpoint(adtte, "PFS", pancreas), options),
            "os_median_months_pancreas": surv.median_months(surv.endpoint(adtte, "OS", pancreas), options)}


def risk_tables(pfs, os_) -> dict:
    out = {}
    for name, data in (("pfs", pfs), ("os", os_)):
        t = surv.risk_table(data, risk_table_months(pfs, os_))
        out[name] = {"months": list(t.months), "at_risk": list(t.at_risk),
                     "censored": list(t.censored), "events": list(t.events)}
    return out


def comparator_settings(config) -> ComparatorSettings:
    c = config.comparators
    resamples = c.bootstrap_resamples if runs(config, "maic_bootstrap") else 0
    return ComparatorSettings(resamples=resamples, seed=c.seed)


def analyze_adam(adam, config, comparators=None) -> Analysis:
    """Every statistic of the study from the ADaM datasets (see module doc).

    ``comparators``: loaded comparator files (None: the shipped ones when ``[comparators]
    shipped``)."""
    if comparators is None:
        from prrt_rwe.benchmarks.comparators import shipped_comparators

        comparators = shipped_comparators() if config.comparators.shipped else ()
    with analysis_memo():   # repeated lookups on the ADaM frames, once (results.memo)
        return _analyze(adam, config, comparators)


def _analyze(adam, config, comparators) -> Analysis:
    adsl = adam.adsl
    saf, eff = flagged(adsl, "SAFFL"), flagged(adsl, "EFFFL")
    safety_ids = pd.Index(saf["USUBJID"])
    headline = population_rows(adsl, config.study.headline_population)   # response, PFS, OS
    head_ids = pd.Index(headline["USUBJID"])
    options = km_options(config)
    pfs = surv.endpoint(adam.adtte, "PFS", head_ids)
    os_ = surv.endpoint(adam.adtte, "OS", head_ids)
    safety_block = safety(adam.labs, adam.adae, getattr(adam, "egfr_change", None), safety_ids)
    late_curves = competing_curves(adam.adtte, safety_ids)
    safety_block.update(safety_additions(adam, safety_ids, late_curves, runs(config, "egfr_mixed_model")))
    hormonal_block = hormonal(adam.adhs, safety_ids)
    fits = pfs_fits(eff, adam.adtte, config.models)
    orr_model, orr_note = orr_logistic(eff, adam.adrs, config.models)
    eff_blocks = efficacy(adam, config, options, fits)
    results = {
        "schema": SCHEMA,
        "analysis_sets": analysis_sets(adsl),
        **eff_blocks.head,
        "baseline": baseline(eff),
        **eff_blocks.headline,
        **eff_blocks.blocks,
        "safety": safety_block,
        "hormonal_symptoms": hormonal_block,
        "models": {"orr_logistic": orr_model,
                   "pfs_cox": pfs_cox(fits),
                   **eff_blocks.models},
    }
    mcs = missing_confounding_sites(adam, config, options, fits.get("main_error"))   # missing data, confounding, sites
    results["models"].update(mcs.models)
    results.update(missingness=mcs.missingness, iptw=mcs.iptw)
    results["evalues"] = evalues(results["models"], mcs.evalue_sources())
    results["sites"] = mcs.sites
    extras = {
        "characteristics": characteristics(saf, eff, population_rows(adsl, "evaluable")),
        "sensitivity": sensitivity(fits),
        "model_notes": model_notes(fits, orr_note),
        "lab_grade3plus": {t: lab_grade3plus_rate(safety_block["lab"]["worst_grade"], t, len(safety_ids))
                           for t in LAB_TESTS},
        "ranges_defaulted": defaulted_ranges(adam.labs),
        "hormonal_marked_share": proportion(hormonal_block["marked_improvement"],
                                            hormonal_block["evaluable"])["estimate"],
        **subgroup_medians(adam.adtte, headline, options),
        "risk_tables": risk_tables(pfs, os_),
        "egfr_trajectory": trajectory(adam.labs, safety_ids),
        "missing_confounding_sites": mcs.extras,
        **eff_blocks.extras,
        "not_run": not_run(config),
    }
    results = canonical(results)
    extras = canonical(extras)
    results["benchmarks"] = canonical(benchmarks(results, extras))
    results["comparisons"] = canonical(comparisons(adam, comparators, results, options))
    items, comparator_extras = comparator_results(adam, comparators, options, comparator_settings(config))
    results["comparators"] = canonical(items)
    extras["comparators"] = canonical(comparator_extras)
    return Analysis(results=results, extras=extras, curves=Curves(pfs, os_, options, late_curves),
                    rules=canonical(getattr(adam, "rules", None) or config.to_dict()),
                    efficacy=eff_blocks.figures, weighted_curves=mcs.curves)
