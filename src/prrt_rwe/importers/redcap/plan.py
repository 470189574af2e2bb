"""Which REDCap field fills which format-v1 column: the mapping resolved against the dictionary.

A column takes the field the mapping names, else the template's name (redcap/template.py).
An explicitly mapped field that the dictionary lacks is an error (I006); a template name it
lacks just leaves the column out (a project need not collect every optional column; a missing
required column is then reported by validation). Fields of a repeating table must sit on its
form; fields of patients and hormonal_symptoms on any non-repeating form. A checkbox choice
(``field___code``) can fill only a yes/no column.
"""

from __future__ import annotations

from dataclasses import dataclass

from prrt_rwe.importers.problems import Problem
from prrt_rwe.importers.redcap.dictionary import Dictionary, Field
from prrt_rwe.importers.redcap.mapping import Mapping
from prrt_rwe.importers.redcap.template import FORM_ORDER, KEY_COLUMNS, REPEATING
from prrt_rwe.schema import TABLES_BY_NAME
from prrt_rwe.schema.registry_v1 import YESNO, Column

SITE_DEFAULT = "site_id"
DAG_FIELD = "redcap_data_access_group"


@dataclass(frozen=True)
class Source:
    """The export column filling one format-v1 column."""

    column: Column
    export_column: str
    field: Field
    choice: str | None  # the checkbox choice code, or None


@dataclass(frozen=True)
class TablePlan:
    table: str
    form: str
    repeating: bool
    sources: tuple[Source, ...]


@dataclass(frozen=True)
class Plan:
    tables: tuple[TablePlan, ...]
    site_field: str | None  # None: the site_id field, else the data access group
    used_columns: frozenset[str]

    def table(self, name: str) -> TablePlan | None:
        return next((t for t in self.tables if t.table == name), None)


def _source(table: str, col: Column, mapping: Mapping, dictionary: Dictionary, forms: set[str],
            problems: list[Problem]) -> Source | None:
    name, explicit = mapping.field(table, col.name)
    found = dictionary.export_columns().get(name)
    where_ = mapping.file or dictionary.file
    if found is None:
        if explicit:
            problems.append(Problem(where_, 1, f"fields.{table}.{col.name}", "I006",
                                    f"field '{name}' (for {table}.{col.name}) is not in {dictionary.file}"))
        return None
    fld, choice = found
    if fld.form not in forms:
        problems.append(Problem(dictionary.file, fld.line, fld.name, "I002",
                                f"field '{fld.name}' (for {table}.{col.name}) is on form '{fld.form}', "
                                f"expected {' or '.join(sorted(forms))}"))
        return None
    if choice is not None and col.type != YESNO:
        problems.append(Problem(where_, 1, f"fields.{table}.{col.name}", "I006",
                                f"checkbox choice '{name}' can fill only a yes/no column, not {table}.{col.name}"))
        return None
    return Source(col, name, fld, choice)


def make_plan(dictionary: Dictionary, mapping: Mapping, export_columns) -> tuple[Plan, list[Problem]]:
    """The plan and the problems of the mapping against this dictionary."""
    problems: list[Problem] = []
    repeating_forms = {mapping.form(t) for t in REPEATING}
    single_forms = set(dictionary.forms) - repeating_forms
    present = set(export_columns)
    for table, form in mapping.forms.items():
        if form not in dictionary.forms:
            problems.append(Problem(mapping.file, 1, f"forms.{table}", "I006",
                                    f"form '{form}' (for {table}) is not in {dictionary.file}"))
    plans, used = [], set()
    for table in FORM_ORDER:
        repeating = table in REPEATING
        forms = {mapping.form(table)} if repeating else single_forms
        sources = []
        for col in TABLES_BY_NAME[table].columns:
            if col.name in KEY_COLUMNS and (table != "patients" or col.name == SITE_DEFAULT):
                continue
            src = _source(table, col, mapping, dictionary, forms, problems)
            if src is not None and src.export_column in present:
                sources.append(src)
                used.add(src.export_column)
        plans.append(TablePlan(table, mapping.form(table), repeating, tuple(sources)))
    site_field = mapping.site_field or mapping.fields.get("patients", {}).get(SITE_DEFAULT)
    if site_field not in (None, DAG_FIELD) and site_field not in present:
        problems.append(Problem(mapping.file, 1, "site.field", "I006",
                                f"site field '{site_field}' is not a column of the export"))
    used |= {c for c in (site_field, SITE_DEFAULT, DAG_FIELD) if c}
    _checkbox_siblings(plans, dictionary, used)
    return Plan(tuple(plans), site_field, frozenset(used & present)), problems


def _checkbox_siblings(plans, dictionary: Dictionary, used: set[str]) -> None:
    """The other choices of a used checkbox are read too (they tell 'no' from 'not answered')."""
    for plan in plans:
        for src in plan.sources:
            if src.choice is not None:
                used.update(src.field.checkbox_column(code) for code, _ in src.field.choices)
