"""`prrt-rwe demo`: synthesizes the calibrated cohort (422 patients, 33 sites, the seed of the
stated rule of synth/demo_seed.py), runs the whole study and prints where the report is;
every model of the contract is estimable on it, the seed satisfies its rule (and the report
says so), results.json is byte-identical when the same registry is analysed again, and the
README screenshot shows this report."""

from __future__ import annotations

import json
import math

import pytest


@pytest.fixture(scope="module")
def demo(demo_run):
    """``prrt-rwe demo --out OUT`` (tests/conftest.py: one run, shared with the federated demo test)."""
    return demo_run


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


def test_demo_results_are_byte_identical_on_rerun(demo, demo_analysed_again):
    out, _ = demo
    again = demo_analysed_again   # analyze(OUT/registry) into a new folder
    assert again.out != out and (again.out / "results.json").read_bytes() == (out / "results.json").read_bytes()


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


def _visible_text(report_html: str) -> str:
    import re
    from html import unescape

    body = re.sub(r"<style.*?</style>", "", report_html, flags=re.S)
    return unescape(re.sub(r"<[^>]+>", "\n", body))


NOT_A_NUMBER = r"\b(nan|NaN|None|NaT|inf|null)\b|<NA>|\b(Stat|Count|Show|Label|Prop|Share)\(|<prrt_rwe\."


def test_demo_report_and_exports_hold_no_missing_value_placeholders_or_reprs(demo):
    import csv
    import re

    import docx

    out = demo[0]
    text = _visible_text((out / "report.html").read_text(encoding="utf-8"))
    # "null" is a word of the E-value footnote ("nearer the null"): not a value; a cell's repr
    # (Stat(text=...)) is a value not rendered
    assert [m.group(0) for m in re.finditer(NOT_A_NUMBER, text) if m.group(0) != "null"] == []
    for path in sorted((out / "tables").glob("*.csv")):
        with open(path, encoding="utf-8", newline="") as fh:
            cells = [c for row in csv.reader(fh) for c in row]
        assert [c for c in cells if re.search(NOT_A_NUMBER, c)] == [], path.name
    document = docx.Document(str(out / "tables.docx"))
    cells = [c.text for t in document.tables for r in t.rows for c in r.cells]
    assert [c for c in cells if re.search(NOT_A_NUMBER, c)] == []


def test_demo_numbers_tables_and_figures_consecutively_and_resolves_every_citation(demo):
    import re

    report = (demo[0] / "report.html").read_text(encoding="utf-8")
    labels = re.findall(r"<(?:caption|figcaption)>(Table|Figure) (\S+?)\. ", report)
    for kind in ("Table", "Figure"):
        numbers = [n for k, n in labels if k == kind]
        assert numbers == [str(i) for i in range(1, len(numbers) + 1)], (kind, numbers)
    assert "\u27e6" not in report and "(not shown)" not in report
    # the citations of the text name the tables they mean
    captions = dict(re.findall(r'<table[^>]* id="([^"]+)"[^>]*><caption>(Table \d+)\. ', report))
    text = _visible_text(report)
    assert f"Kaplan–Meier as {captions['table-tte']}" in text
    assert f"both populations are reported side by side ({captions['table-populations']})" in text
    assert f"counted in {captions['table-cutoff']}" in text


def test_demo_checklist_points_to_sections_that_exist(demo):
    import re

    from prrt_rwe.report.checklist import AUTHORS, ITEMS

    report = (demo[0] / "report.html").read_text(encoding="utf-8")
    sections = set(re.findall(r'<section id="([^"]+)"', report))
    targets = {w for *_, where in ITEMS for w in where.split() if where != AUTHORS}
    assert targets - sections == set()
    assert sections - targets == {"checklist"}   # every other section answers an item


def test_demo_key_results_are_the_numbers_of_results_json(demo):
    import re

    out = demo[0]
    r = json.loads((out / "results.json").read_text())
    report = (out / "report.html").read_text(encoding="utf-8")
    key = _visible_text(re.search(r'<section id="summary">.*?</section>', report, re.S).group(0))
    key = " ".join(key.split())

    def pct(p):
        lo, hi = p["ci95"]
        return f"{100 * p['estimate']:.1f} % ({100 * lo:.1f}–{100 * hi:.1f})"

    def median(b):
        lo, hi = b["ci95"]
        return (f"{b['median_months']:.1f} months (95 % CI {lo:.1f}–" + ("NE" if hi is None else f"{hi:.1f}") + ")")

    head = r["populations"]["headline"]
    assert f"(N = {r['populations'][head]}; the headline population)" in key
    assert f"Confirmed objective response: {pct(r['response']['orr'])}" in key
    assert f"disease control {pct(r['response']['dcr'])}" in key
    assert f"Median PFS {median(r['pfs'])}; median OS {median(r['os'])}" in key
    assert f"median follow-up {r['followup_median_months']:.1f} months" in key
    assert f"Median duration of response {median(r['duration_of_response'])} in " \
           f"{r['duration_of_response']['n']} confirmed responders" in key
    assert f"Haematologic grade ≥ 3: {pct(r['safety']['lab_te']['hematologic_grade3plus'])}" in key
    assert f"{pct(r['safety']['ae']['hematologic_grade3plus'])} from reported adverse events" in key
    sp = r["study_period"]
    assert f"first PRRT cycles {sp['first_c1']} to {sp['last_c1']}, data cut-off {sp['data_cutoff']}" in key
    assert f"{r['analysis_sets']['safety']} treated patients (safety set)" in key
