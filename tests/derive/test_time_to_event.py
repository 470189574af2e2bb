"""ADTTE PFS / OS / FU, one hand-made patient per rule of derivations.md "Time to event".

C1 = day 0; AVAL = ADT - C1 in days; CNSR 0 = event, 1 = censored.
"""

from __future__ import annotations

import pytest

from derive_builders import cohort, day, treated
from prrt_rwe.config import parse_config
from prrt_rwe.derive import time_to_event as tte


def _people():
    """(patient, assessments as (day, response)) per case."""
    return {
        # death without PD -> PFS event at death (day 200)
        "death": ({"death_date": day(200), "last_contact_date": day(200)}, [(56, "SD"), (112, "SD")]),
        # PD (day 112) before death (day 300) -> event at the PD
        "pd": ({"death_date": day(300)}, [(56, "SD"), (112, "PD")]),
        # last adequate day 56, death day 400 (gap 344 days): event by default
        "gap": ({"death_date": day(400)}, [(56, "SD")]),
        # no post-baseline scan, alive -> censored at day 0
        "noscan": ({"last_contact_date": day(500)}, []),
        # last assessment NE: censored at the last non-NE one (day 56)
        "ne_last": ({"last_contact_date": day(500)}, [(56, "SD"), (112, "NE")]),
        # next therapy day 100: later PD ignored, death on/after it censored at last adequate (56)
        "nth_death": ({"next_therapy_date": day(100), "death_date": day(300)},
                      [(56, "SD"), (150, "PD")]),
        # next therapy, alive: censored at the last adequate assessment before it (day 56)
        "nth_alive": ({"next_therapy_date": day(100), "last_contact_date": day(400)},
                      [(56, "PR"), (120, "SD")]),
        # death on the C1 date (valid): PFS and OS events at day 0
        "death_c1": ({"death_date": day(0)}, []),
        # stale last contact (day 100) but a lab on day 300 and an AE on day 350: OS censor 350
        "stale": ({"last_contact_date": day(100)}, [(56, "SD")]),
    }


@pytest.fixture(scope="module")
def adtte():
    from prrt_rwe.derive import derive_all
    return _derive(derive_all, None)


def _derive(derive_all, config):
    people, rows = [], []
    for pid, (patient, series) in _people().items():
        people.append(treated(pid, **patient))
        rows += [{"patient_id": pid, "date": day(d), "overall_response": r} for d, r in series]
    con = cohort(*people, assessments=rows,
                 labs=[{"patient_id": "stale", "date": day(300), "test": "alt", "value": 20.0}],
                 adverse_events=[{"patient_id": "stale", "onset_date": day(350), "term": "Nausea",
                                  "grade": 1}])
    return derive_all(con, config).adtte


def _row(adtte, pid, param):
    r = adtte[(adtte["SUBJID"] == pid) & (adtte["PARAMCD"] == param)]
    assert len(r) == 1
    r = r.iloc[0]
    desc = r["EVNTDESC"] if r["CNSR"] == 0 else r["CNSDTDSC"]
    return int(r["AVAL"]), int(r["CNSR"]), desc


PFS_EXPECTED = {
    "death": (200, 0, tte.PFS_EVENT["death"]),
    "pd": (112, 0, tte.PFS_EVENT["pd"]),
    "gap": (400, 0, tte.PFS_EVENT["death"]),
    "noscan": (0, 1, tte.PFS_CENSOR["none"]),
    "ne_last": (56, 1, tte.PFS_CENSOR["last"]),
    "nth_death": (56, 1, tte.PFS_CENSOR["death_nth"]),
    "nth_alive": (56, 1, tte.PFS_CENSOR["nth"]),
    "death_c1": (0, 0, tte.PFS_EVENT["death"]),
    "stale": (56, 1, tte.PFS_CENSOR["last"]),
}


@pytest.mark.parametrize("pid", list(PFS_EXPECTED))
def test_pfs(adtte, pid):
    assert _row(adtte, pid, "PFS") == PFS_EXPECTED[pid]


def test_pfs_max_gap_days_censors_death_after_long_gap():
    from prrt_rwe.derive import derive_all
    adtte = _derive(derive_all, parse_config({"pfs": {"max_gap_days": 182}}))
    # gap: death day 400 - last adequate day 56 = 344 > 182 -> censored at day 56
    assert _row(adtte, "gap", "PFS") == (56, 1, tte.PFS_CENSOR["death_gap"])
    # death: 200 - 112 = 88 <= 182 -> still an event
    assert _row(adtte, "death", "PFS") == (200, 0, tte.PFS_EVENT["death"])
    # death_c1: no adequate assessment, gap measured from C1: 0 <= 182 -> event
    assert _row(adtte, "death_c1", "PFS") == (0, 0, tte.PFS_EVENT["death"])


OS_EXPECTED = {
    "death": (200, 0), "pd": (300, 0), "nth_death": (300, 0), "death_c1": (0, 0),
    # censored at the latest of last contact (500) and every recorded date
    "noscan": (500, 1), "nth_alive": (400, 1),
    # stale last contact day 100; latest recorded date = AE onset day 350
    "stale": (350, 1),
}


@pytest.mark.parametrize("pid", list(OS_EXPECTED))
def test_os(adtte, pid):
    aval, cnsr, _ = _row(adtte, pid, "OS")
    assert (aval, cnsr) == OS_EXPECTED[pid]


@pytest.mark.parametrize("pid", list(OS_EXPECTED))
def test_followup_is_reverse_os(adtte, pid):
    # reverse KM: same time, censoring indicator swapped
    aval, cnsr, _ = _row(adtte, pid, "FU")
    assert (aval, cnsr) == (OS_EXPECTED[pid][0], 1 - OS_EXPECTED[pid][1])


def test_os_censor_uses_next_therapy_date_after_last_contact():
    # next therapy day 250 later than last contact day 100 and any other date -> censor 250
    from prrt_rwe.derive import derive_all
    con = cohort(treated("1", next_therapy_date=day(250), last_contact_date=day(100)))
    adtte = derive_all(con).adtte
    assert _row(adtte, "1", "OS")[:2] == (250, 1)
