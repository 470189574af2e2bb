"""`analyze --comparator FILE` and `reconstruct-km` from the command line: a user comparator
with baseline targets and a digitised curve runs the whole MAIC path into results.json and
the report; a broken comparator file is a usage error naming file and key; bad curve files
are clear errors naming file and line."""

from __future__ import annotations

import json
import re
import subprocess
import textwrap
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from prrt_rwe.cli import app

CHECK_CONTRACT = Path("/work/shared/tools/check-contract")

# A made-up trial for the test (not a published one): exponential PFS with median 18 months,
# the curve read at 0.5-month steps, at risk every 6 months.
GRID = np.arange(0, 36.5, 0.5)
CURVE = np.exp(-np.log(2) / 18 * GRID)
AT_RISK = [(0, 100), (6, 76), (12, 57), (18, 41), (24, 29), (30, 19), (36, 11)]
TRIAL = """
id: made_up_trial
study: MADE-UP
arm: PRRT (test arm)
reference: "A trial made up for this test"
n: 100
n_source: "test"
eligibility:
  - {criterion: "age >= 18", source: "test"}
baseline:
  sex: {level: "M", proportion: 0.5, source: "test"}
  age: {mean: 60, source: "test"}
  ki67_lt10: {proportion: 0.5, source: "test"}
  prior_lines: {median: 1, source: "test"}
outcomes:
  orr: {estimate: 0.25, n: 25, N: 100, source: "test"}
  pfs_rate: {months: 12, estimate: 0.63, ci95: [0.53, 0.72], source: "test"}
km: {curve: curve.csv, at_risk: at_risk.csv, total_events: 60, source: "made up for the test"}
notes: |-
  Made-up notes, one line a variable.
  ecog: left out - the made-up trial reports Karnofsky only.
"""


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    base = tmp_path_factory.mktemp("comparators")
    runner = CliRunner()
    synth = runner.invoke(app, ["synth", "--out", str(base / "registry"), "--patients", "120", "--sites", "6",
                                "--seed", "3"])
    assert synth.exit_code == 0, synth.output
    pd.DataFrame({"time_months": GRID, "survival": CURVE}).to_csv(base / "curve.csv", index=False)
    pd.DataFrame(AT_RISK, columns=["time_months", "n_at_risk"]).to_csv(base / "at_risk.csv", index=False)
    (base / "trial.yaml").write_text(textwrap.dedent(TRIAL), encoding="utf-8")
    result = runner.invoke(app, ["analyze", str(base / "registry"), "--out", str(base / "out"),
                                 "--comparator", str(base / "trial.yaml")])
    assert result.exit_code == 0, result.output
    return base, json.loads((base / "out" / "results.json").read_text())


def test_user_comparator_runs_the_whole_maic(run):
    _, results = run
    item = next(c for c in results["comparators"] if c["id"] == "made_up_trial")
    maic = item["maic"]
    assert item["reason"] is None and maic["matched_on"] == ["sex = M", "age", "ki67_lt10"]
    assert maic["max_abs_diff"] < 1e-8 and 1 < maic["ess"] <= item["eligible_n"]
    assert maic["pfs_rate"]["months"] == 12
    hr = maic["pfs_hr_vs_reconstructed"]
    assert hr["ci95"][0] < hr["hr"] < hr["ci95"][1] and 0 <= hr["p"] <= 1
    rows = [r for r in results["comparisons"] if r["study"] == "MADE-UP"]
    assert [r["endpoint"] for r in rows] == ["orr", "pfs_rate_12m"]
    assert rows[0]["published"]["ci95"] is not None  # exact CI from the published 25/100
    assert {c["id"] for c in results["comparators"]} >= {"netter1_lu177", "netter2_octreotide"}


@pytest.mark.skipif(not CHECK_CONTRACT.exists(), reason="shared check-contract tool not on this machine")
def test_contract_shape(run):
    base, _ = run
    out = subprocess.run([str(CHECK_CONTRACT), str(base / "out" / "results.json"), "--only", "comparators"],
                         capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr


def test_report_shows_the_comparison_and_the_overlay(run):
    base, _ = run
    html = (base / "out" / "report.html").read_text(encoding="utf-8")
    for anchor in ('id="fig-benchmarks"', 'id="table-benchmarks"', 'id="table-maic"', 'id="table-maic-balance"',
                   'id="fig-maic-weights"', 'id="fig-maic-overlay"'):
        assert anchor in html, anchor
    assert "Unanchored MAIC" in html and "ESS" in html


def test_report_says_per_comparator_what_was_matched_and_why_not(run):
    base, results = run
    html = (base / "out" / "report.html").read_text(encoding="utf-8")
    block = html[html.index("What each comparison was matched on"):html.index("<h3>Caveats</h3>")]
    items = {li[:li.index("</b>")]: li for li in block.split("<li><b>")[1:]}
    ess = next(c for c in results["comparators"] if c["id"] == "made_up_trial")["maic"]["ess"]
    made_up = items["MADE-UP"]
    assert "Matched on: sex = M 50.0 %, age 60, ki67_lt10 50.0 %." in made_up
    assert "Reported, not matched: prior_lines median 1 (a median is not matched)." in made_up
    assert f"ESS {ess:.1f} of " in made_up and "ecog: left out - the made-up trial reports Karnofsky only." in made_up
    # the shipped files: NETTER-1 has nothing to match (both arms in one item), NETTER-2 the pooled shares
    assert "Matched on: nothing" in items["NETTER-1"] and "No MAIC: " in items["NETTER-1"]
    assert ("Matched on: sex = M 53.5 %, primary_group = pancreas 54.4 %, primary_site = small_intestine 29.2 %, "
            "who_grade = G3 35.0 %.") in items["NETTER-2"]
    assert "prior_ssa: left out - " in items["NETTER-2"]


def test_broken_comparator_is_a_usage_error_naming_file_and_key(run, tmp_path):
    base, _ = run
    bad = tmp_path / "bad.yaml"
    bad.write_text(textwrap.dedent(TRIAL).replace("estimate: 0.25", "estimate: 25"), encoding="utf-8")
    result = CliRunner().invoke(app, ["analyze", str(base / "registry"), "--out", str(tmp_path / "out"),
                                      "--comparator", str(bad)])
    assert result.exit_code == 2
    text = " ".join(result.output.split())
    assert "bad.yaml: outcomes.orr.estimate:" in text and "Traceback" not in text
    assert not (tmp_path / "out" / "results.json").exists()


def test_reconstruct_km_cli(run, tmp_path):
    base, _ = run
    out = tmp_path / "ipd.csv"
    result = CliRunner().invoke(app, ["reconstruct-km", "--curve", str(base / "curve.csv"),
                                      "--at-risk", str(base / "at_risk.csv"), "--out", str(out),
                                      "--total-events", "60"])
    assert result.exit_code == 0, result.output
    ipd = pd.read_csv(out)
    assert list(ipd.columns) == ["time_months", "event"] and len(ipd) == 100
    assert re.search(r"100 patients, \d+ events", " ".join(result.output.split()))


@pytest.mark.parametrize("curve, at_risk, extra, code, message", [
    ("time_months,survival\n0,1\n2,0.9\n1,0.8\n", "time_months,n_at_risk\n0,10\n", [], 1,
     r"curve.csv:4: time 1 is before the previous point's 2"),
    ("time_months,survival\n0,1\n2,0.9\n4,0.8\n", "time_months,n_at_risk\n0,10\n6,5\n", [], 1,
     r"at_risk.csv:3: time 6 is outside the curve"),
    ("time_months,survival\n0,1\n2,0.9\n4,0.8\n", "time_months,n_at_risk\n0,10\n", ["--total-events", "12"], 1,
     r"12 events but only 10 patients"),
    ("time,surv\n0,1\n", "time_months,n_at_risk\n0,10\n", [], 1, r"curve.csv:1: missing column time_months"),
])
def test_reconstruct_km_bad_input(tmp_path, curve, at_risk, extra, code, message):
    (tmp_path / "curve.csv").write_text(curve)
    (tmp_path / "at_risk.csv").write_text(at_risk)
    result = CliRunner().invoke(app, ["reconstruct-km", "--curve", str(tmp_path / "curve.csv"), "--at-risk",
                                      str(tmp_path / "at_risk.csv"), "--out", str(tmp_path / "ipd.csv"), *extra])
    assert result.exit_code == code
    assert re.search(message, " ".join(result.output.split())), result.output
    assert not (tmp_path / "ipd.csv").exists()


def test_reconstruct_km_missing_file_is_a_usage_error(tmp_path):
    result = CliRunner().invoke(app, ["reconstruct-km", "--curve", str(tmp_path / "none.csv"), "--at-risk",
                                      str(tmp_path / "none.csv"), "--out", str(tmp_path / "ipd.csv")])
    assert result.exit_code == 2 and "no such file" in " ".join(result.output.split())


def test_suppression_masks_our_side_of_small_comparisons(tmp_path):
    # Hand registry (9 patients) with --suppress-below 3: an N under 3 shows as "<3" and its
    # estimate as "–"; an ORR is shown only when responders and non-responders are both >= 3.
    import html as html_lib
    import sys

    sys.path.insert(0, str(Path(__file__).parent))
    from hand_registry import write_registry

    registry = write_registry(tmp_path / "registry")
    result = CliRunner().invoke(app, ["analyze", str(registry), "--out", str(tmp_path / "out"),
                                      "--suppress-below", "3"])
    assert result.exit_code == 0, result.output
    page = (tmp_path / "out" / "report.html").read_text(encoding="utf-8")
    table = page[page.index('id="table-benchmarks"'):]
    table = table[:table.index("</tbody>")]
    rows = [[html_lib.unescape(c) for c in re.findall(r"<td[^>]*>(.*?)</td>", r)]
            for r in re.findall(r"<tr>(.*?)</tr>", table)]
    rows = [r for r in rows if len(r) == 6]
    assert any(r[5] == "<3" for r in rows)
    for arm, endpoint, _, _, ours, n in rows:
        if n.startswith("<"):
            assert ours == "–", (arm, endpoint)
        elif endpoint == "ORR" and ours != "–":
            est, N = float(ours.split(" %")[0]) / 100, int(n)
            assert min(round(est * N), N - round(est * N)) >= 3, (arm, ours, n)
