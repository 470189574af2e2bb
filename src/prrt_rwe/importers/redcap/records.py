"""The rows of a REDCap export grouped into records and repeat instances.

Classic project: per record one row with empty ``redcap_repeat_instrument`` and
``redcap_repeat_instance`` (its non-repeating forms), and one row per repeat instance with the
instrument's name. Longitudinal project (``redcap_event_name`` present): rows of every event are
read; the mapping's ``[events]`` names the event(s) holding each non-repeating form, and may name
events whose rows are instances of a repeating table (repeating events, or one event per cycle).
Repeat instances are keyed by (record, event, instrument, instance); a key seen twice is I007.
A repeat instance whose record has no row for its non-repeating forms is I003.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import NamedTuple

from prrt_rwe.importers.problems import Problem, where
from prrt_rwe.importers.redcap.export import EVENT, INSTANCE, INSTRUMENT, Export
from prrt_rwe.importers.redcap.mapping import Mapping
from prrt_rwe.importers.redcap.template import REPEATING

SINGLE_TABLES = ("patients", "hormonal_symptoms")
POSITIVE = re.compile(r"[1-9]\d*")


class Instance(NamedTuple):
    """One row read as one format-v1 row source."""

    row: int  # position in Export.rows
    line: int
    record: str
    label: str  # e.g. "cycles instance 2" or "event baseline_arm_1"


@dataclass
class Grouped:
    """Per record, the rows of its non-repeating forms (in event order), and the repeat
    instances per format-v1 table, in export order."""

    singles: dict[str, list[int]] = field(default_factory=dict)
    instances: dict[str, list[Instance]] = field(default_factory=dict)
    records: list[str] = field(default_factory=list)
    rows_read: dict[str, int] = field(default_factory=dict)
    skipped: dict[tuple[str, str], int] = field(default_factory=dict)


def _form_of(value: str, forms: dict[str, str], labels: bool) -> str:
    """The form name of an export's instrument cell (a label in a labels export)."""
    if value in forms:
        return value
    if labels:
        key = re.sub(r"[^a-z0-9]+", "_", value.lower()).strip("_")
        return forms.get(key, value)
    return value


def group_rows(export: Export, record_id: str, mapping: Mapping, labels: bool
               ) -> tuple[Grouped, list[Problem]]:
    """Group rows; problems for duplicate keys, bad instance numbers and orphans."""
    idx = export.index()
    longitudinal = EVENT in idx
    table_of_form = {mapping.form(t): t for t in REPEATING}
    forms = {f: f for f in table_of_form}
    single_events = {e for t in SINGLE_TABLES for e in mapping.events.get(t, ())}
    repeat_events = {e: t for t in REPEATING for e in mapping.events.get(t, ())}
    out, problems, seen, records = Grouped(), [], set(), set()

    def cell(row, name):
        return row[idx[name]].strip() if name in idx else ""

    for pos, (row, line) in enumerate(zip(export.rows, export.lines)):
        record = row[idx[record_id]].strip()
        if record not in records:
            records.add(record)
            out.records.append(record)
        event = cell(row, EVENT)
        instrument, instance = cell(row, INSTRUMENT), cell(row, INSTANCE)
        if instance and not POSITIVE.fullmatch(instance):
            problems.append(Problem(export.file, line, INSTANCE, "I002", where(record)
                                    + f"{INSTANCE} '{instance}' is not a positive whole number"))
            continue
        if instrument:
            form = _form_of(instrument, forms, labels)
            table = table_of_form.get(form)
            if table is None or (mapping.events.get(table) and event not in mapping.events[table]):
                out.skipped[(INSTRUMENT, instrument)] = out.skipped.get((INSTRUMENT, instrument), 0) + 1
                continue
            key = (record, event, form, instance or "1")
            label = (f"event {event}, " if longitudinal else "") + f"{table} instance {instance or '1'}"
        elif longitudinal and event in repeat_events:
            table = repeat_events[event]
            key = (record, event, "", instance or "1")
            label = f"{table} in event {event}" + (f" instance {instance}" if instance else "")
        elif longitudinal and event not in single_events:
            out.skipped[(EVENT, event)] = out.skipped.get((EVENT, event), 0) + 1
            continue
        else:
            if instance:
                problems.append(Problem(export.file, line, INSTANCE, "I002", where(record)
                                        + f"{INSTANCE} '{instance}' on a row without {INSTRUMENT}"))
                continue
            key, table = (record, event, "", ""), None
        if key in seen:
            what = label if table else (f"the row of event {event}" if longitudinal else
                                        "the row of the non-repeating forms")
            problems.append(Problem(export.file, line, INSTANCE if table else record_id, "I007",
                                    where(record) + f"{what} appears twice"))
            continue
        seen.add(key)
        if table is None:
            out.singles.setdefault(record, []).append(pos)
            out.rows_read["non-repeating forms"] = out.rows_read.get("non-repeating forms", 0) + 1
        else:
            out.instances.setdefault(table, []).append(Instance(pos, line, record, label))
            out.rows_read[table] = out.rows_read.get(table, 0) + 1
    for table, items in out.instances.items():
        for inst in items:
            if inst.record not in out.singles:
                problems.append(Problem(export.file, inst.line, record_id, "I003", where(record=inst.record,
                                        instance=inst.label) + "repeat instance without its parent record "
                                        "(the export has no row of this record's non-repeating forms)"))
    return out, problems
