"""Missing data at the results level: the missingness block (hand counts; tests equal R's
chisq.test and survdiff on mice_input.csv, written by tests/validation/r/mice_pool.R), the
imputation model's rules, and the pooled models (shape, determinism, bad input)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

sys.path.insert(0, str(Path(__file__).parent))
from outcome_builders import cohort, with_missing

from prrt_rwe.config import ImputationConfig, ModelsConfig
from prrt_rwe.results.missing_data.imputation_model import (
    ImputationModelError,
    completed_frame,
    imputation_input,
)
from prrt_rwe.results.missing_data.imputed_models import imputed_models
from prrt_rwe.results.missing_data.missingness import missingness
from prrt_rwe.results.patient_outcomes import PatientOutcomes
from prrt_rwe.stats.mice import mice

FIXTURES = Path(__file__).resolve().parents[1] / "validation" / "fixtures"
FAST = ImputationConfig(m=3, iterations=2, seed=4)


def test_missingness_counts_by_hand():
    o = with_missing(cohort(n=16, sites=2), ["ki67_percent", "ki67_lt10"], [0, 2, 3])  # S01: rows 0, 2; S02: 3
    frame = o.frame.copy()
    frame.loc[[5], "liver_metastases"] = False
    frame.loc[[5], "largest_liver_lesion_mm"] = None  # no liver metastases: does not apply
    frame.loc[[7], "liver_metastases"] = True
    frame.loc[[7], "largest_liver_lesion_mm"] = None  # liver metastases, no size: missing
    o = PatientOutcomes(frame, o.response, o.days, o.event)
    block = missingness(o, ("ki67_lt10", "ki67_percent", "largest_liver_lesion_mm"))
    assert block["by_covariate"]["ki67_lt10"] == {"n_missing": 3, "pct": 100 * 3 / 16}
    assert block["by_site"]["S01"]["ki67_percent"] == pytest.approx(100 * 2 / 8)
    assert block["by_site"]["S02"]["ki67_percent"] == pytest.approx(100 * 1 / 8)
    lesion_missing = o.frame["largest_liver_lesion_mm"].isna() & o.frame["liver_metastases"].fillna(True)
    assert block["by_covariate"]["largest_liver_lesion_mm"]["n_missing"] == int(lesion_missing.sum())
    assert {(t["covariate"], t["endpoint"], t["test"]) for t in block["outcome_association"]} >= {
        ("ki67_lt10", "orr", "chi-square"), ("ki67_lt10", "pfs", "log-rank")}


def test_outcome_association_equals_r():
    d = pd.read_csv(FIXTURES / "mice_input.csv")
    r = pd.read_csv(FIXTURES / "r_missingness.csv").set_index("covariate")
    frame = d.rename(columns={"site": "SITEID"}).assign(USUBJID=[f"p{i}" for i in range(len(d))])
    o = PatientOutcomes(frame, d["response"].to_numpy(float), d["days"].to_numpy(float), d["event"].to_numpy(float))
    names = tuple(r.index)
    tests = {(t["covariate"], t["endpoint"]): t["p"] for t in missingness(o, names)["outcome_association"]}
    for name in names:
        assert tests[(name, "orr")] == pytest.approx(r.loc[name, "chisq_p"], rel=1e-8)
        assert tests[(name, "pfs")] == pytest.approx(r.loc[name, "logrank_p"], rel=1e-8)


def test_liver_rules_and_derivation_of_completed_sets():
    o = cohort(n=60, sites=3)
    frame = o.frame.copy()
    frame.loc[0, ["liver_metastases", "liver_tumor_burden_percent"]] = [None, 35.0]  # burden recorded -> yes
    frame.loc[1, ["liver_metastases", "largest_liver_lesion_mm", "liver_tumor_burden_percent"]] = [False, None, None]
    frame.loc[2, "ki67_percent"] = None
    o = PatientOutcomes(frame, o.response, o.days, o.event)
    inputs = imputation_input(o.frame, o, ("ki67_percent",), min_site_n=10)
    names = list(inputs.names)
    assert inputs.data[0, names.index("liver_metastases")] == 1
    assert inputs.data[1, names.index("largest_liver_lesion_mm")] == 0  # does not apply, not imputed
    imp = mice(inputs.data, inputs.variables, auxiliary=inputs.auxiliary, m=2, iterations=2, seed=1)
    done = completed_frame(o.frame, inputs, imp, 0)
    assert done["liver_lesion_le30"][1] and done["liver_burden_lt50"][1]  # no liver metastases -> true
    ki = done["ki67_percent"][2]
    assert ki in set(o.frame["ki67_percent"].dropna()) and bool(done["ki67_lt10"][2]) == (ki < 10)
    flag = imp.completed[0, 2, names.index("ki67_lt10")]
    assert bool(flag) == (ki < 10)  # the number was drawn on the side of 10 % its flag says
    assert done["liver_burden_lt50"][0] == (done["liver_tumor_burden_percent"][0] < 50)


def test_a_needed_column_missing_everywhere_is_named():
    o = cohort(n=40, sites=2)
    o = with_missing(o, ["ki67_percent", "ki67_lt10"], range(40))
    with pytest.raises(ImputationModelError, match="ki67_percent is missing for every"):
        imputation_input(o.frame, o, ("ki67_percent",), min_site_n=10)
    mi = imputed_models(o, ModelsConfig(), FAST, 10)
    block = mi.blocks["pfs_cox_mi"]
    assert "ki67_percent is missing for every" in block["reason"]
    assert all(t["hr"] is None for t in block["terms"])
    json.dumps(mi.blocks, allow_nan=False)


def test_pooled_models_shape_and_determinism():
    o = with_missing(cohort(), ["ki67_percent", "ki67_lt10"], range(0, 240, 7))
    a = imputed_models(o, ModelsConfig(), FAST, 10)
    b = imputed_models(o, ModelsConfig(), FAST, 10)
    assert a.blocks == b.blocks
    orr, pfs = a.blocks["orr_logistic_mi"], a.blocks["pfs_cox_mi"]
    assert (orr["m"], orr["n"], pfs["n"]) == (3, 240, 240)
    assert [t["term"] for t in pfs["terms"]] == list(ModelsConfig().pfs_covariates)
    for t in orr["terms"] + pfs["terms"]:
        ratio = t.get("or", t.get("hr"))
        assert t["ci95"][0] < ratio < t["ci95"][1] and 0 <= t["fmi"] <= 1
    # the threshold flag first (logistic, compatible with the model), then the number within it
    assert a.summary["variables"][:2] == [{"name": "ki67_lt10", "method": "logreg", "n_missing": 35},
                                          {"name": "ki67_percent", "method": "pmm", "n_missing": 35}]


def test_switched_off():
    from prrt_rwe.config import ConfigError, parse_config

    assert parse_config({"imputation": {"m": 0}}).imputation.m == 0
    with pytest.raises(ConfigError, match="at least 2 imputations, got 1"):
        parse_config({"imputation": {"m": 1}})
    mi = imputed_models(cohort(n=30, sites=2), ModelsConfig(), ImputationConfig(m=0), 10)
    assert "switched off" in mi.blocks["orr_logistic_mi"]["reason"] and mi.blocks["pfs_cox_mi"]["m"] == 0
