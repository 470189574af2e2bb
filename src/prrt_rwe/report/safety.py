"""Safety: worst post-baseline CTCAE v5.0 grade from laboratory values, laboratory- and
adverse-event-based grade >= 3 rates side by side, MDS/AML, and kidney function (eGFR
trajectory and the share with a ≥ 30 % decline at 12 months)."""

from __future__ import annotations

import numpy as np

from prrt_rwe.report.cells import Label, Share, Show, Sum
from prrt_rwe.report.section import Section, figure
from prrt_rwe.report.svg import new_figure, to_svg
from prrt_rwe.report.table import Table

TEST_LABELS = {"platelets": "Platelet count decreased", "neutrophils": "Neutrophil count decreased",
               "wbc": "White blood cell decreased", "lymphocytes": "Lymphocyte count decreased",
               "hemoglobin": "Anaemia", "creatinine": "Creatinine increased"}


def ranges_note(defaulted: dict) -> str:
    used = {t: n for t, n in defaulted.items() if n}
    if not used:
        return "Every result came with its site reference range; no default range was used."
    listed = ", ".join(f"{TEST_LABELS[t].lower()} {n}" for t, n in used.items())
    return ("Results without a site reference range were graded against the default ranges of the "
            "analysis rules (platelets LLN 150, neutrophils 2.0, wbc 4.0, lymphocytes 1.0 x10^9/L; "
            "haemoglobin 120 F / 135 M g/L; creatinine ULN 84 F / 104 M µmol/L); results concerned: "
            f"{listed}.")


def worst_grade_table(ctx) -> Table:
    wg, nb = ctx.results["safety"]["lab"]["worst_grade"], ctx.numbers
    N = nb.population("analysis_sets.safety", ctx.results["safety"]["N"])
    rows, sums = [], []
    for test, counts in wg.items():
        grade = {g: nb.n(f"safety.lab.worst_grade.{test}.{g}", counts[g]) for g in ("0", "1", "2", "3", "4")}
        graded = nb.n(f"safety.lab.worst_grade.{test}.graded", sum(counts.values()))
        g34 = nb.n(f"extras.lab_grade3plus.{test}.n", counts["3"] + counts["4"])
        rows.append((TEST_LABELS[test], Show(graded), *[Share(grade[g], N) for g in ("1", "2", "3", "4")],
                     Share(g34, N)))
        sums += [Sum(graded, tuple(grade.values())), Sum(g34, (grade["3"], grade["4"]))]
    return Table(Label("Table 8. Worst post-baseline CTCAE v5.0 grade from laboratory values, safety set "
                       "(N = {})", Show(N)),
                 ("Toxicity", "Patients with values", "Grade 1", "Grade 2", "Grade 3", "Grade 4",
                  "Grade ≥ 3"), tuple(rows),
                 footnotes=("Grades computed from values (CTCAE v5.0); baseline = last value C1 − "
                            f"{ctx.config.labs.baseline_window_days} days to C1; post-baseline = after C1 "
                            f"to last cycle + {ctx.config.safety.window_days} days; worst grade per patient "
                            "whatever the baseline grade. Percentages of the safety N.",
                            "Anaemia has no laboratory grade 4 in CTCAE v5.0.",
                            ranges_note(ctx.extras.get("ranges_defaulted", {}))),
                 table_id="table-worst-grade", sums=tuple(sums), numbers=nb)


def rates_table(ctx) -> Table:
    s, nb = ctx.results["safety"], ctx.numbers
    N = nb.population("analysis_sets.safety", s["N"])

    def prop(p, key):
        return nb.prop(p, key, N=N if p["N"] == s["N"] else None)

    rows = (("Haematologic grade ≥ 3", prop(s["lab"]["hematologic_grade3plus"], "safety.lab.hematologic_grade3plus"),
             prop(s["ae"]["hematologic_grade3plus"], "safety.ae.hematologic_grade3plus")),
            ("Renal grade ≥ 3", prop(s["lab"]["renal_grade3plus"], "safety.lab.renal_grade3plus"),
             prop(s["ae"]["renal_grade3plus"], "safety.ae.renal_grade3plus")),
            ("Lymphopenia grade ≥ 3", prop(ctx.extras["lab_grade3plus"]["lymphocytes"],
                                           "extras.lab_grade3plus.lymphocytes"), "—"),
            ("MDS / AML (any grade)", "—", prop(s["ae"]["mds_aml"], "safety.ae.mds_aml")),
            ("eGFR decline ≥ 30 % at 12 months", prop(s["lab"]["egfr_decline30_12m"],
                                                      "safety.lab.egfr_decline30_12m"), "—"))
    return Table("Table 9. Grade ≥ 3 toxicity: laboratory values beside reported adverse events",
                 ("Toxicity", "From laboratory values, % (95 % CI)", "From adverse events, % (95 % CI)"),
                 rows,
                 footnotes=("Haematologic = platelets, neutrophils, white cells or haemoglobin; "
                            "lymphopenia is shown apart (it dominates and is often not counted as "
                            "haematologic toxicity in publications). Renal = creatinine increased.",
                            "Adverse events: grade ≥ 3 with onset after C1 by CTCAE term "
                            "(haematologic: anaemia, platelet/neutrophil/white cell decreased, febrile "
                            "neutropenia; renal: acute kidney injury, chronic kidney disease, creatinine "
                            "increased); CTCAE v4.03 grades used as given.",
                            "eGFR: CKD-EPI 2021 (race-free); denominator = patients with baseline and "
                            "12-month values (closest to day 365 within days 305–425).",
                            "95 % CI exact Clopper–Pearson; denominator the safety N unless stated."),
                 table_id="table-tox-rates", numbers=nb)


def egfr_figure(traj: list[dict], nb) -> str:
    """Median and quartiles per window; a window whose n is masked is not drawn."""
    ns = [nb.n(f"extras.egfr_trajectory.{p['month']}.n", p["n"]) for p in traj]
    view = nb.resolve("fig-egfr", [Show(n) for n in ns])
    fig, ax = new_figure(6.4, 3.0)
    pts = [p for p, n in zip(traj, ns) if p["median"] is not None and not view.hides(Show(n))]
    if pts:
        m = np.array([p["month"] for p in pts], float)
        ax.fill_between(m, [p["q1"] for p in pts], [p["q3"] for p in pts], color="#2e8b57", alpha=0.18,
                        linewidth=0, label="Quartiles")
        ax.plot(m, [p["median"] for p in pts], "o-", color="#2e8b57", label="Median")
        ax.legend(frameon=False, loc="lower left")
    ax.set_xlabel("Months since first PRRT cycle (3-month windows, last value in each; n = patients)")
    ax.set_ylabel("eGFR, mL/min/1.73 m²")
    ax.set_xticks([p["month"] for p in traj], [f"{p['month']}\nn={view.text(Show(n))}" for p, n in zip(traj, ns)])
    return to_svg(fig)


def section(ctx) -> Section:
    body = worst_grade_table(ctx).html() + rates_table(ctx).html()
    body += figure(egfr_figure(ctx.extras["egfr_trajectory"], ctx.numbers),
                   "Figure 6. eGFR (CKD-EPI 2021) over time, safety set: median and quartiles.",
                   "fig-egfr")
    return Section("safety", "Safety", body)
