"""Reporting-guideline appendix: where each applicable STROBE (von Elm et al. 2007), RECORD
(Benchimol et al. 2015) and ESMO-GROW (Castelo-Branco et al. 2023) item is answered in this
report, and which items the authors must still write (the report cannot know them)."""

from __future__ import annotations

from html import escape

from markupsafe import Markup

from prrt_rwe.report.section import Section
from prrt_rwe.report.table import Table

AUTHORS = "authors (manuscript)"

# (guideline, item, topic, where: section ids, space-separated, or AUTHORS)
ITEMS = (
    ("STROBE", "1", "Title and abstract", AUTHORS),
    ("STROBE", "2–3", "Background, objectives", AUTHORS),
    ("STROBE", "4", "Study design", "methods"),
    ("STROBE", "5", "Setting, dates (study period, data cut-off)", "flow"),
    ("STROBE", "6", "Participants, eligibility", "methods"),
    ("STROBE", "7", "Variables: outcomes, exposures, confounders", "methods"),
    ("STROBE", "8", "Data sources / measurement", "methods"),
    ("STROBE", "9", "Bias", "limitations confounding"),
    ("STROBE", "10", "Study size", "flow"),
    ("STROBE", "11", "Quantitative variables", "methods"),
    ("STROBE", "12a–e", "Statistical methods, missing data, sensitivity analyses", "methods"),
    ("STROBE", "13", "Participants at each stage (flow diagram)", "flow"),
    ("STROBE", "13–14", "Included against excluded participants", "included"),
    ("STROBE", "14a", "Descriptive data", "baseline"),
    ("STROBE", "14b", "Missing data per variable", "baseline missing-data"),
    ("STROBE", "14c", "Follow-up time", "survival"),
    ("STROBE", "15", "Outcome data", "response duration survival safety late-effects hormonal"),
    ("STROBE", "16", "Main results with precision, adjusted estimates", "models confounding"),
    ("STROBE", "16a", "Unadjusted beside adjusted estimates", "models"),
    ("STROBE", "17", "Other analyses (subgroups, sensitivity)",
     "survival-groups populations sensitivity missing-data confounding sites"),
    ("STROBE", "18–21", "Key results, limitations, interpretation, generalisability", "summary limitations"),
    ("STROBE", "22", "Funding", AUTHORS),
    ("RECORD", "1.1–1.3", "Type of data, databases, linkage", AUTHORS),
    ("RECORD", "6.1–6.3", "Selection of the population, codes and algorithms", "methods"),
    ("RECORD", "7.1", "Codes and algorithms for exposures and outcomes", "methods"),
    ("RECORD", "12.1", "Data access and cleaning", "quality"),
    ("RECORD", "12.2", "Linkage", AUTHORS),
    ("RECORD", "13.1", "Selection of persons (flow)", "flow"),
    ("RECORD", "19.1", "Limitations of data not created for research", "limitations"),
    ("RECORD", "22.1", "Access to protocol, data and code", "provenance"),
    ("ESMO-GROW", "Data source", "Source, period, sites, data quality", "quality sites"),
    ("ESMO-GROW", "Population", "Study period and efficacy populations", "flow"),
    ("ESMO-GROW", "Population", "Eligibility, flow, baseline characteristics", "baseline"),
    ("ESMO-GROW", "Outcomes", "Definitions of response, PFS, OS, toxicity", "methods"),
    ("ESMO-GROW", "Analysis", "Handling of missing data, censoring, sensitivity", "missing-data sensitivity"),
    ("ESMO-GROW", "Context", "Comparison with trials and other cohorts", "benchmarks"),
    ("ESMO-GROW", "Reproducibility", "Code version and input fingerprint", "provenance"),
)


def _where(where: str):
    if where == AUTHORS:
        return where
    return Markup(", ".join(f'<a href="#{escape(w)}">§ {escape(w)}</a>' for w in where.split()))


def table() -> Table:
    return Table("Appendix. Reporting checklist", ("Guideline", "Item", "Topic", "Answered in"),
                 tuple((g, i, t, _where(w)) for g, i, t, w in ITEMS), table_id="table-checklist",
                 text_columns=4)


def section(ctx) -> Section:
    return Section("checklist", "Appendix: STROBE, RECORD and ESMO-GROW checklist", table().html())
