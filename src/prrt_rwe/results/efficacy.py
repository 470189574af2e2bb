"""The reviewer-grade efficacy blocks of results.json (results-v1.md "Additions: reviewer-grade
efficacy", every key but ``comparisons``), assembled once for :mod:`prrt_rwe.results.analysis`.

Populations (derivations.md "Study period and populations (wave 2)"): the response-evaluable
population and the complete-case model set are both summarised (``*_evaluable``,
``*_complete_case``); ``[study] headline_population`` says which one the headline blocks
(``response``, ``pfs``, ``os``, ``followup_median_months``), duration of response, time to
response and the by-group curves use; the models always use the complete-case set.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from prrt_rwe.results import survival as surv
from prrt_rwe.results import survival_by_group as groups
from prrt_rwe.results.efficacy_models import efficacy_models
from prrt_rwe.results.included_excluded import included_vs_excluded
from prrt_rwe.results.patient_profiles import swimmer, waterfall
from prrt_rwe.results.populations import flagged, population_ids, population_rows, populations
from prrt_rwe.results.response import response
from prrt_rwe.results.response_duration import duration_of_response, time_to_response
from prrt_rwe.results.study_period import study_period

EFFICACY_POPULATIONS = ("evaluable", "complete_case")


@dataclass(frozen=True)
class EfficacyFigures:
    """What the efficacy figures draw (patient-level: kept out of results.json and the ARD)."""

    pfs_by_group: dict
    os_by_group: dict
    dor: surv.SurvivalData
    waterfall: pd.DataFrame
    swimmer: pd.DataFrame


@dataclass(frozen=True)
class Efficacy:
    head: dict       # study_period, populations (after analysis_sets)
    headline: dict   # response, pfs, os, followup_median_months of the headline population
    blocks: dict     # the other top-level keys, in contract order
    models: dict     # the added ``models`` blocks
    extras: dict     # report-only: groupings' cox.zph p and RMST difference, model notes, cut-off counts
    figures: EfficacyFigures


def population_blocks(adam, name: str, options: surv.KmOptions) -> dict:
    """response / pfs / os / followup_median_months of one population."""
    rows = population_rows(adam.adsl, name)
    ids = pd.Index(rows["USUBJID"])
    return {"response": response(adam.adrs, rows),
            "pfs": surv.summary(surv.endpoint(adam.adtte, "PFS", ids), options),
            "os": surv.summary(surv.endpoint(adam.adtte, "OS", ids), options),
            "followup_median_months": surv.median_months(surv.endpoint(adam.adtte, "FU", ids), options)}


def efficacy(adam, config, options: surv.KmOptions, fits: dict) -> Efficacy:
    """Every block of the module doc; ``fits`` are results.models.pfs_fits of the default model."""
    adsl, headline = adam.adsl, config.study.headline_population
    eff = flagged(adsl, "EFFFL")
    pops = {name: population_blocks(adam, name, options) for name in EFFICACY_POPULATIONS}
    head_rows = population_rows(adsl, headline)
    head_ids = pd.Index(head_rows["USUBJID"])
    pfs_curves = groups.curves(adam.adtte, "PFS", head_rows)
    os_curves = groups.curves(adam.adtte, "OS", head_rows)
    pfs_groups, pfs_notes = groups.by_group(pfs_curves, options)
    os_groups, os_notes = groups.by_group(os_curves, options)
    models, notes = efficacy_models(eff, adam.adrs, adam.adtte, config.models, fits)
    blocks = {}
    for name in EFFICACY_POPULATIONS:
        blocks[f"response_{name}"] = pops[name]["response"]
        blocks[f"pfs_{name}"] = pops[name]["pfs"]
        blocks[f"os_{name}"] = pops[name]["os"]
    blocks.update({
        "duration_of_response": duration_of_response(adam.adtte, head_ids, options),
        "time_to_response_months": time_to_response(adam.adtte, head_ids),
        "pfs_by_group": pfs_groups,
        "os_by_group": os_groups,
    })
    blocks["included_vs_excluded"], included_counts = included_vs_excluded(
        flagged(adsl, "SAFFL"), population_ids(adsl, "complete_case"))
    extras = {"efficacy_notes": {"groups": {"pfs": pfs_notes, "os": os_notes}, "models": notes,
                                 "followup_median_months": {n: pops[n]["followup_median_months"]
                                                            for n in EFFICACY_POPULATIONS}},
              "data_cutoff_ignored": dict(getattr(adam, "cutoff_ignored", {}) or {}),
              "included_vs_excluded_counts": included_counts}
    figures = EfficacyFigures(pfs_curves, os_curves, surv.endpoint(adam.adtte, "DOR", head_ids),
                              waterfall(getattr(adam, "tumour_change", None), adam.adrs, head_ids),
                              swimmer(adsl, adam.adrs, adam.adtte, head_ids))
    return Efficacy(head={"study_period": study_period(adsl), "populations": populations(adsl, headline)},
                    headline=pops[headline], blocks=blocks, models=models, extras=extras, figures=figures)
