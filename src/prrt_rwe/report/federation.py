"""The federated report (shared/spec/federated.md): the pooled report's parts, a section that
says how the network computed it, and every part whose numbers were not released marked as not
available instead of drawn from nothing.

``federated_part`` and ``with_federation`` are used by report/html.py when results.json carries
``"mode": "federated"``; the pooled report is unchanged.
"""

from __future__ import annotations

from prrt_rwe.federated.disclosure import UNIT_DAYS
from prrt_rwe.report.section import Section, paragraph
from prrt_rwe.report.table import Table

__all__ = ["federated_part", "marked_parts", "section", "with_federation"]

# What a report part stands on, named in the marker that replaces it when its numbers are absent.
PART_TITLES = {"summary": "Key results", "flow": "Participants", "table1": "Patient characteristics",
               "response": "Tumour response", "km": "Progression-free and overall survival",
               "forest": "Models", "sensitivity": "Sensitivity analyses", "safety": "Safety",
               "hormonal": "Hormonal symptoms", "benchmarks": "Published benchmarks",
               "missing_data": "Missing data", "confounding": "Confounding", "sites": "Sites",
               "late_effects": "Late effects"}


def _unit_effect(unit: str) -> str:
    if unit == "day":
        return "Event and censoring times were used to the day."
    days = UNIT_DAYS[unit]
    return (f"Event and censoring times were rounded up to whole {unit}s ({days:g} days) at each site "
            f"before any count left it: medians, landmark rates and hazard ratios are those of the "
            f"rounded times (a median can move by up to {days / 30.4375:.2f} months); "
            "benchmarks/RESULTS.md tabulates the effect against the pooled analysis.")


def _cell_rule(m: int) -> str:
    if m <= 1:
        return "No small-cell rule was applied (min_cell = 1): every count was released."
    return (f"No count under {m} left a site: a count from 1 to {m - 1} (and, for a proportion, its "
            f"complement) was suppressed with the smallest other count of its table; per-time counts "
            f"were pooled into the next released time until every count of the time was 0 or at "
            f"least {m}; a site-stratified Cox or logistic contribution with fewer than {m} events "
            "(or non-events) was refused.  A key that needs a suppressed release is not available.")


def section(ctx) -> Section:
    fed = ctx.results["federation"]
    quant = fed.get("quantization")
    secure = ("The models' sums (" + ", ".join(quant["secured"]) + ") were added by Flower SecAgg+ secure "
              "aggregation: the coordinator saw their sum over the sites, never a site's own; their "
              f"fixed-point encoding is exact to {quant['max_relative_error']:.1g} of each array's scale. "
              "Counts and per-time tables were released under the small-cell rules, as without it; the "
              "site-clustered logistic variance, which needs each site's score, is not available."
              if fed.get("secure_aggregation") and quant else
              "Secure aggregation was off: the coordinator saw each site's aggregates (never a patient's row).")
    body = "".join(paragraph(t) for t in (
        f"{fed['sites']} sites each analysed their own rows with this software (validation, ADaM "
        "derivations and the statistics of the pooled analysis); only the aggregates listed in each "
        "site's audit log left the site.",
        _cell_rule(fed["min_cell"]), _unit_effect(fed["time_unit"]), secure,
        "Exact where the mathematics allows: counts, proportions and their Clopper–Pearson intervals; "
        "Kaplan–Meier curves, medians and landmarks from per-time counts; the Cox models from "
        "per-site risk-set sums and strata (WebDISCO), the logistic model by distributed Newton steps. "
        "What needs a patient's row is not approximated: it is listed below."))
    rows = tuple((k, fed["reasons"].get(k, "")) for k in fed["not_available"])
    body += Table("Not available in the federated analysis", ("results.json key", "Why"),
                  rows or (("—", "everything of results.json was computed"),),
                  table_id="table-federation-not-available", text_columns=2).html()
    suppressed = tuple((s["key"], ", ".join(s["sites"]), s["reason"]) for s in fed.get("suppressed", ()))
    if suppressed:
        body += Table(f"Suppressed under min_cell {fed['min_cell']}", ("results.json key", "Sites", "Rule"),
                      suppressed, table_id="table-federation-suppressed", text_columns=3).html()
    return Section("federation", "Federated analysis", body,
                   lead=f"{fed['sites']} sites; min_cell {fed['min_cell']}; times by {fed['time_unit']}; "
                        f"{len(fed['not_available'])} keys not available, {len(suppressed)} suppressed.")


def _not_available(name: str, exc: Exception) -> Section:
    title = PART_TITLES.get(name, name.replace("_", " ").capitalize())
    return Section(f"{name.replace('_', '-')}-not-available", title, paragraph(
        f"Not available in this federated analysis: numbers this section is built on were not "
        f"released by every site (see Federated analysis; {type(exc).__name__})."))


def federated_part(part, ctx):
    """A part's section, or a marker saying it is not available when its numbers are missing."""
    try:
        return part.section(ctx)
    except (TypeError, KeyError, ValueError, ZeroDivisionError, IndexError, AttributeError) as exc:
        return _not_available(part.__name__.rsplit(".", 1)[-1], exc)


def with_federation(ctx, parts, built: list) -> list:
    """The built sections with the federation section after the summary."""
    out = []
    for part, sec in zip(parts, built):
        out.append(sec)
        if part.__name__.endswith(".summary"):
            out.append(section(ctx))
    return out


def marked_parts(sections) -> list[str]:
    """Ids of the parts shown as not available (tests: none at min_cell 1)."""
    return [s.id for s in sections if s.id.endswith("-not-available")]

