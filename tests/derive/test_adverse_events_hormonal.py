"""ADAE flags and ADHS (derivations.md "Laboratory toxicity" AE rates; "Hormonal symptoms")."""

from __future__ import annotations

import pytest

from derive_builders import cohort, day, treated


def _ae(pid, d, term, grade, **kw):
    return {"patient_id": pid, "onset_date": day(d), "term": term, "grade": grade, **kw}


@pytest.fixture(scope="module")
def adam():
    from prrt_rwe.derive import derive_all
    people = [treated(p) for p in ("h", "lowgrade", "before", "r", "mds", "other")]
    aes = [
        _ae("h", 30, "  platelet COUNT decreased ", 3),       # case/space-insensitive, grade 3
        _ae("lowgrade", 30, "Anemia", 2),                     # grade 2: not >= 3
        _ae("before", 0, "Anemia", 4),                        # onset on C1: not after C1
        _ae("r", 200, "Acute kidney injury", 3, ctcae_version="4.03"),  # v4.03 used as given
        _ae("mds", 700, "Myelodysplastic syndrome", 1),       # any grade counts
        _ae("other", 30, "Nausea", 3),
    ]
    hs = [{"patient_id": "h", "syndrome": "carcinoid", "response": "marked_improvement"},
          {"patient_id": "r", "syndrome": "insulinoma", "response": "improvement"},
          {"patient_id": "mds", "syndrome": "carcinoid", "response": "not_evaluable"},
          {"patient_id": "other", "syndrome": "vipoma", "response": "worsening"}]
    return derive_all(cohort(*people, adverse_events=aes, hormonal_symptoms=hs))


def test_ae_row_flags(adam):
    ae = adam.adae.set_index("SUBJID")
    assert ae.loc["h", "HEMFL"] == "Y" and ae.loc["h", "TRTEMFL"] == "Y"
    assert ae.loc["before", "TRTEMFL"] == "N"
    assert ae.loc["r", "RENALFL"] == "Y" and ae.loc["r", "CTCAEVER"] == "4.03"
    assert ae.loc["h", "CTCAEVER"] == "5.0"       # default version
    assert ae.loc["mds", "MDSAMLFL"] == "Y"
    assert (ae.loc["other", ["HEMFL", "RENALFL", "MDSAMLFL"]] == "N").all()


def test_patient_level_ae_rates(adam):
    a = adam.adsl.set_index("SUBJID")
    # hematologic grade >= 3 after C1: only h (lowgrade is grade 2, before is on C1)
    assert a["AEHEM3FL"].to_dict() == {"before": "N", "h": "Y", "lowgrade": "N", "mds": "N",
                                       "other": "N", "r": "N"}
    assert a.loc["r", "AERENAL3FL"] == "Y" and a["AERENAL3FL"].eq("Y").sum() == 1
    assert a.loc["mds", "AEMDSAMLFL"] == "Y" and a["AEMDSAMLFL"].eq("Y").sum() == 1


def test_hormonal_symptoms(adam):
    hs = adam.adhs.set_index("SUBJID")
    assert hs.loc["h", ["EVALFL", "MARKFL", "ANYIMPFL"]].tolist() == ["Y", "Y", "Y"]
    assert hs.loc["r", ["EVALFL", "MARKFL", "ANYIMPFL"]].tolist() == ["Y", "N", "Y"]
    assert hs.loc["mds", "EVALFL"] == "N"
    # evaluable = 3 (all but not_evaluable); marked = 1; any improvement = 2
    assert adam.hormonal_symptoms == {"evaluable": 3, "marked_improvement": 1, "any_improvement": 2}
