"""Kaplan-Meier curves of PFS and OS by primary tumour group and by Krenning score 4 vs < 4
(headline population), each with its log-rank test and the number at risk per group under
the time axis; restricted mean survival time where proportional hazards fail for the
grouping (results/survival_by_group.py says how that is decided)."""

from __future__ import annotations

from prrt_rwe.report.cells import Show, Sum
from prrt_rwe.report.km import _step_arrays
from prrt_rwe.report.numbering import ref
from prrt_rwe.report.response import GROUP_LABELS
from prrt_rwe.report.section import Section, figure, paragraph
from prrt_rwe.report.svg import legend, new_figure, to_svg
from prrt_rwe.report.table import Table, group
from prrt_rwe.results import survival as surv

ENDPOINTS = (("pfs", "Progression-free survival"), ("os", "Overall survival"))
GROUPINGS = (("primary_group", "primary tumour group"), ("krenning4", "Krenning score"))
LEVEL_LABELS = {**GROUP_LABELS, "true": "Krenning 4", "false": "Krenning < 4"}
SHORT_LABELS = {"pancreas": "Pancreas", "foregut": "Foregut", "midgut": "Midgut", "hindgut": "Hindgut",
                "other": "Other", "true": "Krenning 4", "false": "Krenning < 4"}
COLORS = ("#1f5fa8", "#b4462f", "#2e8b57", "#8e44ad", "#d4a017")


def p_text(p, nb) -> str:
    """``p = 0.012`` or ``p < 0.001``."""
    shown = nb.pvalue(p)
    return f"p {shown[0]} {shown[1:]}" if shown.startswith("<") else f"p = {shown}"


def group_counts(nb, ep: str, grouping: str, gc, months, overall: dict | None) -> tuple:
    """Counts of a by-group KM figure: each level's N and number at risk per month; when the
    levels partition the population, their at-risk numbers add up to the overall curve's."""
    present = [(k, d) for k, d in zip(gc.levels, gc.data) if d.n]
    base = f"{ep}_by_group.{grouping}.levels"
    Ns = {k: nb.n(f"{base}.{k}.n", d.n) for k, d in present}
    at_risk = {k: [Ns[k] if m == 0 and v == d.n else nb.n(f"{base}.{k}.at_risk.{m}", v)
                   for m, v in zip(months, surv.risk_table(d, months).at_risk)] for k, d in present}
    sums = []
    for j, m in enumerate(months):
        total = sum(cells[j].value for cells in at_risk.values())
        if overall is not None and j < len(overall["at_risk"]) and overall["at_risk"][j] == total and present:
            sums.append(Sum(nb.n(f"{ep}.risk_table.at_risk.{m}", total), tuple(c[j] for c in at_risk.values())))
    return present, Ns, at_risk, tuple(sums)


def group_figure(gc, options, months, logrank: dict, title: str, nb, ep: str = "pfs", grouping: str = "",
                 overall: dict | None = None) -> str:
    present, Ns, at_risk, sums = group_counts(nb, ep, grouping, gc, months, overall)
    view = nb.resolve(f"fig-km-{ep}-{grouping}",
                      [Show(n) for n in Ns.values()] + [Show(c) for cells in at_risk.values() for c in cells], sums)
    fig, (ax, tab) = new_figure(7.0, 3.6 + 0.22 * len(present), nrows=2, sharex=True,
                                gridspec_kw={"height_ratios": [3.2, 0.35 * max(len(present), 1)]})
    for i, (key, data) in enumerate(present):
        t, s, _, _ = _step_arrays(surv.fit(data, options), nb.suppress_below or 0)
        ax.step(t, s, where="post", color=COLORS[i % len(COLORS)], linewidth=1.5,
                label=f"{SHORT_LABELS.get(key, key)} (n = {view.text(Show(Ns[key]))})")
    p = logrank.get("p")
    ax.set_title(f"log-rank {p_text(p, nb)}" if p is not None else "log-rank test not estimable",
                 fontsize=8, loc="right")
    ax.set_ylim(0, 1.02)
    ax.set_xlim(0, months[-1])
    ax.set_xticks(months)
    ax.set_ylabel(f"{title} probability")
    ax.grid(axis="y", color="0.9")
    legend(ax, frameon=False, loc="best", fontsize=7)
    ax.tick_params(labelbottom=True)
    ax.set_xlabel("Months since first PRRT cycle")
    tab.axis("off")
    tab.set_ylim(-0.5, max(len(present), 1) - 0.5)
    tab.text(-0.07, len(present) - 0.5 + 0.45, "At risk", transform=tab.get_yaxis_transform(), ha="right",
             va="bottom", fontweight="bold", fontsize=8)
    for i, (key, data) in enumerate(present):
        y = len(present) - 1 - i
        tab.text(-0.07, y, SHORT_LABELS.get(key, key), transform=tab.get_yaxis_transform(), ha="right",
                 va="center", color=COLORS[i % len(COLORS)], fontsize=8)
        for x, c in zip(months, at_risk[key]):
            tab.text(x, y, view.text(Show(c)), ha="center", va="center", fontsize=8)
    return to_svg(fig)


def levels_table(ctx) -> Table:
    nb, rows, sums = ctx.numbers, [], []
    for ep, ep_title in ENDPOINTS:
        for key, g_title in GROUPINGS:
            block = ctx.results[f"{ep}_by_group"][key]
            lr = block["logrank"]
            rows.append(group(f"{ep_title} by {g_title}: log-rank χ² = {nb.number(lr['chisq'], 2)}, "
                              f"df = {lr['df'] if lr['df'] is not None else 'NA'}, {p_text(lr['p'], nb)}"))
            base = f"{ep}_by_group.{key}.levels"
            ns, events = [], []
            for level, s in block["levels"].items():
                if not s["n"]:
                    continue
                ns.append(nb.n(f"{base}.{level}.n", s["n"]))
                events.append(nb.n(f"{base}.{level}.events", s["events"]))
                rows.append((LEVEL_LABELS.get(level, level), Show(ns[-1]), Show(events[-1]),
                             f"{nb.months(s['median_months'])} ({nb.ci(*s['ci95'])})"))
            total = ctx.results[ep]
            if sum(n.value for n in ns) == total["n"] and sum(e.value for e in events) == total["events"]:
                sums += [Sum(nb.population(f"{ep}.n", total["n"]), tuple(ns)),
                         Sum(nb.n(f"{ep}.events", total["events"]), tuple(events))]
    return Table("Table 4c. PFS and OS by primary tumour group and by Krenning score, headline population",
                 ("Group", "N", "Events", "Median, months (95 % CI)"), tuple(rows),
                 footnotes=(f"Kaplan–Meier as {ref('table-tte')}; log-rank test across the groups with patients "
                            "(R survdiff, rho = 0). Patients with an unknown Krenning score are left out of "
                            "that comparison.",),
                 table_id="table-km-groups", sums=tuple(sums), numbers=nb)


def _notes(ctx, ep: str, key: str) -> dict:
    return ctx.extras.get("efficacy_notes", {}).get("groups", {}).get(ep, {}).get(key, {})


def rmst_table(ctx) -> Table | None:
    nb, rows = ctx.numbers, []
    for ep, ep_title in ENDPOINTS:
        for key, g_title in GROUPINGS:
            block = ctx.results[f"{ep}_by_group"][key]["rmst"]
            if block is None:
                continue
            rows.append(group(f"{ep_title} by {g_title}, τ = {nb.months(block['tau_months'])} months"))
            for level, v in block["levels"].items():
                rows.append((LEVEL_LABELS.get(level, level), nb.number(v["rmst_months"]),
                             nb.number(v["se"], 2), nb.ci(*v["ci95"]), ""))
            d = _notes(ctx, ep, key).get("rmst_difference")
            if d is not None:
                a, b = (SHORT_LABELS.get(v, v) for v in d["levels"])
                rows.append((f"Difference, {b} − {a}", nb.number(d["estimate_months"]), nb.number(d["se"], 2),
                             nb.ci(*d["ci95"]), nb.pvalue(d["p"])))
    if not rows:
        return None
    return Table("Table 4d. Restricted mean survival time up to τ, where hazards are not proportional",
                 ("Group", "RMST, months", "SE", "95 % CI", "p"), tuple(rows),
                 footnotes=("RMST = area under the Kaplan–Meier curve from 0 to τ; SE as R print(survfit, "
                            "rmean = τ); CI RMST ± 1.96 SE. τ = the smallest of the groups' last follow-up "
                            "times. Difference of two groups: SE √(se1² + se2²), normal CI and p (survRM2 "
                            "rmst2, unadjusted).",), table_id="table-rmst")


def ph_sentences(ctx) -> list[str]:
    out = []
    for ep, ep_title in ENDPOINTS:
        for key, g_title in GROUPINGS:
            p = _notes(ctx, ep, key).get("ph_p")
            if p is not None and p < 0.05:
                out.append(f"{ep_title} by {g_title}: the proportional-hazards test of the grouping "
                           f"(cox.zph of a Cox model on the grouping alone) gives {p_text(p, ctx.numbers)}; "
                           "the curves' hazards are not proportional, so the restricted mean survival time "
                           f"({ref('table-rmst')}) summarises the difference instead of a hazard ratio.")
    return out


def section(ctx) -> Section:
    figs, months = ctx.analysis.efficacy, ctx.extras["risk_tables"]["pfs"]["months"]
    body, n = "", 0
    for ep, ep_title in ENDPOINTS:
        for key, g_title in GROUPINGS:
            n += 1
            gc = getattr(figs, f"{ep}_by_group")[key]
            svg = group_figure(gc, ctx.analysis.curves.km_options, months,
                               ctx.results[f"{ep}_by_group"][key]["logrank"], ep_title, ctx.numbers,
                               ep, key, ctx.extras["risk_tables"][ep])
            body += figure(svg, f"Figure 3{'efgh'[n - 1]}. {ep_title} by {g_title}, headline population; "
                                "number at risk per group under the time axis.", f"fig-km-{ep}-{key}")
    body += levels_table(ctx).html()
    body += "".join(paragraph(s) for s in ph_sentences(ctx))
    rm = rmst_table(ctx)
    if rm is not None:
        body += rm.html()
    lr = ctx.results["pfs_by_group"]["krenning4"]["logrank"]
    return Section("survival-groups", "PFS and OS by primary tumour and Krenning score", body,
                   lead=f"PFS by Krenning score: log-rank {p_text(lr['p'], ctx.numbers)}.")
