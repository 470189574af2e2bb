"""A REDCap data dictionary: its 18 columns, its fields, their choices.

Source: REDCap's Data Dictionary (Project Setup > Data Dictionary; the API ``metadata`` export
names the same columns in snake case, which is read too). Choices are ``code, label`` pairs
separated by ``|``; a checkbox field exports one column per choice, ``field___code``, with the
code lower-cased and any character other than a letter, digit or underscore written ``_``.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path

from prrt_rwe.importers.problems import ImportFailed, Problem
from prrt_rwe.importers.source_csv import read_records

COLUMNS = (
    "Variable / Field Name", "Form Name", "Section Header", "Field Type", "Field Label",
    "Choices, Calculations, OR Slider Labels", "Field Note",
    "Text Validation Type OR Show Slider Number", "Text Validation Min", "Text Validation Max",
    "Identifier?", "Branching Logic (Show field only if...)", "Required Field?",
    "Custom Alignment", "Question Number (surveys only)", "Matrix Group Name", "Matrix Ranking?",
    "Field Annotation",
)
API_COLUMNS = (
    "field_name", "form_name", "section_header", "field_type", "field_label",
    "select_choices_or_calculations", "field_note", "text_validation_type_or_show_slider_number",
    "text_validation_min", "text_validation_max", "identifier", "branching_logic",
    "required_field", "custom_alignment", "question_number", "matrix_group_name",
    "matrix_ranking", "field_annotation",
)
CHOICE_TYPES = ("radio", "dropdown", "checkbox")
YESNO_TYPES = {"yesno": (("1", "Yes"), ("0", "No")), "truefalse": (("1", "True"), ("0", "False"))}
NOT_EXPORTED = ("descriptive",)


@dataclass(frozen=True)
class Field:
    """One row of the dictionary."""

    name: str
    form: str
    type: str
    label: str = ""
    choices: tuple[tuple[str, str], ...] = ()
    validation: str = ""
    min: str = ""
    max: str = ""
    note: str = ""
    required: bool = False
    annotation: str = ""
    line: int = 0

    @property
    def coded(self) -> tuple[tuple[str, str], ...]:
        """(code, label) pairs of a choice, yes/no or true/false field."""
        return YESNO_TYPES.get(self.type, self.choices)

    def checkbox_column(self, code: str) -> str:
        return f"{self.name}___{checkbox_suffix(code)}"

    def row(self) -> list[str]:
        """The 18 dictionary cells of this field."""
        choices = " | ".join(f"{c}, {label}" for c, label in self.choices)
        return [self.name, self.form, "", self.type, self.label, choices, self.note,
                self.validation, self.min, self.max, "", "", "y" if self.required else "", "",
                "", "", "", self.annotation]


def checkbox_suffix(code: str) -> str:
    return re.sub(r"[^a-z0-9_]", "_", code.strip().lower())


def parse_choices(text: str) -> tuple[tuple[str, str], ...]:
    """``1, Yes | 0, No`` -> (("1", "Yes"), ("0", "No")); a choice without a comma is its own label."""
    out = []
    for item in text.split("|"):
        if not item.strip():
            continue
        code, _, label = item.partition(",")
        out.append((code.strip(), label.strip() or code.strip()))
    return tuple(out)


@dataclass(frozen=True)
class Dictionary:
    """Fields in dictionary order; the first one is the record ID field."""

    file: str
    fields: tuple[Field, ...]

    @property
    def record_id(self) -> str:
        return self.fields[0].name

    def by_name(self) -> dict[str, Field]:
        return {f.name: f for f in self.fields}

    @property
    def forms(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(f.form for f in self.fields))

    def export_columns(self) -> dict[str, tuple[Field, str | None]]:
        """Every column an export of this project can hold -> (field, checkbox code or None)."""
        out: dict[str, tuple[Field, str | None]] = {}
        for f in self.fields:
            if f.type in NOT_EXPORTED:
                continue
            if f.type == "checkbox":
                for code, _ in f.choices:
                    out[f.checkbox_column(code)] = (f, code)
            else:
                out[f.name] = (f, None)
        return out


def _header_map(header: list[str], file: str) -> dict[str, int]:
    norm = [h.strip().lower() for h in header]
    for names in (COLUMNS, API_COLUMNS):
        wanted = [n.lower() for n in names]
        if all(w in norm for w in wanted[:6]):
            return {COLUMNS[i]: norm.index(w) for i, w in enumerate(wanted) if w in norm}
    raise ImportFailed([Problem(file, 1, "", "I001", "not a REDCap data dictionary: the header "
                                f"lacks '{COLUMNS[0]}', '{COLUMNS[1]}', '{COLUMNS[3]}'")])


def read_dictionary(path) -> Dictionary:
    """The dictionary CSV (REDCap download or API metadata export)."""
    path = Path(path)
    header, records = read_records(path, "data dictionary")
    cols = _header_map(header, path.name)
    fields = []
    for line, record in records:
        cell = {name: (record[i].strip() if i < len(record) else "") for name, i in cols.items()}
        ftype = cell.get(COLUMNS[3], "").lower()
        fields.append(Field(
            name=cell[COLUMNS[0]], form=cell[COLUMNS[1]], type=ftype, label=cell.get(COLUMNS[4], ""),
            choices=parse_choices(cell.get(COLUMNS[5], "")) if ftype in CHOICE_TYPES else (),
            validation=cell.get(COLUMNS[7], "").lower(), min=cell.get(COLUMNS[8], ""),
            max=cell.get(COLUMNS[9], ""), note=cell.get(COLUMNS[6], ""),
            required=cell.get(COLUMNS[12], "").lower() == "y", annotation=cell.get(COLUMNS[17], ""),
            line=line))
    if not fields:
        raise ImportFailed([Problem(path.name, 1, "", "I001", "data dictionary without fields")])
    return Dictionary(path.name, tuple(fields))


def write_dictionary(path: Path, fields) -> None:
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(COLUMNS)
        writer.writerows(f.row() for f in fields)
