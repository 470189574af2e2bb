"""The methods text describes what was run (report/robustness_methods.py): with multiple
imputation switched off ([imputation] m = 0) it says so instead of describing MICE."""

from __future__ import annotations

from prrt_rwe.config import parse_config
from prrt_rwe.report.robustness_methods import paragraphs


def test_methods_say_multiple_imputation_was_switched_off():
    text = " ".join(paragraphs(parse_config({"imputation": {"m": 0}})))
    assert "Multiple imputation was switched off ([imputation] m = 0)" in text
    assert "Rubin" not in text and "m = 0," not in text


def test_methods_describe_the_imputation_in_force():
    text = " ".join(paragraphs(parse_config({"imputation": {"m": 7, "seed": 11}})))
    assert "(m = 7, 5 iterations, seed 11;" in text and "Rubin's rules" in text
