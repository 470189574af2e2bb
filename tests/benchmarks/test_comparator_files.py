"""Comparator files (shared/spec/comparators.md): the shipped NETTER-1/NETTER-2 files pass the
schema and every number in them carries a source; a broken file is an error naming the file
and the key; eligibility criteria parse only in the one allowed shape."""

from __future__ import annotations

import textwrap
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from prrt_rwe.benchmarks.comparators import (
    ComparatorFileError,
    CriterionError,
    EligibilityError,
    eligible,
    load_comparator,
    parse_criterion,
    shipped_comparators,
    shipped_files,
)

MINIMAL = """
id: my_trial
study: MY-TRIAL
arm: PRRT
reference: "Doe J. Some Journal 2020;1:1-10"
n: 50
n_source: "abstract"
"""


def _numbers_without_source(node, path=""):
    """Every number in the YAML tree that sits in a mapping without a 'source' key."""
    found = []
    if isinstance(node, dict):
        has_source = "source" in node or "n_source" in node
        for k, v in node.items():
            here = f"{path}.{k}" if path else str(k)
            if isinstance(v, (int, float)) and not isinstance(v, bool) and not has_source:
                found.append(here)
            elif isinstance(v, list) and all(isinstance(x, (int, float, type(None))) for x in v) and v \
                    and not has_source:
                found.append(here)
            else:
                found += _numbers_without_source(v, here)
    elif isinstance(node, list):
        for i, v in enumerate(node):
            found += _numbers_without_source(v, f"{path}[{i}]")
    return found


@pytest.mark.parametrize("path", shipped_files(), ids=lambda p: p.name)
def test_shipped_file_passes_the_schema_and_sources_every_number(path):
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert _numbers_without_source(raw) == []
    c = load_comparator(path)
    assert c.n_source and all(t.source for t in c.baseline) and all(o.source for o in c.outcomes.values())
    assert all(cr.source for cr in c.eligibility)  # criteria hold numbers (grade, Krenning, age) too


def test_shipped_files_hold_the_abstracts_numbers():
    by_id = {c.id: c for c in shipped_comparators()}
    assert set(by_id) == {"netter1_lu177", "netter1_octreotide", "netter2_lu177", "netter2_octreotide"}
    # Strosberg 2017 abstract: 116 vs 113 randomised; PFS at month 20 65.2 % (50.0-76.8) vs 10.8 % (3.5-23.0)
    assert (by_id["netter1_lu177"].n, by_id["netter1_octreotide"].n) == (116, 113)
    rate = by_id["netter1_lu177"].outcome("pfs_rate")
    assert (rate.months, rate.estimate, rate.ci95) == (20, 0.652, (0.500, 0.768))
    assert by_id["netter1_octreotide"].outcome("pfs_rate").ci95 == (0.035, 0.230)
    assert by_id["netter1_lu177"].outcome("pfs_median_months").estimate is None  # not reached
    # Singh 2024 abstract: 151 vs 75; median PFS 22.8 (19.4-NE) vs 8.5 (7.7-13.8); 121/226 male
    assert (by_id["netter2_lu177"].n, by_id["netter2_octreotide"].n) == (151, 75)
    assert by_id["netter2_lu177"].outcome("pfs_median_months").ci95 == (19.4, None)
    assert by_id["netter2_octreotide"].outcome("pfs_median_months").ci95 == (7.7, 13.8)
    sex = by_id["netter2_lu177"].baseline[0]
    assert (sex.variable, sex.level, sex.value, sex.n, sex.N) == ("sex", "M", 0.5354, 121, 226)
    # Singh 2024 (JCO 42(3_suppl):LBA588): pancreas 54.4 %, small intestine 29.2 %, G3 35.0 % of the
    # 226 randomised - both arms pooled, so both files carry the same targets.
    for arm in ("netter2_lu177", "netter2_octreotide"):
        assert [(t.label, t.kind, t.value, t.N) for t in by_id[arm].baseline] == [
            ("sex = M", "proportion", 0.5354, 226), ("primary_group = pancreas", "proportion", 0.544, 226),
            ("primary_site = small_intestine", "proportion", 0.292, 226), ("who_grade = G3", "proportion", 0.350, 226)]
    # No number without a citable source: no baseline for NETTER-1, no digitised curves.
    assert by_id["netter1_lu177"].baseline == () and all(c.km is None for c in by_id.values())


def test_shipped_files_give_a_reason_for_every_adsl_baseline_variable():
    """comparators.md "ADSL variables": each shipped file's notes have a line 'variables: status -
    reason' for every baseline covariate; 'matched' exactly for the file's targets."""
    variables = {"age", "sex", "primary_group", "primary_site", "who_grade", "ki67_percent", "ki67_lt10",
                 "krenning_score", "krenning4", "liver_metastases", "liver_burden_lt50", "liver_lesion_le30",
                 "bone_metastases", "prior_lines", "prior_ssa", "ssa_concomitant", "functioning", "ecog"}
    for c in shipped_comparators():
        status = {}
        for line in c.notes.splitlines()[1:]:
            keys, said = line.split(": ", 1)
            for key in keys.split(", "):
                status[key.split(" = ")[0]] = said.split(" - ")[0].split(",")[0]
        assert set(status) == variables, c.id
        assert set(status.values()) <= {"matched", "left out", "not a target",
                                         "not a baseline characteristic in the trial"}, c.id
        assert {v for v, s in status.items() if s == "matched"} == {t.variable for t in c.baseline}, c.id


def _write(tmp_path, text: str, name="trial.yaml"):
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


@pytest.mark.parametrize("extra, key, message", [
    ("outcomes:\n  orr: {estimate: 18, source: x}\n", "outcomes.orr.estimate", "not a percentage"),
    ("outcomes:\n  orr: {estimate: 0.18}\n", "outcomes.orr.source", "every number needs its source"),
    ("outcomes:\n  orr: {estimate: 0.18, ci95: [0.2, 0.3], source: x}\n", "outcomes.orr.ci95",
     "does not contain the estimate"),
    ("outcomes:\n  pfs_rate: {estimate: 0.5, source: x}\n", "outcomes.pfs_rate.months", "landmark"),
    ("outcomes:\n  dcr: {estimate: 0.5, source: x}\n", "outcomes.dcr", "unknown outcome"),
    ("baseline:\n  age: {mean: 63, median: 64, source: x}\n", "baseline.age", "exactly one of"),
    ("baseline:\n  sex: {level: M, proportion: 1.4, source: x}\n", "baseline.sex.proportion", "not a proportion"),
    ("baseline:\n  age: {mean: 63}\n", "baseline.age.source", "missing"),
    ("eligibility:\n  - 'age >= 18 or True'\n", "eligibility[0]", "one comparison"),
    ("eligibility:\n  - 'who_grade < \"G2\"'\n", "eligibility[0]", "needs a number"),
    ("eligibility:\n  - {criterion: 'age >= 18'}\n", "eligibility[0].source", "missing"),
    ("colour: blue\n", "colour", "unknown key"),
    ("km: {curve: c.csv, at_risk: r.csv, source: x}\n", "km", "no such file"),
])
def test_schema_errors_name_the_file_and_the_key(tmp_path, extra, key, message):
    path = _write(tmp_path, MINIMAL + extra)
    with pytest.raises(ComparatorFileError, match=message) as err:
        load_comparator(path)
    assert err.value.key == key
    assert str(err.value).startswith(f"trial.yaml: {key}: ")


def test_missing_required_key_and_bad_id(tmp_path):
    with pytest.raises(ComparatorFileError, match=r"trial.yaml: n_source: missing"):
        load_comparator(_write(tmp_path, MINIMAL.replace('n_source: "abstract"\n', "")))
    with pytest.raises(ComparatorFileError, match=r"id: 'My-Trial' must use only a-z"):
        load_comparator(_write(tmp_path, MINIMAL.replace("id: my_trial", "id: My-Trial")))


def test_invalid_yaml_names_line_and_column(tmp_path):
    with pytest.raises(ComparatorFileError, match=r"trial.yaml: line \d+, column \d+: not valid YAML"):
        load_comparator(_write(tmp_path, MINIMAL + "outcomes: [unclosed\n"))


def test_km_block_is_checked_and_reconstructed_on_load(tmp_path):
    (tmp_path / "curve.csv").write_text("time_months,survival\n0,1\n2,0.9\n4,0.7\n6,0.7\n8,0.4\n")
    (tmp_path / "risk.csv").write_text("time_months,n_at_risk\n0,10\n5,7\n")
    c = load_comparator(_write(tmp_path, MINIMAL + "km: {curve: curve.csv, at_risk: risk.csv, source: Fig 2}\n"))
    assert c.km.ipd.time.size == 10 and int(c.km.ipd.event.sum()) == 6   # the hand-checked curve of
    (tmp_path / "bad.csv").write_text("time_months,survival\n0,1\n2,0.9\n1,0.8\n")  # test_reconstruct_km
    with pytest.raises(ComparatorFileError, match=r"km: .*bad.csv:4: time 1 is before the previous point's 2"):
        load_comparator(_write(tmp_path, MINIMAL + "km: {curve: bad.csv, at_risk: risk.csv, source: Fig 2}\n"))


@pytest.mark.parametrize("text, variable, op, value", [
    ('primary_group == "midgut"', "primary_group", "==", "midgut"),
    ('who_grade in ["G1", "G2"]', "who_grade", "in", ("G1", "G2")),
    ("krenning_score >= 2", "krenning_score", ">=", 2),
    ("ki67_percent < 10.5", "ki67_percent", "<", 10.5),
    ("ssa_concomitant == true", "ssa_concomitant", "==", True),
    ("prior_lines != 0", "prior_lines", "!=", 0),
])
def test_criteria_parse(text, variable, op, value):
    c = parse_criterion(text)
    assert (c.variable, c.op, c.value) == (variable, op, value)


@pytest.mark.parametrize("text", ["age >= 18 and age < 80", "len(age) > 1", "age", "18 <= age",
                                  "age >= limit", "__import__('os')", "age >= 18; x", "age is None"])
def test_anything_else_is_not_a_criterion(text):
    with pytest.raises(CriterionError):
        parse_criterion(text)


def test_eligibility_on_adsl_missing_never_meets():
    adsl = pd.DataFrame({"primary_group": ["midgut", "midgut", "pancreas", None],
                         "krenning_score": pd.array([2, None, 4, 3], dtype="Int64"),
                         "who_grade": ["G1", "G2", "G3", "G2"],
                         "ssa_concomitant": pd.array([True, False, None, True], dtype="boolean")})
    crit = [parse_criterion(t) for t in ('primary_group == "midgut"', "krenning_score >= 2",
                                         'who_grade in ["G1", "G2"]')]
    assert eligible(adsl, crit).tolist() == [True, False, False, False]
    assert eligible(adsl, [parse_criterion("ssa_concomitant == false")]).tolist() == [False, True, False, False]
    assert eligible(adsl, []).tolist() == [True] * 4
    with pytest.raises(EligibilityError, match="'karnofsky' is not an ADSL variable"):
        eligible(adsl, [parse_criterion("karnofsky >= 60")])
    with pytest.raises(EligibilityError, match="who_grade is not numeric"):
        eligible(adsl, [parse_criterion("who_grade >= 2")])
    assert np.all(eligible(adsl, [parse_criterion('primary_group != "midgut"')]) == [False, False, True, False])


def test_the_documented_example_is_a_valid_file(tmp_path):
    doc = (Path(__file__).parents[2] / "docs" / "comparators.md").read_text(encoding="utf-8")
    example = doc.split("A minimal file:\n\n```yaml\n", 1)[1].split("```", 1)[0]
    (tmp_path / "my_trial_pfs_curve.csv").write_text("time_months,survival\n0,1\n6,0.8\n12,0.7\n18,0.55\n24,0.5\n")
    (tmp_path / "my_trial_pfs_at_risk.csv").write_text("time_months,n_at_risk\n0,120\n12,80\n")
    c = load_comparator(_write(tmp_path, example, "my_trial.yaml"))
    assert [t.label for t in c.baseline] == ["age", "sex = M", "ki67_lt10", "prior_lines"]
    assert c.km.ipd.time.size == 120
