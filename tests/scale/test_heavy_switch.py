"""``[analyses] heavy = false`` (issue 17): the heavy analyses are skipped, their CIs null, the
point estimates unchanged, and the report lists them as not run."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parents[1] / "results"))  # test_comparators, outcome_builders
from test_comparators import SEX, _adam, _file, _one  # noqa: E402  (the hand-made MAIC cohort)

from prrt_rwe.config import ConfigError, StudyConfig, parse_config
from prrt_rwe.report.context import ReportContext
from prrt_rwe.report.not_run import section
from prrt_rwe.report.numbers import Numbers
from prrt_rwe.results.analysis import comparator_settings
from prrt_rwe.results.comparators import ComparatorSettings
from prrt_rwe.results.heavy import HEAVY_ANALYSES, not_run

LIGHT = parse_config({"analyses": {"heavy": False}}, "light.toml")


def test_heavy_is_the_default_and_only_a_boolean():
    assert StudyConfig().analyses.heavy is True and not_run(StudyConfig()) == []
    assert LIGHT.analyses.heavy is False
    with pytest.raises(ConfigError, match=r"\[analyses\] heavy: expected true or false"):
        parse_config({"analyses": {"heavy": "no"}}, "study.toml")
    with pytest.raises(ConfigError, match="unknown key"):
        parse_config({"analyses": {"light": True}}, "study.toml")


def test_maic_without_bootstrap_keeps_the_estimates(tmp_path):
    comparator = _file(tmp_path, SEX)
    assert comparator_settings(LIGHT).resamples == 0
    assert comparator_settings(StudyConfig()).resamples == 2000
    heavy, _ = _one(_adam(), comparator, ComparatorSettings(resamples=300, seed=7))
    light, extra = _one(_adam(), comparator, ComparatorSettings(resamples=0, seed=7))
    # the hand-worked weighted ORR of test_maic_by_hand: (4 x .75 + 1 x 1.5) / 12
    assert light["maic"]["orr"]["estimate"] == heavy["maic"]["orr"]["estimate"] == pytest.approx(0.375)
    assert light["maic"]["orr"]["ci95"] == [None, None] and light["maic"]["pfs_rate"]["ci95"] == [None, None]
    assert heavy["maic"]["orr"]["ci95"][0] is not None
    assert extra["maic"]["bootstrap"]["resamples"] == 0


def test_egfr_mixed_model_not_fitted_counts_kept():
    import pandas as pd

    sys.path.insert(0, str(Path(__file__).parents[1] / "derive"))
    from derive_builders import cohort, day, treated

    from prrt_rwe.derive import derive_all
    from prrt_rwe.results.egfr_slope import egfr_slope
    from prrt_rwe.results.heavy import NOT_RUN

    # A and B: a baseline creatinine and two later ones (6 values); C: a baseline only (left out)
    labs = [{"patient_id": p, "date": day(d), "test": "creatinine", "value": 80.0, "uln": 104.0}
            for p in ("A", "B") for d in (0, 365, 730)]
    labs.append({"patient_id": "C", "date": day(-3), "test": "creatinine", "value": 80.0, "uln": 104.0})
    light = derive_all(cohort(treated("A"), treated("B"), treated("C"), labs=labs), LIGHT)
    assert light.labs.slope_rows is None   # the series is not read when the model does not run
    ids = pd.Index(light.adsl["USUBJID"])
    skipped = egfr_slope(light.labs, ids, fit_model=False)
    assert skipped == {"per_year": None, "ci95": [None, None], "n_patients": 2, "n_values": 6, "reason": NOT_RUN}
    heavy = derive_all(cohort(treated("A"), treated("B"), treated("C"), labs=labs), StudyConfig())
    assert heavy.labs.slope_rows["USUBJID"].tolist() == ["S1-A"] * 3 + ["S1-B"] * 3
    assert heavy.labs.slope_rows["years"].tolist() == [0.0, 365 / 365.25, 730 / 365.25] * 2


def test_report_lists_every_skipped_analysis():
    from types import SimpleNamespace

    skipped = not_run(LIGHT)
    assert [s["analysis"] for s in skipped] == [label for _, label, _ in HEAVY_ANALYSES]
    ctx = ReportContext(SimpleNamespace(results={}, extras={"not_run": skipped}), Numbers(None), LIGHT)
    html = section(ctx).html()
    assert 'id="not-run"' in html and "MAIC bootstrap" in html and "heavy = false" in html
    ctx = ReportContext(SimpleNamespace(results={}, extras={"not_run": []}), Numbers(None), StudyConfig())
    assert section(ctx) is None


def test_imputation_leave_one_out_and_frailty_not_run_the_rest_unchanged():
    from outcome_builders import cohort  # tests/results (on the path above)

    from prrt_rwe.config import ModelsConfig, SitesConfig
    from prrt_rwe.results import survival as surv
    from prrt_rwe.results.heavy import NOT_RUN
    from prrt_rwe.results.missing_data.imputed_models import imputed_models
    from prrt_rwe.results.sites import sites

    o = cohort(n=121, sites=12)
    mi = imputed_models(o, ModelsConfig(), LIGHT.imputation, 10, run=False)
    for key, ratio in (("orr_logistic_mi", "or"), ("pfs_cox_mi", "hr")):
        block = mi.blocks[key]
        assert block["reason"] == NOT_RUN and block["m"] == 0 and block["n"] == 121
        assert all(t[ratio] is None and t["ci95"] == [None, None] for t in block["terms"])
    skipped = {"leave_one_site_out": False, "frailty_cox": False}
    light, _ = sites(o, o, SitesConfig(), ModelsConfig(), surv.KmOptions(), heavy=skipped)
    full, _ = sites(o, o, SitesConfig(), ModelsConfig(), surv.KmOptions())
    assert light["leave_one_out"] == {"orr": [None, None], "pfs_median_months": [None, None], "terms": {},
                                      "reason": NOT_RUN}
    assert light["frailty_cox"]["theta"] is None and light["frailty_cox"]["reason"] == NOT_RUN
    assert full["frailty_cox"]["theta"] is not None and full["leave_one_out"]["orr"][0] is not None
    assert light["orr_meta"] == full["orr_meta"] and light["n_sites"] == full["n_sites"] == 12
