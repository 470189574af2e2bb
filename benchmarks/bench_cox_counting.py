"""Benchmark: Cox at its limit — the fit alone at 10^6 rows (issue 17) and (start, stop] data
at 10^6 intervals (issue 14) — against lifelines and R survival, all measured in this run.

Usage: python benchmarks/bench_cox_counting.py --out bench-out [--n 1000000]
(writes bench-out/cox_counting.md)

Data: ``bench_cox.make_data`` (seed 1: Efron ties, 8 covariates, whole-day times, ~30 %
censored) and, for (start, stop] data, the same rows with a delayed entry
entry = floor(U(0, 0.6) x time) (numpy seed 5; left truncation, every row an interval).
Every tool gets the same rows (R and lifelines read a CSV written here and time only the
fit).  Our figures are the best of 3 runs, R's and lifelines' of 2.

Targets: fit only (no concordance) >= 4x faster than lifelines' ``CoxPHFitter.fit`` and
>= 12x faster than R's ``coxph`` (issue 17); (start, stop] fit with concordance within 3x
of our right-censored fit and faster than R's ``coxph(Surv(entry, time, event) ~ ...)``
(issue 14).  R's ``coxph`` always computes the concordance; its bare fitters ``coxph.fit``
and ``agreg.fit`` (no model frame, no concordance) are timed too, for reference.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from bench_cox import bench_python, fmt_s, make_data, r_time, run_timed, versions, write_section  # noqa: E402
from timing import best_of, describe  # noqa: E402

from prrt_rwe.stats.cox import cox_ph  # noqa: E402

TARGETS = {"lifelines_fit": 4.0, "R_fit": 12.0, "counting_vs_right": 3.0, "R_counting": 1.0}
OUR_REPS, OTHER_REPS = 3, 2

LIFELINES = r"""
import sys, time
import pandas as pd
from lifelines import CoxPHFitter
d = pd.read_csv(sys.argv[1])
cols = [f"x{j}" for j in range(1, 9)] + ["time", "event"]
best = float("inf")
for _ in range(int(sys.argv[2])):
    start = time.perf_counter()
    CoxPHFitter().fit(d[cols], "time", "event")  # concordance_index_ is computed on access only
    best = min(best, time.perf_counter() - start)
print(f"{best:.6f}")
"""


def delayed_entry(time_: np.ndarray) -> np.ndarray:
    rng = np.random.default_rng(5)
    return np.minimum(np.floor(rng.uniform(0, 0.6, time_.size) * time_), time_ - 1)


def write_csv(path: Path, data, entry) -> None:
    time_, event, X, site = data
    cols = np.column_stack([entry, time_, event, X, site])
    header = "entry,time,event," + ",".join(f"x{j}" for j in range(1, 9)) + ",site"
    np.savetxt(path, cols, fmt="%.10g", delimiter=",", header=header, comments="")


def lifelines_fit(csv: Path, workdir: Path) -> float | None:
    exe = bench_python()
    if exe is None:
        return None
    script = workdir / "lifelines_fit.py"
    script.write_text(LIFELINES)
    return run_timed([exe, str(script), str(csv), str(OTHER_REPS)])


def measure(n: int, workdir: Path) -> dict:
    data = make_data(n)
    time_, event, X, _ = data
    entry = delayed_entry(time_)
    csv = workdir / f"cox_counting_{n}.csv"
    write_csv(csv, data, entry)
    res = {"n": n,
           "right": best_of(lambda: cox_ph(time_, event, X), OUR_REPS),
           "right_fit": best_of(lambda: cox_ph(time_, event, X, concordance=False), OUR_REPS),
           "counting": best_of(lambda: cox_ph(time_, event, X, entry=entry), OUR_REPS),
           "counting_fit": best_of(lambda: cox_ph(time_, event, X, entry=entry, concordance=False), OUR_REPS)}
    print("ours", res, flush=True)
    res["lifelines_fit"] = lifelines_fit(csv, workdir)
    for mode in ("plain", "coxph.fit", "counting", "agreg.fit"):
        res[f"R_{mode}"] = r_time(mode, csv, OTHER_REPS)
        print(mode, res[f"R_{mode}"], flush=True)
    res["events"] = int(event.sum())
    return res


def ratio(other, mine) -> str:
    return "n/a" if other is None or not mine else f"{other / mine:.1f}x"


def verdict(label: str, value: float | None, target: float, at_most: bool = False) -> str:
    if value is None:
        return f"- {label}: not measured (tool missing or timed out)"
    met = value <= target if at_most else value >= target
    bound = "<=" if at_most else ">="
    return f"- {label}: {value:.1f}x (target {bound} {target:g}x: {'met' if met else 'NOT met'})"


def report(res: dict) -> str:
    n = res["n"]

    def over(key, mine):
        return None if res[key] is None else res[key] / res[mine]

    lines = [
        "## Cox at its limit: fit only, and (start, stop] data (issues 14, 17)", "",
        f"Machine: {describe()}.  Compared: {versions()}.",
        f"{n:,} rows, {res['events']:,} events, Efron ties, 8 covariates, whole-day times (heavy ties); "
        "(start, stop] data: the same rows with a delayed entry floor(U(0, 0.6) x time).  Wall-clock "
        f"seconds, ours best of {OUR_REPS}, R and lifelines best of {OTHER_REPS}, all in this run; the machine "
        "is shared, so compare the ratios.", "",
        "### Fit only (no concordance)", "",
        "| tool | time | ours faster by |", "|---|---:|---:|",
        f"| prrt-rwe `cox_ph(..., concordance=False)` | {fmt_s(res['right_fit'])} | |",
        f"| lifelines `CoxPHFitter().fit` | {fmt_s(res['lifelines_fit'])} | {ratio(res['lifelines_fit'], res['right_fit'])} |",
        f"| R `coxph` (always adds its concordance) | {fmt_s(res['R_plain'])} | {ratio(res['R_plain'], res['right_fit'])} |",
        f"| R `coxph.fit` (bare fitter: matrix in, no model frame, no concordance) | {fmt_s(res['R_coxph.fit'])} "
        f"| {ratio(res['R_coxph.fit'], res['right_fit'])} |",
        "", "### (start, stop] data", "",
        "| fit | right-censored | (start, stop] | (start, stop] / right-censored |", "|---|---:|---:|---:|",
        f"| prrt-rwe, with concordance | {fmt_s(res['right'])} | {fmt_s(res['counting'])} "
        f"| {ratio(res['counting'], res['right'])} |",
        f"| prrt-rwe, fit only | {fmt_s(res['right_fit'])} | {fmt_s(res['counting_fit'])} "
        f"| {ratio(res['counting_fit'], res['right_fit'])} |",
        f"| R `coxph` (with concordance) | {fmt_s(res['R_plain'])} | {fmt_s(res['R_counting'])} "
        f"| {ratio(res['R_counting'], res['R_plain'])} |",
        f"| R bare fitters `coxph.fit` / `agreg.fit` | {fmt_s(res['R_coxph.fit'])} | {fmt_s(res['R_agreg.fit'])} "
        f"| {ratio(res['R_agreg.fit'], res['R_coxph.fit'])} |",
        "", f"R `coxph` on the (start, stop] data took {ratio(res['R_counting'], res['counting'])} as long as ours "
        f"(both with concordance); `agreg.fit` {ratio(res['R_agreg.fit'], res['counting_fit'])} as long as our fit only.",
        "", "### Targets", "",
        verdict("fit only vs lifelines' fit", over("lifelines_fit", "right_fit"), TARGETS["lifelines_fit"]),
        verdict("fit only vs R coxph", over("R_plain", "right_fit"), TARGETS["R_fit"]),
        verdict("(start, stop] vs our right-censored fit (both with concordance)",
                res["counting"] / res["right"], TARGETS["counting_vs_right"], at_most=True),
        verdict("(start, stop]: R coxph vs ours", over("R_counting", "counting"), TARGETS["R_counting"]),
    ]
    return "\n".join(lines) + "\n"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="bench-out")
    parser.add_argument("--n", type=int, default=1_000_000)
    args = parser.parse_args(argv)
    return write_section(Path(args.out) / "cox_counting.md", lambda tmp: report(measure(args.n, tmp)))


if __name__ == "__main__":
    raise SystemExit(main())
