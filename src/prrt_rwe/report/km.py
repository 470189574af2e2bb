"""Kaplan-Meier curves of PFS and OS in the KMunicate layout (Morris et al., BMJ Open
2019): the curve with its 95 % confidence band, and under it, aligned with the time axis,
the number at risk, censored so far and events so far; the median and the landmark rates
in a table with their intervals."""

from __future__ import annotations

import numpy as np
from matplotlib.text import Text

from prrt_rwe.report.cells import Show, Sum
from prrt_rwe.report.section import Section, figure
from prrt_rwe.report.svg import legend, new_figure, to_svg
from prrt_rwe.report.study_period import headline_label
from prrt_rwe.report.table import Table
from prrt_rwe.results import survival as surv

ENDPOINTS = (("pfs", "Progression-free survival"), ("os", "Overall survival"))
LEADER = {"arrowstyle": "-", "color": "0.6", "lw": 0.5, "shrinkA": 1, "shrinkB": 2}
TRUNCATED = " The curve stops where fewer patients than the suppression threshold remain at risk."
COLOR = "#1f5fa8"


def _step_arrays(km, min_at_risk: int = 0):
    """Step coordinates in months; with ``min_at_risk`` the curve stops where fewer patients
    remain at risk (under suppression: each late step would be one or two patients)."""
    keep = np.asarray(km.n_risk, float) >= min_at_risk
    t = np.concatenate([[0.0], np.asarray(km.time, float)[keep]]) / surv.DAYS_PER_MONTH
    s = np.concatenate([[1.0], np.asarray(km.survival, float)[keep]])
    lo = np.concatenate([[1.0], np.asarray(km.lower, float)[keep]])
    hi = np.concatenate([[1.0], np.asarray(km.upper, float)[keep]])
    return t, s, lo, hi


def risk_rows(numbers, name: str, key: str, table: dict, events_total=None) -> tuple:
    """The KMunicate rows (at risk, censored so far, events so far) as shown: each column
    adds up to the N at risk at 0, so a masked cell is not recomputable from its column,
    nor from differences of the numbers at risk (complementary suppression). The last
    column's events, when they are all the events, are the ``<key>.events`` count that
    the end-point table shows."""
    N = numbers.population(f"{key}.n", table["at_risk"][0] if table["at_risk"] else 0)
    grid = {row: [numbers.n(f"{key}.risk_table.{row}.{m}", v) for m, v in zip(table["months"], table[row])]
            for row in ("at_risk", "censored", "events")}
    if grid["events"] and grid["events"][-1].value == events_total:
        grid["events"][-1] = numbers.n(f"{key}.events", events_total)
    sums = tuple(Sum(N, (a, c, e)) for a, c, e in zip(grid["at_risk"], grid["censored"], grid["events"]))
    view = numbers.resolve(name, [Show(c) for cells in grid.values() for c in cells], sums)
    return tuple((label, [view.text(Show(c)) for c in grid[row]])
                 for row, label in (("at_risk", "At risk"), ("censored", "Censored"), ("events", "Events")))


def text_box(label, renderer):
    """The box of an annotation's text alone (without its leader line)."""
    return Text.get_window_extent(label, renderer)


def spread_labels(fig, labels, gap_points: float = 1.5) -> None:
    """Move annotations (offset in points) up until none overlaps one placed before it."""
    renderer = fig.canvas.get_renderer()
    if labels:   # the layout first (what a draw does first): boxes where they will be drawn
        fig.get_layout_engine().execute(fig)
    placed = []
    for label in labels:
        label.update_positions(renderer)   # its text transform, as drawing it sets it
        for _ in range(40):
            box = text_box(label, renderer)
            if not any(box.overlaps(other) for other in placed):
                break
            dx, dy = label.xyann
            label.xyann = (dx, dy + box.height * 72 / fig.dpi + gap_points)
        placed.append(text_box(label, renderer))


def km_figure(data, options, table: dict, title: str, numbers, key: str, name: str,
              events_total=None, xlabel: str = "Months since first PRRT cycle") -> str:
    """The figure as SVG; ``key`` names its counts (results.json path), ``name`` its figure id."""
    return to_svg(draw_km(data, options, table, title, numbers, key, name, events_total, xlabel)[0])


def draw_km(data, options, table: dict, title: str, numbers, key: str, name: str, events_total=None,
            xlabel: str = "Months since first PRRT cycle"):
    """(figure, its median and landmark labels): the curve, its band and the KMunicate rows."""
    fig, (ax, tab) = new_figure(7.0, 4.6, nrows=2, sharex=True,
                                gridspec_kw={"height_ratios": [3.2, 0.8]})
    fig.get_layout_engine().set(hspace=0.0, h_pad=0.06)
    labels = []
    if data.n:
        km = surv.fit(data, options)
        t, s, lo, hi = _step_arrays(km, numbers.suppress_below or 0)
        ax.fill_between(t, lo, hi, step="post", color=COLOR, alpha=0.18, linewidth=0,
                        label="95 % CI")
        ax.step(t, s, where="post", color=COLOR, linewidth=1.6, label="Kaplan–Meier estimate")
        if km.median is not None:
            m = km.median / surv.DAYS_PER_MONTH
            ax.plot([0, m, m], [0.5, 0.5, 0], color="0.45", linewidth=0.8, linestyle="--")
            labels.append(ax.annotate(f"median {m:.1f}", (m, 0.02), textcoords="offset points",
                                      xytext=(4, 0), fontsize=7, color="0.35"))
        for month in options.landmarks_months:
            at = km.survival_at(float(month) * surv.DAYS_PER_MONTH)
            if at is not None and float(month) <= t[-1]:
                ax.plot([month], [at.estimate], "o", color=COLOR, markersize=3.5)
                labels.append(ax.annotate(f"{100 * at.estimate:.0f} % at {month:g} mo", (month, at.estimate),
                                          textcoords="offset points", xytext=(4, 5), fontsize=7,
                                          color="0.25", arrowprops=LEADER))
    months = table["months"]
    ax.set_ylim(0, 1.02)
    ax.set_xlim(0, months[-1])
    ax.set_ylabel(f"{title} probability")
    ax.set_xticks(months)
    legend(ax, frameon=False, loc="lower left")
    ax.grid(axis="y", color="0.9")
    rows = risk_rows(numbers, name, key, table, events_total)
    tab.set_ylim(-0.5, len(rows) - 0.5)
    tab.axis("off")
    for i, (label, values) in enumerate(rows):
        y = len(rows) - 1 - i
        tab.text(-0.07, y, label, transform=tab.get_yaxis_transform(), ha="right", va="center",
                 fontweight="bold")
        for x, v in zip(months, values):
            tab.text(x, y, v, ha="center", va="center")
    ax.tick_params(labelbottom=True)
    ax.set_xlabel(xlabel)
    spread_labels(fig, labels)
    return fig, labels


def rates_table(ctx) -> Table:
    nb, rows = ctx.numbers, []
    for key, title in ENDPOINTS:
        b = ctx.results[key]
        rows.append((title, Show(nb.population(f"{key}.n", b["n"])), Show(nb.n(f"{key}.events", b["events"])),
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
                 table_id="table-tte", numbers=nb)


def section(ctx) -> Section:
    curves, body = ctx.analysis.curves, ""
    for i, (key, title) in enumerate(ENDPOINTS):
        svg = km_figure(getattr(curves, key), curves.km_options, ctx.extras["risk_tables"][key], title,
                        ctx.numbers, key, f"fig-km-{key}", ctx.results[key]["events"])
        body += figure(svg, f"Figure {2 + i}. {title} (KMunicate layout: at risk, censored and "
                            "events so far under the time axis)." + TRUNCATED * bool(ctx.numbers.suppress_below),
                       f"fig-km-{key}")
    body += rates_table(ctx).html()
    pfs = ctx.results["pfs"]
    return Section("survival", "Progression-free and overall survival", body,
                   lead=f"Median PFS {ctx.numbers.months(pfs['median_months'])} months "
                        f"(95 % CI {ctx.numbers.ci(*pfs['ci95'])}).")
