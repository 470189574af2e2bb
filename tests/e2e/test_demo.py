"""`prrt-rwe demo`: synthesizes the calibrated cohort (422 patients, 33 sites, seed 1), runs the
whole study and prints where the report is; every model of the contract is estimable on it."""

from __future__ import annotations

import json
import math

from typer.testing import CliRunner

from prrt_rwe.cli import app


def test_demo_prints_report_path_and_fills_the_contract(tmp_path):
    out = tmp_path / "demo-out"
    result = CliRunner().invoke(app, ["demo", "--out", str(out)])
    assert result.exit_code == 0, result.output
    report = (out / "report.html").resolve()
    assert f"report: {report}" in result.output.replace("\n", "")
    r = json.loads((out / "results.json").read_text())
    assert r["analysis_sets"]["enrolled"] == 422 and r["analysis_sets"]["safety"] == 422
    assert len({b["study"] for b in r["benchmarks"]}) == 6  # Okamoto, NETTER-1/2, Brabander, COMPETE, NETTER-R
    for model, ratio in (("orr_logistic", "or"), ("pfs_cox", "hr")):
        for term in r["models"][model]["terms"]:
            lo, hi = term["ci95"]
            assert 0 < lo < term[ratio] < hi < math.inf, (model, term)
    assert 0 < r["models"]["pfs_cox"]["ph_test"]["global_p"] <= 1
    assert 0.5 < r["models"]["pfs_cox"]["concordance"] < 1
