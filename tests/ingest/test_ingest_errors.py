"""One hand-made registry per error class: examples/minimal plus one edit (spec: registry
format v1, "What bad input gets"). Each test names the exact code, file, line and column."""

from __future__ import annotations

from registry_edits import (
    append_row,
    codes,
    delete_rows,
    find_line,
    read_rows,
    set_cell,
    write_rows,
)

from prrt_rwe.ingest.validation import validate


def only_errors(report):
    return [(i.file, i.line, i.column, i.code) for i in report.errors]


def test_minimal_example_is_valid(registry):
    report = validate(registry)
    assert report.ok and report.errors == ()


def test_e001_required_file_missing(registry):
    (registry / "cycles.csv").unlink()
    report = validate(registry)
    assert ("cycles.csv", 1, "") in codes(report, "E001")
    assert not report.ok


def test_e002_required_column_missing(registry):
    rows = read_rows(registry, "patients")
    col = rows[0].index("sex")
    write_rows(registry, "patients", [r[:col] + r[col + 1:] for r in rows])
    report = validate(registry)
    assert only_errors(report) == [("patients.csv", 1, "sex", "E002")]


def test_e003_required_value_empty(registry):
    set_cell(registry, "patients", 5, "age", "")
    report = validate(registry)
    assert only_errors(report) == [("patients.csv", 5, "age", "E003")]


def test_e003_response_required_after_first_cycle(registry):
    # assessments line 3: S01/1 on 2020-04-14, after C1 2020-01-15; line 2 (baseline) may be empty.
    set_cell(registry, "assessments", 3, "overall_response", "")
    report = validate(registry)
    assert only_errors(report) == [("assessments.csv", 3, "overall_response", "E003")]


def test_e004_unparseable_date_names_value(registry):
    set_cell(registry, "cycles", 3, "date", "2020/03/11")
    report = validate(registry)
    assert only_errors(report) == [("cycles.csv", 3, "date", "E004")]
    assert "'2020/03/11'" in report.errors[0].message


def test_e004_impossible_calendar_date(registry):
    set_cell(registry, "patients", 2, "diagnosis_date", "2019-02-30")
    assert only_errors(validate(registry)) == [("patients.csv", 2, "diagnosis_date", "E004")]


def test_e004_decimal_comma_and_bad_yes_no(registry):
    set_cell(registry, "cycles", 2, "activity_gbq", "7,4")
    set_cell(registry, "patients", 3, "functioning", "maybe")
    report = validate(registry)
    assert only_errors(report) == [("cycles.csv", 2, "activity_gbq", "E004"),
                                   ("patients.csv", 3, "functioning", "E004")]


def test_e004_integer_column_rejects_fraction(registry):
    set_cell(registry, "patients", 2, "ecog", "1.5")
    assert only_errors(validate(registry)) == [("patients.csv", 2, "ecog", "E004")]


def test_e005_outside_range(registry):
    set_cell(registry, "patients", 2, "age", "17")
    set_cell(registry, "cycles", 2, "activity_gbq", "15.5")
    report = validate(registry)
    assert only_errors(report) == [("cycles.csv", 2, "activity_gbq", "E005"),
                                   ("patients.csv", 2, "age", "E005")]


def test_e006_unknown_code(registry):
    set_cell(registry, "patients", 2, "sex", "X")
    report = validate(registry)
    assert only_errors(report) == [("patients.csv", 2, "sex", "E006")]
    assert "'X'" in report.errors[0].message


def test_codes_and_yes_no_match_case_insensitively(registry):
    set_cell(registry, "patients", 2, "sex", "m")
    set_cell(registry, "patients", 2, "primary_site", "Pancreas")
    set_cell(registry, "patients", 2, "functioning", "No")
    set_cell(registry, "assessments", 3, "overall_response", "sd")
    set_cell(registry, "labs", 3, "unit", "G/DL")
    assert validate(registry).ok


def test_e007_unknown_unit(registry):
    line = find_line(registry, "labs", site_id="S01", patient_id="1", test="hemoglobin")
    set_cell(registry, "labs", line, "unit", "mg/L")
    report = validate(registry)
    assert report.format_lines() == [f"labs.csv:{line}:unit: E007 unknown unit 'mg/L' for test 'hemoglobin'"] \
        + [i.format() for i in report.warnings]
    assert only_errors(report) == [("labs.csv", line, "unit", "E007")]


def test_e008_duplicate_patient_on_second_occurrence(registry):
    rows = read_rows(registry, "patients")
    rows.append(rows[3])  # copy of line 4
    write_rows(registry, "patients", rows)
    report = validate(registry)
    assert only_errors(report) == [("patients.csv", len(rows), "patient_id", "E008")]
    assert "first on line 4" in report.errors[0].message


def test_e008_duplicate_cycle(registry):
    line = append_row(registry, "cycles", {"site_id": "S01", "patient_id": "1", "cycle": "2",
                                           "date": "2020-03-11", "activity_gbq": "7.4"})
    errors = only_errors(validate(registry))
    assert ("cycles.csv", line, "cycle", "E008") in errors


def test_same_patient_number_at_two_sites_is_not_a_duplicate(registry):
    # S01/1 and S02/1 both exist in the example.
    assert find_line(registry, "patients", site_id="S02", patient_id="1")
    assert validate(registry).ok


def test_e009_orphan_row(registry):
    line = append_row(registry, "labs", {"site_id": "S01", "patient_id": "999", "date": "2020-02-01",
                                         "test": "platelets", "value": "200", "unit": "10^9/L"})
    assert only_errors(validate(registry)) == [("labs.csv", line, "patient_id", "E009")]


def test_e010_death_before_first_cycle(registry):
    # S01/3: C1 2020-03-02; move death (and last contact) before it, drop later records.
    set_cell(registry, "patients", 4, "death_date", "2020-03-01")
    errors = only_errors(validate(registry))
    assert ("patients.csv", 4, "death_date", "E010") in errors


def test_death_on_first_cycle_date_is_valid(registry):
    line = append_row(registry, "patients", {
        "site_id": "S03", "patient_id": "200", "sex": "F", "age": "70", "primary_site": "colon",
        "death_date": "2021-01-05", "last_contact_date": "2021-01-05"})
    append_row(registry, "cycles", {"site_id": "S03", "patient_id": "200", "cycle": "1",
                                    "date": "2021-01-05", "activity_gbq": "7.4"})
    report = validate(registry)
    assert report.ok
    assert not [i for i in report.issues if i.line == line and i.code.startswith("E")]


def test_e011_diagnosis_after_first_cycle(registry):
    set_cell(registry, "patients", 2, "diagnosis_date", "2020-01-16")  # C1 2020-01-15
    assert only_errors(validate(registry)) == [("patients.csv", 2, "diagnosis_date", "E011")]


def test_diagnosis_on_first_cycle_date_is_valid(registry):
    set_cell(registry, "patients", 2, "diagnosis_date", "2020-01-15")
    assert validate(registry).ok


def test_e012_record_after_death(registry):
    # S01/3 died 2021-08-24.
    line = append_row(registry, "labs", {"site_id": "S01", "patient_id": "3", "date": "2021-08-25",
                                         "test": "platelets", "value": "200", "unit": "10^9/L"})
    ae = append_row(registry, "adverse_events", {"site_id": "S01", "patient_id": "3", "term": "Nausea",
                                                 "onset_date": "2021-09-01", "grade": "1"})
    assert only_errors(validate(registry)) == [("adverse_events.csv", ae, "onset_date", "E012"),
                                               ("labs.csv", line, "date", "E012")]


def test_e013_cycle_numbers_not_increasing_with_date(registry):
    # S01/1 cycle 2 on line 3 (2020-03-11): date it before cycle 1 (2020-01-15).
    set_cell(registry, "cycles", 3, "date", "2020-01-10")
    assert only_errors(validate(registry)) == [("cycles.csv", 3, "date", "E013")]


def test_e013_two_cycles_on_one_date(registry):
    set_cell(registry, "cycles", 3, "date", "2020-01-15")
    assert only_errors(validate(registry)) == [("cycles.csv", 3, "date", "E013")]


def test_e014_latin1_file_names_line(registry):
    text = (registry / "adverse_events.csv").read_text(encoding="utf-8")
    lines = text.splitlines()
    lines[3] = lines[3].replace("Acute kidney injury", "Insuffisance rénale aiguë")
    (registry / "adverse_events.csv").write_bytes(("\n".join(lines) + "\n").encode("latin-1"))
    report = validate(registry)
    assert only_errors(report) == [("adverse_events.csv", 4, "", "E014")]
    assert "0xe9" in report.errors[0].message


def test_e014_utf16_file(registry):
    text = (registry / "sites.csv").read_text(encoding="utf-8")
    (registry / "sites.csv").write_bytes(text.encode("utf-16"))
    assert only_errors(validate(registry)) == [("sites.csv", 1, "", "E014")]


def test_e014_ragged_row(registry):
    with open(registry / "cycles.csv", "a", encoding="utf-8") as f:
        f.write("S01,1,5,2020-09-01\n")
    lines = len(read_rows(registry, "cycles"))
    assert only_errors(validate(registry)) == [("cycles.csv", lines, "", "E014")]


def test_utf8_bom_quotes_blank_lines_and_crlf_are_read(registry):
    path = registry / "adverse_events.csv"
    text = path.read_text(encoding="utf-8").replace("Nausea", '"Nausea, vomiting"')
    path.write_bytes(b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode("utf-8"))
    rows = read_rows(registry, "cycles")
    body = "\n".join(",".join(r) for r in rows[:3]) + "\n\n" + "\n".join(",".join(r) for r in rows[3:]) + "\n"
    (registry / "cycles.csv").write_text(body.replace("S01,1,3,2020-05-06", "S01,1,3,2020-05-06x"),
                                         encoding="utf-8")
    report = validate(registry)
    # the blank line is line 4, so the third cycle row is line 5
    assert only_errors(report) == [("cycles.csv", 5, "date", "E004")]


def test_column_names_matched_case_insensitively_after_trimming(registry):
    rows = read_rows(registry, "cycles")
    rows[0] = [f"  {name.upper()} " for name in rows[0]]
    write_rows(registry, "cycles", rows)
    assert validate(registry).ok


def test_padded_cells_are_trimmed(registry):
    # space, tab and no-break space around values; files without such bytes skip trimming
    rows = read_rows(registry, "cycles")
    rows[1] = [f" {rows[1][0]}\t", *rows[1][1:3], f"\u00a0{rows[1][3]} ", *rows[1][4:]]
    write_rows(registry, "cycles", rows)
    assert validate(registry).ok


def test_missing_registry_path_is_an_error(tmp_path):
    report = validate(tmp_path / "nowhere")
    assert [(i.code, i.line) for i in report.issues] == [("E014", 1)]


def test_delete_rows_helper_keeps_registry_valid(registry):
    delete_rows(registry, "lesions", lambda r: False)
    assert validate(registry).ok


def test_e014_column_named_twice(registry):
    rows = read_rows(registry, "sites")
    write_rows(registry, "sites", [r + [r[1]] for r in rows[:1]] + [r + ["x"] for r in rows[1:]])
    rows = read_rows(registry, "sites")
    rows[0][-1] = " NAME"
    write_rows(registry, "sites", rows)
    assert only_errors(validate(registry)) == [("sites.csv", 1, "NAME", "E014")]


def test_file_names_matched_case_insensitively(registry):
    (registry / "patients.csv").rename(registry / "Patients.CSV")
    report = validate(registry)
    assert report.ok and not codes(report, "W109")
