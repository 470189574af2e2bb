"""Late effects as cumulative incidence with death as a competing risk: the Aalen–Johansen
curves with their 95 % band and the number at risk under each, the naive 1 − Kaplan–Meier
once beside the MDS/AML curve (with why it overstates the risk), the rates at 12–60 months,
Gray's tests and the Fine–Gray model of treatment-emergent haematologic grade ≥ 3 toxicity."""

from __future__ import annotations

import numpy as np

from prrt_rwe.report.cells import Label, Show, Stat, Sum
from prrt_rwe.report.section import Section, figure, paragraph
from prrt_rwe.report.svg import new_figure, to_svg
from prrt_rwe.report.table import Table
from prrt_rwe.results.late_effects import CIF_LANDMARK_MONTHS
from prrt_rwe.results.survival import DAYS_PER_MONTH
from prrt_rwe.stats.cumulative_incidence import cumulative_incidence
from prrt_rwe.stats.kaplan_meier import kaplan_meier

TITLES = {"heme_grade3plus_te": "Haematologic grade ≥ 3 (treatment-emergent, laboratory)",
          "mds_aml": "MDS / AML", "renal_decline": "Renal decline (eGFR)"}
NAIVE_BESIDE = "mds_aml"
COLOR, NAIVE_COLOR = "#b5392f", "0.35"
TERM_LABELS = {"age_per10y": "Age (per 10 years)", "prior_lines": "Prior lines of therapy (per line)",
               "bone_metastases": "Bone metastases", "activity_c1_per7_4gbq": "First-cycle activity (per 7.4 GBq)",
               "baseline_platelets_per50": "Baseline platelets (per 50 × 10⁹/L)"}


def longest_months(curves: dict) -> float:
    return max((float(d.days.max()) for d in curves.values() if d.n), default=0.0) / DAYS_PER_MONTH


def risk_months(curves: dict) -> list[int]:
    """0, 6, 12, ... (every 12 when longer than 4 years) up to the longest follow-up."""
    longest = longest_months(curves)
    step = 6 if longest <= 48 else 12
    return list(range(0, int(longest // step) * step + 1, step)) or [0]


def _steps(time, values, start=0.0):
    return (np.concatenate([[0.0], np.asarray(time, float)]) / DAYS_PER_MONTH,
            np.concatenate([[start], np.asarray(values, float)]))


def _panel(ax, tab, data, key, months, x_max, fit, at_risk, view):
    t, f = _steps(fit.time, fit.cif)
    _, lo = _steps(fit.time, np.nan_to_num(fit.lower, nan=0.0))
    _, hi = _steps(fit.time, np.nan_to_num(fit.upper, nan=0.0))
    ax.fill_between(t, lo, hi, step="post", color=COLOR, alpha=0.15, linewidth=0, label="95 % CI")
    ax.step(t, f, where="post", color=COLOR, linewidth=1.6, label="Cumulative incidence (Aalen–Johansen)")
    if key == NAIVE_BESIDE:
        km = kaplan_meier(data.days, (data.status == 1).astype(np.int8))
        tk, sk = _steps(km.time, 1 - km.survival)
        ax.step(tk, sk, where="post", color=NAIVE_COLOR, linewidth=1.1, linestyle="--",
                label="Naive 1 − Kaplan–Meier (deaths censored)")
    top = max(0.05, float(np.nanmax(hi)) if hi.size else 0.05)
    ax.set_ylim(0, min(1.0, top * 1.1))
    ax.set_xlim(0, max(x_max, 1.0))
    ax.set_xticks(months)
    ax.set_title(TITLES[key], fontsize=9, loc="left")
    ax.set_ylabel("Cumulative incidence")
    ax.grid(axis="y", color="0.9")
    ax.legend(frameon=False, loc="best", fontsize=7)
    ax.tick_params(labelbottom=True)
    tab.axis("off")
    tab.set_xlim(ax.get_xlim())
    tab.set_ylim(-0.5, 0.5)
    tab.text(-0.02, 0, "At risk", transform=tab.get_yaxis_transform(), ha="right", va="center",
             fontweight="bold", fontsize=7)
    for m, c in zip(months, at_risk):
        tab.text(m, 0, view.text(Show(c)), ha="center", va="center", fontsize=7)


def cif_figure(curves: dict, nb) -> str:
    keys = [k for k in TITLES if k in curves and curves[k].n]
    months = risk_months(curves)
    fig, axes = new_figure(7.0, 2.6 * max(len(keys), 1), nrows=2 * max(len(keys), 1), sharex=False,
                           gridspec_kw={"height_ratios": [3.0, 0.45] * max(len(keys), 1), "hspace": 0.55})
    axes = np.atleast_1d(axes)
    fits = {key: cumulative_incidence(curves[key].days, curves[key].status) for key in keys}
    at_risk = {key: [nb.n(f"safety.cumulative_incidence.{key}.at_risk.{m}", int(n))
                     for m, n in zip(months, fit.n_at_risk(np.asarray(months, float) * DAYS_PER_MONTH))]
               for key, fit in fits.items()}
    view = nb.resolve("fig-cif", [Show(c) for cells in at_risk.values() for c in cells])
    for i, key in enumerate(keys):
        _panel(axes[2 * i], axes[2 * i + 1], curves[key], key, months, longest_months(curves), fits[key],
               at_risk[key], view)
    if keys:
        axes[2 * len(keys) - 2].set_xlabel("Months since first PRRT cycle (at risk: event-free and under observation)")
    return to_svg(fig)


def _rate(nb, block, events) -> object:
    """``4.1 % (2.3–7.2)``, a cell masked with the events behind it."""
    if block["estimate"] is None:
        return "NE"
    lo, hi = block["ci95"]
    return Stat(f"{nb.rate(block['estimate'])} ({nb.ci(*[None if c is None else 100 * c for c in (lo, hi)])})",
                (events,))


def rates_table(ctx) -> Table:
    """N = events + deaths first + censored (hidden, protected when small)."""
    nb, cif = ctx.numbers, ctx.results["safety"]["cumulative_incidence"]
    rows, sums = [], []
    for k, b in cif.items():
        key = f"safety.cumulative_incidence.{k}"
        n, events, competing = (nb.n(f"{key}.{x}", b[x]) for x in ("n", "events", "competing"))
        sums.append(Sum(n, (events, competing, nb.n(f"{key}.censored", b["n"] - b["events"] - b["competing"]))))
        rows.append((TITLES[k], Show(n), Show(events), Show(competing),
                     *[_rate(nb, b["rate_at"][str(m)], events) for m in CIF_LANDMARK_MONTHS]))
    return Table("Table 9c. Cumulative incidence with death as a competing risk, safety set",
                 ("End point", "N", "Events", "Deaths first (competing)",
                  *[f"{m} months, % (95 % CI)" for m in CIF_LANDMARK_MONTHS]), rows,
                 footnotes=("Aalen–Johansen estimator; 95 % CI on the log scale with the infinitesimal-jackknife "
                            "standard error, as R survfit(Surv(time, factor(status)) ~ 1). NE: beyond the last "
                            "follow-up time (not extrapolated).",
                            "Time from C1. Events: first treatment-emergent haematologic grade ≥ 3 laboratory value "
                            "(platelets, neutrophils, white cells, haemoglobin; worse than the baseline grade) "
                            "after C1 up to the data cut-off; MDS/AML reported as an adverse event (any grade); "
                            "renal decline = the first of two consecutive eGFR values each ≤ 60 % of baseline or "
                            "< 30 mL/min/1.73 m². Death without the event is the competing event; otherwise "
                            "censored at the last recorded date."),
                 table_id="table-cif", sums=tuple(sums), numbers=nb)


def naive_sentence(ctx) -> str:
    data = ctx.analysis.curves.competing.get(NAIVE_BESIDE)
    if data is None or not data.n or not (data.status == 1).any() \
            or ctx.numbers.masked(int((data.status == 1).sum())):
        return ""
    km = kaplan_meier(data.days, (data.status == 1).astype(np.int8))
    fit = cumulative_incidence(data.days, data.status)
    horizon = min(36 * DAYS_PER_MONTH, float(fit.time[-1]))
    naive, aj = 1 - km.survival_at(horizon).estimate, fit.cif_at(horizon).estimate
    return (f"Why not 1 − Kaplan–Meier: at {horizon / DAYS_PER_MONTH:.0f} months the naive estimate of "
            f"{TITLES[NAIVE_BESIDE]} is {100 * naive:.2f} % against {100 * aj:.2f} % with death as a competing "
            f"risk. 1 − Kaplan–Meier treats the "
            f"{ctx.numbers.count(int((data.status == 2).sum()), f'safety.cumulative_incidence.{NAIVE_BESIDE}.competing')} "
            "patients who "
            "died first as if they could still develop the event later, so it estimates the risk in a world "
            "without death and overstates the risk patients actually face; the gap grows with the number of "
            "deaths before the event.")


def gray_table(ctx) -> Table:
    nb, g = ctx.numbers, ctx.results["safety"]["gray_test"]["heme_grade3plus_te"]
    labels = {"primary_group": "Primary tumour (pancreas, foregut, midgut, hindgut, other)",
              "prior_lines3": "Prior lines of therapy (0, 1, ≥ 2)"}
    rows = tuple((labels[k], nb.number(v["stat"], 2), "NE" if v["df"] is None else str(v["df"]),
                  nb.pvalue(v["p"])) for k, v in g.items())
    return Table("Table 9d. Gray's test: treatment-emergent haematologic grade ≥ 3 by group",
                 ("Grouping", "Chi-square", "df", "p"), rows,
                 footnotes=("Gray's K-sample test of the cumulative incidence functions (rho = 0), as R "
                            "cmprsk::cuminc; patients with the grouping missing are left out.",),
                 table_id="table-gray")


def fine_gray_table(ctx) -> Table:
    nb, fg = ctx.numbers, ctx.results["safety"]["fine_gray"]["heme_grade3plus_te"]
    rows = tuple((TERM_LABELS.get(t["term"], t["term"]), nb.ratio(t["shr"]), nb.ci(*t["ci95"], fmt=".2f"),
                  nb.pvalue(t["p"])) for t in fg["terms"])
    notes = (Label("Fine–Gray proportional subdistribution hazards model, as R cmprsk::crr (sandwich variance), "
                   "{} patients with every covariate known at C1, {} events; death without the event is the "
                   "competing risk.", Show(nb.n("safety.fine_gray.heme_grade3plus_te.n", fg["n"])),
                   Show(nb.n("safety.fine_gray.heme_grade3plus_te.events", fg["events"]))),
             "Cumulative activity is not a covariate: it accrues after time zero and is cut short by the "
             "toxicity itself.")
    if fg.get("reason"):
        notes += (f"Not estimable: {fg['reason']}.",)
    return Table("Table 9e. Fine–Gray model: treatment-emergent haematologic grade ≥ 3",
                 ("Covariate", "Subdistribution HR", "95 % CI", "p"), rows, footnotes=notes,
                 table_id="table-fine-gray", numbers=nb)


def section(ctx) -> Section:
    curves = ctx.analysis.curves.competing
    body = ""
    if curves:
        body += figure(cif_figure(curves, ctx.numbers),
                       "Figure 6a. Cumulative incidence of late effects with death as a competing risk, safety set "
                       "(Aalen–Johansen, 95 % band; number at risk under each panel). Dashed: naive 1 − "
                       "Kaplan–Meier for MDS/AML, shown once for comparison.", "fig-cif")
        body += paragraph(naive_sentence(ctx))
    body += rates_table(ctx).html() + gray_table(ctx).html()
    if ctx.results["safety"]["fine_gray"] is None:   # a federated study (shared/spec/federated.md)
        body += paragraph("Fine–Gray model: not available in this federated study (it weights each patient "
                          "by the censoring distribution at their own time).")
    else:
        body += fine_gray_table(ctx).html()
    heme, nb = ctx.results["safety"]["cumulative_incidence"]["heme_grade3plus_te"], ctx.numbers
    rate = _rate(nb, heme["rate_at"]["12"], nb.n("safety.cumulative_incidence.heme_grade3plus_te.events",
                                                 heme["events"]))
    shown = rate if isinstance(rate, str) else nb.resolve("late-effects-lead", [rate]).text(rate)
    return Section("late-effects", "Late effects with death as a competing risk", body,
                   lead=f"Treatment-emergent haematologic grade ≥ 3 by 12 months: {shown}.")
