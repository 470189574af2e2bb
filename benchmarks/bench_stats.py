"""Benchmark: Kaplan-Meier, log-rank and the bootstrap of the KM median against R survival,
lifelines, statsmodels and scikit-survival, all measured in this run on the same data.

Usage: python benchmarks/bench_stats.py --out bench-out   (writes bench-out/stats.md)

Data: survival times in whole days (exponential, mean 600 days), ~30 % censored, two
groups; the same arrays go to every tool (R reads them from a CSV written here and times
only the fit with system.time).  Each figure is the best of several runs (wall clock).
Targets (issue 7): KM and log-rank at 10^6 rows >= 10x faster than R; 2000 bootstrap
medians at n = 422 >= 20x faster than R's boot of survfit.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from timing import best_of, describe  # noqa: E402

from prrt_rwe import stats

SIZES = [1_000, 10_000, 100_000, 1_000_000]
BOOT_N, BOOT_B = 422, 2000
TARGETS = {"km": 10.0, "logrank": 10.0, "bootstrap": 20.0}

R_SCRIPT = r"""
suppressPackageStartupMessages({library(survival); library(boot)})
args <- commandArgs(trailingOnly = TRUE)
task <- args[1]; d <- read.csv(args[2]); reps <- as.integer(args[3])
best <- Inf
for (r in seq_len(reps)) {
  el <- if (task == "km") system.time(survfit(Surv(time, event) ~ 1, data = d))[["elapsed"]]
  else if (task == "logrank") system.time(survdiff(Surv(time, event) ~ group, data = d))[["elapsed"]]
  else { set.seed(1)
         med <- function(x, i) quantile(survfit(Surv(time, event) ~ 1, data = x[i, ]), 0.5,
                                        conf.int = FALSE)
         system.time(boot(d, med, R = as.integer(args[4])))[["elapsed"]] }
  best <- min(best, el)
}
cat(sprintf("%.6f\n", best))
"""


def make_data(n: int, seed: int = 1):
    rng = np.random.default_rng(seed)
    time_ = np.ceil(rng.exponential(600.0, n))
    event = (rng.random(n) < 0.7).astype(np.int64)
    group = rng.integers(0, 2, n)
    return time_, event, group




def reps_for(n: int) -> int:
    return 3 if n >= 100_000 else 7


# ---- competitors (None when not installed) --------------------------------------------------
def lifelines_tools():
    try:
        from lifelines import KaplanMeierFitter
        from lifelines.statistics import logrank_test
    except ImportError:
        return None
    km = lambda t, e: KaplanMeierFitter().fit(t, e)  # noqa: E731

    def lr(t, e, g):
        return logrank_test(t[g == 0], t[g == 1], e[g == 0], e[g == 1])

    def med(t, e):
        return KaplanMeierFitter().fit(t, e).median_survival_time_

    return {"km": km, "logrank": lr, "median": med}


def statsmodels_tools():
    try:
        from statsmodels.duration.survfunc import SurvfuncRight, survdiff
    except ImportError:
        return None

    def med(t, e):
        return SurvfuncRight(t, e).quantile(0.5)

    return {"km": lambda t, e: SurvfuncRight(t, e), "logrank": lambda t, e, g: survdiff(t, e, g),
            "median": med}


def sksurv_tools():
    try:
        from sksurv.compare import compare_survival
        from sksurv.nonparametric import kaplan_meier_estimator
        from sksurv.util import Surv
    except ImportError:
        return None

    def km(t, e):
        return kaplan_meier_estimator(e.astype(bool), t, conf_type="log-log")

    def lr(t, e, g):
        return compare_survival(Surv.from_arrays(e.astype(bool), t), g)

    return {"km": km, "logrank": lr}


def ours():
    return {"km": lambda t, e: stats.kaplan_meier(t, e),
            "logrank": lambda t, e, g: stats.logrank(t, e, g)}


# ---- R ------------------------------------------------------------------------------------
def r_available() -> bool:
    if shutil.which("Rscript") is None:
        return False
    probe = subprocess.run(["Rscript", "-e", "library(survival); library(boot)"], capture_output=True)
    return probe.returncode == 0


def r_time(task: str, t, e, g, reps: int, workdir: Path, n_boot: int = BOOT_B) -> float | None:
    csv = workdir / f"data_{t.size}.csv"
    if not csv.exists():
        np.savetxt(csv, np.column_stack([t, e, g]), fmt=["%d", "%d", "%d"], delimiter=",",
                   header="time,event,group", comments="")
    script = workdir / "timing.R"
    script.write_text(R_SCRIPT)
    run = subprocess.run(["Rscript", str(script), task, str(csv), str(reps), str(n_boot)],
                         capture_output=True, text=True, timeout=1200)
    if run.returncode != 0:
        print(run.stderr, file=sys.stderr)
        return None
    return float(run.stdout.strip().splitlines()[-1])


# ---- measurements -------------------------------------------------------------------------
def measure_engine(task: str, tools: dict, use_r: bool, workdir: Path) -> list[dict]:
    rows = []
    for n in SIZES:
        t, e, g = make_data(n)
        args = (t, e) if task == "km" else (t, e, g)
        row = {"n": n}
        for name, kit in tools.items():
            if kit is None or task not in kit:
                row[name] = None
                continue
            row[name] = best_of(lambda: kit[task](*args), reps_for(n))
        row["R"] = r_time(task, t, e, g, reps_for(n), workdir) if use_r else None
        rows.append(row)
        print(task, row, flush=True)
    return rows


def loop_bootstrap(median_fn, t, e, n_resamples: int) -> None:
    idx = np.random.default_rng(0).integers(0, t.size, size=(n_resamples, t.size))
    for row in idx:
        median_fn(t[row], e[row])


def measure_bootstrap(tools: dict, use_r: bool, workdir: Path) -> dict:
    t, e, _ = make_data(BOOT_N, seed=2)
    out = {"prrt-rwe": best_of(lambda: stats.bootstrap(stats.km_median, t, e, n_resamples=BOOT_B), 5)}
    for name in ("lifelines", "statsmodels"):
        kit = tools.get(name)
        out[name] = None if kit is None else best_of(
            lambda: loop_bootstrap(kit["median"], t, e, BOOT_B), 1)
    out["R"] = r_time("bootstrap", t, e, np.zeros(t.size, int), 3, workdir) if use_r else None
    print("bootstrap", out, flush=True)
    return out


# ---- report -------------------------------------------------------------------------------
def fmt_s(x):
    return "n/a" if x is None else (f"{x * 1000:.1f} ms" if x < 1 else f"{x:.2f} s")


def fmt_ratio(other, mine):
    return "" if other is None or not mine else f" ({other / mine:.1f}x)"


def engine_table(title, rows, names):
    lines = [f"### {title}", "", "| rows | " + " | ".join(names) + " |",
             "|---:|" + "---:|" * len(names)]
    for row in rows:
        mine = row["prrt-rwe"]
        cells = [fmt_s(mine)] + [fmt_s(row[k]) + fmt_ratio(row[k], mine) for k in names[1:]]
        lines.append(f"| {row['n']:,} | " + " | ".join(cells) + " |")
    return lines


def verdict(label, r_seconds, mine, target):
    if r_seconds is None:
        return f"- {label}: R not available, target ({target:.0f}x) not checked"
    ratio = r_seconds / mine
    status = "met" if ratio >= target else "NOT met"
    return f"- {label}: {ratio:.1f}x faster than R (target >= {target:.0f}x: {status})"




def versions(tools) -> str:
    parts = []
    for mod in ("lifelines", "statsmodels", "sksurv"):
        try:
            parts.append(f"{mod} {__import__(mod).__version__}")
        except ImportError:
            parts.append(f"{mod} absent")
    if r_available():
        r = subprocess.run(["Rscript", "-e", "cat(R.version.string, 'survival', "
                            "as.character(packageVersion('survival')))"], capture_output=True, text=True)
        parts.append(r.stdout.strip())
    return ", ".join(parts)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="bench-out")
    args = parser.parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    tools = {"prrt-rwe": ours(), "lifelines": lifelines_tools(), "statsmodels": statsmodels_tools(),
             "scikit-survival": sksurv_tools()}
    use_r = r_available()
    names = ["prrt-rwe", "R", "lifelines", "statsmodels", "scikit-survival"]
    with tempfile.TemporaryDirectory() as tmp:
        km = measure_engine("km", tools, use_r, Path(tmp))
        lr = measure_engine("logrank", tools, use_r, Path(tmp))
        boot = measure_bootstrap(tools, use_r, Path(tmp))
    lines = ["## Statistics engines (issue 7): Kaplan-Meier, log-rank, bootstrap", "",
             f"Machine: {describe()}.  Compared: {versions(tools)}.",
             "Wall-clock seconds, best of 3-7 runs (bootstrap loops of lifelines/statsmodels: one run); "
             "in brackets: how many times longer the other tool took.  Times in whole days, "
             "~30 % censored, 2 groups; R times only the fit (`system.time`) on the same data read from CSV.", ""]
    lines += engine_table("Kaplan-Meier (curve + log-log CI)", km, names) + [""]
    lines += engine_table("Log-rank test (2 groups)", lr, names) + [""]
    lines += [f"### Bootstrap of the KM median: {BOOT_B} resamples, n = {BOOT_N}", "",
              "| tool | time |", "|---|---:|"]
    for name in ("prrt-rwe", "R", "lifelines", "statsmodels"):
        lines.append(f"| {name} | {fmt_s(boot[name])}{fmt_ratio(boot[name], boot['prrt-rwe'])} |")
    lines += ["", "R: `boot(d, function(x, i) quantile(survfit(Surv(time, event) ~ 1, data = x[i, ]), 0.5, "
              "conf.int = FALSE), R = 2000)`; lifelines/statsmodels: a loop of fits on the same resamples; "
              "prrt-rwe: `stats.bootstrap(stats.km_median, time, event)` (weighted cumulative sums, no refits).",
              "", "Targets:",
              verdict("KM at 10^6 rows", km[-1]["R"], km[-1]["prrt-rwe"], TARGETS["km"]),
              verdict("log-rank at 10^6 rows", lr[-1]["R"], lr[-1]["prrt-rwe"], TARGETS["logrank"]),
              verdict("bootstrap medians", boot["R"], boot["prrt-rwe"], TARGETS["bootstrap"]), ""]
    (out / "stats.md").write_text("\n".join(lines))
    print(f"wrote {out / 'stats.md'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
