"""Figures of the comparison section: the forest-style plot of published versus matched
estimates (rates and months in separate panels, both axes from 0), the MAIC weight
histograms, and the overlay of our weighted PFS with a reconstructed trial arm."""

from __future__ import annotations

import numpy as np

from prrt_rwe.report.comparison_labels import endpoint_label, is_rate, ours_view, short_arm
from prrt_rwe.report.svg import new_figure, to_svg

PUBLISHED, OURS = "#b4462f", "#1f5fa8"


def _label(row: dict) -> str:
    return f"{row['study']} · {short_arm(row['arm'])} · {endpoint_label(row['endpoint'])}"


def _interval(ax, y, estimate, ci, scale, xmax, color, marker, mfc):
    lo, hi = (None, None) if not ci else ci
    if lo is not None or hi is not None:
        left = 0 if lo is None else lo * scale
        right = xmax if hi is None else hi * scale
        ax.plot([left, right], [y, y], color=color, linewidth=1.3, linestyle="-" if hi is not None else "--")
    if estimate is not None:
        ax.plot(estimate * scale, y, marker, color=color, mfc=mfc, mec=color, markersize=5.5)
    else:
        ax.annotate("NR", (xmax, y), textcoords="offset points", xytext=(-14, -3), fontsize=6.5, color=color)


def _panel(ax, rows, scale, xlabel, show_ours):
    ys = np.arange(len(rows))[::-1]
    values = [v * scale for r in rows for side in ("published", "ours")
              for v in [r[side]["estimate"], *(r[side]["ci95"] or [])] if v is not None]
    xmax = max(values + [1.0]) * 1.08
    for y, r, show in zip(ys, rows, show_ours):
        _interval(ax, y + 0.16, r["published"]["estimate"], r["published"]["ci95"], scale, xmax, PUBLISHED, "D", "white")
        if show:
            _interval(ax, y - 0.16, r["ours"]["estimate"], r["ours"]["ci95"], scale, xmax, OURS, "s", OURS)
    ax.set_yticks(ys, [_label(r) for r in rows], fontsize=7)
    ax.set_xlim(0, xmax)
    ax.set_ylim(-0.7, len(rows) - 0.3)
    ax.set_xlabel(xlabel)
    ax.grid(axis="x", color="0.92")


def forest_figure(ctx) -> str:
    rows = ctx.results["comparisons"]
    panels = [(r_, s, x) for r_, s, x in (([r for r in rows if is_rate(r["endpoint"])], 100, "Rate, % (95 % CI)"),
                                          ([r for r in rows if not is_rate(r["endpoint"])], 1, "Median, months (95 % CI)"))
              if r_]
    if not panels:
        panels = [([], 1, "")]
    heights = [max(len(p[0]), 1) * 0.3 + 0.9 for p in panels]
    fig, axes = new_figure(7.2, sum(heights), nrows=len(panels), gridspec_kw={"height_ratios": heights})
    axes = np.atleast_1d(axes)
    view, cells = ours_view(ctx, "fig-benchmarks")
    shown = {id(r): not view.hides(c) for r, (c, _n, _s) in zip(rows, cells)}
    for ax, (prow, scale, xlabel) in zip(axes, panels):
        _panel(ax, prow, scale, xlabel, [shown[id(r)] for r in prow])
    axes[0].plot([], [], "D", color=PUBLISHED, mfc="white", label="Published")
    axes[0].plot([], [], "s", color=OURS, label="This cohort, matched")
    axes[0].legend(frameon=False, fontsize=7, loc="lower right", bbox_to_anchor=(1.0, 1.0), ncol=2)
    fig.get_layout_engine().set(hspace=0.08)
    return to_svg(fig)


def weights_figure(ctx) -> str:
    """Small multiples of the rescaled MAIC weights; '' when none or under suppression."""
    if ctx.numbers.suppress_below:
        return ""
    hists = [(item, ctx.extras["comparators"][item["id"]]["maic"]) for item in ctx.results["comparators"]
             if item["maic"] is not None and "maic" in ctx.extras["comparators"].get(item["id"], {})
             and ctx.extras["comparators"][item["id"]]["maic"].get("weights_histogram") is not None]
    if not hists:
        return ""
    fig, axes = new_figure(3.2 * len(hists), 2.3, ncols=len(hists), squeeze=False)
    for ax, (item, mx) in zip(axes[0], hists):
        h = mx["weights_histogram"]
        edges = np.asarray(h["edges"])
        ax.bar(edges[:-1], h["counts"], width=np.diff(edges), align="edge", color=OURS, alpha=0.75,
               edgecolor="white")
        ax.axvline(1.0, color="0.4", linewidth=0.8, linestyle="--")
        ax.set_xlim(0, edges[-1])
        ax.set_title(f"{item['study']} · {short_arm(item['arm'])}\nESS {item['maic']['ess']:.1f} of "
                     f"{item['eligible_n']}", fontsize=7)
        ax.set_xlabel("weight (mean 1)", fontsize=7)
    axes[0][0].set_ylabel("patients", fontsize=7)
    return to_svg(fig)


def overlay_figure(ctx) -> str:
    """Our MAIC-weighted PFS against each reconstructed trial arm; '' when none."""
    pairs = []
    for item in ctx.results["comparators"]:
        mx = ctx.extras["comparators"].get(item["id"], {}).get("maic", {})
        if item["maic"] and item["maic"]["pfs_hr_vs_reconstructed"] and "reconstructed" in mx and "pfs_curve" in mx:
            pairs.append((item, mx))
    if not pairs:
        return ""
    fig, axes = new_figure(3.6 * len(pairs), 2.8, ncols=len(pairs), squeeze=False)
    for ax, (item, mx) in zip(axes[0], pairs):
        for curve, color, label in ((mx["pfs_curve"], OURS, "This cohort (MAIC-weighted)"),
                                    (mx["reconstructed"]["curve"], PUBLISHED, f"{item['study']} (reconstructed)")):
            t = np.concatenate([[0.0], curve["time_months"]])
            s = np.concatenate([[1.0], curve["survival"]])
            ax.step(t, s, where="post", color=color, linewidth=1.4, label=label)
        hr = item["maic"]["pfs_hr_vs_reconstructed"]
        ax.set_title(f"HR {hr['hr']:.2f} ({hr['ci95'][0]:.2f}–{hr['ci95'][1]:.2f})", fontsize=8)
        ax.set_ylim(0, 1.02)
        ax.set_xlim(left=0)
        ax.set_xlabel("months", fontsize=7)
        ax.legend(frameon=False, fontsize=6.5, loc="lower left")
    axes[0][0].set_ylabel("PFS probability", fontsize=7)
    return to_svg(fig)
