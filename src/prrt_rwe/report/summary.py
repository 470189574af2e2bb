"""Key results at the top of the report: the headline numbers in one short list."""

from __future__ import annotations

from html import escape

from prrt_rwe.report.section import Section


def median(block: dict, nb) -> str:
    """``21.7 months (95 % CI 19.9–24.0)`` or ``not reached (95 % CI 42.0–NE)``."""
    m = block["median_months"]
    head = "not reached" if m is None else f"{m:.1f} months"
    return f"{head} (95 % CI {nb.ci(*block['ci95'])})"


def lines(ctx) -> list[str]:
    r, nb = ctx.results, ctx.numbers
    s = r["analysis_sets"]
    pfs, os_ = r["pfs"], r["os"]
    return [
        f"{nb.count(s['safety'])} treated patients (safety set), {nb.count(s['efficacy'])} in the efficacy set.",
        f"Confirmed objective response: {nb.proportion(r['response']['orr'])}; disease control "
        f"{nb.proportion(r['response']['dcr'])}.",
        f"Median PFS {median(pfs, nb)}; median OS {median(os_, nb)}; "
        f"median follow-up {nb.months(r['followup_median_months'])} months.",
        f"Median duration of response {median(r['duration_of_response'], nb)} in "
        f"{nb.count(r['duration_of_response']['n'])} confirmed responders; first PRRT cycles "
        f"{r['study_period']['first_c1']} to {r['study_period']['last_c1']}, data cut-off "
        f"{r['study_period']['data_cutoff']}.",
        f"Haematologic grade ≥ 3: {nb.proportion(r['safety']['lab_te']['hematologic_grade3plus'])} "
        "treatment-emergent from laboratory values (worse than baseline), "
        f"{nb.proportion(r['safety']['ae']['hematologic_grade3plus'])} from reported adverse events.",
    ]


def section(ctx) -> Section:
    items = "".join(f"<li>{escape(x)}</li>" for x in lines(ctx))
    return Section("summary", "Key results", f"<ul class='key'>{items}</ul>")
