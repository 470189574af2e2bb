"""The data cut-off (derive/cutoff.py), ADTTE DOR / TTR (derive/response_duration.py) and the
best change of the target-lesion sum (derive/tumour_size.py), one hand-made patient per rule.
C1 = 2024-01-01 = day 0 (derive_builders.py); every expected number is read off the rows here.
"""

from __future__ import annotations

import pandas as pd
import pytest

from derive_builders import cohort, day, treated
from prrt_rwe.config import parse_config

CUTOFF_DAY = 300
CUTOFF = parse_config({"study": {"data_cutoff": day(CUTOFF_DAY)}})


def _series(pid, series, sums=None):
    return [{"patient_id": pid, "date": day(d), "overall_response": r,
             **({} if sums is None else {"sum_diameters_mm": sums[i]})} for i, (d, r) in enumerate(series)]


@pytest.fixture(scope="module")
def cut():
    """Derived with the cut-off on day 300."""
    from prrt_rwe.derive import derive_all
    people = [
        # PD on day 350 and death on day 400 are after the cut-off: PFS censored at the last adequate
        # assessment on or before it (day 280), OS censored at the cut-off (alive then)
        treated("late", death_date=day(400), last_contact_date=day(400)),
        # last contact on day 500: OS censored at the cut-off (day 300), not 500
        treated("alive", last_contact_date=day(500)),
        # next therapy on day 320 (after the cut-off): not started by then; PD on day 250 stays
        treated("nth", next_therapy_date=day(320), last_contact_date=day(290)),
        # first cycle after the cut-off: not treated by then -> excluded "no PRRT cycle"
        {"patient": {"patient_id": "new"}, "cycles": [{"patient_id": "new", "cycle": 1, "date": day(310)}],
         "assessments": [{"patient_id": "new", "date": day(305)}]},
    ]
    rows = (_series("late", [(90, "SD"), (280, "SD"), (350, "PD")])
            + _series("alive", [(120, "PR"), (200, "PR"), (330, "PR")])
            + _series("nth", [(100, "SD"), (250, "PD")]))
    labs = [{"patient_id": "late", "date": day(d), "test": "platelets", "value": 100.0} for d in (100, 299, 301)]
    aes = [{"patient_id": "alive", "onset_date": day(d), "term": "Nausea", "grade": 1} for d in (50, 310)]
    con = cohort(*people, assessments=rows, labs=labs, adverse_events=aes)
    return derive_all(con, CUTOFF)


def _tte(adam, pid, param):
    t = adam.adtte
    r = t[(t["SUBJID"] == pid) & (t["PARAMCD"] == param)]
    return [(int(a), int(c)) for a, c in zip(r["AVAL"], r["CNSR"])]


def test_events_after_the_cutoff_are_censored_at_it(cut):
    assert _tte(cut, "late", "PFS") == [(280, 1)]      # PD day 350 unseen: last adequate day 280
    assert _tte(cut, "late", "OS") == [(CUTOFF_DAY, 1)]  # death day 400 unseen: alive at the cut-off
    assert _tte(cut, "alive", "OS") == [(CUTOFF_DAY, 1)]  # last contact day 500 -> the cut-off
    assert _tte(cut, "nth", "PFS") == [(250, 0)]        # next therapy day 320 ignored; PD day 250 counts
    adsl = cut.adsl.set_index("SUBJID")
    assert pd.isna(adsl.loc["late", "DTHDT"])
    assert adsl.loc["new", "EXCLRSN"] == "no PRRT cycle"


def test_values_after_the_cutoff_are_dropped_and_counted(cut):
    lab = cut.adlb[(cut.adlb["SUBJID"] == "late") & (cut.adlb["PARAMCD"] == "platelets")]
    assert lab["ADY"].tolist() == [100, 299]          # day 301 dropped
    assert cut.adae[cut.adae["SUBJID"] == "alive"]["ASTDY"].tolist() == [50]
    # alive's confirmed PR (days 120, 200) keeps; its day-330 assessment is gone from ADRS
    ovr = cut.adrs[(cut.adrs["SUBJID"] == "alive") & (cut.adrs["PARAMCD"] == "OVR")]
    assert ovr["ADY"].tolist() == [120, 200]
    assert cut.cutoff_ignored == {"cycles": 1, "assessments": 3, "lesions": 0, "labs": 1, "adverse_events": 1,
                                  "death_date": 1, "last_contact_date": 2, "next_therapy_date": 1}
    # late: PD day 350; alive: PR day 330; new: baseline scan day 305 -> 3 assessments;
    # last contacts after day 300: late (400) and alive (500)


def test_default_cutoff_ignores_nothing(derive):
    con = cohort(treated("a", death_date=day(400)),
                 assessments=_series("a", [(90, "SD"), (350, "PD")]))
    adam = derive(con)
    assert set(adam.cutoff_ignored.values()) == {0}
    assert _tte(adam, "a", "PFS") == [(350, 0)]


@pytest.fixture(scope="module")
def responders():
    from prrt_rwe.derive import derive_all
    people = [
        # PR day 60 (confirmed by PR day 120), PD day 250: DoR 60 -> 250 = 190 days, event; TTR 60
        treated("pd", last_contact_date=day(400)),
        # SD day 50, PR day 100, CR day 160, then alive: DoR from day 100 (first CR/PR) to the last
        # adequate assessment day 220, censored as PFS; TTR 100
        treated("cr", last_contact_date=day(400)),
        # PR day 60 not confirmed (SD day 120): not a responder, no DOR/TTR row
        treated("unconf", last_contact_date=day(400)),
        # PR day 40 and 90 (confirmed), death day 150 without PD: DoR 40 -> 150 = 110, event (death)
        treated("death", death_date=day(150)),
    ]
    rows = (_series("pd", [(60, "PR"), (120, "PR"), (250, "PD")], sums=[30, 28, 60])
            + _series("cr", [(-7, None), (50, "SD"), (100, "PR"), (160, "CR"), (220, "CR")],
                      sums=[40, 36, 20, 0, 0])
            + _series("unconf", [(60, "PR"), (120, "SD")])
            + _series("death", [(40, "PR"), (90, "PR")]))
    lesions = [{"patient_id": "unconf", "lesion_id": "T1", "role": "target", "date": day(d), "diameter_mm": mm}
               for d, mm in ((-7, 50.0), (60, 30.0), (120, 40.0))]
    con = cohort(*people, assessments=rows, lesions=lesions)
    return derive_all(con)


def test_duration_and_time_to_response(responders):
    assert _tte(responders, "pd", "DOR") == [(190, 0)] and _tte(responders, "pd", "TTR") == [(60, 0)]
    assert _tte(responders, "cr", "DOR") == [(120, 1)] and _tte(responders, "cr", "TTR") == [(100, 0)]
    assert _tte(responders, "unconf", "DOR") == [] and _tte(responders, "unconf", "TTR") == []
    assert _tte(responders, "death", "DOR") == [(110, 0)] and _tte(responders, "death", "TTR") == [(40, 0)]
    t = responders.adtte
    dor = t[(t["SUBJID"] == "cr") & (t["PARAMCD"] == "DOR")].iloc[0]
    assert str(dor["STARTDT"].date()) == day(100) and str(dor["ADT"].date()) == day(220)
    death = t[(t["SUBJID"] == "death") & (t["PARAMCD"] == "DOR")].iloc[0]
    assert death["EVNTDESC"] == "Death"      # the PFS row's description


def test_best_change_of_the_target_sum(responders):
    tc = responders.tumour_change.set_index("SUBJID")
    # pd: baseline = the last sum on or before C1; the builders' baseline scan (day -7) has none,
    # so no baseline sum from the assessments -> no row; cr: baseline 40 mm, best 0 mm -> -100 %
    assert "pd" not in tc.index
    assert tc.loc["cr", "BASE"] == 40 and tc.loc["cr", "PCHG_BEST"] == pytest.approx(-100.0)
    assert tc.loc["cr", "SOURCE"] == "assessments"
    # unconf from lesions.csv: baseline 50 mm, 30 then 40 mm -> best (30 - 50) / 50 = -40 %
    assert tc.loc["unconf", "PCHG_BEST"] == pytest.approx(-40.0) and tc.loc["unconf", "SOURCE"] == "lesions"
