"""Limitations a reviewer would raise about a registry-based PRRT study, stated up front."""

from __future__ import annotations

from prrt_rwe.report.numbering import ref
from prrt_rwe.report.section import Section

LIMITATIONS = (
    "Retrospective registry data: assessment schedules follow clinical practice, so progression "
    "dates are interval-censored and PFS depends on scan frequency.",
    "Responses are the sites' recorded RECIST time-point responses without central review.",
    "Complete-case analysis of the headline models: patients with a missing covariate are excluded "
    "(counts in the participant flow); multiple imputation (Missing data) assumes the values are missing "
    "at random given the recorded data, which the data cannot prove.",
    "Observational exposures: IPTW balances the measured confounders only; the E-values say how strong an "
    "unmeasured one would have to be.",
    f"No control arm: comparisons with published trials ({ref('table-benchmarks', 'table-maic')}) match our patients to each "
    "trial's eligibility and, where baseline targets exist, reweight them (MAIC), but remain descriptive; "
    "lines of therapy, assessment schedules and unmatched prognostic factors differ.",
    "Laboratory grades depend on the timing of blood tests; reported adverse events may be "
    "under-recorded in routine care, which is why both are shown.",
    "Small-cell suppression, when requested, protects each table and figure against exact "
    "recomputation from its own arithmetic and keeps a masked count masked report-wide; a "
    "reader combining a total with what '<k' means may still narrow a masked count (two '<3' "
    "adding up to 2 are both 1), and differences between overlapping populations shown in "
    f"different tables (the safety and efficacy columns of {ref('table1')}) are not audited; "
    "Kaplan–Meier steps show the timing of events.",
)


def section(ctx) -> Section:
    items = "".join(f"<li>{text}</li>" for text in LIMITATIONS)
    return Section("limitations", "Limitations", f"<ul>{items}</ul>")
