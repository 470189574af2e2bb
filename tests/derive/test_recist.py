"""Confirmed (CBOR) and unconfirmed (BOR) best overall response, one patient per rule.

Rules: derivations.md "Tumour response (RECIST 1.1)" (quoted as CBOR 1-5 and BOR), default
confirmation_days 28 and sd_min_days 42. Each patient has C1 = 2024-01-01 (day 0) and a
baseline scan on day -7; the series lists (day after C1, recorded response).
"""

from __future__ import annotations

import pytest

from derive_builders import cohort, day, treated
from prrt_rwe.config import load_config


def _run(derive, series: dict[str, list[tuple[int, str]]], config=None, **patient_extra):
    people = [treated(pid, **patient_extra.get(pid, {})) for pid in series]
    rows = [{"patient_id": pid, "date": day(d), "overall_response": r}
            for pid, s in series.items() for d, r in s]
    return derive(cohort(*people, assessments=rows), config)


def _best(adam, paramcd: str) -> dict[str, tuple[str, object]]:
    rs = adam.adrs[adam.adrs["PARAMCD"] == paramcd]
    return {u.split("-", 1)[1]: (a, None if d != d else int(d))
            for u, a, d in zip(rs["USUBJID"], rs["AVALC"], rs["ADY"].astype("float"))}


CASES = {
    # CBOR 1: CR then CR 28 days later -> confirmed CR (28 >= 28).
    "cr_cr_28": ([(56, "CR"), (84, "CR")], "CR", 56, "CR"),
    # CBOR 1 fails (27 < 28) and CBOR 2 fails likewise; CBOR 3: CR on day >= 42 -> SD.
    "cr_cr_27": ([(56, "CR"), (83, "CR")], "SD", 56, "CR"),
    # CBOR 2: PR, one NE between, PR >= 28 days later -> PR.
    "pr_ne_pr": ([(56, "PR"), (70, "NE"), (112, "PR")], "PR", 56, "PR"),
    # CBOR 2: two NE between exceed "at most one NE"; the second PR (day 140) has no
    # confirmation after it; CBOR 3: PR on day >= 42 -> SD.
    "pr_ne_ne_pr": ([(56, "PR"), (70, "NE"), (84, "NE"), (140, "PR")], "SD", 56, "PR"),
    # CBOR 2: an SD between breaks the confirmation -> CBOR 3 SD (first qualifying day 56).
    "pr_sd_pr": ([(56, "PR"), (84, "SD"), (112, "PR")], "SD", 56, "PR"),
    # PR then PD: no confirmation; CBOR 3: PR on day 56 >= 42 -> SD. BOR: any PR -> PR.
    "pr_pd": ([(56, "PR"), (84, "PD")], "SD", 56, "PR"),
    # Only NE: CBOR 5 NE (stays in the denominator), BOR NE.
    "only_ne": ([(56, "NE"), (112, "NE")], "NE", None, "NE"),
    # SD on day 41 < 42: not SD; no PD -> NE.
    "sd_41": ([(41, "SD")], "NE", None, "NE"),
    # SD on day 42 >= 42 -> SD.
    "sd_42": ([(42, "SD")], "SD", 42, "SD"),
    # PD first: everything after the first PD is cut -> PD (the later CR/CR is ignored).
    "pd_first": ([(30, "PD"), (60, "CR"), (120, "CR")], "PD", 30, "PD"),
    # NON_CR_NON_PD on day 50 counts as SD (CBOR 3 and BOR).
    "noncr_50": ([(50, "NON_CR_NON_PD")], "SD", 50, "SD"),
    # PR on day 20 only (< 42): CBOR NE; BOR PR has no minimum day.
    "pr_20": ([(20, "PR")], "NE", None, "PR"),
    # CBOR 2 with a CR start: CR then PR 28 days later -> PR (a PR or CR followed by a PR or CR).
    "cr_pr": ([(56, "CR"), (84, "PR")], "PR", 56, "CR"),
    # CBOR 1: CR, NE, CR: one NE between is allowed -> CR.
    "cr_ne_cr": ([(56, "CR"), (70, "NE"), (90, "CR")], "CR", 56, "CR"),
    # CBOR 2: PR then CR 28 days later -> PR (a CR confirms only a CR under CBOR 1); BOR CR.
    "pr_cr": ([(56, "PR"), (84, "CR")], "PR", 56, "CR"),
    # CBOR 1 and 2: an SD between the two CRs breaks both -> CBOR 3 SD.
    "cr_sd_cr": ([(56, "CR"), (70, "SD"), (100, "CR")], "SD", 56, "CR"),
    # CBOR 1: the next CR (day 70) is only 14 days later; the confirming CR is day 98
    # (42 days), with a CR between (allowed) -> CR dated by the start, day 56.
    "late_confirm": ([(56, "CR"), (70, "CR"), (98, "CR")], "CR", 56, "CR"),
    # SD at 30 then PD: SD too early (30 < 42) -> CBOR 4 PD.
    "sd_30_pd": ([(30, "SD"), (60, "PD")], "PD", 60, "PD"),
}


@pytest.fixture(scope="module")
def adam():
    from prrt_rwe.derive import derive_all
    people = [treated(pid) for pid in CASES]
    rows = [{"patient_id": pid, "date": day(d), "overall_response": r}
            for pid, (s, *_) in CASES.items() for d, r in s]
    return derive_all(cohort(*people, assessments=rows))


@pytest.mark.parametrize("pid", list(CASES))
def test_confirmed_bor(adam, pid):
    _, cbor, cbor_day, _ = CASES[pid]
    assert _best(adam, "CBOR")[pid] == (cbor, cbor_day)


@pytest.mark.parametrize("pid", list(CASES))
def test_unconfirmed_bor(adam, pid):
    assert _best(adam, "BOR")[pid][0] == CASES[pid][3]


def test_no_post_baseline_assessment_is_ne(derive):
    # CBOR 5 / BOR: no post-baseline assessment -> NE, one row each per safety patient.
    adam = _run(derive, {"1": []})
    assert _best(adam, "CBOR") == {"1": ("NE", None)}
    assert _best(adam, "BOR") == {"1": ("NE", None)}


def test_assessment_on_c1_is_baseline(derive):
    # "an assessment on the C1 date is a baseline": a PR on day 0 is not an OVR row.
    adam = _run(derive, {"1": [(0, "PR"), (28, "PR")]})
    ovr = adam.adrs[adam.adrs["PARAMCD"] == "OVR"]
    assert ovr["ADY"].tolist() == [28]
    # CBOR: the day-28 PR alone is not confirmed and is before day 42 -> NE.
    assert _best(adam, "CBOR")["1"] == ("NE", None)


def test_assessments_after_next_therapy_ignored(derive):
    # strictly before next_therapy_date: the PR on day 100 (= next therapy) is not used.
    people = [treated("1", next_therapy_date=day(100))]
    rows = [{"patient_id": "1", "date": day(56), "overall_response": "PR"},
            {"patient_id": "1", "date": day(100), "overall_response": "PR"},
            {"patient_id": "1", "date": day(140), "overall_response": "PR"}]
    adam = derive(cohort(*people, assessments=rows))
    # CBOR: only the day-56 PR is in the window -> not confirmed -> SD (day 56 >= 42).
    assert _best(adam, "CBOR")["1"] == ("SD", 56)
    ovr = adam.adrs[adam.adrs["PARAMCD"] == "OVR"]
    assert ovr["ANL01FL"].tolist() == ["Y", "N", "N"]


def test_study_toml_changes_confirmation_and_sd_days(derive, tmp_path):
    series = {"a": [(56, "CR"), (83, "CR")], "b": [(41, "SD")]}
    # defaults: a -> SD (27 < 28 days), b -> NE (41 < 42).
    default = _best(_run(derive, series), "CBOR")
    assert default == {"a": ("SD", 56), "b": ("NE", None)}
    toml = tmp_path / "study.toml"
    toml.write_text("[recist]\nconfirmation_days = 21\nsd_min_days = 35\n")
    cfg = load_config(toml)
    changed = _best(_run(derive, series, cfg), "CBOR")
    # 27 >= 21 -> CR confirmed; SD on day 41 >= 35 -> SD.
    assert changed == {"a": ("CR", 56), "b": ("SD", 41)}
