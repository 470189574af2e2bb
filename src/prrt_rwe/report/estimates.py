"""How the missing-data, confounding and site sections name variables and write a ratio
estimate: ``label(name)`` and ``0.70 (0.54–0.92)``."""

from __future__ import annotations

from prrt_rwe.report.forest import label as model_label

LABELS = {"age": "Age", "sex": "Sex", "sex[M]": "Male sex", "primary_group": "Primary tumour group",
          "who_grade": "WHO grade", "who_grade[G3/NEC]": "WHO G3 / NEC (vs G1–G2)",
          "ki67_percent": "Ki-67 (%)", "krenning_score": "Krenning score",
          "liver_metastases": "Liver metastases", "liver_tumor_burden_percent": "Liver tumour burden (%)",
          "largest_liver_lesion_mm": "Largest liver lesion (mm)", "functioning": "Functioning tumour",
          "prior_lines": "Prior systemic lines", "ecog": "ECOG", "ssa_concomitant": "Concomitant SSA"}


def label(name: str) -> str:
    return LABELS.get(name, model_label(name))


def ratio_ci(term: dict | None, key: str, nb) -> str:
    """``OR (lo–hi)`` of a results.json term (``key`` "or" / "hr"); NE when not estimable."""
    if not term or term.get(key) is None:
        return "NE"
    return f"{nb.ratio(term[key])} ({nb.ci(*term['ci95'], fmt='.2f')})"
