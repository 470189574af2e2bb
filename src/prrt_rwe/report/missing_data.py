"""Missing data: which covariates are missing, where, whether missingness is related to the
outcome, and the default models after multiple imputation beside the complete-case ones."""

from __future__ import annotations

from prrt_rwe.report.cells import Label, Share, Show, Sum
from prrt_rwe.report.estimates import label, ratio_ci
from prrt_rwe.report.forest import label as model_label
from prrt_rwe.report.section import Section, paragraph
from prrt_rwe.report.table import Table, group

METHODS = {"pmm": "predictive mean matching", "logreg": "logistic regression",
           "polyreg": "multinomial logistic regression"}


def _key(name: str) -> str:
    return f"missingness.by_covariate.{name}.n_missing"


def missingness_table(ctx) -> Table:
    """Missing = its count of N; the recorded complement (N − missing) is a hidden count,
    protected when small."""
    r, nb = ctx.results["missingness"], ctx.numbers
    total = _evaluable_n(ctx)
    N = nb.population("missingness.N", total)
    tests = {(t["covariate"], t["endpoint"]): t["p"] for t in r["outcome_association"]}
    rows, sums = [], []
    for name, v in r["by_covariate"].items():
        miss = nb.n(_key(name), v["n_missing"])
        rows.append((label(name), Share(miss, N), nb.pvalue(tests.get((name, "orr"))),
                     nb.pvalue(tests.get((name, "pfs")))))
        sums.append(Sum(N, (miss, nb.n(f"missingness.by_covariate.{name}.not_missing", total - v["n_missing"]))))
    return Table(f"Table M1. Missing values, response-evaluable population (N = {nb.count(total)})",
                 ("Variable", "Missing, n (%)", "p vs response (χ²)", "p vs PFS (log-rank)"), tuple(rows),
                 footnotes=("Model covariates (derived) first, then the recorded columns they derive from "
                            "and the other baseline columns of the imputation model.",
                            "Is missingness related to the outcome? Missing vs recorded compared by R's "
                            "chisq.test (Yates-corrected 2 × 2) for confirmed response and by the log-rank "
                            "test for PFS; a small p argues against missing completely at random, so the "
                            "complete-case estimates may be biased (see the imputed models below).",
                            "NE: not testable (nobody or everybody missing)."),
                 table_id="table-missingness", sums=tuple(sums), numbers=nb)


def _evaluable_n(ctx) -> int:
    by_site = ctx.extras["missing_confounding_sites"]["missing_by_site"]
    return sum(s["n"] for s in by_site.values())


def by_site_table(ctx) -> Table | None:
    """Per site: its patients and, per covariate, the missing ones; each site's complement and
    each column's total (Table M1's count) declared, so a small cell cannot be recomputed."""
    counts = ctx.extras["missing_confounding_sites"]["missing_by_site"]
    by_cov = ctx.results["missingness"]["by_covariate"]
    names = [n for n, v in by_cov.items() if v["n_missing"] and n in ctx.config.models.covariates]
    if not names:
        return None
    nb = ctx.numbers
    N = nb.population("missingness.N", _evaluable_n(ctx))
    rows, sums, columns = [], [], {n: [] for n in names}
    sites = []
    for site, c in counts.items():
        n_site = nb.n(f"missingness.by_site.{site}.n", c["n"])
        sites.append(n_site)
        cells = []
        for name in names:
            miss = nb.n(f"missingness.by_site.{site}.{name}", c[name])
            columns[name].append(miss)
            cells.append(Share(miss, n_site))
            sums.append(Sum(n_site, (miss, nb.n(f"missingness.by_site.{site}.{name}.not_missing", c["n"] - c[name]))))
        rows.append((site, Show(n_site), *cells))
    sums.append(Sum(N, tuple(sites)))
    sums += [Sum(nb.n(_key(name), by_cov[name]["n_missing"]), tuple(columns[name])) for name in names]
    return Table("Table M2. Missing model covariates by site, n (%)", ("Site", "N", *[label(n) for n in names]),
                 tuple(rows), footnotes=("Response-evaluable patients of each site. A site whose patients lack a "
                                         "covariate far more often than the others points to local recording "
                                         "practice rather than chance.",),
                 table_id="table-missing-by-site", sums=tuple(sums), numbers=nb)


def comparison_table(ctx) -> Table:
    models, nb = ctx.results["models"], ctx.numbers
    rows, notes = [], []
    for cc_key, mi_key, key, title in (("orr_logistic", "orr_logistic_mi", "or", "Objective response, odds ratio"),
                                       ("pfs_cox", "pfs_cox_mi", "hr", "Progression-free survival, hazard ratio")):
        cc, mi = models[cc_key], models[mi_key]
        rows.append(group(Label(f"{title} (complete case n = {{}}; imputed n = {{}})",
                                Show(nb.population(f"models.{cc_key}.n", cc["n"])),
                                Show(nb.population(f"models.{mi_key}.n", mi["n"])))))
        by_term = {t["term"]: t for t in mi["terms"]}
        for t in cc["terms"]:
            m = by_term.get(t["term"], {})
            rows.append((model_label(t["term"]), ratio_ci(t, key, nb), ratio_ci(m, key, nb),
                         nb.pvalue(m.get("p")), nb.number(m.get("fmi"), 2)))
        if mi.get("reason"):
            notes.append(f"{mi_key}: {mi['reason']}.")
    imp = ctx.extras["missing_confounding_sites"]["imputation"]
    m = imp.get("m", ctx.config.imputation.m)
    return Table("Table M3. Default models: complete case beside multiple imputation",
                 ("Term", "Complete case (95 % CI)", f"Multiple imputation, m = {m} (95 % CI)", "p (MI)",
                  "FMI"), tuple(rows),
                 footnotes=("Multiple imputation by chained equations on the response-evaluable population; "
                            "pooled by Rubin's rules with Barnard–Rubin degrees of freedom (R mice::pool); "
                            "CI and p from the t distribution. FMI: fraction of missing information.",
                            *notes), table_id="table-mi", numbers=nb)


def imputation_paragraph(ctx) -> str:
    imp = ctx.extras["missing_confounding_sites"]["imputation"]
    if not imp:
        return ""
    parts = [f"{label(v['name'])} ({METHODS[v['method']]}, {ctx.numbers.count(v['n_missing'])} missing)"
             for v in imp["variables"] if v["n_missing"]]
    left = f" Left out, recorded for nobody: {', '.join(label(n) for n in imp['left_out'])}." if imp["left_out"] else ""
    return paragraph(
        f"Imputation model: {', '.join(parts) or 'no missing values'}; each imputed from every other baseline "
        "column, confirmed response, the PFS event and its Nelson–Aalen cumulative hazard (White & Royston "
        f"2009), primary group and site; {imp['iterations']} iterations per chain, {imp['m']} chains, seed "
        f"{imp['seed']}, {imp['donors']} donors for predictive mean matching. Liver lesion size and burden "
        "are imputed only for patients with liver metastases; the model covariates are then derived from "
        "the completed columns by the same rules as the observed ones." + left)


def section(ctx) -> Section:
    body = missingness_table(ctx).html()
    site = by_site_table(ctx)
    if site is not None:
        body += site.html()
    body += imputation_paragraph(ctx) + comparison_table(ctx).html()
    return Section("missing-data", "Missing data", body,
                   lead="Which covariates are missing, is missingness related to the outcome, and do the "
                        "model estimates change when the excluded patients are imputed rather than dropped?")
