"""cox_ph agrees with R survival::coxph to 1e-6 (relative) on every reference case.

Expected numbers: tests/validation/fixtures/cox_*.csv, written by
tests/validation/r/cox_reference.R (R survival 3.5.3); data sets lung, veteran, colon,
ovarian, heart and cgd ((start, stop] data), and set.seed synthetic cohorts: heavy ties, weights,
strata and clusters; delayed entry; near-tied times (with and without R's time fix); discrete
times (exact partial likelihood); time-transformed covariates (tt).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from prrt_rwe.stats.cox import cox_ph

FIXTURES = Path(__file__).resolve().parents[1] / "validation" / "fixtures"
R_SCRIPT = Path(__file__).resolve().parents[1] / "validation" / "r" / "cox_reference.R"

# Loading the cases: each row of cox_cases.csv names a data file, the outcome columns, the
# covariates ("name" or "name=ref|lev2|..." for a factor, expanded to name[lev2] dummies as
# R's treatment contrasts), ties, strata, cluster and weights; rows with a missing value in
# a used column are dropped, as R's na.omit.


def read(name: str) -> pd.DataFrame:
    return pd.read_csv(FIXTURES / name, keep_default_na=True)


def cases() -> pd.DataFrame:
    return read("cox_cases.csv").fillna("").astype({"robust": str, "timefix": str}).set_index("case")


def _design(d: pd.DataFrame, specs: list[str]) -> pd.DataFrame:
    cols = {}
    for spec in specs:
        name, _, levels = spec.partition("=")
        if not levels:
            cols[name] = d[name].astype(float)
            continue
        for level in levels.split("|")[1:]:
            cols[f"{name}[{level}]"] = (d[name].astype(str) == level).astype(float)
    return pd.DataFrame(cols, index=d.index)


TT_FUNS = {"log20": lambda x, t: x * np.log(t + 20), "years": lambda x, t: x * t / 365.25}  # as the R script


def model_inputs(case: str) -> dict:
    """Keyword arguments for cox_ph (time, event, X, ties, strata, cluster, weights, entry,
    tt, timefix)."""
    c = cases().loc[case]
    d = read(c["data"])
    specs = c["covariates"].split(";")
    used = [c["time"], c["status"]] + [s.partition("=")[0] for s in specs]
    used += [c[k] for k in ("strata", "cluster", "weights", "entry") if c[k]]
    d = d.dropna(subset=used).reset_index(drop=True)
    tt_column, _, tt_fun = c["tt"].partition("=")
    return {
        "entry": d[c["entry"]].to_numpy(float) if c["entry"] else None,
        "tt": {tt_column: TT_FUNS[tt_fun]} if tt_column else None,
        "timefix": c["timefix"].lower() == "true",
        "time": d[c["time"]].to_numpy(float),
        "event": (d[c["status"]] == float(c["event_value"])).to_numpy(),
        "X": _design(d, specs),
        "ties": c["ties"],
        "strata": d[c["strata"]].to_numpy() if c["strata"] else None,
        "cluster": d[c["cluster"]].to_numpy() if c["cluster"] else None,
        "weights": d[c["weights"]].to_numpy(float) if c["weights"] else None,
        "robust": True if c["robust"].lower() == "true" else None,
    }


def r_coef(case: str) -> pd.DataFrame:
    t = read("cox_coef.csv")
    return t[t["case"] == case].reset_index(drop=True)


def r_fit(case: str) -> dict:
    t = read("cox_fit.csv")
    t = t[t["case"] == case]
    return dict(zip(t["quantity"], t["value"].astype(float), strict=True))


def r_zph(case: str, transform: str) -> pd.DataFrame:
    t = read("cox_zph.csv")
    return t[(t["case"] == case) & (t["transform"] == transform)].reset_index(drop=True)


def r_baseline(case: str) -> pd.DataFrame:
    t = read("cox_baseline.csv").fillna({"strata": ""})
    return t[t["case"] == case].reset_index(drop=True)


def assert_close(ours, theirs, rtol=1e-6, atol=0.0, what=""):
    np.testing.assert_allclose(np.asarray(ours, float), np.asarray(theirs, float), rtol=rtol, atol=atol,
                               err_msg=what)

CASES = list(cases().index)
RTOL = 1e-6
_FITS: dict = {}


def fitted(case):
    if case not in _FITS:
        _FITS[case] = cox_ph(**model_inputs(case))
    return _FITS[case]


@pytest.mark.parametrize("case", CASES)
def test_coefficients_and_standard_errors(case):
    fit, r = fitted(case), r_coef(case)
    assert len(fit.terms) == len(r)
    assert_close(fit.coef, r["coef"], RTOL, what="coef")
    assert_close(fit.se, r["se"], RTOL, what="se")
    assert_close(fit.hazard_ratio, r["hr"], RTOL, what="hazard ratio")
    assert_close(fit.z, r["z"], RTOL, what="z")
    assert_close(fit.p, r["p"], RTOL, what="p")
    assert_close(fit.ci95[:, 0], r["lower"], RTOL, what="lower 95")
    assert_close(fit.ci95[:, 1], r["upper"], RTOL, what="upper 95")
    if r["robust_se"].notna().all():
        assert fit.variance == "robust"
        assert_close(fit.robust_se, r["robust_se"], RTOL, what="robust se")
    else:
        assert fit.variance == "model" and fit.robust_se is None


@pytest.mark.parametrize("case", CASES)
def test_likelihood_tests_and_counts(case):
    fit, r = fitted(case), r_fit(case)
    assert_close(fit.loglik, [r["loglik_null"], r["loglik"]], 1e-9, what="loglik")
    for name, test in (("wald", fit.wald_test), ("lr", fit.lr_test), ("score", fit.score_test)):
        assert test.df == r[f"{name}_df"]
        assert_close(test.statistic, r[name], RTOL, what=name)
        assert_close(test.p, r[f"{name}_p"], RTOL, what=f"{name} p")
    if r["robust"]:
        assert_close(fit.robust_score_test.statistic, r["robust_score"], RTOL, what="robust score")
        assert_close(fit.robust_score_test.p, r["robust_score_p"], RTOL)
    assert fit.n == r["n"] and fit.n_events == r["n_events"]
    assert fit.iterations == r["iterations"]


@pytest.mark.parametrize("case", CASES)
def test_concordance(case):
    fit, r = fitted(case), r_fit(case)
    c = fit.concordance_counts
    assert_close(fit.concordance, r["concordance"], 1e-9, what="concordance")
    assert_close(fit.concordance_se, r["concordance_std"], RTOL, what="concordance std")
    assert_close([c.concordant, c.discordant, c.tied_x, c.tied_y, c.tied_xy],
                 [r[k] for k in ("concordant", "discordant", "tied_x", "tied_y", "tied_xy")], 1e-9)


TT_CASES = [c for c in CASES if cases().loc[c, "tt"]]
PLAIN_CASES = [c for c in CASES if c not in TT_CASES]
TRANSFORMS = {"km": "km", "identity": "identity", "rank": "rank", "log": "log", "sqrt": np.sqrt}


@pytest.mark.parametrize("transform", sorted(TRANSFORMS))
@pytest.mark.parametrize("case", PLAIN_CASES)
def test_ph_test_equals_cox_zph(case, transform):
    z, r = fitted(case).ph_test(TRANSFORMS[transform]).summary(), r_zph(case, transform)
    assert list(z.index) == [t.replace("`", "") for t in r["term"]]
    assert_close(z["chisq"], r["chisq"], RTOL, what="chisq")
    assert_close(z["df"], r["df"], 0, what="df")
    assert_close(z["p"], r["p"], RTOL, what="p")


@pytest.mark.parametrize("case", TT_CASES)
def test_tt_fits_refuse_ph_test_and_baseline_as_r(case):
    fit = fitted(case)
    assert fit.time_transform and r_zph(case, "km").empty and r_baseline(case).empty
    with pytest.raises(ValueError, match="time-transformed"):
        fit.ph_test()
    with pytest.raises(ValueError, match="time-transformed"):
        fit.baseline_survival()


@pytest.mark.parametrize("case", PLAIN_CASES)
def test_baseline_survival_equals_survfit(case):
    b, r = fitted(case).baseline_survival(), r_baseline(case)
    strata = b["strata"].astype(str).to_numpy() if "strata" in b else np.full(len(b), "")
    assert list(strata) == list(r["strata"].astype(str))
    assert_close(b["time"], r["time"], 0)
    for ours, theirs in (("n_risk", "n_risk"), ("n_event", "n_event"), ("n_censor", "n_censor"),
                         ("cumhaz", "cumhaz"), ("survival", "surv")):
        assert_close(b[ours], r[theirs], RTOL, atol=1e-300, what=ours)


R_OUTPUTS = ["cox_cases.csv", "cox_coef.csv", "cox_fit.csv", "cox_zph.csv", "cox_baseline.csv",
             "cox_synth.csv", "cox_delayed.csv", "cox_neartie.csv", "cox_discrete.csv", "data_lung.csv",
             "data_veteran.csv", "data_colon.csv", "data_ovarian.csv", "data_heart.csv", "data_cgd.csv"]


@pytest.mark.r
def test_fixtures_are_what_the_r_script_writes(tmp_path):
    """Rerun cox_reference.R: the committed fixtures cannot drift from R.  Text columns must
    be identical, numbers equal to 1e-10 (relative; last-digit noise across platforms)."""
    import shutil
    import subprocess

    if shutil.which("Rscript") is None:
        pytest.skip("Rscript not installed (scripts/install-system-deps.sh installs it)")
    subprocess.run(["Rscript", str(R_SCRIPT), str(tmp_path)], check=True, capture_output=True, timeout=120)
    for name in R_OUTPUTS:
        fresh = pd.read_csv(tmp_path / name, keep_default_na=False)
        committed = pd.read_csv(FIXTURES / name, keep_default_na=False)
        assert list(fresh.columns) == list(committed.columns) and len(fresh) == len(committed), name
        for col in committed.columns:
            a, b = fresh[col], committed[col]
            if pd.api.types.is_numeric_dtype(b) and pd.api.types.is_numeric_dtype(a):
                np.testing.assert_allclose(a, b, rtol=1e-10, atol=0, err_msg=f"{name}:{col}")
            else:
                assert (a.astype(str) == b.astype(str)).all(), f"{name}:{col}"
