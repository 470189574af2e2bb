"""Univariable beside multivariable estimates of both default models (STROBE item 16a: give
unadjusted estimates and, where applicable, confounder-adjusted estimates)."""

from __future__ import annotations

from prrt_rwe.report.cells import Label, Show
from prrt_rwe.report.forest import label
from prrt_rwe.report.numbering import ref
from prrt_rwe.report.table import Table

MODELS = (("orr_logistic", "or", "Odds ratios", "objective response (logistic)"),
          ("pfs_cox", "hr", "Hazard ratios", "progression-free survival (Cox)"))


def _estimate(t: dict | None, key: str, nb) -> str:
    if t is None or t[key] is None:
        return "NE"
    return f"{nb.ratio(t[key])} ({nb.ci(*t['ci95'], fmt='.2f')})"


def table(ctx, name: str, key: str, what: str, title: str, number: str) -> Table:
    models, nb = ctx.results["models"], ctx.numbers
    uni = {t["term"]: t for t in models[f"{name}_univariable"]["terms"]}
    multi = models[name]
    rows = tuple((label(t["term"]), Show(nb.n(f"models.{name}_univariable.{t['term']}.n", uni[t["term"]]["n"]))
                  if t["term"] in uni else "—",
                  _estimate(uni.get(t["term"]), key, nb), nb.pvalue(uni.get(t["term"], {}).get("p")),
                  _estimate(t, key, nb), nb.pvalue(t["p"])) for t in multi["terms"])
    return Table(f"Table {number}. {title}, {what}: univariable and multivariable",
                 ("Term", "n (univariable)", "Univariable (95 % CI)", "p", "Multivariable (95 % CI)", "p"), rows,
                 footnotes=("Univariable: one model per covariate (a factor's levels together), on the "
                            f"complete-case set; multivariable: the default model ({ref('table-or', 'table-hr')}). Wald 95 % "
                            "CIs and p values.",
                            Label("Multivariable n = {}, events = {}.",
                                  Show(nb.population(f"models.{name}.n", multi["n"])),
                                  Show(nb.n(f"models.{name}.events", multi["events"])))),
                 table_id=f"table-{key}-univariable", numbers=nb)


def tables_html(ctx) -> str:
    return "".join(table(ctx, name, key, what, title, f"6{'bc'[i]}").html()
                   for i, (name, key, title, what) in enumerate(MODELS))
