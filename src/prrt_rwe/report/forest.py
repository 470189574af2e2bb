"""Forest plots of the default models, our estimates beside the published Okamoto et al.
2026 estimates (the study this analysis replicates), and the model tables."""

from __future__ import annotations

import dataclasses

import numpy as np
from matplotlib.ticker import FixedLocator, FuncFormatter, NullLocator

from prrt_rwe.benchmarks.published import study
from prrt_rwe.report.cells import Label, Show
from prrt_rwe.report.section import Section, figure
from prrt_rwe.report.svg import new_figure, to_svg
from prrt_rwe.report.table import Table

TERM_LABELS = {
    "primary_group[pancreas]": "Pancreas (vs other)", "primary_group[hindgut]": "Hindgut (vs other)",
    "krenning4": "Krenning score 4", "liver_lesion_le30": "Largest liver lesion ≤ 30 mm",
    "ki67_lt10": "Ki-67 < 10 %", "liver_burden_lt50": "Liver tumour burden < 50 %",
    "ssa_concomitant": "Concomitant SSA",
}
RATIO_TICKS = (0.1, 0.25, 0.5, 1, 2, 4, 8, 16)
MODELS = (("orr_logistic", "or", "Odds ratio", "orr_logistic_or", "objective response (logistic)"),
          ("pfs_cox", "hr", "Hazard ratio", "pfs_cox_hr", "progression-free survival (Cox)"))


def ratio_label(x, _pos) -> str:
    """A ratio tick's label (a module function, not a lambda: the figure pickles to the PNG
    worker, report/svg.py)."""
    return f"{x:g}"


def label(term: str) -> str:
    return TERM_LABELS.get(term, term)


def forest_figure(terms: list[dict], key: str, published: dict, xlabel: str) -> str:
    fig, ax = new_figure(6.4, 0.55 * len(terms) + 1.2)
    ys = np.arange(len(terms))[::-1]
    for y, t in zip(ys, terms):
        lo, hi = t["ci95"]
        if t[key] and lo and hi:
            ax.plot([lo, hi], [y + 0.12] * 2, color="#1f5fa8", linewidth=1.6)
            ax.plot(t[key], y + 0.12, "s", color="#1f5fa8", markersize=6)
        pub = published.get(t["term"])
        if pub:
            ax.plot(pub["ci95"], [y - 0.18] * 2, color="#b4462f", linewidth=1.2)
            ax.plot(pub[key], y - 0.18, "D", mfc="white", mec="#b4462f", markersize=6)
    ax.axvline(1.0, color="0.5", linewidth=0.8)
    ax.set_xscale("log")
    ax.xaxis.set_major_locator(FixedLocator(RATIO_TICKS))
    ax.xaxis.set_major_formatter(FuncFormatter(ratio_label))
    ax.xaxis.set_minor_locator(NullLocator())
    ax.set_yticks(ys, [label(t["term"]) for t in terms])
    ax.set_ylim(-0.7, len(terms) - 0.3)
    ax.set_xlabel(f"{xlabel} (log scale)")
    ax.plot([], [], "s-", color="#1f5fa8", label="This cohort")
    ax.plot([], [], "D-", mfc="white", color="#b4462f", label="Okamoto et al. 2026")
    ax.legend(frameon=False, loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=2)
    return to_svg(fig)


FIRTH_NOTE = ("Firth's penalised likelihood (study.toml [models] orr_method = \"firth\"): profile "
              "penalised-likelihood 95 % CIs and penalised likelihood-ratio p values, as R logistf.")


def model_table(model: dict, key: str, xlabel: str, title: str, published: dict, nb,
                name: str = "", inference: str = "Wald 95 % CIs and p values.") -> Table:
    rows = []
    for t in model["terms"]:
        pub = published.get(t["term"])
        rows.append((label(t["term"]), nb.ratio(t[key]), nb.ci(*t["ci95"], fmt=".2f"), nb.pvalue(t["p"]),
                     f"{pub[key]:.2f} ({pub['ci95'][0]:.2f}–{pub['ci95'][1]:.2f})" if pub else "—"))
    return Table(title, ("Term", xlabel, "95 % CI", "p", "Okamoto 2026 (95 % CI)"), tuple(rows),
                 footnotes=(Label("n = {}, events = {}; " + inference,
                                  Show(nb.population(f"models.{name}.n", model["n"])),
                                  Show(nb.n(f"models.{name}.events", model["events"]))),),
                 table_id=f"table-{key}", numbers=nb)


def section(ctx) -> Section:
    models, okamoto, nb, body = ctx.results["models"], study("okamoto2026").models, ctx.numbers, ""
    for i, (name, key, xlabel, pub_key, what) in enumerate(MODELS):
        m = models[name]
        body += figure(forest_figure(m["terms"], key, okamoto.get(pub_key, {}), xlabel),
                       f"Figure {4 + i}. {xlabel}s for {what}, this cohort (squares) and the "
                       "published Okamoto et al. 2026 estimates (diamonds).", f"fig-forest-{key}")
        extra = ()
        if name == "pfs_cox":
            extra = (f"Efron ties; concordance {nb.number(m['concordance'], 3)}; proportional-hazards "
                     f"test (cox.zph, km transform) global p = {nb.pvalue(m['ph_test']['global_p'])}.",)
        note = ctx.extras.get("model_notes", {}).get("orr_logistic" if name == "orr_logistic" else "pfs_cox_main")
        if note:
            extra += (f"Not estimable on these data: {note}.",)
        firth = name == "orr_logistic" and ctx.config.models.orr_method == "firth"
        t = model_table(m, key, xlabel, f"Table {5 + i}. {xlabel}s, {what}", okamoto.get(pub_key, {}), nb, name,
                        *((FIRTH_NOTE,) if firth else ()))
        body += dataclasses.replace(t, footnotes=t.footnotes + extra).html()
    from prrt_rwe.report.univariable import tables_html   # it imports label() from here

    body += tables_html(ctx)
    return Section("models", "Multivariable models", body)
