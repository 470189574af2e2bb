"""Duration of and time to response (confirmed responders of the headline population), with
the Kaplan-Meier curve of the duration of response, the waterfall plot of the best change in
the target-lesion sum and the swimmer plot of the responders.

A bar of the waterfall or swimmer plot is one patient, so both are left out when
``--suppress-below`` is set (the report says so); neither carries an identifier.
"""

from __future__ import annotations

import numpy as np
from matplotlib.collections import PolyCollection
from matplotlib.patches import Patch

from prrt_rwe.report.cells import Show, Stat, Sum
from prrt_rwe.report.km import km_figure
from prrt_rwe.report.numbering import ref
from prrt_rwe.report.section import Section, figure, paragraph
from prrt_rwe.report.svg import new_figure, to_svg
from prrt_rwe.report.table import Table
from prrt_rwe.results import survival as surv
from prrt_rwe.results.analysis import risk_table_months

BOR_COLORS = {"CR": "#1b7837", "PR": "#5aae61", "SD": "#9e9e9e", "PD": "#c0392b", "NE": "#d9d9d9"}
PR_LINE, PD_LINE = -30.0, 20.0   # RECIST 1.1 section 4.3.1: PR -30 %, PD +20 %
WATERFALL_CAP = 100.0            # bars above +100 % are drawn at +100 % (marked)
# One bar per patient stops being legible (and the SVG grows with it) beyond these.
MAX_WATERFALL_BARS = 1000
MAX_SWIMMER_ROWS = 200


def table(ctx) -> Table:
    r, nb = ctx.results, ctx.numbers
    dor, ttr = r["duration_of_response"], r["time_to_response_months"]
    rates = [f"{nb.rate(v['estimate'])} ({nb.ci(*[None if c is None else 100 * c for c in v['ci95']])})"
             for v in dor["rate_at"].values()]
    n, ttr_n = nb.n("duration_of_response.n", dor["n"]), nb.n("time_to_response_months.n", ttr["n"])
    rows = (("Duration of response", Show(n), Show(nb.n("duration_of_response.events", dor["events"])),
             Stat(f"{nb.months(dor['median_months'])} ({nb.ci(*dor['ci95'])})", (n,)),
             *[Stat(rate, (n,)) for rate in rates]),
            ("Time to response", Show(ttr_n), "—",
             Stat(f"{nb.number(ttr['median'])} ({nb.number(ttr['q1'])}–{nb.number(ttr['q3'])})", (ttr_n,)),
             *["—"] * len(rates)))
    orr = r["response"]["orr"]["n"]   # the responders are the headline ORR's
    sums = tuple(Sum(nb.n("response.orr.n", orr), (c,)) for c in (n, ttr_n) if c.value == orr)
    return Table("Table 4b. Duration of response and time to response, confirmed responders",
                 ("", "Responders", "Events", "Median, months (95 % CI; TTR: Q1–Q3)",
                  *[f"{k} months, % (95 % CI)" for k in dor["rate_at"]]), rows,
                 footnotes=("Duration of response: from the first assessment with CR or PR (RECIST 1.1: "
                            "when the criteria are first met) to progression or death, censored as PFS "
                            f"(same date); Kaplan–Meier as {ref('table-tte')}.",
                            "Time to response: C1 to that assessment; responders only, so never censored: "
                            "median and quartiles (R quantile type 7)."),
                 table_id="table-dor", sums=sums, numbers=nb)


def rectangles(ax, left, right, bottom, top, color) -> None:
    """Axis-aligned rectangles as one collection (one SVG path, not one patch per bar)."""
    left, right, bottom, top = (np.asarray(v, dtype=float) for v in (left, right, bottom, top))
    if left.size == 0:
        return
    verts = np.stack([np.column_stack(c) for c in ((left, bottom), (left, top), (right, top), (right, bottom))],
                     axis=1)
    ax.add_collection(PolyCollection(verts, facecolors=color, edgecolors="none", linewidths=0))


def _by_bor(rows):
    bor = rows["bor"].to_numpy(dtype=object)
    for name, color in BOR_COLORS.items():
        yield bor == name, color
    other = ~np.isin(bor, list(BOR_COLORS))
    yield other, BOR_COLORS["NE"]


def waterfall_figure(rows) -> str:
    fig, ax = new_figure(7.0, 3.4)
    values = rows["pchg_best"].to_numpy(dtype=float)
    shown = np.minimum(values, WATERFALL_CAP)
    x = np.arange(len(values))
    for hit, color in _by_bor(rows):
        rectangles(ax, x[hit] - 0.425, x[hit] + 0.425, np.zeros(hit.sum()), shown[hit], color)
    capped = values > WATERFALL_CAP
    if capped.any():
        ax.plot(x[capped], shown[capped] + 3, "^", color="0.3", markersize=3)
    for y in (PD_LINE, PR_LINE):
        ax.axhline(y, color="0.35", linewidth=0.8, linestyle="--")
        ax.annotate(f"{y:+.0f} %", (len(values) - 0.5, y), xytext=(2, 2), textcoords="offset points",
                    fontsize=7, color="0.3", ha="right")
    ax.axhline(0, color="0.2", linewidth=0.6)
    ax.set_xticks([])
    ax.set_xlim(-0.6, max(len(values), 1) - 0.4)
    ax.set_ylim(min(-100.0, float(shown.min(initial=0)) - 5), max(PD_LINE + 10, float(shown.max(initial=0)) + 8))
    ax.set_ylabel("Best change in target-lesion sum (%)")
    ax.set_xlabel("Patients (one bar each), ordered by best change")
    handles = [Patch(color=color, label=bor) for bor, color in BOR_COLORS.items()]
    ax.legend(handles=handles, frameon=False, ncol=5, loc="lower center", bbox_to_anchor=(0.5, 1.0),
              title="Confirmed best overall response", fontsize=7, title_fontsize=7)
    return to_svg(fig)


def swimmer_figure(rows) -> str:
    n = len(rows)
    fig, ax = new_figure(7.0, max(2.6, 0.07 * n + 1.2))
    y = np.arange(n)[::-1].astype(float)
    zero = np.zeros(n)
    rectangles(ax, zero, rows["followup_end"], y - 0.4, y + 0.4, "#e6e9ed")
    rectangles(ax, zero, rows["treatment_end"], y - 0.4, y + 0.4, "#8c96a3")
    for hit, color in _by_bor(rows):
        rectangles(ax, rows["response_start"][hit], rows["response_end"][hit], y[hit] - 0.19, y[hit] + 0.19, color)
    prog = rows["progressed"].to_numpy(dtype=bool)
    died = rows["died"].to_numpy(dtype=bool)
    ax.plot(rows["response_end"][prog], y[prog], "x", color="#c0392b", markersize=3.5, label="Progression or death")
    ax.plot(rows["followup_end"][died], y[died], "s", color="0.15", markersize=2.5, label="Death")
    ax.plot(rows["followup_end"][~died] + 0.4, y[~died], ">", color="0.45", markersize=3,
            label="Alive at last follow-up")
    handles = [Patch(color="#e6e9ed", label="Follow-up"), Patch(color="#8c96a3", label="PRRT (C1 to last cycle)"),
               Patch(color=BOR_COLORS["PR"], label="Response (PR)"), Patch(color=BOR_COLORS["CR"], label="Response (CR)")]
    ax.set_yticks([])
    ax.set_ylim(-1, n)
    ax.set_xlim(0, float(rows["followup_end"].max()) + 2 if n else 1)
    ax.set_xlabel("Months since first PRRT cycle")
    ax.set_ylabel("Confirmed responders (one bar each)")
    ax.legend(handles=handles + ax.get_legend_handles_labels()[0], frameon=False, fontsize=7, ncol=4,
              loc="lower center", bbox_to_anchor=(0.5, 1.0))
    return to_svg(fig)


def _dor_figure(ctx) -> str:
    data = ctx.analysis.efficacy.dor
    risk = surv.risk_table(data, risk_table_months(data, data))
    return km_figure(data, ctx.analysis.curves.km_options,
                     {"months": list(risk.months), "at_risk": list(risk.at_risk),
                      "censored": list(risk.censored), "events": list(risk.events)},
                     "Duration of response", ctx.numbers, "duration_of_response", "fig-km-dor",
                     ctx.results["duration_of_response"]["events"], xlabel="Months since first response")


def patient_plots(ctx) -> str:
    """The waterfall and swimmer plots, or why they are not drawn."""
    figs, nb = ctx.analysis.efficacy, ctx.numbers
    if nb.suppress_below:
        return paragraph("The waterfall and swimmer plots are left out: each bar is one patient, and "
                         f"small-cell suppression (--suppress-below {nb.suppress_below}) was requested.")
    if len(figs.waterfall) > MAX_WATERFALL_BARS:
        body = paragraph(f"No waterfall plot: {nb.count(len(figs.waterfall))} patients have a target-lesion "
                         f"sum, more than the {MAX_WATERFALL_BARS:,} bars a legible plot holds.")
    elif len(figs.waterfall):
        body = figure(waterfall_figure(figs.waterfall),
                      "Figure 3c. Best percentage change from baseline in the sum of target-lesion diameters, "
                      "one bar per patient with a baseline and a post-baseline sum, coloured by confirmed best "
                      f"overall response; dashed lines at {PD_LINE:+.0f} % (progression) and {PR_LINE:+.0f} % "
                      f"(partial response), RECIST 1.1; bars above +{WATERFALL_CAP:.0f} % drawn at "
                      f"+{WATERFALL_CAP:.0f} % (▲).", "fig-waterfall")
    else:
        body = paragraph("No waterfall plot: no patient has a baseline and a post-baseline target-lesion sum "
                         "(assessments' sum_diameters_mm or lesions.csv).")
    if len(figs.swimmer) > MAX_SWIMMER_ROWS:
        body += paragraph(f"No swimmer plot: {nb.count(len(figs.swimmer))} confirmed responders, more than the "
                          f"{MAX_SWIMMER_ROWS} rows a legible plot holds.")
    elif len(figs.swimmer):
        body += figure(swimmer_figure(figs.swimmer),
                       "Figure 3d. Swimmer plot of the confirmed responders: PRRT, response (coloured by best "
                       "response) and follow-up, in months since C1.", "fig-swimmer")
    return body


def section(ctx) -> Section:
    body = table(ctx).html()
    if ctx.analysis.efficacy.dor.n:
        body += figure(_dor_figure(ctx), "Figure 3b. Duration of response, confirmed responders (Kaplan–Meier, "
                                         "KMunicate layout).", "fig-km-dor")
    body += patient_plots(ctx)
    dor = ctx.results["duration_of_response"]
    return Section("duration", "Duration of response", body,
                   lead=f"Median duration of response {ctx.numbers.months(dor['median_months'])} months "
                        f"(95 % CI {ctx.numbers.ci(*dor['ci95'])}) in "
                        f"{ctx.numbers.count(dor['n'], 'duration_of_response.n')} "
                        "confirmed responders.")
