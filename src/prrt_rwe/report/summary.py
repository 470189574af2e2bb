"""Key results at the top of the report: the headline numbers in one short list."""

from __future__ import annotations

from html import escape

from prrt_rwe.report import flow
from prrt_rwe.report.section import Section
from prrt_rwe.report.study_period import complete_case_key, headline_label


def median(block: dict, nb) -> str:
    """``21.7 months (95 % CI 19.9–24.0)`` or ``not reached (95 % CI 42.0–NE)``."""
    m = block["median_months"]
    head = "not reached" if m is None else f"{m:.1f} months"
    return f"{head} (95 % CI {nb.ci(*block['ci95'])})"


def lines(ctx) -> list[str]:
    r, nb = ctx.results, ctx.numbers
    s = r["analysis_sets"]
    pfs, os_ = r["pfs"], r["os"]
    head = r["populations"]["headline"]
    head_key = complete_case_key(ctx) if head == "complete_case" else f"populations.{head}"
    return [
        f"{nb.count(s['safety'], 'analysis_sets.safety')} treated patients (safety set), "
        f"{nb.count(s['efficacy'], 'analysis_sets.efficacy')} in the efficacy set.",
        f"Efficacy in the {headline_label(ctx)} (N = {nb.count(r['populations'][head], head_key)}; "
        "the headline population). "
        f"Confirmed objective response: {nb.proportion(r['response']['orr'], 'response.orr')}; disease control "
        f"{nb.proportion(r['response']['dcr'], 'response.dcr')}.",
        f"Median PFS {median(pfs, nb)}; median OS {median(os_, nb)}; "
        f"median follow-up {nb.months(r['followup_median_months'])} months.",
        f"Median duration of response {median(r['duration_of_response'], nb)} in "
        f"{nb.count(r['duration_of_response']['n'], 'duration_of_response.n')} confirmed responders; first PRRT cycles "
        f"{r['study_period']['first_c1']} to {r['study_period']['last_c1']}, data cut-off "
        f"{r['study_period']['data_cutoff']}.",
        f"Haematologic grade ≥ 3: "
        f"{nb.proportion(r['safety']['lab_te']['hematologic_grade3plus'], 'safety.lab_te.hematologic_grade3plus')} "
        "treatment-emergent from laboratory values (worse than baseline), "
        f"{nb.proportion(r['safety']['ae']['hematologic_grade3plus'], 'safety.ae.hematologic_grade3plus')} "
        "from reported adverse events.",
    ]


def section(ctx) -> Section:
    items = "".join(f"<li>{escape(x)}</li>" for x in lines(ctx))
    return Section("summary", "Key results", f"<ul class='key'>{items}</ul>")


def terminal_summary(ctx) -> list[str]:
    """What ``prrt-rwe analyze`` prints when it ends (one screen): N per set, exclusions,
    data-quality findings, the headline numbers and what was written; counts masked as in
    the report."""
    nb, sets, q = ctx.numbers, ctx.results["analysis_sets"], ctx.quality
    excluded = ", ".join(f"{e['reason']} {nb.count(e['n'], flow.excluded_key(e['reason']))}"
                         for e in sets["excluded"])
    out = [f"Analysis sets: {nb.count(sets['enrolled'], 'analysis_sets.enrolled')} enrolled, "
           f"{nb.count(sets['safety'], 'analysis_sets.safety')} safety, "
           f"{nb.count(sets['efficacy'], 'analysis_sets.efficacy')} efficacy (excluded: {excluded})."]
    if q.get("available"):
        codes = ", ".join(f"{code} x{n}" for code, n in q["codes"].items())
        out.append(f"Data quality: {q['errors']} errors, {q['warnings']} warnings"
                   + (f" ({codes})." if codes else "."))
    else:
        out.append("Data quality: no validation summary in the input.")
    out += lines(ctx)[1:]  # the first repeats the analysis sets
    out.append("Also written: results.json, ard.parquet, run.json, figures/, tables/, and adam/ "
               "(row-level patient data: not for sharing).")
    return out
