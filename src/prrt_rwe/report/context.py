"""Everything a report part may read: the analysis, the number formatter (with the
suppression threshold), the data-quality summary, the study configuration and provenance."""

from __future__ import annotations

from dataclasses import dataclass, field

from prrt_rwe.report.numbers import Numbers


@dataclass(frozen=True)
class ReportContext:
    analysis: object  # prrt_rwe.results.analysis.Analysis
    numbers: Numbers
    config: object  # prrt_rwe.config.StudyConfig
    quality: dict = field(default_factory=dict)  # see prrt_rwe.report.quality.quality_summary
    provenance: dict = field(default_factory=dict)

    @property
    def results(self) -> dict:
        return self.analysis.results

    @property
    def extras(self) -> dict:
        return self.analysis.extras
