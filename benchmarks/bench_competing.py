"""Benchmark: competing risks (issue 11). Aalen–Johansen cumulative incidence and Gray's test
against our own Kaplan–Meier on the same rows, and the Fine–Gray model against R
``cmprsk::crr``, all measured in this run on the same data.

Usage: python benchmarks/bench_competing.py --out bench-out   (writes bench-out/competing.md)

Data (numpy, seed 1): times in whole days (exponential, mean 600 days, heavy ties), status
0 censored / 1 event / 2 competing (30 / 40 / 30 %), three groups, five normal covariates.
R reads the same rows from a CSV written here and times only the fit (``system.time``).
Each figure is the best of several runs (wall clock).

Targets (issue 11): Aalen–Johansen (with its infinitesimal-jackknife CI) and Gray's test at
10^6 rows within 3x of our Kaplan–Meier at 10^6 rows; Fine–Gray at 10^5 rows faster than
``crr``. crr's variance loops over all pairs and, for its censoring term, over triples
(O(n^3)): it is timed at 1,000-4,000 rows and extrapolated to 10^5 with the growth exponent
fitted to its two largest sizes (stated in the output).
"""

from __future__ import annotations

import math
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from timing import best_of, describe, output_folder  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from prrt_rwe import stats  # noqa: E402

ENGINE_SIZES = [10_000, 100_000, 1_000_000]
FG_SIZES = [1_000, 10_000, 100_000]
R_CRR_SIZES = [1_000, 2_000, 4_000]
R_ENGINE_SIZES = [10_000, 100_000]
TARGET_ENGINE_RATIO = 3.0  # at most 3x our KM
TARGET_FG = 1.0            # faster than crr

R_SCRIPT = r"""
suppressPackageStartupMessages({library(survival); library(cmprsk)})
args <- commandArgs(trailingOnly = TRUE)
task <- args[1]; d <- read.csv(args[2]); reps <- as.integer(args[3])
x <- as.matrix(d[, c("x1", "x2", "x3", "x4", "x5")])
best <- Inf
for (r in seq_len(reps)) {
  el <- if (task == "crr") system.time(crr(d$time, d$status, x))[["elapsed"]]
  else if (task == "aj") system.time(survfit(Surv(time, factor(status, 0:2)) ~ 1, data = d))[["elapsed"]]
  else system.time(cuminc(d$time, d$status, d$group))[["elapsed"]]
  best <- min(best, el)
}
cat(sprintf("%.6f\n", best))
"""


def make_data(n: int, seed: int = 1):
    rng = np.random.default_rng(seed)
    time_ = np.ceil(rng.exponential(600.0, n))
    status = rng.choice(3, n, p=[0.3, 0.4, 0.3])
    group = rng.integers(0, 3, n)
    X = rng.standard_normal((n, 5))
    return time_, status, group, X


def reps_for(n: int) -> int:
    return 3 if n >= 100_000 else 7


def r_available() -> bool:
    if shutil.which("Rscript") is None:
        return False
    probe = subprocess.run(["Rscript", "-e", "library(survival); library(cmprsk)"], capture_output=True)
    return probe.returncode == 0


def r_time(task: str, n: int, workdir: Path, reps: int) -> float | None:
    csv = workdir / f"data_{n}.csv"
    if not csv.exists():
        t, s, g, X = make_data(n)
        np.savetxt(csv, np.column_stack([t, s, g, X]), delimiter=",", comments="",
                   fmt=["%d", "%d", "%d"] + ["%.17g"] * 5, header="time,status,group,x1,x2,x3,x4,x5")
    script = workdir / "timing.R"
    script.write_text(R_SCRIPT)
    run = subprocess.run(["Rscript", str(script), task, str(csv), str(reps)], capture_output=True,
                         text=True, timeout=3600)
    if run.returncode != 0:
        print(run.stderr, file=sys.stderr)
        return None
    return float(run.stdout.strip().splitlines()[-1])


def measure_engines(use_r: bool, workdir: Path) -> list[dict]:
    rows = []
    for n in ENGINE_SIZES:
        t, s, g, _ = make_data(n)
        event = (s == 1).astype(np.int8)
        row = {"n": n,
               "km": best_of(lambda: stats.kaplan_meier(t, event), reps_for(n)),
               "aj": best_of(lambda: stats.cumulative_incidence(t, s), reps_for(n)),
               "gray": best_of(lambda: stats.gray_test(t, s, g), reps_for(n)),
               "r_aj": None, "r_gray": None}
        if use_r and n in R_ENGINE_SIZES:
            row["r_aj"] = r_time("aj", n, workdir, 1)
            row["r_gray"] = r_time("gray", n, workdir, 1)
        rows.append(row)
        print("engines", row, flush=True)
    return rows


def measure_fine_gray(use_r: bool, workdir: Path) -> tuple[list[dict], dict]:
    ours = []
    for n in sorted(set(FG_SIZES + R_CRR_SIZES)):
        t, s, _, X = make_data(n)
        ours.append({"n": n, "ours": best_of(lambda: stats.fine_gray(t, s, X), reps_for(n))})
        print("fine-gray", ours[-1], flush=True)
    r = {n: r_time("crr", n, workdir, 1) for n in R_CRR_SIZES} if use_r else {}
    print("crr", r, flush=True)
    return ours, r


def extrapolate(r: dict, n_target: int) -> tuple[float | None, float | None]:
    """crr time at n_target by the power law through its two largest timed sizes."""
    sizes = [n for n in sorted(r) if r[n]]
    if len(sizes) < 2:
        return None, None
    n1, n2 = sizes[-2], sizes[-1]
    exponent = math.log(r[n2] / r[n1]) / math.log(n2 / n1)
    return r[n2] * (n_target / n2) ** exponent, exponent


def fmt_s(x):
    if x is None:
        return "n/a"
    return f"{x * 1000:.1f} ms" if x < 1 else (f"{x:.2f} s" if x < 600 else f"{x / 3600:.1f} h")


def report(engines, fg, crr, use_r) -> list[str]:
    lines = ["## Competing risks (issue 11): Aalen–Johansen, Gray's test, Fine–Gray", "",
             f"Machine: {describe()}.  R: {r_version() if use_r else 'not available'}.",
             "Wall-clock, best of 3-7 runs (R: one run).  Whole-day times (heavy ties), status 30 % censored / "
             "40 % event / 30 % competing, 3 groups, 5 covariates; R times only the fit on the same rows.", "",
             "### Aalen–Johansen and Gray's test against our Kaplan–Meier", "",
             "| rows | KM (prrt-rwe) | Aalen–Johansen + CI | ratio to KM | Gray's test | ratio to KM "
             "| R survfit multi-state | R cuminc |",
             "|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in engines:
        lines.append(f"| {r['n']:,} | {fmt_s(r['km'])} | {fmt_s(r['aj'])} | {r['aj'] / r['km']:.1f}x | "
                     f"{fmt_s(r['gray'])} | {r['gray'] / r['km']:.1f}x | {fmt_s(r['r_aj'])} | {fmt_s(r['r_gray'])} |")
    lines += ["", "R cuminc's time includes its cumulative-incidence curves and their variances for every "
              "group and cause (the test alone is not separable); survfit includes the IJ standard errors.", "",
              "### Fine–Gray (5 covariates) against R cmprsk::crr", "", "| rows | prrt-rwe | R crr |", "|---:|---:|---:|"]
    for r in fg:
        lines.append(f"| {r['n']:,} | {fmt_s(r['ours'])} | {fmt_s(crr.get(r['n']))} |")
    big = next(r for r in fg if r["n"] == 100_000)
    est, exponent = extrapolate(crr, 100_000)
    last = engines[-1]
    lines += ["", "Targets:",
              f"- Aalen–Johansen at 10^6 rows: {last['aj'] / last['km']:.1f}x our KM (target <= "
              f"{TARGET_ENGINE_RATIO:.0f}x: {'met' if last['aj'] / last['km'] <= TARGET_ENGINE_RATIO else 'NOT met'})",
              f"- Gray's test at 10^6 rows: {last['gray'] / last['km']:.1f}x our KM (target <= "
              f"{TARGET_ENGINE_RATIO:.0f}x: {'met' if last['gray'] / last['km'] <= TARGET_ENGINE_RATIO else 'NOT met'})"]
    if est is None:
        lines.append("- Fine–Gray at 10^5 rows vs crr: R not available, target not checked")
    else:
        ratio = est / big["ours"]
        lines.append(f"- Fine–Gray at 10^5 rows: {fmt_s(big['ours'])}; crr extrapolated from "
                     f"{max(crr):,} rows as n^{exponent:.2f}: {fmt_s(est)}, {ratio:,.0f}x slower than ours "
                     f"(target: faster than crr: {'met' if ratio > TARGET_FG else 'NOT met'})")
        common = max(n for n in crr if crr[n])
        mine = next(r["ours"] for r in fg if r["n"] == common)
        lines.append(f"- measured on the same rows at {common:,}: crr {fmt_s(crr[common])}, ours {fmt_s(mine)} "
                     f"({crr[common] / mine:,.0f}x)")
    return lines + [""]


def r_version() -> str:
    run = subprocess.run(["Rscript", "-e", "cat(R.version.string, 'survival', as.character(packageVersion('survival')),"
                          " 'cmprsk', as.character(packageVersion('cmprsk')))"], capture_output=True, text=True)
    return run.stdout.strip()


def main(argv=None) -> int:
    out = output_folder(__doc__, argv)
    use_r = r_available()
    with tempfile.TemporaryDirectory() as tmp:
        engines = measure_engines(use_r, Path(tmp))
        fg, crr = measure_fine_gray(use_r, Path(tmp))
    (out / "competing.md").write_text("\n".join(report(engines, fg, crr, use_r)))
    print(f"wrote {out / 'competing.md'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
