"""Safety: treatment-emergent CTCAE v5.0 grades from laboratory values in the acute and late
windows beside the worst grade whatever the baseline (as the paper counts it), shift tables,
laboratory- and adverse-event-based grade >= 3 rates side by side, the adverse-event table
with serious events apart, and kidney function (eGFR trajectory with the number of patients
per window, the annual slope, the share with a ≥ 30 % decline at 12 months)."""

from __future__ import annotations

import numpy as np
from matplotlib.transforms import blended_transform_factory

from prrt_rwe.report.cells import Label, Share, Show, Sum
from prrt_rwe.report.section import Section, figure, paragraph
from prrt_rwe.report.svg import legend, new_figure, to_svg
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
    """Per test: the grades add up to the patients with values (grade 0 hidden, protected when
    small), grade >= 3 = grade 3 + grade 4."""
    s, nb = ctx.results["safety"], ctx.numbers
    te, late, any_ = s["lab_te"]["worst_grade"], s["lab_te_late"]["worst_grade"], s["lab"]["worst_grade"]
    N = nb.population("analysis_sets.safety", s["N"])
    rows, sums = [], []
    for test, counts in te.items():
        key = f"safety.lab_te.worst_grade.{test}"
        grade = {g: nb.n(f"{key}.{g}", counts[g]) for g in ("0", "1", "2", "3", "4")}
        graded = nb.n(f"{key}.graded", sum(counts.values()))
        g34 = nb.n(f"{key}.3+4", counts["3"] + counts["4"])
        sums += [Sum(graded, tuple(grade.values())), Sum(g34, (grade["3"], grade["4"]))]
        rows.append((TEST_LABELS[test], Show(graded), *[Share(grade[g], N) for g in ("1", "2", "3", "4")],
                     Share(g34, N),
                     Share(nb.n(f"safety.lab_te_late.worst_grade.{test}.3+4", late[test]["3"] + late[test]["4"]), N),
                     Share(nb.n(f"extras.lab_grade3plus.{test}.n", any_[test]["3"] + any_[test]["4"]), N)))
    return Table(Label("Table 8. Treatment-emergent worst CTCAE v5.0 grade from laboratory values, safety set "
                       "(N = {})", Show(N)),
                 ("Toxicity", "Patients with values (acute)", "Grade 1", "Grade 2", "Grade 3", "Grade 4",
                  "Grade ≥ 3 (acute)", "Grade ≥ 3 (late window)", "Grade ≥ 3 whatever the baseline (acute)"),
                 tuple(rows),
                 footnotes=("Grades computed from values (CTCAE v5.0). " + windows_note(ctx) +
                            " Percentages of the safety N.",
                            "The last column counts the worst post-baseline grade whatever the baseline grade, "
                            "as Okamoto et al. 2026 report it; a patient anaemic before PRRT counts there.",
                            "Anaemia has no laboratory grade 4 in CTCAE v5.0.",
                            ranges_note(ctx.extras.get("ranges_defaulted", {}))),
                 table_id="table-worst-grade", sums=tuple(sums), numbers=nb)


def shift_table(ctx) -> Table:
    """Each baseline row adds up to its patients, and the rows to the test's patients with
    values in the acute window (Table 8's first column)."""
    s, nb = ctx.results["safety"], ctx.numbers
    rows, sums = [], []
    for test, by_base in s["shift"].items():
        rows.append(group(TEST_LABELS[test]))
        totals = []
        for base, by_worst in by_base.items():
            key = f"safety.shift.{test}.{base}"
            cells = [nb.n(f"{key}.{g}", by_worst[g]) for g in GRADES]
            total = nb.n(f"{key}.total", sum(by_worst.values()))
            totals.append(total)
            sums.append(Sum(total, tuple(cells)))
            if total.value:
                rows.append((f"Baseline grade {base}", Show(total), *[Show(c) for c in cells]))
        graded = sum(s["lab_te"]["worst_grade"].get(test, {}).values())
        if sum(t.value for t in totals) == graded:
            sums.append(Sum(nb.n(f"safety.lab_te.worst_grade.{test}.graded", graded), tuple(totals)))
    return Table("Table 8a. Shift from baseline grade to worst post-baseline grade (acute window), safety set",
                 ("Baseline", "Patients", *[f"Worst grade {g}" for g in GRADES]), tuple(rows),
                 footnotes=("Patients with at least one value of the test in the acute window; baseline grade "
                            "0 includes patients without a baseline value. Cells right of the diagonal are "
                            "treatment-emergent worsening.",),
                 table_id="table-shift", sums=tuple(sums), numbers=nb)


def rates_table(ctx) -> Table:
    s, nb = ctx.results["safety"], ctx.numbers
    N = nb.population("analysis_sets.safety", s["N"])

    def prop(block: str, name: str):
        p = ctx.extras["lab_grade3plus"][name] if block == "extras" else s[block][name]
        key = f"extras.lab_grade3plus.{name}" if block == "extras" else f"safety.{block}.{name}"
        return nb.prop(p, key, N=N if p["N"] == s["N"] else None)

    heme, renal = "hematologic_grade3plus", "renal_grade3plus"
    rows = (("Haematologic grade ≥ 3", *[prop(b, heme) for b in ("lab_te", "lab_te_late", "lab", "ae")]),
            ("Renal grade ≥ 3", *[prop(b, renal) for b in ("lab_te", "lab_te_late", "lab", "ae")]),
            ("Lymphopenia grade ≥ 3", "—", "—", prop("extras", "lymphocytes"), "—"),
            ("MDS / AML (any grade)", "—", "—", "—", prop("ae", "mds_aml")),
            ("eGFR decline ≥ 30 % at 12 months", "—", "—", prop("lab", "egfr_decline30_12m"), "—"))
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
                 table_id="table-tox-rates", numbers=nb)


AE_COUNTS = ("any", "grade3", "grade4", "grade5", "serious")


def _ae_rows(items, nb, N) -> tuple[tuple, tuple]:
    """Rows of counts by worst grade of a term; any grade = grades 1–2 (hidden, protected
    when small) + 3 + 4 + 5."""
    rows, sums = [], []
    for i in items:
        c = {k: nb.n(f"safety.ae_table.{i['term']}.{k}", i[k]) for k in AE_COUNTS}
        low = nb.n(f"safety.ae_table.{i['term']}.grade1-2", i["any"] - i["grade3"] - i["grade4"] - i["grade5"])
        sums.append(Sum(c["any"], (low, c["grade3"], c["grade4"], c["grade5"])))
        rows.append((i["term"], *[Share(c[k], N) for k in AE_COUNTS]))
    return tuple(rows), tuple(sums)


AE_COLUMNS = ("CTCAE term", "Any grade", "Grade 3", "Grade 4", "Grade 5", "Serious")


def ae_tables(ctx) -> str:
    s, nb = ctx.results["safety"], ctx.numbers
    N, items = nb.population("analysis_sets.safety", s["N"]), s["ae_table"]
    notes = ("Adverse events with onset after C1 up to the data cut-off, as reported by the sites; a patient "
             "counts once per term, in the column of the worst grade of that term. Percentages of the safety N.",)
    rows, sums = _ae_rows(items, nb, N)
    all_ = Table(Label("Table 9a. Adverse events by CTCAE term, safety set (N = {})", Show(N)), AE_COLUMNS,
                 rows, footnotes=notes + ("Sorted by frequency.",), table_id="table-ae", sums=sums, numbers=nb)
    serious = [i for i in items if i["serious"]]
    serious = sorted(serious, key=lambda i: (-i["serious"], i["term"]))
    rows, sums = _ae_rows(serious, nb, N)
    sae = Table("Table 9b. Serious adverse events by CTCAE term", AE_COLUMNS, rows,
                footnotes=notes + ("Terms with at least one serious event, sorted by the number of patients "
                                   "with a serious event.",), table_id="table-sae", sums=sums, numbers=nb)
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
    ns = {p["month"]: nb.n(f"extras.egfr_trajectory.{p['month']}.n", p["n"]) for p in traj}
    view = nb.resolve("fig-egfr", [Show(n) for n in ns.values()])
    fig, ax = new_figure(7.0, 3.2)
    pts = [p for p in trajectory_points(traj, min_n) if not view.hides(Show(ns[p["month"]]))]
    if pts:
        m = np.array([p["month"] for p in pts], float)
        ax.fill_between(m, [p["q1"] for p in pts], [p["q3"] for p in pts], color="#2e8b57", alpha=0.18,
                        linewidth=0, label="Quartiles")
        ax.plot(m, [p["median"] for p in pts], "o-", color="#2e8b57", label="Median")
    else:
        ax.text(0.5, 0.5, f"No 3-month window with n ≥ {min_n}: nothing drawn", transform=ax.transAxes,
                ha="center", va="center", color="0.35")
    legend(ax, frameon=False, loc="lower left")
    shown = traj[:len(trajectory_points(traj, min_n)) + 1]
    ax.set_xlabel(f"Months since first PRRT cycle (3-month windows, last value in each; drawn while "
                  f"n ≥ {min_n})", labelpad=18)
    ax.set_ylabel("eGFR, mL/min/1.73 m²")
    ax.set_xticks([p["month"] for p in shown])
    row = blended_transform_factory(ax.transData, ax.transAxes)
    ax.text(-0.02, -0.14, "n", transform=ax.transAxes, ha="right", va="top", fontsize=7, fontweight="bold")
    for p in shown:
        ax.text(p["month"], -0.14, view.text(Show(ns[p["month"]])), transform=row, ha="center", va="top",
                fontsize=7)
    return to_svg(fig)


def slope_sentence(ctx) -> str:
    sl, nb = ctx.results["safety"]["egfr_slope"], ctx.numbers
    if sl["per_year"] is None:
        return f"Annual eGFR slope not estimable: {sl.get('reason', 'no data')}."
    return (f"Annual eGFR change {sl['per_year']:+.2f} mL/min/1.73 m² per year (95 % CI "
            f"{nb.ci(*sl['ci95'], fmt='+.2f')}), linear mixed model with a random intercept and slope per patient "
            f"(REML, as R nlme::lme) on {nb.count(sl['n_values'], 'safety.egfr_slope.n_values')} values of "
            f"{nb.count(sl['n_patients'], 'safety.egfr_slope.n_patients')} "
            "patients with a baseline and a later value, from baseline to the data cut-off.")


def section(ctx) -> Section:
    body = te_grade_table(ctx).html() + shift_table(ctx).html() + rates_table(ctx).html() + ae_tables(ctx)
    body += figure(egfr_figure(ctx.extras["egfr_trajectory"], ctx.numbers, ctx.config.safety.egfr_min_n),
                   "Figure 6. eGFR (CKD-EPI 2021) over time, safety set: median and quartiles; the number of "
                   "patients with a value in each 3-month window under the axis.", "fig-egfr")
    body += paragraph(slope_sentence(ctx))
    return Section("safety", "Safety", body)
