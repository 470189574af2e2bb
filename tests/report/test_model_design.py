"""Design matrices named as results.json terms (derivations.md "Default models")."""

import pandas as pd

from prrt_rwe.results.design import design


def test_primary_group_reduced_to_pancreas_hindgut_other():
    frame = pd.DataFrame({
        "primary_group": pd.array(["pancreas", "midgut", "hindgut", "foregut", "other"], dtype="string"),
        "krenning4": pd.array([True, False, True, None, False], dtype="boolean"),
    })
    X = design(frame, ["primary_group", "krenning4"], ("pancreas", "hindgut", "other"), "other")
    assert list(X.columns) == ["primary_group[pancreas]", "primary_group[hindgut]", "krenning4"]
    # midgut and foregut join the reference "other": both dummies 0.
    assert X["primary_group[pancreas]"].tolist() == [1, 0, 0, 0, 0]
    assert X["primary_group[hindgut]"].tolist() == [0, 0, 1, 0, 0]
    assert X["krenning4"].tolist()[:3] == [1.0, 0.0, 1.0]
