"""End to end: registry files -> `prrt-rwe analyze` -> results.json, on the ten-patient registry of
hand_registry.py. Every expected number below is worked out by hand from that file (study days
are the offsets written there); confidence limits of proportions come from scipy.stats.beta
(Clopper-Pearson), those of the Kaplan-Meier landmark from the Greenwood formula written here.
"""

from __future__ import annotations

import json
import math
import re
import sys
from pathlib import Path

import pytest
from scipy.stats import beta, norm
from typer.testing import CliRunner

sys.path.insert(0, str(Path(__file__).parent))
from hand_registry import write_registry

from prrt_rwe.cli import app

MONTH = 30.4375


def cp(k: int, n: int) -> list[float]:
    """Clopper-Pearson 95 % limits from the beta distribution."""
    lo = 0.0 if k == 0 else beta.ppf(0.025, k, n - k + 1)
    hi = 1.0 if k == n else beta.ppf(0.975, k + 1, n - k)
    return [lo, hi]


def check_prop(p: dict, k: int, n: int) -> None:
    assert (p["n"], p["N"]) == (k, n)
    assert p["estimate"] == pytest.approx(k / n, rel=1e-5)
    assert p["ci95"] == pytest.approx(cp(k, n), rel=1e-5, abs=1e-9)


@pytest.fixture(scope="module")
def run(hand_run):
    """(base, registry, result) of ``prrt-rwe analyze base/registry --out base/out`` (tests/e2e/conftest.py)."""
    return hand_run


@pytest.fixture(scope="module")
def results(run):
    return json.loads((run[0] / "out" / "results.json").read_text())


def test_cli_prints_report_path(run):
    base, _, result = run
    assert f"report: {base / 'out' / 'report.html'}" in result.output.replace("\n", "")
    for name in ("results.json", "report.html", "ard.parquet", "run.json", "adam/adsl.parquet"):
        assert (base / "out" / name).is_file(), name


def test_analysis_sets(results):
    # C3 no cycle; B3 no scan on/before C1; C2 no Ki-67 -> 10 enrolled, 9 safety, 7 efficacy.
    assert results["analysis_sets"] == {
        "enrolled": 10, "safety": 9, "efficacy": 7,
        "excluded": [{"reason": "no PRRT cycle", "n": 1}, {"reason": "no baseline assessment", "n": 1},
                     {"reason": "missing covariate", "n": 1}]}


def test_baseline_block(results):
    b = results["baseline"]
    assert b["age_median"] == 64  # ages 55 58 60 64 66 70 72
    assert b["primary_group"] == {"pancreas": 2, "foregut": 1, "midgut": 1, "hindgut": 2, "other": 1}
    assert b["who_grade"] == {"G1": 1, "G2": 4, "G3": 1, "NEC": 1, "missing": 0}
    assert b["krenning4"] == 5  # A1 A3 A4 B2 C1
    assert b["functioning"] == 3  # A1 B2 C1


def test_best_overall_response(results):
    r = results["response"]
    # A1 PR d91+PR d182 -> PR; A2 SD; A3 PR d51, PR d65 (14 d < 28) -> SD; A4 CR confirmed;
    # B1 PD; B2 no post-baseline scan -> NE; C1 PR d56 + PR d112 (PD d200 after next therapy d150).
    assert r["bor_counts"] == {"CR": 1, "PR": 2, "SD": 2, "PD": 1, "NE": 1}
    check_prop(r["orr"], 3, 7)
    check_prop(r["dcr"], 5, 7)
    check_prop(r["orr_unconfirmed"], 4, 7)  # A3's unconfirmed PR counts
    check_prop(r["by_primary_group"]["pancreas"], 2, 2)  # A1 A4
    check_prop(r["by_primary_group"]["hindgut"], 0, 2)  # A3 B1
    check_prop(r["by_primary_group"]["foregut"], 1, 1)  # C1


def test_pfs_kaplan_meier_by_hand(results):
    # PFS (days, event): B1 60 E, B2 100 E (death), C1 112 C, A3 143 E, A1 274 E, A2 366 C, A4 400 C.
    # S: 60 -> 6/7, 100 -> 5/7, 143 -> 5/7*3/4, 274 -> *2/3 = 0.357143 <= 0.5 first: median 274 d.
    pfs = results["pfs"]
    assert (pfs["n"], pfs["events"]) == (7, 4)
    assert pfs["median_months"] == pytest.approx(274 / MONTH, rel=1e-5)
    s12 = 6 / 7 * 5 / 6 * 3 / 4 * 2 / 3
    greenwood = 1 / (7 * 6) + 1 / (6 * 5) + 1 / (4 * 3) + 1 / (3 * 2)
    se = math.sqrt(greenwood) / abs(math.log(s12))  # log(-log) scale
    z = norm.ppf(0.975)
    expected_ci = [s12 ** math.exp(z * se), s12 ** math.exp(-z * se)]  # S < 1: larger power, lower
    assert pfs["rate_at"]["12"]["estimate"] == pytest.approx(s12, rel=1e-5)
    assert pfs["rate_at"]["12"]["ci95"] == pytest.approx(expected_ci, rel=1e-5)
    # 20 and 24 months (608.75, 730.5 d) lie beyond the last follow-up (400 d): null.
    assert pfs["rate_at"]["20"] == {"estimate": None, "ci95": [None, None]}
    assert pfs["rate_at"]["24"]["estimate"] is None


def test_os_and_followup(results):
    # Deaths B1 d200, B2 d100; S never reaches 0.5 -> median null (not reached).
    assert (results["os"]["n"], results["os"]["events"]) == (7, 2)
    assert results["os"]["median_months"] is None
    # Reverse KM: censored deaths 100, 200; "events" at last contact 420 450 460 480 500:
    # S 4/5, 3/5, 2/5 at 460 -> median 460 d.
    assert results["followup_median_months"] == pytest.approx(460 / MONTH, rel=1e-5)


def test_safety_by_hand(results):
    s = results["safety"]
    assert s["N"] == 9
    wg = s["lab"]["worst_grade"]
    # platelets: A1 40 -> G3, A2 80 -> G1, B3 20 -> G4, C2 160 -> G0 (C2's d400 value is after C1+365)
    assert wg["platelets"] == {"0": 1, "1": 1, "2": 0, "3": 1, "4": 1}
    assert wg["neutrophils"] == {"0": 0, "1": 0, "2": 0, "3": 0, "4": 1}  # A3 0.4 < 0.5
    assert wg["wbc"] == {"0": 0, "1": 0, "2": 1, "3": 0, "4": 0}  # C1 2.5
    assert wg["lymphocytes"] == {"0": 0, "1": 0, "2": 0, "3": 1, "4": 0}  # B1 0.3
    assert wg["hemoglobin"] == {"0": 0, "1": 0, "2": 1, "3": 0, "4": 0}  # A4 95 g/L
    # creatinine: A1 110 vs baseline 70 (1.57x) -> G2; A2 85 vs 80 -> G0; B2 260 vs 80 (3.25x) -> G3
    assert wg["creatinine"] == {"0": 1, "1": 0, "2": 1, "3": 1, "4": 0}
    check_prop(s["lab"]["hematologic_grade3plus"], 3, 9)  # A1, A3, B3 (B1's lymphopenia apart)
    check_prop(s["lab"]["renal_grade3plus"], 1, 9)  # B2
    # eGFR (CKD-EPI 2021): A1 F60 0.792 mg/dL -> F61 1.244 mg/dL is a 42 % decline; A2 about 8 %.
    check_prop(s["lab"]["egfr_decline30_12m"], 1, 2)
    check_prop(s["ae"]["hematologic_grade3plus"], 2, 9)  # A1, A3 (B1's event is before C1)
    check_prop(s["ae"]["renal_grade3plus"], 1, 9)  # B2 acute kidney injury
    check_prop(s["ae"]["mds_aml"], 1, 9)  # C1 MDS grade 2 (any grade counts)


def test_treatment_emergent_and_late_effects_by_hand(results):
    s = results["safety"]
    # Treatment-emergent (worse than baseline; no baseline = grade 0): A1 200 (G0) -> 40 G3,
    # A2 no baseline -> 80 G1, B3 no baseline -> 20 G4, C2 day 10 160 is G0 (0 > 0: not TE).
    assert s["lab_te"]["worst_grade"]["platelets"] == {"0": 1, "1": 1, "2": 0, "3": 1, "4": 1}
    check_prop(s["lab_te"]["hematologic_grade3plus"], 3, 9)  # A1, A3, B3
    # Late window (to the data cut-off): C2's 30 on day 400 (after C1 + 365) is G3 and TE.
    assert s["lab_te_late"]["worst_grade"]["platelets"] == {"0": 0, "1": 1, "2": 0, "3": 2, "4": 1}
    check_prop(s["lab_te_late"]["hematologic_grade3plus"], 4, 9)
    # Shift (acute): A1 baseline G0 -> worst G3; the three others have no baseline (row 0).
    assert s["shift"]["platelets"]["0"] == {"0": 1, "1": 1, "2": 0, "3": 1, "4": 1}
    # Adverse events after C1 (B1's day -2 event is not), one row per term, by frequency then term.
    assert [r["term"] for r in s["ae_table"]] == ["Acute kidney injury", "Febrile neutropenia",
                                                  "Myelodysplastic syndrome", "Platelet count decreased",
                                                  "anemia"]
    assert s["ae_table"][3] == {"term": "Platelet count decreased", "any": 1, "grade3": 1, "grade4": 0,
                                "grade5": 0, "serious": 0}
    # Cumulative incidence of TE haematologic grade >= 3, deaths B2 d100 and B1 d200 competing:
    # events B3 d20, A1 d30, A3 d40 among 9, 8, 7 at risk: F = 1/9 + (8/9)/8 + (7/9)/7 = 1/3 by
    # 12 months; C2's day-400 event is the fourth; 24 months lie beyond the last follow-up.
    cif = s["cumulative_incidence"]["heme_grade3plus_te"]
    assert (cif["n"], cif["events"], cif["competing"]) == (9, 4, 2)
    assert cif["rate_at"]["12"]["estimate"] == pytest.approx(1 / 3, rel=1e-9)
    assert cif["rate_at"]["24"] == {"estimate": None, "ci95": [None, None]}
    mds = s["cumulative_incidence"]["mds_aml"]
    assert (mds["events"], mds["competing"]) == (1, 2)   # C1's MDS on day 300
    # prior_lines is 0 for everyone: Gray's test by prior lines has one group only
    assert s["gray_test"]["heme_grade3plus_te"]["prior_lines3"]["stat"] is None


def test_hormonal_symptoms(results):
    # Safety set only (C3 untreated): A1 marked, B2 improvement, B3 no change; C1 not evaluable.
    assert results["hormonal_symptoms"] == {"evaluable": 3, "marked_improvement": 1, "any_improvement": 2}


def test_models_name_terms_as_the_contract(results):
    m = results["models"]
    assert [t["term"] for t in m["orr_logistic"]["terms"]] == [
        "primary_group[pancreas]", "primary_group[hindgut]", "krenning4", "liver_lesion_le30"]
    assert (m["orr_logistic"]["n"], m["orr_logistic"]["events"]) == (7, 3)
    assert [t["term"] for t in m["pfs_cox"]["terms"]] == [
        "ki67_lt10", "krenning4", "liver_burden_lt50", "liver_lesion_le30", "ssa_concomitant"]
    assert (m["pfs_cox"]["n"], m["pfs_cox"]["events"], m["pfs_cox"]["ties"]) == (7, 4, "efron")


def test_benchmarks_pair_published_with_ours(results):
    items = {(b["study"], b["endpoint"]): b for b in results["benchmarks"]}
    assert items[("okamoto2026", "orr")] == {"study": "okamoto2026", "endpoint": "orr",
                                             "published": 0.376, "ours": pytest.approx(3 / 7, rel=1e-5)}
    assert items[("netter1", "pfs_rate_20m")]["ours"] is None  # beyond follow-up
    assert items[("okamoto2026", "hormonal_marked_improvement")]["published"] == pytest.approx(18 / 24)


BASE_KEYS = ["schema", "analysis_sets", "baseline", "response", "pfs", "os", "followup_median_months",
             "safety", "hormonal_symptoms", "models", "benchmarks"]


def test_contract_keys(results):
    # results-v1.md: the base keys in contract order; wave-2 additions sit between them
    assert [k for k in results if k in BASE_KEYS] == BASE_KEYS
    assert results["schema"] == "prrt-rwe/results/1"


def test_results_json_byte_identical_on_rerun(run, tmp_path):
    base, registry, _ = run
    result = CliRunner().invoke(app, ["analyze", str(registry), "--out", str(tmp_path / "again")])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "again" / "results.json").read_bytes() == (base / "out" / "results.json").read_bytes()


def test_report_is_self_contained(run):
    html = (run[0] / "out" / "report.html").read_text(encoding="utf-8")
    assert not re.search(r"https?://", html)
    assert not re.search(r"<(script|link|img|iframe)\b", html, re.IGNORECASE)
    for section in ("summary", "flow", "baseline", "response", "survival", "models", "sensitivity",
                    "safety", "late-effects", "hormonal", "benchmarks", "quality", "methods", "limitations",
                    "checklist", "provenance"):
        assert f'<section id="{section}">' in html, section


def test_report_names_no_patient(run):
    html = (run[0] / "out" / "report.html").read_text(encoding="utf-8")
    assert not re.search(r"\b[ABC]-[0-9]\b", html)  # USUBJIDs A-1 ... C-3 never appear


def test_invalid_registry_exits_1(tmp_path):
    registry = write_registry(tmp_path / "bad")
    (registry / "cycles.csv").unlink()
    result = CliRunner().invoke(app, ["analyze", str(registry), "--out", str(tmp_path / "out")])
    assert result.exit_code == 1
    assert "E001" in result.output
    assert not (tmp_path / "out" / "results.json").exists()


def test_table1_by_primary_group_in_ard(run):
    # Safety set by primary group (C3, cecum, has no cycle): pancreas A1 A4 B3 C2; foregut C1;
    # midgut A2; hindgut A3 B1; other B2. Pancreas ages 60 66 62 68 -> median 64.
    import pandas as pd

    ard = pd.read_parquet(run[0] / "out" / "ard.parquet")
    by_group = ard[(ard.context == "characteristics") & (ard.group1 == "primary_group")]
    sizes = by_group[(by_group.variable == "by_primary_group") & (by_group.stat_name == "N")]
    assert dict(zip(sizes.group1_level, sizes.stat)) == {
        "pancreas": 4, "foregut": 1, "midgut": 1, "hindgut": 2, "other": 1}
    age = by_group[(by_group.group1_level == "pancreas")
                   & (by_group.variable == "by_primary_group.variables.age")
                   & (by_group.stat_name == "median")]
    assert age.stat.tolist() == [64.0]
    html = (run[0] / "out" / "report.html").read_text()
    assert "Table 2. Patient characteristics by primary tumour group" in html
