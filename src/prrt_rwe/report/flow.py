"""STROBE participant flow (STROBE item 13): enrolled -> safety set -> efficacy set, each
exclusion box with its reason and count. The boxes add up (enrolled = safety + not
treated; safety = efficacy + the other exclusions), so a masked exclusion count is
protected by masking another box (report.numbers)."""

from __future__ import annotations

from prrt_rwe.report.cells import Label, Show, Sum
from prrt_rwe.report.section import Section, figure
from prrt_rwe.report.study_period import participants_html
from prrt_rwe.report.svg import new_figure, to_svg

BEFORE_SAFETY = ("no PRRT cycle",)  # the exclusions between enrolled and the safety set
MAIN_BOX = {"boxstyle": "round,pad=0.6", "fc": "#eef3f9", "ec": "#1f5fa8", "lw": 1.0}
SIDE_BOX = {"boxstyle": "round,pad=0.6", "fc": "white", "ec": "#5b6672", "lw": 1.0}
ARROW = {"arrowstyle": "-|>", "color": "#1d232b", "lw": 1.0, "shrinkA": 0, "shrinkB": 0}


def excluded_key(reason: str) -> str:
    return f"analysis_sets.excluded.{reason.replace(' ', '_')}"


def flow_counts(sets: dict, nb) -> tuple[dict, dict, tuple]:
    """(main boxes, exclusions by reason, the sums they obey) as Counts."""
    main = {"enrolled": nb.n("analysis_sets.enrolled", sets["enrolled"]),
            "safety": nb.population("analysis_sets.safety", sets["safety"]),
            "efficacy": nb.population("analysis_sets.efficacy", sets["efficacy"])}
    excluded = {e["reason"]: nb.n(excluded_key(e["reason"]), e["n"]) for e in sets["excluded"]}
    first = tuple(c for r, c in excluded.items() if r in BEFORE_SAFETY)
    second = tuple(c for r, c in excluded.items() if r not in BEFORE_SAFETY)
    sums = []
    for total, parts in ((main["enrolled"], (main["safety"], *first)),
                         (main["safety"], (main["efficacy"], *second))):
        if total.value == sum(p.value for p in parts):
            sums.append(Sum(total, parts))
    return main, excluded, tuple(sums)


def flow_figure(sets: dict, nb) -> str:
    main, excluded, sums = flow_counts(sets, nb)
    boxes = [Label("Enrolled in the registry\nn = {}", Show(main["enrolled"])),
             Label("Safety set (≥ 1 PRRT cycle)\nn = {}", Show(main["safety"])),
             Label("Efficacy set\nn = {}", Show(main["efficacy"]))]
    sides = [[Label(f"{r[0].upper()}{r[1:]}: n = {{}}", Show(c)) for r, c in excluded.items()
              if r in BEFORE_SAFETY],
             [Label(f"{r[0].upper()}{r[1:]}: n = {{}}", Show(c)) for r, c in excluded.items()
              if r not in BEFORE_SAFETY]]
    view = nb.resolve("fig-flow", [*boxes, *[c for side in sides for c in side]], sums)
    fig, ax = new_figure(6.4, 2.5)
    ax.set_axis_off()
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    x, side_x, ys = 0.22, 0.68, (0.87, 0.5, 0.13)
    for y, box in zip(ys, boxes):
        ax.text(x, y, view.text(box), ha="center", va="center", fontsize=8, bbox=MAIN_BOX, linespacing=1.4)
    arrows = []
    for i, side in enumerate(sides):
        ax.annotate("", xy=(x, ys[i + 1] + 0.11), xytext=(x, ys[i] - 0.11), arrowprops=ARROW)
        if side:
            mid = (ys[i] + ys[i + 1]) / 2
            label = ax.text(side_x, mid, "\n".join(view.text(c) for c in side), ha="center", va="center",
                            fontsize=8, bbox=SIDE_BOX, linespacing=1.4)
            arrows.append((label, mid))
    fig.draw_without_rendering()
    for label, mid in arrows:   # from the main column to the left edge of the exclusion box
        left = ax.transAxes.inverted().transform(label.get_bbox_patch().get_window_extent().p0)[0]
        ax.annotate("", xy=(left, mid), xytext=(x, mid), arrowprops=ARROW)
    return to_svg(fig)


def section(ctx) -> Section:
    sets, nb = ctx.results["analysis_sets"], ctx.numbers
    body = figure(flow_figure(sets, nb), "Figure 1. Participant flow (STROBE). Each patient is excluded "
                                         "once, by the first reason that applies.", "fig-flow") \
        + participants_html(ctx)
    return Section("flow", "Participants", body,
                   lead=f"{nb.count(sets['enrolled'], 'analysis_sets.enrolled')} patients enrolled, "
                        f"{nb.count(sets['safety'], 'analysis_sets.safety')} treated (safety set), "
                        f"{nb.count(sets['efficacy'], 'analysis_sets.efficacy')} in the efficacy set.")
