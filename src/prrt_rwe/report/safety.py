"""Safety: treatment-emergent CTCAE v5.0 grades from laboratory values in the acute and late
windows beside the worst grade whatever the baseline (as the paper counts it), shift tables,
laboratory- and adverse-event-based grade >= 3 rates side by side, the adverse-event table
with serious events apart, and kidney function (eGFR trajectory with the number of patients
per window, the annual slope, the share with a ≥ 30 % decline at 12 months)."""

from __future__ import annotations

import numpy as np
from matplotlib.transforms import blended_transform_factory

from prrt_rwe.report.section import Section, figure, paragraph
from prrt_rwe.report.svg import new_figure, to_svg
from prrt_rwe.report.table import Table, group

TEST_LABELS = {"platelets": "Platelet count decreased", "neutrophils": "Neutrophil count decreased",
               "wbc": "White blood cell decreased", "lymphocytes": "Lymphocyte count decreased",
               "hemoglobin": "Anaemia", "creatinine": "Creatinine increased"}
GRADES = ("0", "1", "2", "3", "4")


def ranges_note(defaulted: dict) -> str:
    used = {t: n for t, n in defaulted.items() if n}
    if not used:
        return "Every result came with its site reference range; no default range was used."
    listed = ", ".join(f"{TEST_LABELS[t].lower()} {n}" for t, n in used.items())
    return ("Results without a site reference range were graded against the default ranges of the "
            "analysis rules (platelets LLN 150, neutrophils 2.0, wbc 4.0, lymphocytes 1.0 x10^9/L; "
            "haemoglobin 120 F / 135 M g/L; creatinine ULN 84 F / 104 M µmol/L); results concerned: "
            f"{listed}.")


def windows_note(ctx) -> str:
    return (f"Baseline = last value C1 − {ctx.config.labs.baseline_window_days} days to C1 (none: grade 0); "
            f"acute window = after C1 to last cycle + {ctx.config.safety.window_days} days; late window = "
            "after C1 to the data cut-off. Treatment-emergent = a grade worse than the baseline grade.")


def te_grade_table(ctx) -> Table:
    s, nb = ctx.results["safety"], ctx.numbers
    N, te, late, any_ = s["N"], s["lab_te"]["worst_grade"], s["lab_te_late"]["worst_grade"], s["lab"]["worst_grade"]
    rows = []
    for test, counts in te.items():
        rows.append((TEST_LABELS[test], nb.count(sum(counts.values())),
                     *[nb.n_pct(counts[g], N) for g in ("1", "2", "3", "4")],
                     nb.n_pct(counts["3"] + counts["4"], N),
                     nb.n_pct(late[test]["3"] + late[test]["4"], N),
                     nb.n_pct(any_[test]["3"] + any_[test]["4"], N)))
    return Table(f"Table 8. Treatment-emergent worst CTCAE v5.0 grade from laboratory values, safety set "
                 f"(N = {nb.count(N)})",
                 ("Toxicity", "Patients with values (acute)", "Grade 1", "Grade 2", "Grade 3", "Grade 4",
                  "Grade ≥ 3 (acute)", "Grade ≥ 3 (late window)", "Grade ≥ 3 whatever the baseline (acute)"),
                 tuple(rows),
                 footnotes=("Grades computed from values (CTCAE v5.0). " + windows_note(ctx) +
                            " Percentages of the safety N.",
                            "The last column counts the worst post-baseline grade whatever the baseline grade, "
                            "as Okamoto et al. 2026 report it; a patient anaemic before PRRT counts there.",
                            "Anaemia has no laboratory grade 4 in CTCAE v5.0.",
                            ranges_note(ctx.extras.get("ranges_defaulted", {}))),
                 table_id="table-worst-grade")


def shift_table(ctx) -> Table:
    shift, nb = ctx.results["safety"]["shift"], ctx.numbers
    rows = []
    for test, by_base in shift.items():
        rows.append(group(TEST_LABELS[test]))
        for base, by_worst in by_base.items():
            total = sum(by_worst.values())
            if total:
                rows.append((f"Baseline grade {base}", nb.count(total), *[nb.count(by_worst[g]) for g in GRADES]))
    return Table("Table 8a. Shift from baseline grade to worst post-baseline grade (acute window), safety set",
                 ("Baseline", "Patients", *[f"Worst grade {g}" for g in GRADES]), tuple(rows),
                 footnotes=("Patients with at least one value of the test in the acute window; baseline grade "
                            "0 includes patients without a baseline value. Cells right of the diagonal are "
                            "treatment-emergent worsening.",),
                 table_id="table-shift")


def rates_table(ctx) -> Table:
    s, nb = ctx.results["safety"], ctx.numbers
    lymph = ctx.extras["lab_grade3plus"]["lymphocytes"]
    rows = (("Haematologic grade ≥ 3", nb.proportion(s["lab_te"]["hematologic_grade3plus"]),
             nb.proportion(s["lab_te_late"]["hematologic_grade3plus"]),
             nb.proportion(s["lab"]["hematologic_grade3plus"]), nb.proportion(s["ae"]["hematologic_grade3plus"])),
            ("Renal grade ≥ 3", nb.proportion(s["lab_te"]["renal_grade3plus"]),
             nb.proportion(s["lab_te_late"]["renal_grade3plus"]),
             nb.proportion(s["lab"]["renal_grade3plus"]), nb.proportion(s["ae"]["renal_grade3plus"])),
            ("Lymphopenia grade ≥ 3", "—", "—", nb.proportion(lymph), "—"),
            ("MDS / AML (any grade)", "—", "—", "—", nb.proportion(s["ae"]["mds_aml"])),
            ("eGFR decline ≥ 30 % at 12 months", "—", "—", nb.proportion(s["lab"]["egfr_decline30_12m"]), "—"))
    return Table("Table 9. Grade ≥ 3 toxicity: laboratory values beside reported adverse events",
                 ("Toxicity", "Laboratory, treatment-emergent (acute), % (95 % CI)",
                  "Laboratory, treatment-emergent (late), % (95 % CI)",
                  "Laboratory, whatever the baseline (acute), % (95 % CI)", "Adverse events, % (95 % CI)"),
                 rows,
                 footnotes=("Headline rates are treatment-emergent. Haematologic = platelets, neutrophils, white "
                            "cells or haemoglobin; lymphopenia is shown apart (it dominates and is often not "
                            "counted as haematologic toxicity in publications). Renal = creatinine increased.",
                            "Adverse events: grade ≥ 3 with onset after C1 by CTCAE term "
                            "(haematologic: anaemia, platelet/neutrophil/white cell decreased, febrile "
                            "neutropenia; renal: acute kidney injury, chronic kidney disease, creatinine "
                            "increased); CTCAE v4.03 grades used as given.",
                            "eGFR: CKD-EPI 2021 (race-free); denominator = patients with baseline and "
                            "12-month values (closest to day 365 within days 305–425).",
                            "95 % CI exact Clopper–Pearson; denominator the safety N unless stated. Crude "
                            "proportions ignore time and competing death: see the cumulative incidence below."),
                 table_id="table-tox-rates")


def _ae_rows(items, nb, N) -> tuple:
    return tuple((i["term"], nb.n_pct(i["any"], N), nb.n_pct(i["grade3"], N), nb.n_pct(i["grade4"], N),
                  nb.n_pct(i["grade5"], N), nb.n_pct(i["serious"], N)) for i in items)


AE_COLUMNS = ("CTCAE term", "Any grade", "Grade 3", "Grade 4", "Grade 5", "Serious")


def ae_tables(ctx) -> str:
    s, nb = ctx.results["safety"], ctx.numbers
    N, items = s["N"], s["ae_table"]
    notes = ("Adverse events with onset after C1 up to the data cut-off, as reported by the sites; a patient "
             "counts once per term, in the column of the worst grade of that term. Percentages of the safety N.",)
    all_ = Table(f"Table 9a. Adverse events by CTCAE term, safety set (N = {nb.count(N)})", AE_COLUMNS,
                 _ae_rows(items, nb, N), footnotes=notes + ("Sorted by frequency.",), table_id="table-ae")
    serious = [i for i in items if i["serious"]]
    serious = sorted(serious, key=lambda i: (-i["serious"], i["term"]))
    sae = Table("Table 9b. Serious adverse events by CTCAE term", AE_COLUMNS, _ae_rows(serious, nb, N),
                footnotes=notes + ("Terms with at least one serious event, sorted by the number of patients "
                                   "with a serious event.",), table_id="table-sae")
    return all_.html() + sae.html()


def trajectory_points(traj: list[dict], min_n: int) -> list[dict]:
    """Windows drawn: from baseline up to (not including) the first with fewer than min_n patients."""
    drawn = []
    for p in traj:
        if p["n"] < min_n or p["median"] is None:
            break
        drawn.append(p)
    return drawn


def egfr_figure(traj: list[dict], nb, min_n: int) -> str:
    """Median and quartiles per window while n >= min_n; n per window under the axis."""
    fig, ax = new_figure(7.0, 3.2)
    pts = [p for p in trajectory_points(traj, min_n) if not nb.masked(p["n"])]
    if pts:
        m = np.array([p["month"] for p in pts], float)
        ax.fill_between(m, [p["q1"] for p in pts], [p["q3"] for p in pts], color="#2e8b57", alpha=0.18,
                        linewidth=0, label="Quartiles")
        ax.plot(m, [p["median"] for p in pts], "o-", color="#2e8b57", label="Median")
        ax.legend(frameon=False, loc="lower left")
    shown = traj[:len(trajectory_points(traj, min_n)) + 1]
    ax.set_xlabel(f"Months since first PRRT cycle (3-month windows, last value in each; drawn while "
                  f"n ≥ {min_n})", labelpad=18)
    ax.set_ylabel("eGFR, mL/min/1.73 m²")
    ax.set_xticks([p["month"] for p in shown])
    row = blended_transform_factory(ax.transData, ax.transAxes)
    ax.text(-0.02, -0.14, "n", transform=ax.transAxes, ha="right", va="top", fontsize=7, fontweight="bold")
    for p in shown:
        ax.text(p["month"], -0.14, nb.count(p["n"]), transform=row, ha="center", va="top", fontsize=7)
    return to_svg(fig)


def slope_sentence(ctx) -> str:
    sl, nb = ctx.results["safety"]["egfr_slope"], ctx.numbers
    if sl["per_year"] is None:
        return f"Annual eGFR slope not estimable: {sl.get('reason', 'no data')}."
    return (f"Annual eGFR change {sl['per_year']:+.2f} mL/min/1.73 m² per year (95 % CI "
            f"{nb.ci(*sl['ci95'], fmt='+.2f')}), linear mixed model with a random intercept and slope per patient "
            f"(REML, as R nlme::lme) on {nb.count(sl['n_values'])} values of {nb.count(sl['n_patients'])} "
            "patients with a baseline and a later value, from baseline to the data cut-off.")


def section(ctx) -> Section:
    body = te_grade_table(ctx).html() + shift_table(ctx).html() + rates_table(ctx).html() + ae_tables(ctx)
    body += figure(egfr_figure(ctx.extras["egfr_trajectory"], ctx.numbers, ctx.config.safety.egfr_min_n),
                   "Figure 6. eGFR (CKD-EPI 2021) over time, safety set: median and quartiles; the number of "
                   "patients with a value in each 3-month window under the axis.", "fig-egfr")
    body += paragraph(slope_sentence(ctx))
    return Section("safety", "Safety", body)
