"""Confounding: the exposure's effect on PFS after inverse probability of treatment weighting
(balance table, love plot, weighted Kaplan–Meier curves, weighted Cox HR beside the
unweighted and multivariable ones) and an E-value for every odds and hazard ratio."""

from __future__ import annotations

import numpy as np

from prrt_rwe.report.cells import Label, Show, Stat, Sum
from prrt_rwe.report.estimates import label, ratio_ci
from prrt_rwe.report.section import Section, figure, paragraph
from prrt_rwe.report.svg import legend, new_figure, to_svg
from prrt_rwe.report.table import Table
from prrt_rwe.results import survival as surv

ARMS = (("exposed", "#1f5fa8"), ("unexposed", "#b4462f"))
SMD_LIMIT = 0.1  # Austin 2009: |SMD| < 0.1 is negligible imbalance
MODEL_NAMES = {"orr_logistic": "ORR, multivariable", "pfs_cox": "PFS, multivariable",
               "orr_logistic_univariable": "ORR, univariable", "pfs_cox_univariable": "PFS, univariable",
               "orr_logistic_cluster_site": "ORR, cluster-robust by site",
               "orr_logistic_liver3": "ORR, three-level liver factors",
               "pfs_cox_liver3": "PFS, three-level liver factors",
               "pfs_cox_ph_stratified": "PFS, stratified for non-proportional hazards",
               "orr_logistic_mi": "ORR, multiple imputation", "pfs_cox_mi": "PFS, multiple imputation",
               "iptw": "PFS, IPTW", "sites_frailty_cox": "PFS, site frailty"}


def love_plot(balance: list[dict]) -> str:
    fig, ax = new_figure(6.4, 0.32 * len(balance) + 1.3)
    ys = np.arange(len(balance))[::-1]
    before = [abs(b["smd_before"]) if b["smd_before"] is not None else np.nan for b in balance]
    after = [abs(b["smd_after"]) if b["smd_after"] is not None else np.nan for b in balance]
    ax.plot(before, ys, "o", mfc="white", mec="#b4462f", label="Before weighting")
    ax.plot(after, ys, "o", color="#1f5fa8", label="After weighting")
    ax.axvline(SMD_LIMIT, color="0.5", linewidth=0.8, linestyle="--")
    ax.set_yticks(ys, [label(b["covariate"]) for b in balance])
    ax.set_xlabel("Absolute standardized mean difference")
    ax.set_xlim(0, max(0.25, np.nanmax(before + after + [0]) * 1.1))
    ax.legend(frameon=False, loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=2)
    return to_svg(fig)


def arm_counts(ctx) -> tuple[dict, tuple]:
    """Each arm's patients and PFS events (the counts of Table C2 and Figure C2), and their sums."""
    block, nb = ctx.results["iptw"], ctx.numbers
    counts = {arm: (nb.n(f"iptw.pfs_km.{arm}.n", block["pfs_km"][arm]["n"]),
                    nb.n(f"iptw.pfs_km.{arm}.events", block["pfs_km"][arm]["events"])) for arm, _ in ARMS}
    total = nb.n("iptw.n", block["n"])
    sums = (Sum(total, tuple(n for n, _ in counts.values())),)
    return counts, sums if total.value == sum(n.value for n, _ in counts.values()) else ()


def weighted_km_figure(curves: dict, exposure: str, ctx) -> str:
    counts, sums = arm_counts(ctx)
    view = ctx.numbers.resolve("fig-iptw-km", [Stat("", (n,)) for n, _ in counts.values()], sums)
    fig, ax = new_figure(6.4, 3.6)
    for arm, color in ARMS:
        km = curves.get(arm)
        if km is None or view.hides(Stat("", (counts[arm][0],))):
            continue
        t = np.concatenate([[0.0], np.asarray(km.time, float)]) / surv.DAYS_PER_MONTH
        s = np.concatenate([[1.0], np.asarray(km.survival, float)])
        ax.step(t, s, where="post", color=color, linewidth=1.6,
                label=f"{label(exposure)}: {'yes' if arm == 'exposed' else 'no'}")
    ax.set_ylim(0, 1.02)
    ax.set_xlabel("Months since first PRRT cycle")
    ax.set_ylabel("PFS probability (weighted)")
    ax.grid(axis="y", color="0.9")
    legend(ax, frameon=False, loc="lower left")
    return to_svg(fig)


def _smd(x, nb) -> str:
    return nb.number(None if x is None else (0.0 if abs(x) < 5e-4 else x), 3)


def arms_table(ctx) -> Table:
    block, nb = ctx.results["iptw"], ctx.numbers
    counts, sums = arm_counts(ctx)
    rows = []
    for arm, title in (("exposed", "yes"), ("unexposed", "no")):
        k, (n, events) = block["pfs_km"][arm], counts[arm]
        rates = [Stat(f"{nb.rate(v['estimate'])} ({nb.ci(*[None if c is None else 100 * c for c in v['ci95']])})",
                      (n,)) for v in k["rate_at"].values()]
        rows.append((f"{label(block['exposure'])}: {title}", Show(n), Show(events),
                     Stat(f"{nb.months(k['median_months'])} ({nb.ci(*k['ci95'])})", (n,)), *rates))
    landmarks = [f"{m} months, % (95 % CI)" for m in block["pfs_km"]["exposed"]["rate_at"]]
    return Table("Table C2. Weighted PFS by exposure", ("Arm", "N", "Events", "Median, months (95 % CI)", *landmarks),
                 tuple(rows), footnotes=("Kaplan–Meier on the IPTW-weighted counts; robust (infinitesimal "
                                         "jackknife) variance, as R survfit(..., weights = w); it treats the "
                                         "weights as known, not estimated: read the intervals as approximate.",
                                         "N and events are patients, not weighted counts."),
                 table_id="table-iptw-km", sums=sums, numbers=nb)


def balance_table(ctx) -> Table:
    block, nb = ctx.results["iptw"], ctx.numbers
    rows = tuple((label(b["covariate"]), _smd(b["smd_before"], nb), _smd(b["smd_after"], nb))
                 for b in block["balance"])
    return Table(f"Table C1. Covariate balance for {label(block['exposure'])}: standardized mean differences",
                 ("Covariate", "Before weighting", "After weighting"), rows,
                 footnotes=("SMD = (mean exposed − mean unexposed) / √((s²₁ + s²₀)/2); s² = p(1 − p) for a "
                            "yes/no covariate, else the (weighted) variance (survey::svyvar); |SMD| < 0.1 is "
                            "negligible imbalance (Austin 2009).",), table_id="table-balance")


FEDERATED_NA = "not available (federated)"


def _iptw_hr(block: dict, nb) -> str:
    """The IPTW HR and its CI; in a federated study the robust CI is null (not available)."""
    hr = block["pfs_hr"]
    if hr.get("hr") is not None and hr.get("ci95") is None:
        return f"{nb.ratio(hr['hr'])} (CI {FEDERATED_NA})"
    return ratio_ci(hr, "hr", nb)


def effect_table(ctx) -> Table:
    block, nb, models = ctx.results["iptw"], ctx.numbers, ctx.results["models"]
    name = block["exposure"]
    federated = ctx.results.get("mode") == "federated"
    ev = None if ctx.results["evalues"] is None else {(e["model"], e["term"]): e for e in ctx.results["evalues"]}
    main = next((t for t in models["pfs_cox"]["terms"] if t["term"] == name), None)
    uni = next((t for t in (models.get("pfs_cox_univariable") or {}).get("terms", []) if t["term"] == name), None)
    extra = ctx.extras["missing_confounding_sites"]["iptw"]
    rows = []
    if uni:
        rows.append(("Unadjusted (univariable Cox)", ratio_ci(uni, "hr", nb), nb.pvalue(uni["p"]), _evalue(ev, "pfs_cox_univariable", name, nb)))
    if main:
        rows.append(("Multivariable Cox (complete case)", ratio_ci(main, "hr", nb), nb.pvalue(main["p"]),
                     _evalue(ev, "pfs_cox", name, nb)))
    imputed = next((t for t in (models.get("pfs_cox_mi") or {}).get("terms", []) if t["term"] == name), None)
    if imputed:
        rows.append(("Multivariable Cox (multiple imputation)", ratio_ci(imputed, "hr", nb), nb.pvalue(imputed["p"]),
                     _evalue(ev, "pfs_cox_mi", name, nb)))
    rows.append((Label(f"IPTW Cox, robust SE (n = {{}}, ESS {nb.number(block['ess'])})", Show(nb.n("iptw.n", block["n"]))),
                 _iptw_hr(block, nb), FEDERATED_NA if federated and block["pfs_hr"]["p"] is None and block["pfs_hr"]["hr"]
                 is not None else nb.pvalue(block["pfs_hr"]["p"]), _evalue(ev, "iptw", name, nb)))
    notes = [f"Stabilized ATE weights from a logistic propensity model of {label(name)} on "
             + ", ".join(label(c) for c in extra.get("covariates", [])) + "; weights "
             + (f"truncated at the {block['truncation'][0]:g}th and {block['truncation'][1]:g}th percentiles"
                if block["truncation"] else "not truncated")
             + (f" (range {extra['weight_range'][0]:.2f}–{extra['weight_range'][1]:.2f})." if extra.get("weight_range") else "."),
             "Weighted Cox model of PFS on the exposure alone, robust (sandwich) SE, as R "
             "coxph(..., weights = w, robust = TRUE). E-value: VanderWeele & Ding 2017, common outcome."]
    if block.get("reason"):
        notes.append(block["reason"] + ".")
    if federated:
        notes.append("Federated analysis: the weighted HR is exact; its robust (sandwich) SE, hence the CI and p, "
                     "is not available, nor are the E-values.")
    return Table(f"Table C3. Effect of {label(name)} on PFS: hazard ratio (95 % CI)",
                 ("Analysis", "HR (95 % CI)", "p", "E-value (CI limit)"), tuple(rows), footnotes=tuple(notes),
                 table_id="table-iptw", numbers=nb)


def _evalue(ev: dict | None, model: str, term: str, nb) -> str:
    if ev is None:   # federated: E-values not available
        return FEDERATED_NA
    e = ev.get((model, term))
    return "NE" if e is None else f"{nb.number(e['point'], 2)} ({nb.number(e['ci'], 2)})"


def evalue_table(ctx) -> Table | None:
    nb = ctx.numbers
    if ctx.results["evalues"] is None:
        return None
    rows = tuple((MODEL_NAMES.get(e["model"], e["model"]), label(e["term"]), nb.number(e["point"], 2),
                  nb.number(e["ci"], 2)) for e in ctx.results["evalues"])
    return Table("Table C4. E-values: how strong an unmeasured confounder would have to be",
                 ("Model", "Term", "E-value, estimate", "E-value, CI limit"), rows,
                 footnotes=("The minimum risk ratio an unmeasured confounder would need with both the covariate "
                            "and the outcome to explain the estimate away (VanderWeele & Ding 2017); CI limit: "
                            "to move the confidence limit nearer the null to 1 (1 when the CI includes 1).",
                            "Odds ratios as √OR and hazard ratios as (1 − 0.5^√HR)/(1 − 0.5^√(1/HR)) on the "
                            "risk-ratio scale (common outcomes; R EValue, rare = FALSE)."),
                 table_id="table-evalues", text_columns=2)


def section(ctx) -> Section:
    block = ctx.results["iptw"]
    body = ""
    if block["balance"]:
        body += figure(love_plot(block["balance"]), f"Figure C1. Love plot: absolute standardized mean "
                       f"differences before and after weighting for {label(block['exposure'])}.", "fig-love")
        body += balance_table(ctx).html()
    if ctx.analysis.weighted_curves:
        body += figure(weighted_km_figure(ctx.analysis.weighted_curves, block["exposure"], ctx),
                       f"Figure C2. PFS by {label(block['exposure'])}, inverse probability of treatment weighted "
                       "Kaplan–Meier curves.", "fig-iptw-km")
        body += arms_table(ctx).html()
    else:
        body += paragraph(f"IPTW not estimable: {block.get('reason', 'no data')}.")
    evalues = evalue_table(ctx)
    body += effect_table(ctx).html() + (evalues.html() if evalues is not None else
                                        paragraph("E-values: not available in this federated analysis."))
    return Section("confounding", "Confounding", body,
                   lead=f"Is the association of {label(block['exposure'])} with PFS a treatment effect or "
                        "a selection effect? Weighting for the measured confounders, and how strong an unmeasured "
                        "one would have to be.")
