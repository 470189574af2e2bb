"""Stable validation codes (shared/spec/registry-format-v1.md, "What bad input gets").

Codes never change meaning and are never reused; new ones are appended. E = error (refuses
ingest), W = warning (ingested, flagged in the report). docs/validation-codes.md lists them.
"""

from __future__ import annotations

from dataclasses import dataclass

ERROR, WARNING = "error", "warning"


@dataclass(frozen=True)
class Code:
    code: str
    severity: str
    title: str


CODES: tuple[Code, ...] = (
    Code("E001", ERROR, "required file missing"),
    Code("E002", ERROR, "required column missing"),
    Code("E003", ERROR, "required value empty"),
    Code("E004", ERROR, "value cannot be parsed (date, number, integer, yes/no)"),
    Code("E005", ERROR, "value outside the allowed range"),
    Code("E006", ERROR, "unknown code"),
    Code("E007", ERROR, "unknown unit"),
    Code("E008", ERROR, "duplicate key"),
    Code("E009", ERROR, "orphan row: patient not in patients"),
    Code("E010", ERROR, "death before first cycle"),
    Code("E011", ERROR, "diagnosis after first cycle"),
    Code("E012", ERROR, "record dated after death"),
    Code("E013", ERROR, "cycle numbers not strictly increasing with date"),
    Code("E014", ERROR, "file unreadable (encoding, structure)"),
    Code("W101", WARNING, "implausible but possible value"),
    Code("W102", WARNING, "gap of more than 16 weeks between cycles"),
    Code("W103", WARNING, "cycle numbers with gaps"),
    Code("W104", WARNING, "model covariate missing"),
    Code("W105", WARNING, "no post-baseline assessment"),
    Code("W106", WARNING, "baseline scan more than 90 days before first cycle"),
    Code("W107", WARNING, "follow-up shorter than 6 months"),
    Code("W108", WARNING, "identical duplicate lab row"),
    Code("W109", WARNING, "unknown extra file"),
    Code("W110", WARNING, "extra column (stored only with --keep-extra-columns)"),
    Code("E015", ERROR, "Excel cell without a value: error value or formula without cached result"),
    Code("W111", WARNING, "key changed by normalization (invisible characters, outer spaces, NFC)"),
)
CODES_BY_ID = {c.code: c for c in CODES}
