"""Sensitivity analyses of the default models a reviewer asks for, beside the Cox site
analyses: the response model with cluster-robust SEs by site, the three-level liver factors,
and, when cox.zph flags terms of the PFS model, its refit stratified on them."""

from __future__ import annotations

from prrt_rwe.report.cells import Label, Show
from prrt_rwe.report.forest import label
from prrt_rwe.report.km_groups import p_text
from prrt_rwe.report.numbering import ref
from prrt_rwe.report.section import paragraph
from prrt_rwe.report.table import Table, group
from prrt_rwe.results.efficacy_models import PH_ALPHA

LIVER3_LABELS = {"liver_lesion3[le30]": "Largest liver lesion ≤ 30 mm (vs no liver metastases)",
                 "liver_lesion3[gt30]": "Largest liver lesion > 30 mm (vs no liver metastases)",
                 "liver_burden3[lt50]": "Liver tumour burden < 50 % (vs no liver metastases)",
                 "liver_burden3[ge50]": "Liver tumour burden ≥ 50 % (vs no liver metastases)"}


def _est(t: dict, key: str, nb) -> str:
    if t[key] is None:
        return "NE"
    return f"{nb.ratio(t[key])} ({nb.ci(*t['ci95'], fmt='.2f')})"


def _notes(ctx) -> dict:
    return ctx.extras.get("efficacy_notes", {}).get("models", {})


def cluster_table(ctx) -> Table:
    models, nb = ctx.results["models"], ctx.numbers
    robust = {t["term"]: t for t in models["orr_logistic_cluster_site"]["terms"]}
    clusters = ctx.extras["sensitivity"]["cluster_robust_by_site"]["clusters"]
    rows = tuple((label(t["term"]), _est(t, "or", nb), nb.pvalue(t["p"]), _est(robust[t["term"]], "or", nb),
                  nb.pvalue(robust[t["term"]]["p"])) for t in models["orr_logistic"]["terms"])
    note = _notes(ctx).get("orr_logistic_cluster_site")
    return Table("Table 7b. Objective response odds ratios: model-based and cluster-robust by site",
                 ("Term", "OR (95 % CI), model-based", "p", "OR (95 % CI), cluster-robust by site", "p"), rows,
                 footnotes=("Cluster-robust: the same estimates with the sandwich variance summed within site, "
                            "as R sandwich::vcovCL(fit, cluster = ~site, type = \"HC0\") with its small-sample "
                            f"factor G/(G − 1), G = {clusters} sites; Wald "
                            "intervals and p values from the robust SE.",
                            Label("n = {}, events = {}.",
                                  Show(nb.population("models.orr_logistic.n", models["orr_logistic"]["n"])),
                                  Show(nb.n("models.orr_logistic.events", models["orr_logistic"]["events"]))))
                 + ((f"Not estimable: {note}.",) if note else ()),
                 table_id="table-orr-cluster", numbers=nb)


def liver3_table(ctx) -> Table:
    models, nb, rows = ctx.results["models"], ctx.numbers, []
    for name, key, what in (("orr_logistic_liver3", "or", "Objective response, odds ratio"),
                            ("pfs_cox_liver3", "hr", "Progression-free survival, hazard ratio")):
        m = models[name]
        rows.append(group(Label(f"{what} (n = {{}}, events = {{}})", Show(nb.population(f"models.{name}.n", m["n"])),
                                Show(nb.n(f"models.{name}.events", m["events"])))))
        rows += [(LIVER3_LABELS.get(t["term"], label(t["term"])), _est(t, key, nb), nb.pvalue(t["p"]))
                 for t in m["terms"]]
    notes = _notes(ctx)
    return Table("Table 7c. Default models with three-level liver factors (none / ≤ 30 mm / > 30 mm; "
                 "none / < 50 % / ≥ 50 %)", ("Term", "Ratio (95 % CI)", "p"), tuple(rows),
                 footnotes=("The default models code patients without liver metastases as ≤ 30 mm and "
                            "< 50 % (the paper's rule); here they are their own reference level, so each "
                            "liver level is compared with no liver disease.",
                            "Both factors put the same patients in 'none': in the PFS model one column is "
                            "then a linear combination of the others and is not estimable (NE), as R coxph "
                            "reports NA; the remaining liver level is compared with it among patients with "
                            "liver metastases.")
                 + tuple(f"{k}: {v}." for k, v in notes.items() if k.endswith("liver3")),
                 table_id="table-liver3", numbers=nb)


def ph_html(ctx) -> str:
    """The cox.zph statement, and the stratified refit when a term is flagged."""
    models, nb = ctx.results["models"], ctx.numbers
    strat = models["pfs_cox_ph_stratified"]
    ph = {t["term"]: t["p"] for t in ctx.extras["sensitivity"]["ph_test"]["terms"]}
    if strat is None:
        return paragraph(f"Proportional hazards: no term of the PFS model has a cox.zph p below {PH_ALPHA} "
                         f"({ref('table-sensitivity')}), so no stratified refit is needed.")
    flagged = ", ".join(f"{label(t)} ({p_text(ph.get(t), nb)})" for t in strat["stratified_on"])
    text = (f"Proportional hazards: cox.zph flags {flagged} (p < {PH_ALPHA}); its hazard ratio is an average "
            "over follow-up and should be read with care. The model refitted with a separate baseline hazard "
            f"for each level of the flagged term(s) gives the hazard ratios of the other terms in {ref('table-ph-stratified')}.")
    main = {t["term"]: t for t in models["pfs_cox"]["terms"]}
    rows = tuple((label(t["term"]), _est(main[t["term"]], "hr", nb) if t["term"] in main else "—",
                  _est(t, "hr", nb), nb.pvalue(t["p"])) for t in strat["terms"])
    note = _notes(ctx).get("pfs_cox_ph_stratified")
    table = Table("Table 7d. PFS hazard ratios stratified on the terms cox.zph flags",
                  ("Term", "Main model HR (95 % CI)", "Stratified HR (95 % CI)", "p"), rows,
                  footnotes=(f"Stratified on {', '.join(strat['stratified_on'])} (R coxph(... + strata(...)), "
                             "Efron ties, Wald intervals).",) + ((f"Not estimable: {note}.",) if note else ()),
                  table_id="table-ph-stratified")
    return paragraph(text) + (table.html() if rows else "")


def html(ctx) -> str:
    return cluster_table(ctx).html() + liver3_table(ctx).html() + ph_html(ctx)
