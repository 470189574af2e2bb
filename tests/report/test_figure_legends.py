"""A figure with nothing to show draws no empty legend (matplotlib warns "No artists with labels
found to put in legend") and says so where it is the eGFR trajectory (report/svg.legend)."""

from __future__ import annotations

import warnings
from types import SimpleNamespace

from prrt_rwe.report import confounding, safety
from prrt_rwe.report.numbers import Numbers


def _without_warnings(draw):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return draw()


def test_weighted_km_without_arms_has_no_empty_legend():
    arms = {arm: {"n": 0, "events": 0} for arm in ("exposed", "unexposed")}
    ctx = SimpleNamespace(results={"iptw": {"n": 0, "pfs_km": arms}}, numbers=Numbers(None))
    svg = _without_warnings(lambda: confounding.weighted_km_figure({}, "ssa_concomitant", ctx))
    assert "<svg" in svg and "Concomitant SSA: yes" not in svg


def test_egfr_trajectory_below_the_minimum_says_nothing_was_drawn():
    traj = [{"month": m, "n": 4, "median": 80.0, "q1": 75.0, "q3": 85.0} for m in (0, 3, 6)]
    svg = _without_warnings(lambda: safety.egfr_figure(traj, Numbers(None), 10))
    assert "No 3-month window with n ≥ 10: nothing drawn" in svg
    assert "Median" not in svg
