"""results/ safety blocks on small hand-made ADaM frames: the adverse-event table, the
Fine–Gray design and the prior-lines grouping (derivations.md "Treatment-emergent toxicity
and late effects")."""

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from prrt_rwe.results.adverse_event_table import ae_table
from prrt_rwe.results.late_effects import FINE_GRAY_TERMS, fine_gray_covariates, prior_lines3


def test_ae_table_counts_patients_once_per_term_at_the_worst_grade():
    adae = pd.DataFrame({
        "USUBJID": ["a", "a", "b", "c", "c", "d", "e"],
        "AETERM": ["Anemia", "anemia ", "Anemia", "Nausea", "Anemia", "Anemia", "Anemia"],
        "AETOXGR": pd.array([2, 3, 4, 1, None, 3, 5], dtype="Int64"),
        "AESER": pd.array([False, True, False, False, False, False, True], dtype="boolean"),
        "TRTEMFL": ["Y", "Y", "Y", "Y", "Y", "N", "Y"],
    })
    rows = ae_table(adae, pd.Index(["a", "b", "c", "d"]))
    # e is not in the safety set; d's event is before C1; c's anaemia has no grade (any only);
    # "anemia " is the same term (trimmed, case-insensitive); a counts once, at grade 3
    assert rows == [
        {"term": "Anemia", "any": 3, "grade3": 1, "grade4": 1, "grade5": 0, "serious": 1},
        {"term": "Nausea", "any": 1, "grade3": 0, "grade4": 0, "grade5": 0, "serious": 0},
    ]


def test_fine_gray_design_scales_and_names_the_covariates():
    adsl = pd.DataFrame({"USUBJID": ["a", "b"], "age": [65, 40], "prior_lines": pd.array([2, None], dtype="Int64"),
                         "bone_metastases": pd.array([True, False], dtype="boolean"),
                         "activity_c1_gbq": [7.4, 5.55]})
    # the baseline platelet count per patient, as derive/lab_results.py gives it (b: none)
    labs = SimpleNamespace(baseline_platelets=pd.Series([300.0], index=pd.Index(["a"], name="USUBJID")))
    X = fine_gray_covariates(adsl, labs, np.array(["b", "a"], dtype=object))
    assert tuple(X.columns) == FINE_GRAY_TERMS
    assert X.iloc[1].tolist() == pytest.approx([6.5, 2.0, 1.0, 1.0, 6.0])   # 65/10, 2, yes, 7.4/7.4, 300/50
    assert X.iloc[0][["prior_lines", "baseline_platelets_per50"]].isna().all()  # missing: not a complete case
    assert X.iloc[0]["activity_c1_per7_4gbq"] == pytest.approx(0.75)


def test_prior_lines3_groups():
    assert prior_lines3([0, 1, 2, 5, None]).tolist()[:4] == ["0", "1", ">=2", ">=2"]
    assert pd.isna(prior_lines3([0, 1, 2, 5, None]).iloc[4])
