"""The demo seed's rule (synth/demo_seed.py) on hand-made results, and the hormonal
calibration of the generator: 24 of 422 patients functioning, 18 of 24 with marked
improvement, in expectation (okamoto2026.results.hormonal_marked_improvement)."""

from __future__ import annotations

import copy

import numpy as np
import pytest
from scipy.stats import beta

from prrt_rwe.synth import demo_seed


def cp(k, n):
    return beta.ppf(0.025, k, n - k + 1), beta.ppf(0.975, k + 1, n - k)


def prop(k, n):
    return {"n": k, "N": n, "estimate": k / n, "ci95": list(cp(k, n))}


# Every headline estimate at the published point estimate of Okamoto et al. 2026.
PAPER = {
    "models": {
        "orr_logistic": {"terms": [{"term": "primary_group[pancreas]", "or": 4.02},
                                   {"term": "primary_group[hindgut]", "or": 3.14},
                                   {"term": "krenning4", "or": 2.96}, {"term": "liver_lesion_le30", "or": 1.64}]},
        "pfs_cox": {"terms": [{"term": "ki67_lt10", "hr": 0.46}, {"term": "krenning4", "hr": 0.65},
                              {"term": "liver_burden_lt50", "hr": 0.59}, {"term": "liver_lesion_le30", "hr": 0.49},
                              {"term": "ssa_concomitant", "hr": 0.64}]}},
    "pfs": {"median_months": 21.4},
    "response": {"orr": prop(144, 383), "by_primary_group": {"pancreas": prop(95, 210), "hindgut": prop(33, 81)}},
    "hormonal_symptoms": {"evaluable": 24, "marked_improvement": 18, "any_improvement": 21},
}


def test_the_paper_itself_satisfies_the_rule_with_thirteen_checks():
    found = demo_seed.checks(PAPER)
    assert len(found) == 4 + 5 + 1 + 3 + 1 and demo_seed.satisfies(PAPER)
    hormonal = found[-1]
    assert (hormonal.lo, hormonal.hi) == pytest.approx(cp(18, 24), rel=1e-9)  # 0.533-0.902


@pytest.mark.parametrize("edit, failing", [
    (lambda r: r["models"]["orr_logistic"]["terms"][2].update({"or": 1.51}), "orr_logistic krenning4 OR"),
    (lambda r: r["pfs"].update({"median_months": 22.87}), "median PFS"),   # published CI 19.7-22.8
    (lambda r: r["hormonal_symptoms"].update({"evaluable": 15, "marked_improvement": 14}),
     "marked hormonal improvement"),                                       # 14/15 = 0.93 > 0.902
    (lambda r: r["response"].update({"orr": prop(120, 383)}), "ORR"),       # 0.313 < 0.327
])
def test_an_estimate_outside_its_published_ci_fails_the_rule(edit, failing):
    results = copy.deepcopy(PAPER)
    edit(results)
    bad = [c.name for c in demo_seed.checks(results) if not c.ok]
    assert len(bad) == 1 and bad[0].startswith(failing)


def test_the_record_lists_every_earlier_seed_with_what_fell_outside():
    rec = demo_seed.record()
    assert rec["rule"] == demo_seed.RULE and demo_seed.demo_seed() == rec["seed"] >= 1
    assert [r["seed"] for r in rec["rejected"]] == list(range(1, rec["seed"]))
    assert all(r["outside"] and all(" outside " in x for x in r["outside"]) for r in rec["rejected"])


def test_hormonal_response_is_calibrated_to_18_of_24_in_expectation():
    from prrt_rwe.synth import calibration as cal
    from prrt_rwe.synth.baseline import make_baseline
    from prrt_rwe.synth.hormonal import RESPONSES, make_hormonal

    n = 422 * 400   # 400 cohorts' worth of patients
    rng = np.random.default_rng(20260101)
    b = make_baseline(rng, n)
    h = make_hormonal(rng, b.functioning, b.group == 1)
    functioning = len(h.patient) / n
    se = np.sqrt(24 / 422 * (1 - 24 / 422) / n)
    assert abs(functioning - 24 / 422) < 4 * se           # 24 functioning per 422, on average
    marked = np.mean(h.response == RESPONSES.index("marked_improvement"))
    assert abs(marked - 18 / 24) < 4 * np.sqrt(0.75 * 0.25 / len(h.patient))
    assert cal.HORMONAL_RESPONSE_SHARE["not_evaluable"] == 0  # all 24 evaluable in the paper
