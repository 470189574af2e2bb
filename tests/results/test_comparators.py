"""results.json ``comparators`` and ``comparisons`` on a hand-made ADaM: the naive matched
comparison, MAIC weights/ESS/weighted ORR and PFS worked out by hand, the reasons given
when MAIC cannot be estimated, and the HR against a reconstructed arm."""

from __future__ import annotations

import textwrap
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from prrt_rwe import stats
from prrt_rwe.benchmarks.comparators import load_comparator
from prrt_rwe.results import survival as surv
from prrt_rwe.results.comparators import ComparatorSettings, comparator_results
from prrt_rwe.results.comparisons import comparisons

MONTH = surv.DAYS_PER_MONTH
OPTIONS = surv.KmOptions()
SETTINGS = ComparatorSettings(resamples=300, seed=7)


def _adam():
    """12 eligible response-evaluable patients (8 men, 4 women) and two who are not:
    P13 has Krenning 1, P14 is not response-evaluable.  Men: 4 responders, 2 PFS events at
    3 months; women: 1 responder, 2 events at 3 months; everyone else censored at 12 months."""
    rows = []
    for i in range(1, 15):
        male = i <= 8 or i == 13
        rows.append({"USUBJID": f"S-{i}", "EVALFL": "N" if i == 14 else "Y", "sex": "M" if male else "F",
                     "krenning_score": 1 if i == 13 else 3, "age": 50 + i, "primary_group": "midgut"})
    adsl = pd.DataFrame(rows).astype({"krenning_score": "Int64"})
    responders = {"S-1", "S-2", "S-3", "S-4", "S-9"}
    adrs = pd.DataFrame({"USUBJID": adsl["USUBJID"], "PARAMCD": "CBOR",
                         "AVALC": ["PR" if u in responders else "SD" for u in adsl["USUBJID"]]})
    events = {"S-1", "S-5", "S-9", "S-10"}
    pfs = pd.DataFrame({"USUBJID": adsl["USUBJID"], "PARAMCD": "PFS",
                        "AVAL": [3 * MONTH if u in events else 12 * MONTH for u in adsl["USUBJID"]],
                        "CNSR": [0 if u in events else 1 for u in adsl["USUBJID"]]})
    os_ = pfs.assign(PARAMCD="OS", AVAL=24 * MONTH, CNSR=1)
    return SimpleNamespace(adsl=adsl, adrs=adrs, adtte=pd.concat([pfs, os_], ignore_index=True))


def _file(tmp_path, body: str, name="trial.yaml"):
    head = """
    id: {id}
    study: TRIAL
    arm: PRRT arm
    reference: "Doe J. J Trials 2020;1:1"
    n: 100
    n_source: "abstract"
    eligibility:
      - "krenning_score >= 2"
    outcomes:
      orr: {{estimate: 0.30, ci95: [0.21, 0.40], source: "abstract"}}
      pfs_rate: {{months: 6, estimate: 0.70, source: "abstract"}}
    """.format(id=name.removesuffix(".yaml"))
    path = tmp_path / name
    path.write_text(textwrap.dedent(head) + textwrap.dedent(body), encoding="utf-8")
    return load_comparator(path)


SEX = """
baseline:
  sex: {level: "M", proportion: 0.5, source: "Table 1"}
  age: {median: 61, source: "Table 1"}
"""


def _one(adam, comparator, settings=SETTINGS):
    items, extras = comparator_results(adam, [comparator], OPTIONS, settings)
    return items[0], extras[comparator.id]


def test_naive_matched_comparison(tmp_path):
    item, extra = _one(_adam(), _file(tmp_path, SEX))
    naive = item["naive"]
    assert naive["orr"]["ours"]["n"] == 5 and naive["orr"]["ours"]["N"] == 12  # P13, P14 not eligible
    assert naive["orr"]["published"] == {"estimate": 0.30, "ci95": [0.21, 0.40], "N": 100}  # N: arm size
    # KM at 6 months: 4 events at 3 months among 12 at risk -> 8/12
    assert naive["pfs_rate"]["ours"]["estimate"] == pytest.approx(8 / 12)
    assert naive["pfs_rate"]["published"]["ci95"] is None
    assert extra["eligible_evaluable_n"] == 12 and extra["n_is_arm_size"]["orr"]


def test_maic_by_hand(tmp_path):
    # Target 50 % men among 8 men, 4 women: 8 w_M (1 - .5) = 4 w_F (.5) -> w_F = 2 w_M; rescaled to
    # mean 1: w_M = .75, w_F = 1.5.  ESS = 12² / (8 (.75)² + 4 (1.5)²) = 144 / 13.5.
    # ORR = (4 × .75 + 1 × 1.5) / 12 = .375.  PFS at 6 months: deaths 2 × .75 + 2 × 1.5 = 4.5 of 12 -> .625.
    item, extra = _one(_adam(), _file(tmp_path, SEX))
    maic = item["maic"]
    assert item["reason"] is None and item["eligible_n"] == 12
    assert maic["matched_on"] == ["sex = M"]
    assert maic["ess"] == pytest.approx(144 / 13.5, rel=1e-12)
    assert maic["max_abs_diff"] < 1e-8
    assert maic["orr"]["estimate"] == pytest.approx(0.375, rel=1e-12)
    assert maic["pfs_rate"]["months"] == 6 and maic["pfs_rate"]["estimate"] == pytest.approx(0.625, rel=1e-12)
    for block in (maic["orr"], maic["pfs_rate"]):
        lo, hi = block["ci95"]
        assert lo <= block["estimate"] <= hi
    mx = extra["maic"]
    assert mx["balance"] == {"sex = M": {"target": 0.5, "before": pytest.approx(8 / 12), "after": pytest.approx(0.5)}}
    assert mx["unmatched_medians"] == {"age": {"published_median": 61, "ours_median": 56.5}}
    assert sum(mx["weights_histogram"]["counts"]) == 12
    assert mx["bootstrap"] == {"resamples": 300, "seed": 7, "failed": mx["bootstrap"]["failed"]}
    assert maic["pfs_hr_vs_reconstructed"] is None and "no digitised" in extra["pfs_hr_reason"]


def test_bootstrap_is_seeded(tmp_path):
    c = _file(tmp_path, SEX)
    a, _ = _one(_adam(), c)
    b, _ = _one(_adam(), c)
    other, _ = _one(_adam(), c, ComparatorSettings(resamples=300, seed=8))
    assert a["maic"]["orr"]["ci95"] == b["maic"]["orr"]["ci95"]
    assert a["maic"]["orr"]["ci95"] != other["maic"]["orr"]["ci95"]


@pytest.mark.parametrize("body, reason", [
    ("baseline:\n  karnofsky: {mean: 90, source: x}\n", "baseline key 'karnofsky' is not an ADSL variable"),
    ("baseline:\n  sex: {level: X, proportion: 0.3, source: x}\n", "outside the convex hull"),
    ("baseline:\n  age: {median: 61, source: x}\n", "no baseline mean or proportion to match on"),
    ("baseline:\n  sex: {proportion: 0.5, source: x}\n", "a proportion needs a yes/no variable or a 'level'"),
])
def test_maic_not_estimable_says_why_and_keeps_the_naive_comparison(tmp_path, body, reason):
    item, _ = _one(_adam(), _file(tmp_path, body))
    assert item["maic"] is None and reason in item["reason"]
    assert item["naive"]["orr"]["ours"]["N"] == 12


def test_fewer_than_10_eligible(tmp_path):
    base = _file(tmp_path, SEX)   # the same file with a narrower eligibility: ages 51-59 only
    path = tmp_path / "narrow.yaml"
    path.write_text(open(base.path).read().replace(
        '  - "krenning_score >= 2"', '  - "krenning_score >= 2"\n  - "age <= 59"').replace("id: trial", "id: narrow"))
    item, _ = _one(_adam(), load_comparator(path))
    assert item["maic"] is None and item["eligible_n"] == 9
    assert "only 9 eligible patients" in item["reason"] and "at least 10" in item["reason"]
    assert item["naive"]["orr"]["ours"]["N"] == 9


def test_eligibility_on_an_unknown_variable(tmp_path):
    path = tmp_path / "unknown.yaml"
    path.write_text(open(_file(tmp_path, SEX).path).read()
                    .replace("krenning_score >= 2", "karnofsky >= 60").replace("id: trial", "id: unknown"))
    item, _ = _one(_adam(), load_comparator(path))
    assert item["naive"] is None and item["maic"] is None
    assert "'karnofsky' is not an ADSL variable" in item["reason"]


def test_hr_against_the_reconstructed_arm(tmp_path):
    # The trial arm: the hand-checked curve of test_reconstruct_km (10 patients, events at 2,
    # 4, 4, 8, 8, 8 months).  Our 12 patients weighted .75 / 1.5 (as above), the trial's 1.
    (tmp_path / "curve.csv").write_text("time_months,survival\n0,1\n2,0.9\n4,0.7\n6,0.7\n8,0.4\n")
    (tmp_path / "risk.csv").write_text("time_months,n_at_risk\n0,10\n5,7\n")
    c = _file(tmp_path, SEX + "km: {curve: curve.csv, at_risk: risk.csv, source: Figure 2}\n")
    item, extra = _one(_adam(), c)
    hr = item["maic"]["pfs_hr_vs_reconstructed"]
    ours_t = np.where(np.isin(np.arange(1, 13), [1, 5, 9, 10]), 3.0, 12.0)
    ours_e = np.isin(np.arange(1, 13), [1, 5, 9, 10]).astype(int)
    w = np.where(np.arange(1, 13) <= 8, 0.75, 1.5)
    trial_t = np.array([2, 4, 4, 8, 8, 8, 8, 8, 8, 8.0])
    trial_e = np.array([1, 1, 1, 1, 1, 1, 0, 0, 0, 0])
    ref = stats.cox_ph(np.r_[ours_t, trial_t], np.r_[ours_e, trial_e], np.r_[np.ones(12), np.zeros(10)][:, None],
                       weights=np.r_[w, np.ones(10)], robust=True)
    assert hr["hr"] == pytest.approx(ref.hazard_ratio[0], rel=1e-9)
    assert hr["ci95"] == [pytest.approx(v, rel=1e-9) for v in ref.ci95[0]]
    assert hr["hr"] < 1  # 4 of 12 progress here by 12 months, 6 of 10 there by 8
    assert extra["maic"]["reconstructed"]["n_reconstructed"] == 10


def test_comparisons_rows(tmp_path):
    adam = _adam()
    c = _file(tmp_path, SEX)
    results = {"response": {"orr": {"n": 5, "N": 12, "estimate": 5 / 12, "ci95": [0.15, 0.72]}},
               "pfs": {"n": 12, "median_months": None, "ci95": [None, None]}}
    rows = comparisons(adam, [c], results, OPTIONS)
    mine = [r for r in rows if r["study"] == "TRIAL"]
    assert [r["endpoint"] for r in mine] == ["orr", "pfs_rate_6m"]
    orr = mine[0]
    assert orr["population"] == "krenning_score >= 2"
    assert orr["ours"]["N"] == 12 and orr["ours"]["estimate"] == pytest.approx(5 / 12)
    assert orr["published"]["N"] == 100 and "randomised to the arm" in orr["published"]["source"]
    assert orr["ours"]["ci95"] == [pytest.approx(v) for v in stats.clopper_pearson(5, 12)]
    # the published-studies rows: NETTER-R against our pancreas primaries (none here), Okamoto
    # against the headline population
    okamoto = next(r for r in rows if r["study"] == "Okamoto 2026" and r["endpoint"] == "orr")
    assert okamoto["ours"]["N"] == 12 and okamoto["published"]["N"] == 383
    assert okamoto["published"]["ci95"] == [pytest.approx(v) for v in stats.clopper_pearson(144, 383)]
    assert "computed here (Clopper-Pearson)" in okamoto["published"]["source"]
    netter_r = next(r for r in rows if r["study"] == "NETTER-R" and r["endpoint"] == "orr")
    assert netter_r["ours"]["N"] == 0 and netter_r["published"]["ci95"] == [0.281, 0.536]


def test_eligible_patients_once_per_analysis_and_criteria_kept_apart_by_type():
    """results.comparators.cohort.patients inside an analysis memo: the same patients as
    computed afresh, one selection per set of criteria (comparisons and comparator results
    share it), and a literal's type is part of the criterion (True is not 1)."""
    from prrt_rwe.benchmarks.comparators import parse_criterion
    from prrt_rwe.results.comparators.cohort import evaluable, patients
    from prrt_rwe.results.memo import analysis_memo

    adam = _adam()
    adam.adsl["functioning"] = pd.array([True] * 7 + [False] * 7, dtype="boolean")
    adam.adsl["krenning1"] = (adam.adsl["krenning_score"] == 1).astype("int64")
    krenning = (parse_criterion("krenning_score >= 2"),)
    fresh = patients(adam, evaluable(adam.adsl), krenning)
    with analysis_memo():
        population = evaluable(adam.adsl)
        first = patients(adam, population, krenning)
        assert patients(adam, population, list(krenning)) is first     # the same criteria: once
        pd.testing.assert_frame_equal(first.adsl, fresh.adsl)
        for name in ("responder", "pfs_days", "pfs_event", "os_days", "os_event"):
            np.testing.assert_array_equal(getattr(first, name), getattr(fresh, name))
        assert first.adsl["USUBJID"].tolist() == [f"S-{i}" for i in range(1, 13)]
        assert first.responder.sum() == 5 and first.pfs_event.sum() == 4
        yes = patients(adam, population, (parse_criterion("functioning == true"),))
        with pytest.raises(ValueError, match="not numeric"):   # 1 is a number, not yes/no
            patients(adam, population, (parse_criterion("functioning == 1"),))
        one = patients(adam, population, (parse_criterion("krenning1 == 1"),))
        assert yes.adsl["USUBJID"].tolist() == [f"S-{i}" for i in range(1, 8)]
        assert one.adsl["USUBJID"].tolist() == ["S-13"]
