"""IPTW and E-values at the results level: the propensity design of results-v1.md, the block
when it cannot be estimated (no variation, not a yes/no exposure, nobody complete), and E-values
generic over every model block."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

sys.path.insert(0, str(Path(__file__).parent))
from outcome_builders import cohort, with_missing

from prrt_rwe.config import IptwConfig, ModelsConfig
from prrt_rwe.results import survival as surv
from prrt_rwe.results.confounding.evalues import evalues
from prrt_rwe.results.confounding.iptw import iptw, propensity_design
from prrt_rwe.stats import evalue

KM = surv.KmOptions()


def test_propensity_design_columns():
    o = cohort(n=30, sites=2)
    X = propensity_design(o.frame, IptwConfig().covariates, ModelsConfig())
    assert list(X.columns) == ["age", "sex[M]", "primary_group[pancreas]", "primary_group[hindgut]",
                               "who_grade[G3/NEC]", "ki67_lt10", "krenning4", "liver_burden_lt50",
                               "prior_lines", "functioning"]
    grade = o.frame["who_grade"].astype(str)
    np.testing.assert_array_equal(X["who_grade[G3/NEC]"], grade.isin(["G3", "NEC"]).astype(float))
    # midgut joins the reference "other", as in the ORR model
    midgut = o.frame["primary_group"].astype(str) == "midgut"
    assert (X.loc[midgut, ["primary_group[pancreas]", "primary_group[hindgut]"]] == 0).all().all()


def test_block_estimated():
    block, fig = iptw(cohort(), IptwConfig(), ModelsConfig(), KM)
    assert block["exposure"] == "ssa_concomitant" and block["n"] == 240 and "reason" not in block
    assert block["weights"] == "stabilized ATE" and block["truncation"] is None
    assert 0 < block["ess"] <= 240
    assert [b["covariate"] for b in block["balance"]][0] == "age"
    assert max(abs(b["smd_after"]) for b in block["balance"]) < 0.1
    assert block["pfs_km"]["exposed"]["n"] + block["pfs_km"]["unexposed"]["n"] == 240
    assert set(fig["curves"]) == {"exposed", "unexposed"}


def test_truncation_recorded():
    block, _ = iptw(cohort(), IptwConfig(truncation=(5.0, 95.0)), ModelsConfig(), KM)
    assert block["truncation"] == [5.0, 95.0]


@pytest.mark.parametrize("change, message", [
    ({"ssa_concomitant": pd.array([True] * 240, dtype="boolean")}, "every analysed patient has ssa_concomitant = yes"),
    ({}, "must be a yes/no variable"),
])
def test_not_estimable_is_said_and_null(change, message):
    o = cohort(**change)
    cfg = IptwConfig() if change else IptwConfig(exposure="age")
    block, fig = iptw(o, cfg, ModelsConfig(), KM)
    assert message in block["reason"]
    assert block["ess"] is None and block["pfs_hr"]["hr"] is None and fig == {}
    json.dumps(block, allow_nan=False)


def test_nobody_complete_on_the_propensity_covariates():
    o = with_missing(cohort(n=50), "prior_lines", range(50))
    block, _ = iptw(o, IptwConfig(), ModelsConfig(), KM)
    assert block["n"] == 0 and "no patient has ssa_concomitant and every propensity covariate" in block["reason"]


def test_evalues_cover_every_model_block_whoever_added_it():
    models = {"orr_logistic": {"terms": [{"term": "krenning4", "or": 1.5, "ci95": [0.97, 2.35], "p": 0.07}]},
              "someone_elses_cox": {"n": 10, "terms": [{"term": "x", "hr": 0.5, "ci95": [0.3, 0.8], "p": 0.01},
                                                        {"term": "y", "hr": None, "ci95": [None, None], "p": None}]},
              "a_block_without_ratios": {"terms": [{"term": "z", "shr": 2.0}]}, "not_a_block": None}
    rows = evalues(models, {"iptw": [{"term": "ssa", "hr": 0.73, "ci95": [0.56, 0.96], "p": 0.03}]})
    assert [(r["model"], r["term"]) for r in rows] == [("orr_logistic", "krenning4"), ("someone_elses_cox", "x"),
                                                         ("iptw", "ssa")]
    e = evalue(0.5, 0.3, 0.8, measure="HR")
    assert rows[1]["point"] == pytest.approx(e.point) and rows[1]["ci"] == pytest.approx(e.ci)
    assert rows[0]["ci"] == 1.0  # the CI crosses 1
