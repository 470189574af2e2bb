"""study.toml parsing (src/prrt_rwe/config.py): defaults of derivations.md, errors naming keys."""

from __future__ import annotations

import json

import pytest

from prrt_rwe.config import ConfigError, load_config, parse_config


def test_defaults_are_derivations_md():
    c = load_config(None)
    assert (c.recist.confirmation_days, c.recist.sd_min_days) == (28, 42)
    assert c.safety.window_days == 365 and c.labs.baseline_window_days == 30
    assert c.pfs.max_gap_days is None
    assert c.km.conf_type == "log-log" and c.km.landmarks_months == (12, 20, 24)
    assert c.models.orr_covariates == ("primary_group", "krenning4", "liver_lesion_le30")
    assert c.models.pfs_covariates == ("ki67_lt10", "krenning4", "liver_burden_lt50",
                                       "liver_lesion_le30", "ssa_concomitant")


def test_file_overrides_and_to_dict_is_json(tmp_path):
    path = tmp_path / "study.toml"
    path.write_text('[recist]\nconfirmation_days = 21\n[pfs]\nmax_gap_days = 182\n'
                    '[km]\nlandmarks_months = [6, 12]\n')
    c = load_config(path)
    assert c.recist.confirmation_days == 21 and c.recist.sd_min_days == 42
    assert c.pfs.max_gap_days == 182 and c.km.landmarks_months == (6, 12)
    d = json.loads(json.dumps(c.to_dict()))
    assert d["recist"]["confirmation_days"] == 21 and d["km"]["landmarks_months"] == [6, 12]
    assert d["source"] == str(path)


def test_a_file_named_study_toml_is_its_own_source_and_a_mapping_has_none(tmp_path):
    path = tmp_path / "study.toml"
    path.write_text('[models]\norr_method = "firth"\n')
    assert load_config(path).source == str(path) and load_config(path).models.orr_method == "firth"
    assert parse_config({}).source is None and parse_config({}, origin="study.toml").source == "study.toml"
    assert load_config(None).models.orr_method == "ml"


@pytest.mark.parametrize("text,named", [
    ("[recist]\nconfirmation_dayz = 21\n", "confirmation_dayz"),
    ("[recsit]\nconfirmation_days = 21\n", "recsit"),
    ("[pfs]\nmax_gap_days = -3\n", "max_gap_days"),
    ("[km]\nconf_type = 'logit'\n", "conf_type"),
    ("[models]\npfs = 'pfs ~ a * b'\n", "pfs"),
    ("[recist]\nsd_min_days = 'six weeks'\n", "sd_min_days"),
    ("[models]\norr_method = 'bayes'\n", "orr_method"),
])
def test_bad_keys_raise_naming_the_key(tmp_path, text, named):
    path = tmp_path / "study.toml"
    path.write_text(text)
    with pytest.raises(ConfigError, match=named):
        load_config(path)


def test_invalid_toml_names_file(tmp_path):
    path = tmp_path / "study.toml"
    path.write_text("[recist\n")
    with pytest.raises(ConfigError, match="study.toml"):
        load_config(path)


@pytest.mark.parametrize("body, match", [
    ({"data_cutoff": "2025-13-01"}, "data_cutoff"),
    ({"data_cutoff": 20250101}, "data_cutoff"),
    ({"headline_population": "all"}, "headline_population"),
    ({"complete_case_covariates": []}, "complete_case_covariates"),
    ({"complete_case_covariates": ["age", "not a name"]}, "complete_case_covariates"),
])
def test_study_section_rejects_bad_values(body, match):
    with pytest.raises(ConfigError, match=match):
        parse_config({"study": body})


def test_study_section_defaults_and_values():
    import datetime as dt
    default = parse_config({})
    assert default.study.data_cutoff is None and default.study.headline_population == "complete_case"
    assert default.study.complete_case == ("primary_group", "krenning4", "liver_lesion_le30", "ki67_lt10",
                                           "liver_burden_lt50", "ssa_concomitant")
    cfg = parse_config({"study": {"data_cutoff": dt.date(2025, 6, 30), "headline_population": "evaluable"}})
    assert cfg.study.data_cutoff == dt.date(2025, 6, 30)
    assert cfg.to_dict()["study"]["data_cutoff"] == "2025-06-30"
