"""Truth recovery at 20,000 patients through the project's own pipeline (ingest -> derive).

The generator's true effects are the published ones (published.yaml okamoto2026.models):
fitting the published models on what the files say must give estimates whose confidence
intervals contain them. Nine coefficients are tested together, so each uses the
Bonferroni-adjusted 95 % family interval (z = 2.77): a fixed seed then passes with ~95 %
probability if the generator is right, and a bias of ~3 standard errors fails.
Responses come from the derived confirmed BOR (28-day confirmation) and PFS from the
derived first PD or death, never from the generator's latent values.
"""

from __future__ import annotations

import math

import duckdb
import numpy as np
import pandas as pd
import pytest
from scipy import stats

sm = pytest.importorskip("statsmodels.api")
from statsmodels.duration.hazard_regression import PHReg  # noqa: E402

from prrt_rwe.derive import derive_all  # noqa: E402
from prrt_rwe.ingest.load import ingest  # noqa: E402
from prrt_rwe.stats.kaplan_meier import kaplan_meier  # noqa: E402
from prrt_rwe.synth.generator import generate, simulate  # noqa: E402

N, SEED = 20_000, 2026
Z_FAMILY = stats.norm.ppf(1 - 0.05 / (2 * 9))
# published.yaml okamoto2026.models
TRUE_OR = {"pancreas": 4.02, "hindgut": 3.14, "krenning4": 2.96, "liver_lesion_le30": 1.64}
TRUE_HR = {"ki67_lt10": 0.46, "krenning4": 0.65, "liver_burden_lt50": 0.59,
           "liver_lesion_le30": 0.49, "ssa_concomitant": 0.64}


@pytest.fixture(scope="module")
def adam(tmp_path_factory):
    out = tmp_path_factory.mktemp("recovery")
    generate(out / "registry", patients=N, seed=SEED)
    loaded = ingest(out / "registry", out / "db.duckdb")
    assert loaded.ok
    con = duckdb.connect(str(out / "db.duckdb"), read_only=True)
    try:
        return derive_all(con)
    finally:
        con.close()


def _flag(series: pd.Series) -> np.ndarray:
    return series.map(lambda v: v in (True, "Y", "yes", 1)).to_numpy(float)


@pytest.fixture(scope="module")
def efficacy(adam):
    adsl = adam.adsl
    eff = adsl[adsl["EFFFL"] == "Y"].copy()
    cbor = adam.adrs[adam.adrs["PARAMCD"] == "CBOR"].set_index("USUBJID")["AVALC"]
    eff["response"] = eff["USUBJID"].map(cbor).isin(["CR", "PR"]).to_numpy(float)
    pfs = adam.adtte[adam.adtte["PARAMCD"] == "PFS"].set_index("USUBJID")
    eff["pfs_days"] = eff["USUBJID"].map(pfs["AVAL"]).to_numpy(float)
    eff["pfs_event"] = 1 - eff["USUBJID"].map(pfs["CNSR"]).to_numpy(float)
    return eff


def test_odds_ratios_recovered(efficacy):
    e = efficacy
    x = pd.DataFrame({"pancreas": (e["primary_group"] == "pancreas").to_numpy(float),
                      "hindgut": (e["primary_group"] == "hindgut").to_numpy(float),
                      "krenning4": _flag(e["krenning4"]),
                      "liver_lesion_le30": _flag(e["liver_lesion_le30"])})
    fit = sm.Logit(e["response"].to_numpy(), sm.add_constant(x)).fit(disp=0)
    for term, true in TRUE_OR.items():
        z = (fit.params[term] - math.log(true)) / fit.bse[term]
        assert abs(z) < Z_FAMILY, f"OR {term}: {math.exp(fit.params[term]):.2f} vs {true} (z={z:.2f})"


def test_hazard_ratios_recovered(efficacy):
    e = efficacy
    x = np.column_stack([_flag(e[c]) for c in TRUE_HR])
    fit = PHReg(e["pfs_days"].to_numpy(), x, status=e["pfs_event"].to_numpy(), ties="efron").fit()
    for i, (term, true) in enumerate(TRUE_HR.items()):
        z = (fit.params[i] - math.log(true)) / fit.bse[i]
        assert abs(z) < Z_FAMILY, f"HR {term}: {math.exp(fit.params[i]):.3f} vs {true} (z={z:.2f})"


def test_orr_and_median_pfs_hit_the_published_figures(efficacy):
    # okamoto2026.results: ORR 144/383 = 0.376; median PFS 21.4 (19.7-22.8) months
    assert abs(efficacy["response"].mean() - 0.376) < 0.015
    km = kaplan_meier(efficacy["pfs_days"].to_numpy(), efficacy["pfs_event"].to_numpy())
    assert 19.7 <= km.median / 30.4375 <= 22.8


def test_analysis_sets_and_safety_rates(adam):
    adsl = adam.adsl
    # okamoto2026: 383 of 422 in the efficacy set (complete case)
    assert abs((adsl["EFFFL"] == "Y").mean() - 383 / 422) < 0.015
    # hematologic grade >= 3 ~18 % (lab- and AE-based); renal grade >= 3 below 1 %
    assert 0.16 <= (adsl["LBHEM3FL"] == "Y").mean() <= 0.20
    assert 0.16 <= (adsl["AEHEM3FL"] == "Y").mean() <= 0.20
    assert (adsl["LBREN3FL"] == "Y").mean() < 0.01
    # 18 of 24 functioning patients with marked improvement
    hs = adam.hormonal_symptoms
    assert abs(hs["marked_improvement"] / hs["evaluable"] - 18 / 24) < 0.05


def test_lesion_measurements_agree_with_recorded_responses(adam):
    # RECIST 1.1 recomputed from lesions.csv (derivations.md) disagrees nowhere
    assert len(adam.recist_discrepancies) == 0


def test_derived_outcomes_follow_the_latent_truth(efficacy):
    sites, _, sim = next(simulate(N, 33, SEED))
    ids = pd.Index([f"{sites.ids[s]}-{n:05d}" for s, n in zip(sim["site"], sim["number"])])
    pos = ids.get_indexer(efficacy["USUBJID"])
    latent = sim["latent"].responder[pos]
    # every latent responder is confirmed unless follow-up ended first (< 1 %)
    assert np.mean(efficacy["response"].to_numpy() == latent) > 0.99
    # a derived progression lies on or after the latent one, within about one scan interval
    s = sim["series"]
    prog = ~np.isnan(s.pd_day[pos]) & (efficacy["pfs_days"].to_numpy() == s.pd_day[pos])
    delay = s.pd_day[pos][prog] - s.t_event[pos][prog]
    assert (delay >= 0).all()
    assert np.quantile(delay, 0.9) < 140


def test_late_effects_recovered_with_death_competing(adam):
    # The Aalen-Johansen CIF of MDS/AML from the derived ADTTE rows (censoring at the end of
    # follow-up is independent of the onset) estimates the generator's latent truth
    # P(onset <= 36 months, onset before death); renal decline appears from month 6 on.
    from prrt_rwe.stats.cumulative_incidence import cumulative_incidence

    _, _, sim = next(simulate(N, 33, SEED))
    onset, death = sim["labs"].late.marrow_day, sim["series"].death_day
    horizon = 36 * 30.4375
    with np.errstate(invalid="ignore"):
        truth = np.mean((onset <= horizon) & (onset < death))
    tte = adam.adtte
    for code in ("MDSAML", "RENDECL"):
        rows = tte[tte["PARAMCD"] == code]
        status = np.where(rows["CNSR"] == 0, 1, np.where(rows["CMPEVFL"] == "Y", 2, 0))
        fit = cumulative_incidence(rows["AVAL"].to_numpy(float), status)
        at = fit.cif_at(horizon)
        if code == "MDSAML":
            assert abs(at.estimate - truth) < 3 * at.std_err, (at.estimate, truth, at.std_err)
        else:
            assert 0.01 <= at.estimate <= 0.05
            assert np.quantile(rows.loc[status == 1, "AVAL"], 0.1) > 180
