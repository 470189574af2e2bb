"""Kaplan-Meier curves of PFS and OS in the KMunicate layout (Morris et al., BMJ Open
2019): the curve with its 95 % confidence band, and under it, aligned with the time axis,
the number at risk, censored so far and events so far; the median and the landmark rates
in a table with their intervals."""

from __future__ import annotations

import numpy as np

from prrt_rwe.report.section import Section, figure
from prrt_rwe.report.svg import new_figure, to_svg
from prrt_rwe.report.study_period import headline_label
from prrt_rwe.report.table import Table
from prrt_rwe.results import survival as surv

ENDPOINTS = (("pfs", "Progression-free survival"), ("os", "Overall survival"))
COLOR = "#1f5fa8"


def _step_arrays(km):
    t = np.concatenate([[0.0], np.asarray(km.time, float)]) / surv.DAYS_PER_MONTH
    s = np.concatenate([[1.0], np.asarray(km.survival, float)])
    lo = np.concatenate([[1.0], np.nan_to_num(np.asarray(km.lower, float), nan=np.nan)])
    hi = np.concatenate([[1.0], np.asarray(km.upper, float)])
    return t, s, lo, hi


def km_figure(data, options, table: dict, title: str, count,
              xlabel: str = "Months since first PRRT cycle") -> str:
    fig, (ax, tab) = new_figure(7.0, 4.6, nrows=2, sharex=True,
                                gridspec_kw={"height_ratios": [3.2, 1.0], "hspace": 0.42})
    if data.n:
        km = surv.fit(data, options)
        t, s, lo, hi = _step_arrays(km)
        ax.fill_between(t, lo, hi, step="post", color=COLOR, alpha=0.18, linewidth=0,
                        label="95 % CI")
        ax.step(t, s, where="post", color=COLOR, linewidth=1.6, label="Kaplan–Meier estimate")
        if km.median is not None:
            m = km.median / surv.DAYS_PER_MONTH
            ax.plot([0, m, m], [0.5, 0.5, 0], color="0.45", linewidth=0.8, linestyle="--")
            ax.annotate(f"median {m:.1f}", (m, 0.02), textcoords="offset points", xytext=(4, 0),
                        fontsize=7, color="0.35")
        for month in options.landmarks_months:
            at = km.survival_at(float(month) * surv.DAYS_PER_MONTH)
            if at is not None:
                ax.plot([month], [at.estimate], "o", color=COLOR, markersize=3.5)
                ax.annotate(f"{100 * at.estimate:.0f} % at {month:g} mo", (month, at.estimate),
                            textcoords="offset points", xytext=(4, 5), fontsize=7, color="0.25")
    months = table["months"]
    ax.set_ylim(0, 1.02)
    ax.set_xlim(0, months[-1])
    ax.set_ylabel(f"{title} probability")
    ax.set_xticks(months)
    ax.legend(frameon=False, loc="lower left")
    ax.grid(axis="y", color="0.9")
    rows = (("At risk", table["at_risk"]), ("Censored", table["censored"]),
            ("Events", table["events"]))
    tab.set_ylim(-0.5, len(rows) - 0.5)
    tab.axis("off")
    for i, (label, values) in enumerate(rows):
        y = len(rows) - 1 - i
        tab.text(-0.07, y, label, transform=tab.get_yaxis_transform(), ha="right", va="center",
                 fontweight="bold")
        for x, v in zip(months, values):
            tab.text(x, y, count(v), ha="center", va="center")
    ax.tick_params(labelbottom=True)
    ax.set_xlabel(xlabel)
    return to_svg(fig)


def rates_table(ctx) -> Table:
    nb, rows = ctx.numbers, []
    for key, title in ENDPOINTS:
        b = ctx.results[key]
        rows.append((title, nb.count(b["n"]), nb.count(b["events"]),
                     f"{nb.months(b['median_months'])} ({nb.ci(*b['ci95'])})",
                     *[f"{nb.rate(v['estimate'])} ({nb.ci(*[None if c is None else 100 * c for c in v['ci95']])})"
                       for v in b["rate_at"].values()]))
    landmarks = [f"{k} months, % (95 % CI)" for k in ctx.results["pfs"]["rate_at"]]
    return Table(f"Table 4. Time-to-event end points, {headline_label(ctx)}",
                 ("End point", "N", "Events", "Median, months (95 % CI)", *landmarks),
                 tuple(rows),
                 footnotes=(f"Kaplan–Meier; Greenwood variance; pointwise {int(ctx.config.km.conf_level * 100)} % "
                            f"CI on the {ctx.config.km.conf_type} scale; median CI as R quantile.survfit "
                            "(Brookmeyer–Crowley). NR = not reached; NE = not estimable.",
                            "Landmark rates are not reported beyond the last follow-up time "
                            "(R summary(..., extend = FALSE)).",
                            f"Median follow-up (reverse Kaplan–Meier): "
                            f"{nb.months(ctx.results['followup_median_months'])} months."),
                 table_id="table-tte")


def section(ctx) -> Section:
    curves, body = ctx.analysis.curves, ""
    for i, (key, title) in enumerate(ENDPOINTS):
        svg = km_figure(getattr(curves, key), curves.km_options, ctx.extras["risk_tables"][key], title,
                        ctx.numbers.count)
        body += figure(svg, f"Figure {2 + i}. {title} (KMunicate layout: at risk, censored and "
                            "events so far under the time axis).", f"fig-km-{key}")
    body += rates_table(ctx).html()
    pfs = ctx.results["pfs"]
    return Section("survival", "Progression-free and overall survival", body,
                   lead=f"Median PFS {ctx.numbers.months(pfs['median_months'])} months "
                        f"(95 % CI {ctx.numbers.ci(*pfs['ci95'])}).")
