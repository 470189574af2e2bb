"""Formula wrappers: the same numbers as the array engines, R-style term names, specials."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from prrt_rwe import stats

FIXTURES = Path(__file__).parents[1] / "validation" / "fixtures"


def _adsl():
    d = pd.read_csv(FIXTURES / "glm_synth.csv")
    groups = np.array(["pancreas", "hindgut", "other"])
    d["primary_group"] = groups[np.arange(len(d)) % 3]
    d["krenning4"] = d["krenning4"].astype(bool)
    d["site"] = np.arange(len(d)) % 5
    return d


def test_logistic_formula_equals_array_call_and_names_levels():
    d = _adsl()
    fit = stats.logistic_formula(
        "y ~ C(primary_group, contr.treatment('other')) + krenning4 + lesion_le30", d)
    assert fit.terms == ("(Intercept)", "primary_group[hindgut]", "primary_group[pancreas]",
                         "krenning4", "lesion_le30")
    X = pd.DataFrame({"h": d["primary_group"] == "hindgut", "p": d["primary_group"] == "pancreas",
                      "k": d["krenning4"], "l": d["lesion_le30"]})
    np.testing.assert_allclose(fit.coef, stats.logistic(d["y"], X).coef, rtol=1e-12)


def test_default_treatment_coding_is_named_col_level():
    fit = stats.logistic_formula("y ~ primary_group", _adsl())
    assert fit.terms == ("(Intercept)", "primary_group[other]", "primary_group[pancreas]")


def test_survival_formula_with_strata_and_cluster_reaches_cox():
    d = pd.read_csv(FIXTURES / "surv_veteran.csv")
    d["trt"] = d["strata"]
    fit = stats.fit_formula("Surv(time, event) ~ trt + strata(group)", d)
    ref = stats.cox_ph(d["time"], d["event"], d[["trt"]], strata=d["group"])
    np.testing.assert_allclose(fit.coef, ref.coef, rtol=1e-12)
    clustered = stats.fit_formula("Surv(time, event) ~ trt + cluster(group)", d)
    np.testing.assert_allclose(clustered.robust_se, stats.cox_ph(
        d["time"], d["event"], d[["trt"]], cluster=d["group"]).robust_se, rtol=1e-12)


def test_bare_outcome_name_means_name_time_and_name_event():
    d = pd.read_csv(FIXTURES / "surv_ovarian.csv").rename(columns={"time": "pfs_time", "event": "pfs_event"})
    fit = stats.fit_formula("pfs ~ group", d)
    ref = stats.cox_ph(d["pfs_time"], d["pfs_event"], d[["group"]])
    assert tuple(fit.terms) == ("group",)
    np.testing.assert_allclose(fit.coef, ref.coef, rtol=1e-12)
    with pytest.raises(KeyError, match="os_time"):
        stats.fit_formula("os ~ group", d)


def test_missing_values_raise_by_default_and_drop_on_request():
    d = _adsl()
    d.loc[[3, 7], "lesion_le30"] = np.nan
    with pytest.raises(Exception):
        stats.logistic_formula("y ~ krenning4 + lesion_le30", d)
    fit = stats.logistic_formula("y ~ krenning4 + lesion_le30", d, na_action="drop")
    assert fit.n == len(d) - 2


def test_specials_are_refused_in_logistic_formulas():
    with pytest.raises(ValueError, match="strata\\(\\) and cluster\\(\\)"):
        stats.logistic_formula("y ~ krenning4 + strata(site)", _adsl())
