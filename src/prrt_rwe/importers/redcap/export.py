"""A REDCap records export (CSV "raw" or "labels") with the physical line of every row.

Columns: the record ID field, ``redcap_event_name`` (longitudinal), ``redcap_repeat_instrument``,
``redcap_repeat_instance``, ``redcap_data_access_group``, then the fields (checkboxes as
``field___code``) and ``<form>_complete``. The "labels" export of REDCap's export page also writes
the header as labels (``Record ID``, ``Repeat Instrument``, a checkbox choice as
``Label (choice=Choice)``); those are mapped back to names through the dictionary. Every column
must belong to the dictionary: a column it does not know means the export and the dictionary
are of different projects (I002).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from prrt_rwe.importers.problems import ImportFailed, Problem
from prrt_rwe.importers.redcap.dictionary import Dictionary
from prrt_rwe.importers.source_csv import read_records

EVENT, INSTRUMENT, INSTANCE, DAG = ("redcap_event_name", "redcap_repeat_instrument",
                                    "redcap_repeat_instance", "redcap_data_access_group")
SURVEY = ("redcap_survey_identifier",)
HEADER_LABELS = {"event name": EVENT, "repeat instrument": INSTRUMENT,
                 "repeat instance": INSTANCE, "data access group": DAG,
                 "survey identifier": SURVEY[0]}
COMPLETE_LABEL = "complete?"
IGNORED = "(ignored)"


@dataclass(frozen=True)
class Export:
    """Cells of the export by column name (as written: readers strip what they use);
    ``lines[i]`` is the CSV line of ``rows[i]``."""

    file: str
    columns: tuple[str, ...]
    rows: list[list[str]]
    lines: list[int]

    def index(self) -> dict[str, int]:
        return {c: i for i, c in enumerate(self.columns) if c != IGNORED}


def _plain(label: str) -> str:
    """A field label as REDCap writes it in a header: tags dropped, spaces collapsed."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", label)).strip().lower()


def _label_names(dictionary: Dictionary) -> dict[str, list[str]]:
    names: dict[str, list[str]] = {}
    for column, (fld, code) in dictionary.export_columns().items():
        label = _plain(fld.label)
        if code is not None:
            label = f"{label} (choice={_plain(dict(fld.choices)[code])})"
        names.setdefault(label, []).append(column)
    return names


def _in_order(candidates: list[str], done: list[str], order: dict[str, int]) -> str | None:
    """The field a label header stands for: labels repeat across forms (``Date``), and REDCap
    writes fields in dictionary order, so it is the first unused candidate after the last
    field already placed (else the first unused one)."""
    free = [c for c in candidates if c not in done]
    last = max((order[c] for c in done if c in order), default=-1)
    return next((c for c in free if order[c] > last), free[0] if free else None)


def _resolve(header: list[str], dictionary: Dictionary, file: str) -> tuple[str, ...]:
    known = dictionary.export_columns()
    order = {name: i for i, name in enumerate(known)}
    forms = set(dictionary.forms)
    by_label = None
    out, problems = [], []
    for pos, cell in enumerate(header):
        name = cell.strip()
        if name in known or name in (EVENT, INSTRUMENT, INSTANCE, DAG, *SURVEY):
            out.append(name)
            continue
        if name.endswith("_complete") and name[: -len("_complete")] in forms:
            out.append(IGNORED)
            continue
        low = _plain(name)
        if low in HEADER_LABELS:
            out.append(HEADER_LABELS[low])
            continue
        if low == COMPLETE_LABEL or (name.endswith("_timestamp") and name[: -len("_timestamp")] in forms):
            out.append(IGNORED)
            continue
        by_label = by_label if by_label is not None else _label_names(dictionary)
        match = _in_order(by_label.get(low, []), out, order)
        if match:
            out.append(match)
            continue
        why = f"is not a field of {dictionary.file}"
        problems.append(Problem(file, 1, name, "I002", f"export column {pos + 1} '{name}' {why}: "
                                "the export and the data dictionary are not of the same project"))
    if not problems and (not out or out[0] != dictionary.record_id):
        first = header[0].strip() if header else ""
        problems.append(Problem(file, 1, first, "I002", f"the first column must be the record ID "
                                f"field '{dictionary.record_id}' of {dictionary.file}"))
    if problems:
        raise ImportFailed(problems)
    return tuple(out)


def read_export(path, dictionary: Dictionary) -> Export:
    """Read the export and check its header against the dictionary."""
    path = Path(path)
    header, records = read_records(path, "export")
    columns = _resolve(header, dictionary, path.name)
    rows, lines, problems = [], [], []
    for line, record in records:
        if len(record) != len(header):
            problems.append(Problem(path.name, line, "", "I001",
                                    f"row has {len(record)} fields, the header has {len(header)}"))
            continue
        rows.append(record)
        lines.append(line)
    if problems:
        raise ImportFailed(problems)
    return Export(path.name, columns, rows, lines)
