"""The REDCap project template, derived from the format-v1 schema (shared/spec/importers.md).

One instrument per format-v1 table (sites aside): ``patients`` first (field ``record_id``), then
the repeating instruments cycles, assessments, lesions, labs, adverse_events, and the
non-repeating hormonal_symptoms; a classic (not longitudinal) project. Field names are the
format-v1 column names, with a form prefix outside ``patients`` (REDCap field names are
project-wide); site_id and patient_id only on ``patients``. Codes are ``radio`` (``dropdown``
for lists longer than :data:`DROPDOWN_ABOVE`) with the format-v1 codes as raw values, yes/no are
``yesno``, dates ``date_ymd``, numbers ``number``/``integer`` with the schema's min/max.
"""

from __future__ import annotations

from pathlib import Path

from prrt_rwe.importers.redcap.dictionary import Field, write_dictionary
from prrt_rwe.ingest.xlsx_reader import cell_text
from prrt_rwe.outputs.atomic import write_text, write_with
from prrt_rwe.outputs.destination import make_folder
from prrt_rwe.schema import TABLES
from prrt_rwe.schema.registry_v1 import CODE, DATE, INTEGER, NUMBER, YESNO, Column

RECORD_ID = "record_id"
KEY_COLUMNS = ("site_id", "patient_id")
FORM_PREFIX = {"patients": "", "cycles": "cyc_", "assessments": "asm_", "lesions": "les_",
               "labs": "lab_", "adverse_events": "ae_", "hormonal_symptoms": "hs_"}
REPEATING = ("cycles", "assessments", "lesions", "labs", "adverse_events")
FORM_ORDER = ("patients", *REPEATING, "hormonal_symptoms")
DROPDOWN_ABOVE = 6
# REDCap's label of a repeat instance in the record's list (piped from the instance's fields).
REPEAT_LABELS = {"cycles": "C[cyc_cycle] [cyc_date]", "assessments": "[asm_date] [asm_overall_response]",
                 "lesions": "[les_date] [les_lesion_id]", "labs": "[lab_date] [lab_test]",
                 "adverse_events": "[ae_onset_date] [ae_term]"}
# Labels shown on the forms where the code itself reads badly; other codes are humanized.
CODE_LABELS = {"M": "Male", "F": "Female", "NON_CR_NON_PD": "Non-CR/non-PD", "PET_CT": "PET-CT",
               "NEC": "NEC", "lu177_dotatate": "177Lu-DOTATATE", "lu177_dotatoc": "177Lu-DOTATOC",
               "lu177_edotreotide": "177Lu-edotreotide", "4.03": "CTCAE v4.03", "5.0": "CTCAE v5.0"}
UNIT_SUFFIXES = {"_gbq": " (GBq)", "_mm": " (mm)", "_percent": " (%)"}
FIELD_TYPES = {YESNO: ("yesno", ""), DATE: ("text", "date_ymd"), INTEGER: ("text", "integer"),
               NUMBER: ("text", "number")}

DICTIONARY_FILE = "data_dictionary.csv"
REPEATING_FILE = "repeating_instruments.csv"


def field_name(table: str, column: str) -> str:
    """The template's REDCap field for a format-v1 column."""
    if column in KEY_COLUMNS:
        return column
    return FORM_PREFIX[table] + column


def _label(column: str) -> str:
    for suffix, unit in UNIT_SUFFIXES.items():
        if column.endswith(suffix):
            return _label(column[: -len(suffix)]) + unit
    text = column.replace("_", " ")
    return text[:1].upper() + text[1:]


def code_label(code: str) -> str:
    if code in CODE_LABELS:
        return CODE_LABELS[code]
    return code.replace("_", " ") if code.isupper() else _label(code)


def _number(x: float | None) -> str:
    return "" if x is None else cell_text(float(x))


def _field(table: str, col: Column) -> Field:
    if col.type == CODE:
        ftype, validation = ("dropdown" if len(col.codes) > DROPDOWN_ABOVE else "radio"), ""
        choices = tuple((c, code_label(c)) for c in col.codes)
    else:
        (ftype, validation), choices = FIELD_TYPES.get(col.type, ("text", "")), ()
    numeric = col.type in (INTEGER, NUMBER)
    return Field(
        name=field_name(table, col.name), form=table, type=ftype, label=_label(col.name),
        choices=choices, validation=validation,
        min=_number(col.min) if numeric else "", max=_number(col.max) if numeric else "",
        note=col.note, required=col.required and col.name != "site_id",
        annotation=f"format-v1 {table}.{col.name}")


def template_fields() -> tuple[Field, ...]:
    """Every field of the template, in dictionary order."""
    tables = {t.name: t for t in TABLES}
    fields = [Field(RECORD_ID, "patients", "text", "Record ID",
                    note="REDCap record; site_id and patient_id are the study keys")]
    for name in FORM_ORDER:
        table = tables[name]
        fields += [_field(name, c) for c in table.columns
                   if name == "patients" or c.name not in KEY_COLUMNS]
    return tuple(fields)


def write_template(out) -> list[Path]:
    """Write data_dictionary.csv and repeating_instruments.csv into ``out``."""
    out = make_folder(out)
    dictionary = write_with(out / DICTIONARY_FILE, lambda tmp: write_dictionary(tmp, template_fields()))
    lines = ["form_name,custom_form_label"] + [f'{form},"{REPEAT_LABELS[form]}"' for form in REPEATING]
    repeating = write_text(out / REPEATING_FILE, "\n".join(lines) + "\n")
    return [dictionary, repeating]
