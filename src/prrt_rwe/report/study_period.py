"""The study period (STROBE item 5, "Setting: dates") for the Participants section and the
methods, and the values ignored after the data cut-off for the data-quality section."""

from __future__ import annotations

from prrt_rwe.report.cells import Show
from prrt_rwe.report.section import paragraph
from prrt_rwe.report.table import Table

POPULATION_LABELS = {"complete_case": "complete-case model set", "evaluable": "response-evaluable population"}
IGNORED_LABELS = {
    "cycles": "PRRT cycles (rows)", "assessments": "Tumour assessments (rows)", "lesions": "Lesion measurements (rows)",
    "labs": "Laboratory results (rows)", "adverse_events": "Adverse events (rows)",
    "death_date": "Deaths after the cut-off (OS censored at the cut-off)",
    "last_contact_date": "Last contact dates after the cut-off (set to the cut-off)",
    "next_therapy_date": "Next-therapy dates after the cut-off (not started by then)",
}


HEADLINE_SHORT = {"complete_case": "complete-case set", "evaluable": "response-evaluable population"}


def headline_label(ctx) -> str:
    """The headline population as a table title names it."""
    return HEADLINE_SHORT[ctx.results["populations"]["headline"]]


def period_sentence(ctx) -> str:
    """``First PRRT cycles from 2021-09 to 2023-12; data cut-off 2025-06-30 (45.8 months after...)``."""
    sp = ctx.results["study_period"]
    if sp["first_c1"] is None:
        return f"No patient was treated before the data cut-off ({sp['data_cutoff'] or 'none'})."
    source = ("[study] data_cutoff in study.toml" if ctx.config.study.data_cutoff is not None
              else "the latest date in the registry, no [study] data_cutoff being set")
    return (f"First PRRT cycles from {sp['first_c1']} to {sp['last_c1']}; data cut-off {sp['data_cutoff']} "
            f"({source}), {ctx.numbers.months(sp['followup_calendar_months'])} months after the first C1.")


def complete_case_key(ctx) -> str:
    """The key of the complete-case set's size (the efficacy set's when they are one)."""
    r = ctx.results
    same = r["populations"]["complete_case"] == r["analysis_sets"]["efficacy"]
    return "analysis_sets.efficacy" if same else "populations.complete_case"


def populations_sentence(ctx) -> str:
    pops, nb = ctx.results["populations"], ctx.numbers
    return (f"Efficacy populations: response-evaluable (safety set with a baseline assessment) "
            f"n = {nb.count(pops['evaluable'], 'populations.evaluable')}; complete-case model set (every "
            f"model covariate known) n = {nb.count(pops['complete_case'], complete_case_key(ctx))}. Headline results use the "
            f"{POPULATION_LABELS[pops['headline']]} ([study] headline_population); the models always use "
            "the complete-case set.")


def participants_html(ctx) -> str:
    """Paragraphs for the Participants section."""
    return paragraph(period_sentence(ctx)) + paragraph(populations_sentence(ctx))


def cutoff_table(ctx) -> Table:
    """Rows and values after the data cut-off, ignored by every analysis."""
    ignored, nb = ctx.extras.get("data_cutoff_ignored", {}), ctx.numbers
    rows = tuple((IGNORED_LABELS.get(k, k), Show(nb.n(f"extras.data_cutoff_ignored.{k}", n)))
                 for k, n in ignored.items())
    return Table(f"Table 12b. Records dated after the data cut-off ({ctx.results['study_period']['data_cutoff']}), "
                 "ignored", ("Record", "Ignored"), rows or (("—", "0"),),
                 footnotes=("Applied once, before every derivation: events and values after the cut-off "
                            "are not known at the cut-off. PFS is then censored at the last adequate "
                            "assessment on or before the cut-off.",),
                 table_id="table-cutoff", numbers=nb)
