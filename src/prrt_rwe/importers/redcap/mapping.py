"""The mapping file (``--mapping map.toml``) that adapts any REDCap project (shared/spec/importers.md).

Keys: ``date_format``; ``[site]`` ``field`` and ``values`` (recode); ``[forms]`` format-v1 table =
REDCap form; ``[fields.<table>]`` format-v1 column = REDCap field (``field___code`` for one
checkbox choice); ``[codes.<table>.<column>]`` REDCap raw code = format-v1 code; ``[events]``
format-v1 table = unique event name (or a list of them) in a longitudinal project. What is not
mapped takes the template's names. An unknown key is an error, never ignored.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from prrt_rwe.importers.dates import REDCAP_DATE_FORMATS
from prrt_rwe.importers.problems import ImportFailed, Problem
from prrt_rwe.importers.redcap.template import FORM_ORDER, KEY_COLUMNS, field_name
from prrt_rwe.schema import TABLES_BY_NAME

TOP_KEYS = ("date_format", "site", "forms", "fields", "codes", "events")


@dataclass(frozen=True)
class Mapping:
    """A parsed mapping file; ``Mapping()`` is the template itself."""

    file: str = ""
    date_format: str | None = None
    site_field: str | None = None
    site_values: dict[str, str] = field(default_factory=dict)
    forms: dict[str, str] = field(default_factory=dict)
    fields: dict[str, dict[str, str]] = field(default_factory=dict)
    codes: dict[str, dict[str, dict[str, str]]] = field(default_factory=dict)
    events: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def form(self, table: str) -> str:
        return self.forms.get(table, table)

    def field(self, table: str, column: str) -> tuple[str, bool]:
        """(REDCap field or checkbox column, whether the mapping names it explicitly)."""
        named = self.fields.get(table, {}).get(column)
        return (named, True) if named else (field_name(table, column), False)

    def code_map(self, table: str, column: str) -> dict[str, str] | None:
        return self.codes.get(table, {}).get(column)


class _Checker:
    def __init__(self, path: Path, text: str):
        self.file, self.lines, self.problems = path.name, text.splitlines(), []

    def bad(self, key: str, message: str) -> None:
        last = key.rsplit(".", 1)[-1]
        line = next((i + 1 for i, text in enumerate(self.lines) if last in text), 1)
        self.problems.append(Problem(self.file, line, key, "I006", message))

    def table(self, key: str, name: str, tables=FORM_ORDER) -> bool:
        if name not in tables:
            self.bad(key, f"unknown format-v1 table '{name}' (one of {', '.join(tables)})")
            return False
        return True

    def strings(self, key: str, value) -> dict[str, str]:
        if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
            self.bad(key, "expected a table of text values")
            return {}
        return {str(k): v for k, v in value.items()}


def _columns(check: _Checker, key: str, table: str, names) -> bool:
    known = TABLES_BY_NAME[table].column_names
    ok = True
    for name in names:
        if name not in known or (table != "patients" and name in KEY_COLUMNS):
            check.bad(f"{key}.{name}", f"'{name}' is not a column of {table} that REDCap fills")
            ok = False
    return ok


def _events(check: _Checker, raw) -> dict[str, tuple[str, ...]]:
    out = {}
    for table, value in (raw or {}).items():
        if not check.table(f"events.{table}", table):
            continue
        names = (value,) if isinstance(value, str) else value
        if not isinstance(names, list | tuple) or not names or not all(isinstance(v, str) for v in names):
            check.bad(f"events.{table}", "expected an event name or a list of them")
            continue
        out[table] = tuple(names)
    return out


def read_mapping(path) -> Mapping:
    """Parse and check a mapping file; ImportFailed (I006) lists every bad key."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
        data = tomllib.loads(text)
    except OSError as exc:
        raise ImportFailed([Problem(path.name, 1, "", "I001", f"cannot read the mapping file: {exc}")]) from None
    except tomllib.TOMLDecodeError as exc:
        line = getattr(exc, "lineno", 1) or 1
        raise ImportFailed([Problem(path.name, line, "", "I006", f"not valid TOML: {exc}")]) from None
    check = _Checker(path, text)
    for key in data:
        if key not in TOP_KEYS:
            check.bad(key, f"unknown key '{key}' (known: {', '.join(TOP_KEYS)})")
    date_format = data.get("date_format")
    if date_format is not None and date_format not in REDCAP_DATE_FORMATS:
        check.bad("date_format", f"date_format '{date_format}' is not one of ymd, mdy, dmy")
    def section(key: str) -> dict:
        value = data.get(key, {})
        if not isinstance(value, dict):
            check.bad(key, f"expected a [{key}] table")
            return {}
        return value

    site = section("site")
    for key in site:
        if key not in ("field", "values"):
            check.bad(f"site.{key}", f"unknown key 'site.{key}' (known: field, values)")
    if not isinstance(site.get("field", ""), str):
        check.bad("site.field", "expected the name of a field")
        site = {k: v for k, v in site.items() if k != "field"}
    forms = {t: f for t, f in check.strings("forms", section("forms")).items()
             if check.table(f"forms.{t}", t)}
    fields = {}
    for table, cols in section("fields").items():
        cols = check.strings(f"fields.{table}", cols)
        if check.table(f"fields.{table}", table) and _columns(check, f"fields.{table}", table, cols):
            fields[table] = cols
    codes = {}
    for table, per_column in section("codes").items():
        if not check.table(f"codes.{table}", table):
            continue
        if not isinstance(per_column, dict):
            check.bad(f"codes.{table}", f"expected [codes.{table}.<column>] tables")
            continue
        if _columns(check, f"codes.{table}", table, per_column):
            codes[table] = {c: check.strings(f"codes.{table}.{c}", m) for c, m in per_column.items()}
    events = _events(check, section("events"))
    if check.problems:
        raise ImportFailed(check.problems)
    return Mapping(path.name, date_format, site.get("field"),
                   check.strings("site.values", site.get("values", {})), forms, fields, codes, events)
