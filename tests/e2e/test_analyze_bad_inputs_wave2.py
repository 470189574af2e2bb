"""Bad input for the missing-data, confounding and site analyses, end to end (issue 13): an
exposure with no variation, a covariate missing in every row, a site with one patient. Each
gives a clear message (in results.json and report.html, or as the error of `analyze`), never a
crash, and never a NaN in results.json or the report."""

from __future__ import annotations

import csv
import json
import re

import pytest
from typer.testing import CliRunner

from prrt_rwe.cli import app
from prrt_rwe.synth.generator import generate

FAST = "[imputation]\nm = 3\niterations = 2\n"


@pytest.fixture(scope="module")
def registry(tmp_path_factory):
    path = tmp_path_factory.mktemp("wave2") / "registry"
    generate(path, patients=150, sites=12, seed=3, messy=False)
    return path


def _edit(src, dst, change):
    """Copy the registry with patients.csv rows changed by ``change(row, index)``."""
    dst.mkdir(parents=True)
    for f in src.iterdir():
        (dst / f.name).write_bytes(f.read_bytes())
    with open(src / "patients.csv", newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    for i, row in enumerate(rows):
        change(row, i)
    with open(dst / "patients.csv", "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    return dst


def _move_patient(src, dst, site, patient, new_site):
    """Copy the registry with one patient moved to a site of its own (every table)."""
    dst.mkdir(parents=True)
    for f in src.iterdir():
        with open(f, newline="", encoding="utf-8") as fh:
            rows = list(csv.DictReader(fh))
        fields = list(rows[0]) if rows else None
        for row in rows:
            if row.get("site_id") == site and row.get("patient_id") == patient:
                row["site_id"] = new_site
        if f.name == "sites.csv":
            rows.append({**rows[0], "site_id": new_site})
        with open(dst / f.name, "w", newline="", encoding="utf-8") as fh:
            w = csv.DictWriter(fh, fieldnames=fields)
            w.writeheader()
            w.writerows(rows)
    return dst


def _analyze(registry, out, toml="", *options):
    config = out.parent / f"{out.name}.toml"
    config.write_text(FAST + toml, encoding="utf-8")
    return CliRunner().invoke(app, ["analyze", str(registry), "--out", str(out), "--config", str(config), *options])


def _no_nan(out):
    text = (out / "results.json").read_text(encoding="utf-8")
    json.loads(text, parse_constant=lambda c: pytest.fail(f"results.json holds {c}"))
    html = (out / "report.html").read_text(encoding="utf-8")
    assert not re.search(r">\s*-?(nan|inf)\b", html, flags=re.IGNORECASE), "NaN or inf shown in report.html"
    return json.loads(text), html


def test_exposure_without_variation(registry, tmp_path):
    src = _edit(registry, tmp_path / "reg", lambda row, i: row.update(ssa_concomitant="yes"))
    result = _analyze(src, tmp_path / "out")
    assert result.exit_code == 0, result.output
    res, html = _no_nan(tmp_path / "out")
    assert "every analysed patient has ssa_concomitant = yes" in res["iptw"]["reason"]
    assert res["iptw"]["pfs_hr"]["hr"] is None
    assert "every analysed patient has ssa_concomitant = yes" in html


def test_covariate_missing_in_every_row(registry, tmp_path):
    src = _edit(registry, tmp_path / "reg", lambda row, i: row.update(ki67_percent=""))
    result = _analyze(src, tmp_path / "out")  # the default models need ki67_lt10: nothing to analyse
    assert result.exit_code == 1
    said = " ".join(result.output.split())
    assert "ki67_lt10 (from ki67_percent) is missing for every response-evaluable patient" in said
    assert "Traceback" not in result.output
    # without ki67 in the models the study runs: MI leaves ki67 out, IPTW (which adjusts for
    # ki67_lt10) says it has no complete patient
    toml = ('[models]\npfs = "pfs ~ krenning4 + liver_burden_lt50 + liver_lesion_le30 + ssa_concomitant"\n'
            '[study]\ncomplete_case_covariates = ["primary_group", "krenning4", "liver_lesion_le30", '
            '"liver_burden_lt50", "ssa_concomitant"]\n')
    result = _analyze(src, tmp_path / "out2", toml)
    assert result.exit_code == 0, result.output
    res, html = _no_nan(tmp_path / "out2")
    assert res["missingness"]["by_covariate"]["ki67_percent"]["pct"] == 100.0
    assert res["models"]["pfs_cox_mi"]["terms"][0]["hr"] is not None
    assert res["iptw"]["n"] == 0 and "every propensity covariate recorded" in res["iptw"]["reason"]


def test_site_with_one_patient(registry, tmp_path):
    src = _move_patient(registry, tmp_path / "reg", "S01", "00001", "S77")
    result = _analyze(src, tmp_path / "out", "[sites]\nmin_site_n = 1\n", "--suppress-below", "3")
    assert result.exit_code == 0, result.output
    res, html = _no_nan(tmp_path / "out")
    assert res["sites"]["orr_meta"]["REML"]["k"] == res["sites"]["n_sites"]
    assert res["sites"]["frailty_cox"]["theta"] is not None
    # the site of one patient is in the forest plot, its count suppressed in the report only
    assert "S77 (n = &lt;3)" in html and "S77 (n = 1)" not in html
