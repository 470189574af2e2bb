"""STROBE participant flow (STROBE item 13): enrolled -> safety set -> efficacy set, each
exclusion box with its reason and count, drawn as inline SVG."""

from __future__ import annotations

from html import escape

from prrt_rwe.report.section import Section
from prrt_rwe.report.study_period import participants_html

BOX_W, BOX_H, SIDE_W = 260, 46, 250


def _box(x, y, w, lines, cls="box") -> str:
    text = "".join(f'<tspan x="{x + w / 2}" dy="{0 if i == 0 else 16}">{escape(t)}</tspan>'
                   for i, t in enumerate(lines))
    return (f'<rect class="{cls}" x="{x}" y="{y}" width="{w}" height="{BOX_H}" rx="4"/>'
            f'<text x="{x + w / 2}" y="{y + (19 if len(lines) > 1 else 27)}" text-anchor="middle">{text}</text>')


def _arrow(x1, y1, x2, y2) -> str:
    return f'<line x1="{x1}" y1="{y1}" x2="{x2}" y2="{y2}" marker-end="url(#arrow)"/>'


def flow_svg(sets: dict, count) -> str:
    """The diagram; ``count`` formats (and masks) a number."""
    ex = {e["reason"]: e["n"] for e in sets["excluded"]}
    main = [("Enrolled in the registry", sets["enrolled"]),
            ("Safety set (≥ 1 PRRT cycle)", sets["safety"]),
            ("Efficacy set", sets["efficacy"])]
    side = [[f"No PRRT cycle: n = {count(ex.get('no PRRT cycle', 0))}"],
            [f"No baseline assessment: n = {count(ex.get('no baseline assessment', 0))}",
             f"Missing model covariate: n = {count(ex.get('missing covariate', 0))}"]]
    parts, y = [], 10
    for i, (label, n) in enumerate(main):
        parts.append(_box(10, y, BOX_W, [label, f"n = {count(n)}"]))
        if i < len(side):
            parts.append(_arrow(10 + BOX_W / 2, y + BOX_H, 10 + BOX_W / 2, y + BOX_H + 44))
            parts.append(_arrow(10 + BOX_W / 2, y + BOX_H + 22, 10 + BOX_W + 40, y + BOX_H + 22))
            parts.append(_box(10 + BOX_W + 40, y + BOX_H + 22 - BOX_H / 2, SIDE_W, side[i], "box excl"))
        y += BOX_H + 44
    height = y - 44 + 10
    return (f'<svg class="flow" role="img" '
            f'aria-label="Participant flow" width="{BOX_W + SIDE_W + 60}" height="{height}" '
            f'viewBox="0 0 {BOX_W + SIDE_W + 60} {height}">'
            '<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" '
            'markerHeight="7" orient="auto"><path d="M0,0 L10,5 L0,10 z"/></marker></defs>'
            + "".join(parts) + "</svg>")


def section(ctx) -> Section:
    sets = ctx.results["analysis_sets"]
    body = f'<figure id="fig-flow">{flow_svg(sets, ctx.numbers.count)}' \
           "<figcaption>Figure 1. Participant flow (STROBE). Each patient is excluded once, " \
           "by the first reason that applies.</figcaption></figure>" + participants_html(ctx)
    return Section("flow", "Participants", body,
                   lead=f"{ctx.numbers.count(sets['enrolled'])} patients enrolled, "
                        f"{ctx.numbers.count(sets['safety'])} treated (safety set), "
                        f"{ctx.numbers.count(sets['efficacy'])} in the efficacy set.")
