"""Test helper: a format-v1 registry written as REDCap would export it.

Two projects collect the registry: our template (redcap/template.py) and "a network's own
project" that differs from it the way real projects do — other form and field names, primary
site coded 1..12, the two metastasis yes/no questions asked as one checkbox (liver / bone /
neither), no site_id field (the data access group is the site). The export is written like
REDCap's: the record's non-repeating forms on one row with empty repeat columns, one row per
repeat instance with only that form's fields, checkboxes as ``field___code`` columns of 0/1,
``<form>_complete`` after each form, the data access group's unique (lower-case) name, dates in
the export's date format, and for a labels export the labels REDCap writes instead of codes
(headers as field labels, choice labels, Checked/Unchecked).
"""

from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass, field, replace
from pathlib import Path

from prrt_rwe.importers.redcap.dictionary import Field, write_dictionary
from prrt_rwe.importers.redcap.template import FORM_ORDER, KEY_COLUMNS, REPEATING, field_name, template_fields
from prrt_rwe.schema import TABLES_BY_NAME
from prrt_rwe.schema.registry_v1 import DATE, PRIMARY_SITES, YES_VALUES, YESNO

DATE_FORMATS = {"ymd": "%Y-%m-%d", "mdy": "%m/%d/%Y", "dmy": "%d/%m/%Y"}


@dataclass(frozen=True)
class Project:
    """A REDCap project: its dictionary, the form of each table, the field of each column."""

    fields: tuple[Field, ...]
    forms: dict[str, str]
    names: dict[tuple[str, str], str]  # (table, column) -> field; missing = not collected
    codes: dict[tuple[str, str], dict[str, str]] = field(default_factory=dict)  # v1 -> raw
    checkbox: dict[str, tuple[str, str]] = field(default_factory=dict)  # column -> (field, code)
    checkbox_none: tuple[str, str] | None = None
    site_field: bool = True

    def write_dictionary(self, path: Path) -> Path:
        write_dictionary(path, self.fields)
        return path


def template_project() -> Project:
    names = {(t, c.name): field_name(t, c.name) for t in FORM_ORDER for c in TABLES_BY_NAME[t].columns
             if t == "patients" or c.name not in KEY_COLUMNS}
    return Project(template_fields(), {t: t for t in FORM_ORDER}, names)


NETWORK_FORMS = {"cycles": "prrt_cycle", "assessments": "imaging"}
NETWORK_RENAMES = {("patients", "patient_id"): "study_no", ("cycles", "date"): "cycle_date",
                   ("cycles", "activity_gbq"): "activity", ("assessments", "date"): "scan_date"}
MET_SITE = Field("met_site", "patients", "checkbox", "Sites of metastasis",
                 choices=(("1", "Liver"), ("2", "Bone"), ("3", "Neither liver nor bone")))

NETWORK_MAPPING = """\
date_format = "dmy"

[site]
field = "redcap_data_access_group"
values = {s01 = "S01", s02 = "S02", s03 = "S03"}

[forms]
cycles = "prrt_cycle"
assessments = "imaging"

[fields.patients]
patient_id = "study_no"
liver_metastases = "met_site___1"
bone_metastases = "met_site___2"

[fields.cycles]
date = "cycle_date"
activity_gbq = "activity"

[fields.assessments]
date = "scan_date"

[codes.patients.primary_site]
%s
"""


def network_project() -> Project:
    """The template changed as module docstring says; its mapping is NETWORK_MAPPING."""
    base = template_project()
    names = {k: NETWORK_RENAMES.get(k, v) for k, v in base.names.items()
             if k not in (("patients", "site_id"), ("patients", "liver_metastases"),
                          ("patients", "bone_metastases"))}
    by_old = {v: NETWORK_RENAMES.get(k, v) for k, v in base.names.items()}
    fields = []
    for f in base.fields:
        if f.name == "site_id" or f.name == "bone_metastases":
            continue
        if f.name == "liver_metastases":
            fields.append(MET_SITE)
            continue
        f = replace(f, name=by_old.get(f.name, f.name), form=NETWORK_FORMS.get(f.form, f.form))
        if f.name == "primary_site":
            f = replace(f, choices=tuple((str(i + 1), label) for i, (_, label) in enumerate(f.choices)))
        fields.append(f)
    codes = {("patients", "primary_site"): {s: str(i + 1) for i, s in enumerate(PRIMARY_SITES)}}
    checkbox = {"liver_metastases": ("met_site", "1"), "bone_metastases": ("met_site", "2")}
    return Project(tuple(fields), {**base.forms, **NETWORK_FORMS}, names, codes, checkbox,
                   checkbox_none=("met_site", "3"), site_field=False)


def network_mapping_text() -> str:
    return NETWORK_MAPPING % "\n".join(f'"{i + 1}" = "{s}"' for i, s in enumerate(PRIMARY_SITES))


def _read(path: Path) -> list[dict[str, str]]:
    if not path.exists():
        return []
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


class _Writer:
    def __init__(self, project: Project, date_format: str, labels: bool):
        self.project, self.date_format, self.labels = project, date_format, labels
        self.by_name = {f.name: f for f in project.fields}
        self.columns = []
        for f in project.fields:
            if f.type == "checkbox":
                self.columns += [f"{f.name}___{code}" for code, _ in f.choices]
            else:
                self.columns.append(f.name)
            if f is project.fields[-1] or project.fields[project.fields.index(f) + 1].form != f.form:
                self.columns.append(f"{f.form}_complete")
        self.columns[1:1] = ["redcap_repeat_instrument", "redcap_repeat_instance", "redcap_data_access_group"]

    def header(self) -> list[str]:
        if not self.labels:
            return self.columns
        special = {"redcap_repeat_instrument": "Repeat Instrument", "redcap_repeat_instance": "Repeat Instance",
                   "redcap_data_access_group": "Data Access Group"}
        out = []
        for c in self.columns:
            if c in special:
                out.append(special[c])
            elif c.endswith("_complete"):
                out.append("Complete?")
            elif "___" in c:
                name, code = c.split("___")
                f = self.by_name[name]
                out.append(f"{f.label} (choice={dict(f.choices)[code]})")
            else:
                out.append(self.by_name[c].label)
        return out

    def value(self, table: str, column: str, text: str) -> str:
        name = self.project.names[(table, column)]
        f, col = self.by_name[name], TABLES_BY_NAME[table].column(column)
        if text == "":
            return ""
        if col.type == DATE:
            return dt.date.fromisoformat(text).strftime(DATE_FORMATS[self.date_format])
        if col.type == YESNO:
            code = "1" if text.lower() in YES_VALUES else "0"
            return ("Yes" if code == "1" else "No") if self.labels else code
        if col.codes:
            canonical = next(c for c in col.codes if c.lower() == text.lower())
            code = self.project.codes.get((table, column), {}).get(canonical, canonical)
            return dict(f.choices)[code] if self.labels else code
        return text

    def form_label(self, form: str) -> str:
        return form.replace("_", " ").title() if self.labels else form

    def row(self, record: str, dag: str, form: str = "", instance: str = "") -> dict[str, str]:
        return {"record_id": record, "redcap_repeat_instrument": self.form_label(form),
                "redcap_repeat_instance": instance, "redcap_data_access_group": dag}

    def fill(self, row: dict, table: str, source: dict[str, str]) -> None:
        for column, text in source.items():
            if (table, column) in self.project.names and not (table != "patients" and column in KEY_COLUMNS):
                row[self.project.names[(table, column)]] = self.value(table, column, text)
        row[f"{self.project.forms[table]}_complete"] = "2"

    def checkboxes(self, row: dict, patient: dict[str, str]) -> None:
        """Tick the choice of each yes; tick "neither" when answered without a yes."""
        ticked = {f"{name}___{code}" for column, (name, code) in self.project.checkbox.items()
                  if patient.get(column, "").lower() in YES_VALUES}
        answered = any(patient.get(column, "") != "" for column in self.project.checkbox)
        if answered and not ticked and self.project.checkbox_none:
            ticked.add("___".join(self.project.checkbox_none))
        for c in self.columns:
            if "___" in c:
                on = c in ticked
                row[c] = ("Checked" if on else "Unchecked") if self.labels else ("1" if on else "0")


def write_export(registry: Path, out: Path, project: Project, *, date_format: str = "ymd",
                 labels: bool = False, site_field_every: int = 2) -> Path:
    """The registry as a REDCap export of ``project``. With the template project the site_id
    field is filled on every ``site_field_every``-th record only (the others take the DAG)."""
    writer = _Writer(project, date_format, labels)
    tables = {t: _read(registry / f"{t}.csv") for t in FORM_ORDER}
    by_patient: dict[tuple[str, str, str], list[dict[str, str]]] = {}
    for table in (*REPEATING, "hormonal_symptoms"):
        for r in tables[table]:
            by_patient.setdefault((table, r["site_id"], r["patient_id"]), []).append(r)
    rows = []
    for n, patient in enumerate(tables["patients"]):
        site, pid = patient["site_id"], patient["patient_id"]
        record, dag = f"{site}-{pid}", (site if labels else site.lower())
        base = writer.row(record, dag)
        fill = {k: v for k, v in patient.items() if k != "site_id" or (project.site_field and n % site_field_every == 0)}
        writer.fill(base, "patients", fill)
        writer.checkboxes(base, patient)
        for h in by_patient.get(("hormonal_symptoms", site, pid), ()):
            writer.fill(base, "hormonal_symptoms", h)
        rows.append(base)
        for table in REPEATING:
            for i, r in enumerate(by_patient.get((table, site, pid), ()), start=1):
                row = writer.row(record, dag, project.forms[table], str(i))
                writer.fill(row, table, r)
                rows.append(row)
    with out.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(writer.header())
        w.writerows([[r.get(c, "") for c in writer.columns] for r in rows])
    return out
