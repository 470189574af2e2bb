"""What every SDTM domain reader shares: the subjects of DM, the options, the problems found,
and how a record is named in a finding (``USUBJID '01-701-1015', RSSEQ 3``). Records are
addressed by position ``i`` (0-based); findings carry the record number ``i + 1``."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache

from prrt_rwe.importers.dates import PartialDate, sdtm_date
from prrt_rwe.importers.import_report import ImportReport
from prrt_rwe.importers.problems import Problem
from prrt_rwe.importers.registry_output import SourceRow
from prrt_rwe.importers.sdtm.datasets import Dataset

_cached_date = lru_cache(maxsize=1 << 16)(sdtm_date)


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

    def label(self, ds: Dataset, i: int) -> str:
        seq = f"{ds.domain}SEQ"
        text = f"USUBJID '{ds.value('USUBJID', i)}'"
        if ds.value(seq, i):
            text += f", {seq} {ds.value(seq, i)}"
        return text

    def problem(self, ds: Dataset, i: int, variable: str, code: str, message: str) -> None:
        self.problems.append(Problem(ds.file, i + 1, variable, code, f"{self.label(ds, i)}: {message}"))

    def source(self, ds: Dataset, i: int, columns: dict[str, str]) -> SourceRow:
        return SourceRow(ds.file, i + 1, self.label(ds, i),
                         {"site_id": "SITEID", "patient_id": "USUBJID", **columns})

    def date(self, ds: Dataset, i: int, variable: str) -> str:
        """ISO date of an --DTC cell ('' when empty); problems for partial or unreadable."""

        def problem(code, message):
            self.problem(ds, i, variable, code, message)

        return self.iso_date(ds.value(variable, i), f"{ds.domain}.{variable}", problem)

    def iso_date(self, text: str, key: str, problem) -> str:
        """ISO date of an ISO 8601 text ('' when empty); ``problem(code, message)`` when it is
        partial (without imputation) or unreadable; imputations counted under ``key``."""
        if not text:
            return ""
        try:
            iso, imputed = _cached_date(text, self.impute)
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

    def subject(self, ds: Dataset, i: int) -> Subject | None:
        found = self.subjects.get(ds.value("USUBJID", i))
        if found is None:
            self.problem(ds, i, "USUBJID", "I012", "subject not in DM")
        return found

    def evaluated(self, ds: Dataset, variable: str) -> list[int]:
        """Positions of the records of the chosen evaluator (an empty --EVAL counts as the
        investigator's); the others are counted as not mapped."""
        wanted = self.evaluator.upper()
        keep, others = [], Counter()
        for i, value in enumerate(ds.col(variable)):
            value = value.upper()
            if value == wanted or (not value and wanted == "INVESTIGATOR"):
                keep.append(i)
            else:
                others[value] += 1
        for value, n in sorted(others.items()):
            self.report.not_mapped(f"{ds.domain}.{variable}", value, "other evaluator", rows=n)
        return keep

    def unused(self, ds: Dataset, used) -> None:
        """The dataset's variables this importer does not read, for the import report."""
        self.report.fields_not_used.update(f"{ds.domain}.{v}" for v in ds.variables if v not in used)
