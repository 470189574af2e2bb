"""`prrt-rwe demo`: synthesizes the calibrated cohort (422 patients, 33 sites, the seed of the
stated rule of synth/demo_seed.py), runs the whole study and prints where the report is;
every model of the contract is estimable on it, the seed satisfies its rule (and the report
says so), results.json is byte-identical when the same registry is analysed again, and the
README screenshot shows this report."""

from __future__ import annotations

import json
import math

import pytest
from typer.testing import CliRunner

from prrt_rwe.cli import app
from prrt_rwe.study import analyze


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    out = tmp_path_factory.mktemp("demo") / "demo-out"
    result = CliRunner().invoke(app, ["demo", "--out", str(out)])
    assert result.exit_code == 0, result.output
    return out, result.output


def test_demo_prints_report_path(demo):
    out, output = demo
    assert f"report: {(out / 'report.html').resolve()}" in output.replace("\n", "")


def test_demo_fills_the_contract(demo):
    r = json.loads((demo[0] / "results.json").read_text())
    assert r["analysis_sets"]["enrolled"] == 422 and r["analysis_sets"]["safety"] == 422
    assert len({b["study"] for b in r["benchmarks"]}) == 6  # Okamoto, NETTER-1/2, Brabander, COMPETE, NETTER-R
    # the shipped comparator files, every published end point against our matched patients
    assert [c["id"] for c in r["comparators"]] == ["netter1_lu177", "netter1_octreotide", "netter2_lu177",
                                                   "netter2_octreotide"]
    assert {c["study"] for c in r["comparisons"]} == {"NETTER-1", "NETTER-2", "Okamoto 2026", "Brabander 2017",
                                                      "NETTER-R", "COMPETE"}
    for row in r["comparisons"]:
        assert row["ours"]["N"] > 0 and row["published"]["source"]
    for model, ratio in (("orr_logistic", "or"), ("pfs_cox", "hr")):
        for term in r["models"][model]["terms"]:
            lo, hi = term["ci95"]
            assert 0 < lo < term[ratio] < hi < math.inf, (model, term)
    assert 0 < r["models"]["pfs_cox"]["ph_test"]["global_p"] <= 1
    assert 0.5 < r["models"]["pfs_cox"]["concordance"] < 1


def test_demo_results_are_byte_identical_on_rerun(demo, tmp_path):
    out, _ = demo
    again = analyze(out / "registry", tmp_path / "again")
    assert (again.out / "results.json").read_bytes() == (out / "results.json").read_bytes()


def test_demo_seed_satisfies_its_rule_and_the_report_states_it(demo):
    from prrt_rwe.synth import demo_seed

    r = json.loads((demo[0] / "results.json").read_text())
    assert [c.describe() for c in demo_seed.checks(r) if not c.ok] == []
    from html import unescape

    html = unescape((demo[0] / "report.html").read_text(encoding="utf-8"))
    assert f"seed {demo_seed.demo_seed()}" in html and demo_seed.RULE in html


def test_readme_screenshot_shows_the_current_demo_report(demo):
    from pathlib import Path

    from prrt_rwe.report.screenshot import fingerprint, recorded_fingerprint

    png = Path(__file__).resolve().parents[2] / "docs" / "screenshot.png"
    html = (demo[0] / "report.html").read_text(encoding="utf-8")
    assert recorded_fingerprint(png) == fingerprint(html), \
        "docs/screenshot.png is stale: run `make screenshot` (after `make demo-seed` if synth changed)"
