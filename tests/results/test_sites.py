"""Between-site analyses at the results level: small sites pooled, the meta-analysis of the
site ORRs equal to metafor on the same counts (tests/validation/fixtures/r_rma.csv, case
"sites"), leave-one-out ranges by hand, and the blocks that cannot be estimated."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

sys.path.insert(0, str(Path(__file__).parent))
from outcome_builders import cohort

from prrt_rwe.config import ModelsConfig, SitesConfig
from prrt_rwe.results import survival as surv
from prrt_rwe.results.patient_outcomes import PatientOutcomes
from prrt_rwe.results.sites import sites
from prrt_rwe.results.sites.frailty import frailty_block
from prrt_rwe.results.sites.leave_one_out import leave_one_out
from prrt_rwe.results.sites.orr_meta import orr_meta
from prrt_rwe.results.sites.site_groups import site_groups
from prrt_rwe.results.proportion import proportion

FIXTURES = Path(__file__).resolve().parents[1] / "validation" / "fixtures"
KM = surv.KmOptions()


def test_small_sites_pooled_as_other():
    site = ["A"] * 12 + ["B"] * 10 + ["C"] * 9 + ["D"]
    assert list(site_groups(site, 10)) == ["A"] * 12 + ["B"] * 10 + ["other"] * 10


def test_meta_equals_metafor_on_the_site_counts():
    d = pd.read_csv(FIXTURES / "meta_sites.csv")
    rows = [{"orr": proportion(x, n)} for x, n in zip(d["xi"], d["ni"])]
    meta, reason = orr_meta(rows)
    r = pd.read_csv(FIXTURES / "r_rma.csv").query("case == 'sites'").set_index("method")
    assert reason is None
    for method in ("REML", "DL"):
        m = meta[method]
        assert m["k"] == r.loc[method, "k"]
        assert m["pooled"]["estimate"] == pytest.approx(r.loc[method, "pooled"], rel=1e-6)
        assert m["pooled"]["ci95"] == pytest.approx([r.loc[method, "pooled_lb"], r.loc[method, "pooled_ub"]], rel=1e-6)
        assert m["prediction_interval"] == pytest.approx([r.loc[method, "pooled_pi_lb"], r.loc[method, "pooled_pi_ub"]], rel=1e-6)
        assert m["tau2"] == pytest.approx(r.loc[method, "tau2"], rel=1e-6, abs=1e-10)
        assert m["i2"] == pytest.approx(r.loc[method, "I2"], rel=1e-6, abs=1e-9)


def test_one_site_left_no_meta_analysis():
    meta, reason = orr_meta([{"orr": proportion(3, 9)}])
    assert meta == {"REML": None, "DL": None} and "at least two" in reason


def test_leave_one_out_orr_by_hand():
    # sites A 1/2, B 2/2, C 0/2 responders: all 3/6; without A 2/4, without B 1/4, without C 3/4
    base = cohort(n=6, sites=3)
    frame = base.frame.assign(SITEID=["A", "A", "B", "B", "C", "C"])
    o = PatientOutcomes(frame, np.array([1, 0, 1, 1, 0, 0.0]), base.days, base.event)
    loo, reason = leave_one_out(o, o, ModelsConfig(), KM)
    assert reason is None and loo["orr"] == pytest.approx([0.25, 0.75])


def test_one_site_only():
    o = cohort(n=40, sites=1)
    loo, reason = leave_one_out(o, o, ModelsConfig(), KM)
    assert loo["orr"] == [None, None] and "only one site" in reason
    block, extras = sites(o, o, SitesConfig(), ModelsConfig(), KM)
    assert block["n_sites"] == 1 and block["orr_meta"]["REML"] is None and block["orr_meta"]["reason"]
    assert "two groups" in block["frailty_cox"]["reason"]


def test_a_site_with_one_patient():
    o = cohort(n=121, sites=12)  # S01 has 11 patients ... and one more patient in a site of its own
    frame = o.frame.copy()
    frame.loc[120, "SITEID"] = "S99"
    o = PatientOutcomes(frame, o.response, o.days, o.event)
    block, extras = sites(o, o, SitesConfig(min_site_n=10), ModelsConfig(), KM)
    assert "S99" not in [r["site"] for r in extras["per_site"]] and extras["per_site"][-1]["site"] == "other"
    assert block["frailty_cox"]["theta"] is not None and "reason" not in block["frailty_cox"]
    alone, _ = sites(o, o, SitesConfig(min_site_n=1), ModelsConfig(), KM)
    assert alone["orr_meta"]["REML"]["k"] == 13  # the single patient's site gets 0.5 added (escalc)


def test_frailty_not_estimable_where_the_cox_model_is_not():
    block, reason = frailty_block(cohort(n=40), ModelsConfig(), "monotone likelihood")
    assert block["theta"] is None and "as the Cox model is not: monotone likelihood" in reason
