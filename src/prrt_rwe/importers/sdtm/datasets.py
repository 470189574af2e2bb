"""SDTM datasets from a folder: SAS XPT (pyreadstat) or CDISC Dataset-JSON v1.1.

File names are matched case-insensitively (``dm.xpt``, ``DM.XPT``, ``dm.json``); two files for
one domain are an error. Every cell is read as text (numbers in their shortest round-trip
form, missing = ''), variable names upper-cased. A dataset is SDTM when it has the
identifiers of its domain (SDTMIG 3.4: STUDYID, DOMAIN, USUBJID; SUPPDM: RDOMAIN, QNAM, QVAL)
and its DOMAIN values are that domain; else I008. The record number (1 = first) is the "line"
of every finding on a record.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from prrt_rwe.importers.problems import ImportFailed, Problem
from prrt_rwe.ingest.xlsx_reader import cell_text

DOMAINS = ("DM", "SUPPDM", "EX", "RS", "TU", "TR", "LB", "AE")
REQUIRED_DOMAINS = ("DM", "EX")
SUFFIXES = (".xpt", ".json")
# SDTMIG 3.4 identifiers plus the variables this importer cannot do without.
REQUIRED_VARIABLES = {
    "DM": ("STUDYID", "DOMAIN", "USUBJID", "SITEID", "SEX"),
    "SUPPDM": ("STUDYID", "RDOMAIN", "USUBJID", "QNAM", "QVAL"),
    "EX": ("STUDYID", "DOMAIN", "USUBJID", "EXTRT", "EXSTDTC", "EXDOSE", "EXDOSU"),
    "RS": ("STUDYID", "DOMAIN", "USUBJID", "RSTESTCD", "RSSTRESC", "RSDTC"),
    "TU": ("STUDYID", "DOMAIN", "USUBJID", "TULNKID", "TUSTRESC"),
    "TR": ("STUDYID", "DOMAIN", "USUBJID", "TRLNKID", "TRTESTCD", "TRSTRESC", "TRDTC"),
    "LB": ("STUDYID", "DOMAIN", "USUBJID", "LBTESTCD", "LBSTRESN", "LBSTRESU", "LBDTC"),
    "AE": ("STUDYID", "DOMAIN", "USUBJID", "AETERM", "AESTDTC"),
}


@dataclass(frozen=True)
class Dataset:
    """One domain's records as text, column by column; record ``i`` (0-based) is record number
    ``i + 1`` in findings."""

    domain: str
    file: str
    cells: dict[str, list[str]]
    size: int

    def has(self, variable: str) -> bool:
        return variable in self.cells

    def col(self, variable: str) -> list[str]:
        """The variable's cells ('' for every record when the dataset lacks it)."""
        return self.cells[variable] if variable in self.cells else [""] * self.size

    def value(self, variable: str, i: int) -> str:
        return self.cells[variable][i] if variable in self.cells else ""

    @property
    def variables(self) -> tuple[str, ...]:
        return tuple(self.cells)


def _text(value) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    if isinstance(value, np.generic):
        value = value.item()
    return cell_text(value).strip() if not isinstance(value, str) else value.strip()


def _read_xpt(path: Path) -> pd.DataFrame:
    import pyreadstat

    frame, _ = pyreadstat.read_xport(str(path), disable_datetime_conversion=True)
    return frame


def _read_json(path: Path) -> pd.DataFrame:
    data = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict) or "columns" not in data or "rows" not in data:
        raise ValueError("not CDISC Dataset-JSON v1.1: no top-level 'columns' and 'rows'")
    names = [c["name"] for c in data["columns"]]
    rows = data["rows"]
    if any(len(r) != len(names) for r in rows):
        raise ValueError("a row's length differs from the number of columns")
    return pd.DataFrame(rows, columns=names, dtype=object)


def _column_text(series: pd.Series) -> list[str]:
    """One column as text; numeric columns vectorised (whole numbers without ``.0``)."""
    if series.dtype.kind == "f":
        x = series.to_numpy(dtype=float)
        out = np.full(len(x), "", dtype=object)
        with np.errstate(invalid="ignore"):
            whole = np.isfinite(x) & (np.mod(x, 1) == 0) & (np.abs(x) < 1e15)
        out[whole] = x[whole].astype(np.int64).astype(str)
        rest = np.isfinite(x) & ~whole
        out[rest] = [repr(float(v)) for v in x[rest]]
        return out.tolist()
    return [v.strip() if isinstance(v, str) else _text(v) for v in series.tolist()]


def _as_text(frame: pd.DataFrame) -> dict[str, list[str]]:
    return {str(c).upper(): _column_text(frame[c]) for c in frame.columns}


def _check(domain: str, file: str, cells: dict[str, list[str]]) -> list[Problem]:
    missing = [v for v in REQUIRED_VARIABLES[domain] if v not in cells]
    if missing:
        return [Problem(file, 1, missing[0], "I008", f"not an SDTM {domain} dataset: variable"
                        f"{'s' if len(missing) > 1 else ''} {', '.join(missing)} missing")]
    var = "RDOMAIN" if domain.startswith("SUPP") else "DOMAIN"
    expected = domain[4:] if domain.startswith("SUPP") else domain
    wrong = next((i for i, v in enumerate(cells[var]) if v != expected), None)
    if wrong is not None:
        return [Problem(file, wrong + 1, var, "I008", f"not an SDTM {domain} dataset: {var} is "
                        f"'{cells[var][wrong]}', not '{expected}'")]
    return []


def read_folder(folder) -> dict[str, Dataset]:
    """Every domain found in ``folder``; ImportFailed on unreadable or non-SDTM files."""
    folder = Path(folder)
    if not folder.is_dir():
        raise ImportFailed([Problem(folder.name, 1, "", "I001", "not a folder of SDTM datasets")])
    found: dict[str, Path] = {}
    problems: list[Problem] = []
    for path in sorted(folder.iterdir()):
        domain = path.stem.upper()
        if path.suffix.lower() not in SUFFIXES or domain not in DOMAINS:
            continue
        if domain in found:
            problems.append(Problem(path.name, 1, "", "I001", f"second file for domain {domain} "
                                    f"(also {found[domain].name})"))
            continue
        found[domain] = path
    datasets = {}
    for domain, path in found.items():
        try:
            raw = _read_xpt(path) if path.suffix.lower() == ".xpt" else _read_json(path)
        except Exception as exc:  # pyreadstat and json raise many types for a broken file
            kind = "SAS XPT" if path.suffix.lower() == ".xpt" else "Dataset-JSON"
            problems.append(Problem(path.name, 1, "", "I001", f"cannot read as {kind}: {exc}"))
            continue
        cells = _as_text(raw)
        found_problems = _check(domain, path.name, cells)
        problems += found_problems
        if not found_problems:
            datasets[domain] = Dataset(domain, path.name, cells, len(raw))
    for domain in REQUIRED_DOMAINS:
        if domain not in found:
            problems.append(Problem(f"{domain.lower()}.xpt", 1, "", "I009",
                                    f"required domain {domain} missing from {folder.name} "
                                    f"({domain.lower()}.xpt or {domain.lower()}.json)"))
    if problems:
        raise ImportFailed(problems)
    return datasets
