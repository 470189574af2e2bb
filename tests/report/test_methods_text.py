"""The methods text and the method-choices table describe what was run (report/methods.py,
robustness_methods.py): Firth intervals when chosen; with multiple
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


def test_method_choices_table_lists_what_was_run():
    from prrt_rwe.report.methods import choices_in_force

    default = {row[0]: row[1] for row in choices_in_force(parse_config({}))}
    assert default["Model CIs"] == "Wald" and "Multiple imputation" in default and "Pooling" in default
    firth_off = {row[0]: row[1] for row in choices_in_force(
        parse_config({"models": {"orr_method": "firth"}, "imputation": {"m": 0}}))}
    assert "profile penalised likelihood (response model, Firth)" in firth_off["Model CIs"]
    assert "Multiple imputation" not in firth_off and "Pooling" not in firth_off
