"""What every SDTM domain reader shares: the subjects of DM, the options, the problems found,
and how a record is named in a finding (``USUBJID '01-701-1015', RSSEQ 3``)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import numpy as np

from prrt_rwe.importers.dates import PartialDate, sdtm_date
from prrt_rwe.importers.import_report import ImportReport
from prrt_rwe.importers.problems import Problem
from prrt_rwe.importers.registry_output import SourceRow
from prrt_rwe.importers.sdtm.datasets import Dataset


@dataclass(frozen=True)
class Subject:
    """A DM subject as a format-v1 patient; ``reference`` = RFXSTDTC (ISO date or '')."""

    site: str
    patient: str
    reference: str


@dataclass
class SdtmContext:
    impute: str | None
    evaluator: str
    report: ImportReport
    problems: list[Problem] = field(default_factory=list)
    subjects: dict[str, Subject] = field(default_factory=dict)
    imputed: Counter = field(default_factory=Counter)

    def label(self, ds: Dataset, rec: int) -> str:
        seq = f"{ds.domain}SEQ"
        text = f"USUBJID '{ds.frame.at[rec, 'USUBJID']}'"
        if ds.has(seq) and ds.frame.at[rec, seq]:
            text += f", {seq} {ds.frame.at[rec, seq]}"
        return text

    def problem(self, ds: Dataset, rec: int, variable: str, code: str, message: str) -> None:
        self.problems.append(Problem(ds.file, int(rec), variable, code,
                                     f"{self.label(ds, rec)}: {message}"))

    def source(self, ds: Dataset, rec: int, columns: dict[str, str]) -> SourceRow:
        return SourceRow(ds.file, int(rec), self.label(ds, rec),
                         {"site_id": "SITEID", "patient_id": "USUBJID", **columns})

    def date(self, ds: Dataset, rec: int, variable: str) -> str:
        """ISO date of an --DTC cell ('' when empty); problems for partial or unreadable."""
        text = ds.frame.at[rec, variable] if ds.has(variable) else ""

        def problem(code, message):
            self.problem(ds, rec, variable, code, message)

        return self.iso_date(text, f"{ds.domain}.{variable}", problem)

    def iso_date(self, text: str, key: str, problem) -> str:
        """ISO date of an ISO 8601 text ('' when empty); ``problem(code, message)`` when it is
        partial (without imputation) or unreadable; imputations counted under ``key``."""
        if not text:
            return ""
        try:
            iso, imputed = sdtm_date(text, self.impute)
        except PartialDate:
            problem("I011", f"partial date '{text}' (give --impute-partial-dates first to take "
                    "the first day of the month or year)")
            return ""
        if iso is None:
            problem("I005", f"cannot read '{text}' as an ISO 8601 date")
            return ""
        if imputed:
            self.imputed[key] += 1
        return iso

    def subject(self, ds: Dataset, rec: int) -> Subject | None:
        usubjid = ds.frame.at[rec, "USUBJID"]
        found = self.subjects.get(usubjid)
        if found is None:
            self.problem(ds, rec, "USUBJID", "I012", "subject not in DM")
        return found

    def evaluated(self, ds: Dataset, variable: str) -> np.ndarray:
        """Rows assessed by the chosen evaluator (an empty --EVAL counts as the investigator)."""
        values = ds.column(variable).str.upper()
        keep = values == self.evaluator.upper()
        if self.evaluator.upper() == "INVESTIGATOR":
            keep |= values == ""
        for value, n in values[~keep].value_counts().sort_index().items():
            self.report.not_mapped(f"{ds.domain}.{variable}", value, "other evaluator", rows=int(n))
        return keep.to_numpy(dtype=bool)
