"""The reviewer-grade efficacy analyses against R (tests/validation/r/efficacy.R): the
cluster-robust response model (sandwich::vcovCL HC0), the univariable fits, the liver3 models,
the Cox fit stratified on the terms cox.zph flags and the duration-of-response Kaplan-Meier
summary (RMST: tests/stats/test_rmst.py). Each is run through the results/ function the
pipeline uses, on ADaM-shaped frames built from R's cohort; 1e-6 relative."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from prrt_rwe.config import ModelsConfig
from prrt_rwe.results import efficacy_models as em
from prrt_rwe.results.models import pfs_fits
from prrt_rwe.results.response_duration import duration_of_response
from prrt_rwe.results.survival import DAYS_PER_MONTH, KmOptions

FIXTURES = Path(__file__).parents[1] / "validation" / "fixtures"
COHORT = pd.read_csv(FIXTURES / "efficacy_cohort.csv")
MODELS = pd.read_csv(FIXTURES / "r_efficacy_models.csv")
CFG = ModelsConfig()
REL = 1e-6


def adsl() -> pd.DataFrame:
    c = COHORT
    out = pd.DataFrame({"USUBJID": c["usubjid"], "SITEID": c["site"],
                        "primary_group": pd.array(c["primary_group"], dtype="str"),
                        "liver_lesion3": pd.array(c["liver_lesion3"], dtype="str"),
                        "liver_burden3": pd.array(c["liver_burden3"], dtype="str")})
    for col in ("krenning4", "ki67_lt10", "ssa_concomitant", "liver_lesion_le30", "liver_burden_lt50"):
        out[col] = c[col].astype(bool).astype("boolean")
    return out


def adrs() -> pd.DataFrame:
    return pd.DataFrame({"USUBJID": COHORT["usubjid"], "PARAMCD": "CBOR",
                         "AVALC": np.where(COHORT["response"] == 1, "PR", "SD")})


def adtte() -> pd.DataFrame:
    c = COHORT
    pfs = pd.DataFrame({"USUBJID": c["usubjid"], "PARAMCD": "PFS", "AVAL": c["pfs_days"],
                        "CNSR": 1 - c["pfs_event"]})
    r = c[c["response"] == 1]
    dor = pd.DataFrame({"USUBJID": r["usubjid"], "PARAMCD": "DOR", "AVAL": r["pfs_days"] - r["response_day"],
                        "CNSR": 1 - r["pfs_event"]})
    return pd.concat([pfs, dor], ignore_index=True)


def r_terms(model: str) -> pd.DataFrame:
    return MODELS[MODELS["model"] == model].set_index("term")


def check_terms(terms: list[dict], model: str, key: str) -> None:
    ref = r_terms(model)
    ours = {t["term"]: t for t in terms}
    assert sorted(ours) == sorted(ref.index), model
    for term, row in ref.iterrows():
        t = ours[term]
        if np.isnan(row["coef"]):          # R: aliased (NA)
            assert t[key] is None and t["ci95"] == [None, None], (model, term)
            continue
        assert t[key] == pytest.approx(np.exp(row["coef"]), rel=REL), (model, term)
        assert t["ci95"] == pytest.approx([np.exp(row["lower"]), np.exp(row["upper"])], rel=REL), (model, term)
        assert t["p"] == pytest.approx(row["p"], rel=REL), (model, term)
        if not np.isnan(row["n"]):
            assert t["n"] == row["n"]


def test_cluster_robust_logistic_equals_sandwich_vcovcl():
    block, note = em.orr_cluster_site(adsl(), adrs(), CFG)
    assert note is None and block["n"] == len(COHORT) and block["events"] == COHORT["response"].sum()
    check_terms(block["terms"], "orr_logistic_cluster_site", "or")


def test_univariable_fits_equal_r():
    check_terms(em.univariable_orr(adsl(), adrs(), CFG)["terms"], "orr_logistic_univariable", "or")
    check_terms(em.univariable_pfs(adsl(), adtte(), CFG)["terms"], "pfs_cox_univariable", "hr")


def test_liver3_models_equal_r_with_the_aliased_column_dropped():
    orr, note = em.orr_liver3(adsl(), adrs(), CFG)
    assert note is None
    check_terms(orr["terms"], "orr_logistic_liver3", "or")
    pfs, note = em.pfs_liver3(adsl(), adtte(), CFG)
    check_terms(pfs["terms"], "pfs_cox_liver3", "hr")
    assert "liver_lesion3[gt30]" in note        # R coxph: NA for the aliased column


def test_ph_stratified_fit_equals_r_on_the_flagged_terms():
    zph = pd.read_csv(FIXTURES / "r_efficacy_zph.csv")
    fits = pfs_fits(adsl(), adtte(), CFG)
    check_terms([{"term": t["term"], "hr": t["hr"], "ci95": t["ci95"], "p": t["p"]}
                 for t in em.cox_terms(fits["main"], fits["names"])], "pfs_cox", "hr")
    ours = fits["zph"].summary()["p"]
    assert ours.to_numpy() == pytest.approx(zph["p"].to_numpy(), rel=REL)
    block, note = em.ph_stratified(fits, adsl(), adtte(), CFG)
    assert note is None
    assert block["stratified_on"] == zph.loc[zph["flagged"], "term"].tolist() == ["ki67_lt10", "krenning4"]
    check_terms(block["terms"], "pfs_cox_ph_stratified", "hr")


def test_duration_of_response_km_equals_survfit():
    ref = pd.read_csv(FIXTURES / "r_efficacy_dor.csv").iloc[0]
    marks = pd.read_csv(FIXTURES / "r_efficacy_dor_landmarks.csv")
    ids = pd.Index(COHORT["usubjid"])
    s = duration_of_response(adtte(), ids, KmOptions())
    assert (s["n"], s["events"]) == (ref["n"], ref["events"])
    assert s["median_months"] * DAYS_PER_MONTH == pytest.approx(ref["median"], rel=REL)
    assert np.array(s["ci95"]) * DAYS_PER_MONTH == pytest.approx([ref["lower"], ref["upper"]], rel=REL)
    for (month, rate), (_, row) in zip(s["rate_at"].items(), marks.iterrows()):
        assert float(month) * DAYS_PER_MONTH == pytest.approx(row["time"])
        assert rate["estimate"] == pytest.approx(row["surv"], rel=REL)
        assert rate["ci95"] == pytest.approx([row["lower"], row["upper"]], rel=REL)


def test_rmst_block_filled_when_the_grouping_fails_cox_zph():
    # Krenning 4 has crossing hazards in R's cohort: the grouping's own cox.zph flags it, so the
    # PFS-by-Krenning block carries RMST up to the smallest last follow-up, equal to R's in months
    from prrt_rwe.results import survival_by_group as groups

    zph = pd.read_csv(FIXTURES / "r_efficacy_group_zph.csv").iloc[0]
    ref = pd.read_csv(FIXTURES / "r_efficacy_rmst.csv", dtype={"level": str})
    ref = ref[ref["case"] == "cohort_krenning4"].set_index("level")
    blocks, notes = groups.by_group(groups.curves(adtte(), "PFS", adsl()), KmOptions())
    assert notes["krenning4"]["ph_p"] == pytest.approx(zph["p"], rel=REL)
    block = blocks["krenning4"]["rmst"]
    assert block["tau_months"] * DAYS_PER_MONTH == pytest.approx(ref["tau"].iloc[0])
    for level, key in (("1", "true"), ("0", "false")):
        got = block["levels"][key]
        assert got["rmst_months"] * DAYS_PER_MONTH == pytest.approx(ref.loc[level, "rmst"], rel=REL)
        assert got["se"] * DAYS_PER_MONTH == pytest.approx(ref.loc[level, "se"], rel=REL)
    d = notes["krenning4"]["rmst_difference"]          # false - true = -(R's 1 - 0)
    assert d["estimate_months"] * DAYS_PER_MONTH == pytest.approx(-ref["diff"].iloc[0], rel=REL)
    assert d["p"] == pytest.approx(ref["diff_p"].iloc[0], rel=REL)
    assert blocks["primary_group"]["logrank"]["df"] == 4
