"""study.toml [comparators]: which comparator files are in force (shipped, listed relative to
study.toml, given on the command line), the bootstrap settings, and the errors."""

from __future__ import annotations

import pytest

from prrt_rwe.benchmarks.comparators import ComparatorFileError
from prrt_rwe.config import ConfigError, load_config, parse_config
from prrt_rwe.study import comparators_in_force

TRIAL = """id: {id}
study: T
arm: PRRT
reference: "Doe J. J 2020;1:1"
n: 10
n_source: "abstract"
"""


def test_defaults_and_parsing():
    c = parse_config({}).comparators
    assert (c.shipped, c.files, c.bootstrap_resamples, c.seed) == (True, (), 2000, 20260501)
    c = parse_config({"comparators": {"shipped": False, "files": ["a.yaml"], "bootstrap_resamples": 500,
                                      "seed": 3}}).comparators
    assert (c.shipped, c.files, c.bootstrap_resamples, c.seed) == (False, ("a.yaml",), 500, 3)


@pytest.mark.parametrize("body, message", [
    ({"shipped": "yes"}, r"\[comparators\] shipped: expected true or false"),
    ({"files": "a.yaml"}, r"\[comparators\] files: expected a list"),
    ({"bootstrap_resamples": 10}, r"\[comparators\] bootstrap_resamples: expected an integer >= 100"),
    ({"resamples": 2000}, r"\[comparators\] resamples: unknown key"),
])
def test_bad_section(body, message):
    with pytest.raises(ConfigError, match=message):
        parse_config({"comparators": body})


def test_files_are_relative_to_study_toml_and_ids_unique(tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "a.yaml").write_text(TRIAL.format(id="trial_a"))
    (tmp_path / "b.yaml").write_text(TRIAL.format(id="trial_b"))
    (tmp_path / "sub" / "study.toml").write_text('[comparators]\nshipped = false\nfiles = ["a.yaml"]\n')
    cfg = load_config(tmp_path / "sub" / "study.toml")
    assert [c.id for c in comparators_in_force(cfg, [tmp_path / "b.yaml"])] == ["trial_a", "trial_b"]
    assert [c.id for c in comparators_in_force(parse_config({}))][:2] == ["netter1_lu177", "netter1_octreotide"]
    (tmp_path / "dup.yaml").write_text(TRIAL.format(id="trial_a"))
    with pytest.raises(ComparatorFileError, match=r"dup.yaml: id: 'trial_a' is also the id of a.yaml"):
        comparators_in_force(cfg, [tmp_path / "dup.yaml"])
    with pytest.raises(ComparatorFileError, match=r"none.yaml: cannot be read"):
        comparators_in_force(cfg, [tmp_path / "none.yaml"])
