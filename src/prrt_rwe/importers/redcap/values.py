"""One REDCap cell -> its format-v1 text (shared/spec/importers.md, "REDCap").

- radio / dropdown / yesno / truefalse: the raw code must be one of the field's choices (in a
  labels export, the choice label, matched without regard to case); it is then recoded by the
  mapping's ``[codes]`` when given, and yes/no fields become ``yes``/``no``.
- checkbox choice ``field___code``: 1 (``Checked``) -> yes, 0 (``Unchecked``) -> no; when no
  choice of that checkbox is ticked the question was not answered and the value is missing.
- dates (a date column of format v1): in the export's date format, written ``YYYY-MM-DD``.
- numbers of a ``*_comma_decimal`` validation: decimal comma read as a point.
Anything else is passed on as text; validation judges it.
"""

from __future__ import annotations

from prrt_rwe.importers.dates import format_hint, redcap_date
from prrt_rwe.importers.redcap.plan import Source
from prrt_rwe.schema.registry_v1 import DATE, YESNO

CHECKED = {"1": "1", "0": "0", "checked": "1", "unchecked": "0"}
YES_NO = {"1": "yes", "0": "no"}


class CellError(ValueError):
    """A cell that cannot be converted: (code, message)."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code


def _raw_code(src: Source, text: str, labels: bool) -> str:
    choices = src.field.coded
    codes = [c for c, _ in choices]
    if text in codes:
        return text
    if labels:
        for code, label in choices:
            if label.strip().lower() == text.lower():
                return code
    shown = ", ".join(f"{c} ({label})" for c, label in choices)
    kind = "choice label" if labels else "code"
    raise CellError("I004", f"unknown {kind} '{text}' for {src.field.name} (choices: {shown})")


def checkbox_value(src: Source, row: list[str], index: dict[str, int], labels: bool) -> str:
    """yes / no / '' for one checkbox choice (module rule 2)."""
    ticks = {}
    for code, _ in src.field.choices:
        col = src.field.checkbox_column(code)
        if col not in index:
            continue
        text = row[index[col]].strip()
        tick = CHECKED.get(text.lower()) if text else "0"
        if tick is None:
            raise CellError("I004", f"checkbox column {col} holds '{text}', expected 0 or 1"
                            + (" (Checked/Unchecked)" if labels else ""))
        ticks[code] = tick
    if "1" not in ticks.values():
        return ""
    return YES_NO[ticks.get(src.choice, "0")]


def cell_value(src: Source, text: str, *, labels: bool, date_format: str,
               code_map: dict[str, str] | None) -> str:
    """The format-v1 text of one non-checkbox cell (module rules 1, 3, 4)."""
    if text == "":
        return ""
    if src.field.coded:
        code = _raw_code(src, text, labels)
        if code_map is not None and code in code_map:
            return code_map[code]
        if src.column.type == YESNO and src.field.type in ("yesno", "truefalse"):
            return YES_NO[code]
        return code
    if src.column.type == DATE:
        iso = redcap_date(text, date_format)
        if iso is None:
            raise CellError("I005", f"cannot read '{text}' as a date in the export's format "
                            f"{format_hint(date_format)} (--date-format {date_format})")
        return iso
    if code_map is not None and text in code_map:
        return code_map[text]
    if "comma_decimal" in src.field.validation:
        return text.replace(",", ".")
    return text
