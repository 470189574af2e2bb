"""One hand-made registry per warning class (registry format v1, "What bad input gets":
ingested, flagged). Thresholds by hand: 16 weeks = 112 days; 6 months = 6 x 30.4375 =
182.625 days; baseline scan limit 90 days; platelets 1500 x 10^9/L; activity 3.7-8.0 GBq."""

from __future__ import annotations

from registry_edits import append_row, codes, delete_rows, find_line, set_cell

from prrt_rwe.ingest.validation import validate


def new_patient(folder, pid: str, c1: str, last_contact: str, death: str = "") -> int:
    """A complete-covariate patient at S03 with one cycle on ``c1``; returns its line."""
    line = append_row(folder, "patients", {
        "site_id": "S03", "patient_id": pid, "sex": "M", "age": "60", "primary_site": "pancreas",
        "ki67_percent": "5", "krenning_score": "4", "liver_metastases": "no",
        "ssa_concomitant": "yes", "last_contact_date": last_contact, "death_date": death})
    append_row(folder, "cycles", {"site_id": "S03", "patient_id": pid, "cycle": "1", "date": c1,
                                  "activity_gbq": "7.4"})
    return line


def test_warnings_do_not_block(registry):
    set_cell(registry, "cycles", 2, "activity_gbq", "9.0")
    report = validate(registry)
    assert report.ok and codes(report, "W101") == [("cycles.csv", 2, "activity_gbq")]


def test_w101_activity_bounds_inclusive(registry):
    set_cell(registry, "cycles", 2, "activity_gbq", "3.7")
    set_cell(registry, "cycles", 3, "activity_gbq", "8.0")
    set_cell(registry, "cycles", 4, "activity_gbq", "3.6")
    assert codes(validate(registry), "W101") == [("cycles.csv", 4, "activity_gbq")]


def test_w101_platelets_after_unit_conversion(registry):
    # 1,600,000 /uL x 0.001 = 1600 x 10^9/L > 1500; 1,400,000 /uL = 1400 (no warning).
    high = find_line(registry, "labs", site_id="S02", patient_id="1", test="platelets")
    set_cell(registry, "labs", high, "value", "1600000")
    low = find_line(registry, "labs", site_id="S02", patient_id="2", test="platelets")
    set_cell(registry, "labs", low, "value", "1400000")
    canon = find_line(registry, "labs", site_id="S01", patient_id="1", test="platelets")
    set_cell(registry, "labs", canon, "value", "1501")
    report = validate(registry)
    assert codes(report, "W101") == sorted([("labs.csv", high, "value"), ("labs.csv", canon, "value")])


def test_w102_gap_over_16_weeks(registry):
    # S01/1 cycle 3 on 2020-05-06 (line 4); cycle 4 on line 5 moved to 2020-08-27 = 113 days later.
    set_cell(registry, "cycles", 5, "date", "2020-08-27")
    assert codes(validate(registry), "W102") == [("cycles.csv", 5, "date")]


def test_w102_exactly_16_weeks_is_not_flagged(registry):
    set_cell(registry, "cycles", 5, "date", "2020-08-26")  # 112 days after 2020-05-06
    assert codes(validate(registry), "W102") == []


def test_w103_cycle_number_gap(registry):
    # S01/1 has cycles 1-4 on lines 2-5; renumber cycle 4 as 5.
    set_cell(registry, "cycles", 5, "cycle", "5")
    assert codes(validate(registry), "W103") == [("cycles.csv", 5, "cycle")]


def test_w103_first_cycle_not_one(registry):
    delete_rows(registry, "cycles", lambda r: not (r["site_id"] == "S01" and r["patient_id"] == "1"
                                                   and r["cycle"] == "1"))
    report = validate(registry)
    assert codes(report, "W103") == [("cycles.csv", 2, "cycle")]


def test_w104_missing_covariate(registry):
    set_cell(registry, "patients", 2, "krenning_score", "")
    assert ("patients.csv", 2, "krenning_score") in codes(validate(registry), "W104")


def test_w104_liver_size_not_missing_without_liver_metastases(registry):
    # S01/4 (line 5): liver_metastases = no, burden and lesion empty -> complete.
    assert not [c for c in codes(validate(registry), "W104") if c[1] == 5]
    set_cell(registry, "patients", 5, "liver_metastases", "")
    flagged = {c[2] for c in codes(validate(registry), "W104") if c[1] == 5}
    assert flagged == {"liver_metastases", "liver_tumor_burden_percent", "largest_liver_lesion_mm"}


def test_w104_absent_covariate_column_reported_once_on_line_1(registry):
    from registry_edits import read_rows, write_rows
    rows = read_rows(registry, "patients")
    col = rows[0].index("ssa_concomitant")
    write_rows(registry, "patients", [r[:col] + r[col + 1:] for r in rows])
    report = validate(registry)
    assert report.ok
    assert [c for c in codes(report, "W104") if c[2] == "ssa_concomitant"] == [("patients.csv", 1, "ssa_concomitant")]


def test_w105_no_post_baseline_assessment(registry):
    # S01/5 (line 6), C1 2020-05-11: keep only its baseline scan.
    delete_rows(registry, "assessments",
                lambda r: not (r["site_id"] == "S01" and r["patient_id"] == "5" and r["overall_response"]))
    assert codes(validate(registry), "W105") == [("patients.csv", 6, "patient_id")]


def test_w106_baseline_more_than_90_days_before_c1(registry):
    # S01/1: C1 2020-01-15; baseline line 2. 91 days before = 2019-10-16, 90 days = 2019-10-17.
    set_cell(registry, "assessments", 2, "date", "2019-10-16")
    assert codes(validate(registry), "W106") == [("assessments.csv", 2, "date")]
    set_cell(registry, "assessments", 2, "date", "2019-10-17")
    assert codes(validate(registry), "W106") == []


def test_w107_short_followup(registry):
    # 182 days < 182.625 -> flagged; 183 days -> not; a death within 6 months is not flagged.
    short = new_patient(registry, "301", "2021-01-01", "2021-07-02")   # 182 days
    new_patient(registry, "302", "2021-01-01", "2021-07-03")           # 183 days
    new_patient(registry, "303", "2021-01-01", "2021-03-01", death="2021-03-01")
    assert codes(validate(registry), "W107") == [("patients.csv", short, "last_contact_date")]


def test_w107_latest_known_date_includes_records(registry):
    line = new_patient(registry, "304", "2021-01-01", "2021-02-01")
    append_row(registry, "labs", {"site_id": "S03", "patient_id": "304", "date": "2021-08-01",
                                  "test": "platelets", "value": "200", "unit": "10^9/L"})
    assert ("patients.csv", line, "last_contact_date") not in codes(validate(registry), "W107")


def test_w108_identical_duplicate_lab_row(registry):
    from registry_edits import read_rows, write_rows
    rows = read_rows(registry, "labs")
    rows.append(rows[5])
    write_rows(registry, "labs", rows)
    report = validate(registry)
    assert report.ok and codes(report, "W108") == [("labs.csv", len(rows), "value")]
    assert "line 6" in next(i for i in report.issues if i.code == "W108").message


def test_w108_needs_every_column_equal(registry):
    # same patient, date and value as line 6 but another test or range: not identical
    from registry_edits import read_rows, write_rows
    rows = read_rows(registry, "labs")
    header = rows[0]
    other_test = dict(zip(header, rows[5]), test="wbc" if rows[5][header.index("test")] != "wbc" else "platelets")
    other_range = dict(zip(header, rows[5]), lln="1", uln="999")
    rows += [[other_test[c] for c in header], [other_range[c] for c in header]]
    write_rows(registry, "labs", rows)
    assert codes(validate(registry), "W108") == []


def test_w109_unknown_extra_file(registry):
    (registry / "notes.txt").write_text("free text\n", encoding="utf-8")
    (registry / "imaging.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    report = validate(registry)
    assert report.ok and codes(report, "W109") == [("imaging.csv", 1, ""), ("notes.txt", 1, "")]


def test_w110_extra_column_reported(registry):
    from registry_edits import read_rows, write_rows
    rows = read_rows(registry, "cycles")
    write_rows(registry, "cycles", [r + (["batch"] if i == 0 else [f"B{i}"]) for i, r in enumerate(rows)])
    report = validate(registry)
    assert report.ok and codes(report, "W110") == [("cycles.csv", 1, "batch")]


def test_report_sorted_and_site_summary(registry):
    set_cell(registry, "cycles", 2, "activity_gbq", "9.0")
    report = validate(registry)
    keys = [(i.file, i.line, i.column, i.code) for i in report.issues]
    assert keys == sorted(keys)
    s01 = next(s for s in report.site_summary if s.site_id == "S01")
    # S01: 7 patients; ki67 missing on 1 -> 100/7 = 14.3 %; warnings: 2 W104 + 1 W101.
    assert s01.rows["patients"] == 7 and s01.missing_percent["ki67_percent"] == 14.3
    assert (s01.warnings, s01.errors) == (3, 0)
