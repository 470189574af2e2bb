"""Between-site heterogeneity: per-site ORR and median PFS (forest plot), the random-effects
meta-analysis of the site ORRs with its funnel plot, the leave-one-site-out ranges and the
shared-frailty Cox model beside the stratified and cluster-robust fits."""

from __future__ import annotations

import numpy as np

from prrt_rwe.report.cells import Prop, Show, Stat, Sum
from prrt_rwe.report.estimates import ratio_ci
from prrt_rwe.report.forest import label as model_label
from prrt_rwe.report.populations import block_key, size_key
from prrt_rwe.report.section import Section, figure, paragraph
from prrt_rwe.report.svg import new_figure, to_svg
from prrt_rwe.report.table import Table

BLUE, RED = "#1f5fa8", "#b4462f"


class SiteCounts:
    """The counts the site figures show, declared for suppression: each site's size (label),
    its ORR (a proportion: responders of the site's patients) and its median PFS (a statistic
    of the site's patients); the site sizes and responders add up to the headline population's."""

    def __init__(self, ctx, rows: list[dict]):
        nb, r = ctx.numbers, ctx.results
        head = r["populations"]["headline"]
        self.n = [nb.n(f"sites.per_site.{row['site']}.n", row["n"]) for row in rows]
        self.orr = [Prop(nb.n(f"sites.per_site.{row['site']}.orr.n", row["orr"]["n"]), n,
                         row["orr"]["estimate"], tuple(row["orr"]["ci95"])) for row, n in zip(rows, self.n)]
        self.pfs = [Stat("", (n,)) for n in self.n]
        total = nb.population(size_key(ctx, head), r["populations"][head])
        responders = nb.n(f"{block_key(ctx, 'response', head)}.orr.n", r[block_key(ctx, "response", head)]["orr"]["n"])
        self.sums = tuple(s for s in (Sum(total, tuple(self.n)), Sum(responders, tuple(p.n for p in self.orr)))
                          if s.total.value == sum(c.value for c in s.parts))

    def view(self, nb, name: str):
        return nb.resolve(name, (self.n, self.orr, self.pfs), self.sums)


def forest_figure(rows: list[dict], meta: dict | None, counts: SiteCounts, view) -> str:
    fig, (left, right) = new_figure(7.6, 0.3 * len(rows) + 1.6, ncols=2, sharey=True)
    ys = np.arange(len(rows))[::-1] + 1
    for y, r, orr, pfs in zip(ys, rows, counts.orr, counts.pfs):
        if view.hides(orr) or view.hides(pfs):
            continue
        o = r["orr"]
        if o["estimate"] is not None:
            left.plot(o["ci95"], [y, y], color=BLUE, linewidth=1.2)
            left.plot(o["estimate"], y, "s", color=BLUE, markersize=4 + 4 * np.sqrt(o["N"] / max(x["n"] for x in rows)))
        p = r["pfs"]
        lo, hi = p["ci95"]
        if p["median_months"] is not None:
            right.plot([lo if lo is not None else p["median_months"], hi if hi is not None else right_max(rows)],
                       [y, y], color=BLUE, linewidth=1.2)
            right.plot(p["median_months"], y, "s", color=BLUE, markersize=5)
    if meta:
        est, (lo, hi) = meta["pooled"]["estimate"], meta["pooled"]["ci95"]
        left.fill([lo, est, hi, est], [0, 0.3, 0, -0.3], color=RED)
        left.axvline(est, color=RED, linewidth=0.6, linestyle=":")
        pi = meta["prediction_interval"]
        left.plot(pi, [0, 0], color=RED, linewidth=0.8)
    labels = [f"{r['site']} (n = {view.count(n)})" for r, n in zip(rows, counts.n)] + (["Pooled (REML)"] if meta else [])
    left.set_yticks(list(ys) + ([0] if meta else []), labels)
    left.set_xlim(0, 1)
    left.set_xlabel("ORR (95 % CI)")
    right.set_xlabel("Median PFS, months (95 % CI)")
    right.set_xlim(0, right_max(rows))
    return to_svg(fig)


def right_max(rows) -> float:
    values = [v for r in rows for v in [r["pfs"]["median_months"], *r["pfs"]["ci95"]] if v is not None]
    return max(values + [12.0]) * 1.05


def funnel_figure(rows: list[dict], meta: dict | None, counts: SiteCounts, view) -> str:
    fig, ax = new_figure(6.4, 3.8)
    shown = [r for r, orr in zip(rows, counts.orr) if not view.hides(orr) and r["orr"]["estimate"] is not None]
    ax.plot([r["orr"]["N"] for r in shown], [r["orr"]["estimate"] for r in shown], "o", color=BLUE)
    if meta:
        p = meta["pooled"]["estimate"]
        n = np.linspace(max(2, min([r["orr"]["N"] for r in rows] or [2])), max([r["orr"]["N"] for r in rows] or [10]), 200)
        ax.axhline(p, color=RED, linewidth=1)
        for z, style in ((1.96, "--"), (3.09, ":")):
            half = z * np.sqrt(p * (1 - p) / n)
            ax.plot(n, np.clip(p - half, 0, 1), color="0.4", linestyle=style, linewidth=0.8)
            ax.plot(n, np.clip(p + half, 0, 1), color="0.4", linestyle=style, linewidth=0.8)
    ax.set_ylim(0, 1)
    ax.set_xlabel("Patients at the site")
    ax.set_ylabel("ORR")
    return to_svg(fig)


def meta_table(ctx) -> Table:
    s, nb = ctx.results["sites"], ctx.numbers
    rows = []
    for method, title in (("REML", "REML"), ("DL", "DerSimonian–Laird")):
        m = s["orr_meta"][method]
        if m is None:
            rows.append((title, "NE", "NE", "NE", "NE", "NE"))
            continue
        rows.append((title, str(m["k"]), f"{nb.rate(m['pooled']['estimate'])} "
                     f"({nb.ci(*[100 * v for v in m['pooled']['ci95']])})",
                     nb.ci(*[100 * v for v in m["prediction_interval"]]), nb.number(m["tau2"], 3),
                     f"{nb.number(m['i2'], 1)} %"))
    notes = ["Logit ORR per site (metafor escalc PLO: 0.5 added to both cells of a site with no or only "
             f"responders), sites under {s['min_site_n']} patients pooled as one site \"other\"; random-effects "
             "model (metafor rma), z-based CI; the prediction interval is where a new site's ORR would fall.",
             "τ² on the logit scale; I²: share of the variation between sites not due to chance."]
    if s["orr_meta"].get("reason"):
        notes.append(s["orr_meta"]["reason"] + ".")
    return Table(f"Table H1. ORR across sites: random-effects meta-analysis ({s['n_sites']} sites, "
                 f"those under {s['min_site_n']} patients pooled as one)",
                 ("Estimator", "Sites", "Pooled ORR (95 % CI)", "95 % prediction interval", "τ²", "I²"),
                 tuple(rows), footnotes=tuple(notes), table_id="table-site-meta")


def _range(lo_hi, fmt) -> str:
    lo, hi = lo_hi
    return "NE" if lo is None else f"{fmt(lo)}–{fmt(hi)}"


def loo_table(ctx) -> Table:
    r, nb = ctx.results, ctx.numbers
    loo = r["sites"]["leave_one_out"]
    rows = [("ORR", nb.rate(r["response"]["orr"]["estimate"]), _range(loo["orr"], nb.rate)),
            ("Median PFS, months", nb.months(r["pfs"]["median_months"]), _range(loo["pfs_median_months"], nb.months))]
    models = r["models"]
    for model, key, what in (("orr_logistic", "or", "OR"), ("pfs_cox", "hr", "HR")):
        for t in models[model]["terms"]:
            rng = loo["terms"].get(f"{model}:{t['term']}", [None, None])
            rows.append((f"{what}: {model_label(t['term'])}", nb.ratio(t[key]), _range(rng, nb.ratio)))
    notes = ["Each site left out in turn: ORR and median PFS on the headline population, the default models "
             "refitted on the complete-case model set; the range over all the drops."]
    if loo.get("reason"):
        notes.append(loo["reason"] + ".")
    return Table("Table H2. Leave one site out: how far the estimates move", ("Estimate", "All sites", "Range, one site left out"),
                 tuple(rows), footnotes=tuple(notes), table_id="table-loo")


def frailty_table(ctx) -> Table:
    nb = ctx.numbers
    main = ctx.results["models"]["pfs_cox"]["terms"]
    sens = ctx.extras.get("sensitivity", {})
    strat = {t["term"]: t for t in sens.get("stratified_by_site", {}).get("terms", [])}
    robust = {t["term"]: t for t in sens.get("cluster_robust_by_site", {}).get("terms", [])}
    fr = ctx.results["sites"]["frailty_cox"]
    if fr is None:   # federated: the frailty model is not available
        return _federated_frailty_table(ctx, main, strat)
    frail = {t["term"]: t for t in fr["terms"]}

    rows = tuple((model_label(t["term"]), ratio_ci(t, "hr", nb), ratio_ci(strat.get(t["term"]), "hr", nb),
                  ratio_ci(robust.get(t["term"]), "hr", nb), ratio_ci(frail.get(t["term"]), "hr", nb))
                 for t in main)
    theta = fr["theta"]
    notes = [f"Shared gamma frailty by site, R coxph(... + frailty(site)) with its default \"em\" method: "
             f"frailty variance θ = {'NE' if theta is None else format(theta, '.3g')} "
             "(0 = no between-site variation in PFS beyond the covariates).",
             "Stratified: a baseline hazard per site; cluster-robust: sandwich variance by site."]
    if fr.get("reason"):
        notes.append(fr["reason"] + ".")
    return Table("Table H3. PFS hazard ratios (95 % CI) allowing for the site four ways",
                 ("Term", "Main", "Stratified by site", "Cluster-robust", "Gamma frailty"), rows,
                 footnotes=tuple(notes), table_id="table-frailty")


NOT_AVAILABLE = "not available (federated)"


def _federated_frailty_table(ctx, main, strat) -> Table:
    """Table H3 of a federated study: the main and site-stratified fits (exact from the sites'
    risk-set sums and strata); the cluster-robust and frailty fits not available."""
    nb = ctx.numbers
    rows = tuple((model_label(t["term"]), ratio_ci(t, "hr", nb), ratio_ci(strat.get(t["term"]), "hr", nb),
                  NOT_AVAILABLE, NOT_AVAILABLE) for t in main)
    return Table("Table H3. PFS hazard ratios (95 % CI) allowing for the site four ways",
                 ("Term", "Main", "Stratified by site", "Cluster-robust", "Gamma frailty"), rows,
                 footnotes=("Stratified: a baseline hazard per site, from each site's stratum likelihood. "
                            "Federated analysis: the cluster-robust variance by site and the shared gamma "
                            "frailty model need each patient's row, so they are not available.",),
                 table_id="table-frailty")


def section(ctx) -> Section:
    rows = ctx.extras["missing_confounding_sites"]["per_site"]
    meta = ctx.results["sites"]["orr_meta"]["REML"]
    nb = ctx.numbers
    counts = SiteCounts(ctx, rows)
    body = figure(forest_figure(rows, meta, counts, counts.view(nb, "fig-site-forest")), "Figure H1. ORR and median PFS by site (headline population), "
                  f"sites under {ctx.results['sites']['min_site_n']} patients pooled as \"other\"; diamond: "
                  "random-effects pooled ORR with its prediction interval. Sites with a suppressed count are "
                  "listed without their estimates.", "fig-site-forest")
    body += meta_table(ctx).html()
    body += figure(funnel_figure(rows, meta, counts, counts.view(nb, "fig-site-funnel")), "Figure H2. Funnel plot: site ORR against site size, with the "
                   "pooled ORR and its 95 % and 99.8 % binomial limits.", "fig-site-funnel")
    if ctx.results["sites"]["leave_one_out"] is None:   # federated: not available
        body += paragraph("Leave one site out (Table H2): not available in this federated analysis (each drop "
                          "refits the estimates without one site's rows).")
    else:
        body += loo_table(ctx).html()
    body += frailty_table(ctx).html()
    return Section("sites", "Between-site heterogeneity", body,
                   lead="Does one centre's practice drive the result? Site estimates, their spread, and the "
                        "estimates without each site.")
