"""Benchmark: Cox proportional hazards (Efron, 8 covariates, tied times) against R survival,
lifelines, statsmodels PHReg and scikit-survival, all measured in this run on the same data.

Usage: python benchmarks/bench_cox.py --out bench-out [--quick]   (writes bench-out/cox.md)

Data (numpy, seed 1): 8 covariates (normal, binary, uniform, Poisson), times in whole days
(exponential, heavy ties), ~30 % censored, 33 sites.  Every tool gets the same rows; R and
the Python competitors read a CSV written here and time only the fit.  Our timing and
R's include the concordance (coxph always computes it); lifelines' includes
``concordance_index_``; statsmodels and scikit-survival compute none.  Competitors run in
.venv-bench (benchmarks/make_bench_env.sh) when it exists.  Each figure is the best of
several runs (wall clock).

Targets (issue 7): at 10^6 rows >= 5x faster than R and >= 2x faster than lifelines; at
10^3 >= 5x faster than lifelines; cluster-robust variance at 10^5 >= 50x faster than R
(R's robust variance is O(n^2): R is timed at 10^4 and 2 x 10^4 rows and extrapolated to
10^5 as n^2 from the larger one); stratified (33 sites) at 10^5 at least as fast as R.
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

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from prrt_rwe.stats.cox import cox_ph  # noqa: E402

SIZES = [1_000, 10_000, 100_000, 1_000_000]
R_CLUSTER_SIZES = [10_000, 20_000]
TIMEOUT = 600
TARGETS = {"R_1e6": 5.0, "lifelines_1e6": 2.0, "lifelines_1e3": 5.0, "R_cluster_1e5": 50.0,
           "R_strata_1e5": 1.0}

COMPETITOR = r"""
import sys, time
import numpy as np, pandas as pd
tool, mode, csv, reps = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
d = pd.read_csv(csv)
xs = [f"x{j}" for j in range(1, 9)]
X, t, e = d[xs].to_numpy(float), d["time"].to_numpy(float), d["event"].to_numpy(int)
if tool == "lifelines":
    from lifelines import CoxPHFitter
    def fit():
        kw = {}
        cols = xs + ["time", "event"]
        if mode == "cluster":
            cols, kw = cols + ["site"], {"cluster_col": "site"}
        if mode == "strata":
            cols, kw = cols + ["site"], {"strata": ["site"]}
        m = CoxPHFitter().fit(d[cols], "time", "event", **kw)
        m.concordance_index_
elif tool == "statsmodels":
    from statsmodels.duration.hazard_regression import PHReg
    def fit():
        kw = {"strata": d["site"].to_numpy()} if mode == "strata" else {}
        PHReg(t, X, status=e, ties="efron", **kw).fit()
elif tool == "scikit-survival":
    from sksurv.linear_model import CoxPHSurvivalAnalysis
    from sksurv.util import Surv
    y = Surv.from_arrays(e.astype(bool), t)
    def fit():
        CoxPHSurvivalAnalysis(ties="efron").fit(X, y)
best = float("inf")
for _ in range(reps):
    start = time.perf_counter(); fit(); best = min(best, time.perf_counter() - start)
print(f"{best:.6f}")
"""


def make_data(n: int, seed: int = 1):
    rng = np.random.default_rng(seed)
    X = np.column_stack([
        rng.normal(size=n), rng.integers(0, 2, n), rng.uniform(0, 10, n), rng.normal(60, 10, n),
        rng.integers(0, 2, n), rng.normal(size=n), rng.poisson(3, n), rng.exponential(size=n)])
    lp = X @ np.array([0.3, -0.3, 0.05, 0.02, 0.2, -0.1, 0.05, 0.1])
    t_event = rng.exponential(300 * np.exp(-(lp - lp.mean())))
    t_cens = rng.uniform(0, 1500, n)
    time_ = np.ceil(np.minimum(t_event, t_cens))
    event = (t_event <= t_cens).astype(np.int64)
    site = rng.integers(1, 34, n)
    return time_, event, X, site


def write_csv(path: Path, data) -> None:
    time_, event, X, site = data
    cols = np.column_stack([time_, event, X, site])
    header = "time,event," + ",".join(f"x{j}" for j in range(1, 9)) + ",site"
    np.savetxt(path, cols, fmt="%.10g", delimiter=",", header=header, comments="")


def reps_for(n: int) -> int:
    """Runs per figure for R and the Python competitors (each run costs seconds there)."""
    return 1 if n >= 1_000_000 else 3 if n >= 100_000 else 7


def our_reps(n: int) -> int:
    """Our runs are cheap: more of them make the best-of figure robust to a busy machine."""
    return 3 if n >= 1_000_000 else 10 if n >= 100_000 else 20




def ours(data, mode: str, reps: int) -> float:
    time_, event, X, site = data
    kw = {"cluster": site} if mode == "cluster" else {"strata": site} if mode == "strata" else {}
    return best_of(lambda: cox_ph(time_, event, X, **kw), reps)


def bench_python() -> str | None:
    exe = ROOT / ".venv-bench" / "bin" / "python"
    return str(exe) if exe.exists() else None


def run_timed(cmd: list[str]) -> float | None:
    try:
        run = subprocess.run(cmd, capture_output=True, text=True, timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        print("timeout:", " ".join(cmd[:4]), file=sys.stderr)
        return None
    if run.returncode != 0:
        print(run.stderr[-2000:], file=sys.stderr)
        return None
    return float(run.stdout.strip().splitlines()[-1])


def competitor(tool: str, mode: str, csv: Path, reps: int, workdir: Path) -> float | None:
    exe = bench_python()
    if exe is None:
        return None
    script = workdir / "competitor.py"
    script.write_text(COMPETITOR)
    return run_timed([exe, str(script), tool, mode, str(csv), str(reps)])


def r_time(mode: str, csv: Path, reps: int) -> float | None:
    if shutil.which("Rscript") is None:
        return None
    return run_timed(["Rscript", str(ROOT / "benchmarks" / "bench_cox.R"), str(csv), mode, str(reps)])


def measure(sizes, workdir: Path) -> dict:
    plain, cluster, strata = [], [], []
    for n in sizes:
        data = make_data(n)
        csv = workdir / f"cox_{n}.csv"
        write_csv(csv, data)
        reps = reps_for(n)
        row = {"n": n, "prrt-rwe": ours(data, "plain", our_reps(n)), "R": r_time("plain", csv, reps)}
        for tool in ("lifelines", "statsmodels", "scikit-survival"):
            row[tool] = competitor(tool, "plain", csv, reps, workdir)
        plain.append(row)
        print("plain", row, flush=True)
        if n >= 10_000:
            crow = {"n": n, "prrt-rwe": ours(data, "cluster", our_reps(n))}
            crow["R"] = r_time("cluster", csv, reps) if n in R_CLUSTER_SIZES else None
            crow["lifelines"] = competitor("lifelines", "cluster", csv, reps, workdir) if n <= 10_000 else None
            cluster.append(crow)
            print("cluster", crow, flush=True)
        if n == 100_000:
            srow = {"n": n, "prrt-rwe": ours(data, "strata", our_reps(n)), "R": r_time("strata", csv, reps),
                    "lifelines": competitor("lifelines", "strata", csv, reps, workdir),
                    "statsmodels": competitor("statsmodels", "strata", csv, reps, workdir)}
            strata.append(srow)
            print("strata", srow, flush=True)
    for n in R_CLUSTER_SIZES:
        if n not in sizes:
            data = make_data(n)
            csv = workdir / f"cox_{n}.csv"
            write_csv(csv, data)
            cluster.append({"n": n, "prrt-rwe": ours(data, "cluster", our_reps(n)), "R": r_time("cluster", csv, 1),
                            "lifelines": None})
    cluster.sort(key=lambda r: r["n"])
    return {"plain": plain, "cluster": cluster, "strata": strata}


# ---- report -------------------------------------------------------------------------------
def fmt_s(x):
    return "n/a" if x is None else (f"{x * 1000:.1f} ms" if x < 1 else f"{x:.2f} s")


def fmt_ratio(other, mine):
    return "" if other is None or not mine else f" ({other / mine:.1f}x)"


def table(rows, names):
    lines = ["| rows | " + " | ".join(names) + " |", "|---:|" + "---:|" * len(names)]
    for row in rows:
        mine = row["prrt-rwe"]
        cells = [fmt_s(mine)] + [fmt_s(row.get(k)) + fmt_ratio(row.get(k), mine) for k in names[1:]]
        lines.append(f"| {row['n']:,} | " + " | ".join(cells) + " |")
    return lines


def _row(rows, n):
    return next((r for r in rows if r["n"] == n), None)


def r_cluster_1e5(cluster_rows):
    """R's cluster-robust time at 10^5 extrapolated as n^2 from its largest measured size."""
    measured = [r for r in cluster_rows if r.get("R") is not None]
    if not measured:
        return None, None
    base = max(measured, key=lambda r: r["n"])
    return base["R"] * (100_000 / base["n"]) ** 2, base["n"]


def verdicts(res) -> list[str]:
    out = []

    def check(label, other, mine, target):
        if other is None or mine is None:
            out.append(f"- {label}: not measured (tool missing or timed out)")
            return
        ratio = other / mine
        out.append(f"- {label}: {ratio:.1f}x (target >= {target:g}x: {'met' if ratio >= target else 'NOT met'})")

    big, small = _row(res["plain"], 1_000_000), _row(res["plain"], 1_000)
    if big:
        check("10^6 rows vs R", big["R"], big["prrt-rwe"], TARGETS["R_1e6"])
        check("10^6 rows vs lifelines", big["lifelines"], big["prrt-rwe"], TARGETS["lifelines_1e6"])
    if small:
        check("10^3 rows vs lifelines", small["lifelines"], small["prrt-rwe"], TARGETS["lifelines_1e3"])
    c5 = _row(res["cluster"], 100_000)
    r5, base = r_cluster_1e5(res["cluster"])
    if c5:
        check(f"cluster-robust 10^5 vs R (R extrapolated n^2 from {base:,} rows)" if base else
              "cluster-robust 10^5 vs R", r5, c5["prrt-rwe"], TARGETS["R_cluster_1e5"])
    s5 = _row(res["strata"], 100_000)
    if s5:
        check("stratified (33 sites) 10^5 vs R", s5["R"], s5["prrt-rwe"], TARGETS["R_strata_1e5"])
    c6 = _row(res["cluster"], 1_000_000)
    if c5 and c6:
        out.append(f"- cluster-robust growth 10^5 -> 10^6: {c6['prrt-rwe'] / c5['prrt-rwe']:.1f}x "
                   "for 10x the rows (linear = 10x)")
    return out




def versions() -> str:
    parts = []
    exe = bench_python()
    if exe:
        probe = subprocess.run([exe, "-c", "import importlib.metadata as m\nfor p in ('lifelines','statsmodels',"
                                "'scikit-survival'):\n  try: print(p, m.version(p))\n  except Exception: "
                                "print(p, 'absent')"], capture_output=True, text=True)
        parts += probe.stdout.strip().splitlines()
    else:
        parts.append("no .venv-bench: Python competitors not measured")
    if shutil.which("Rscript"):
        r = subprocess.run(["Rscript", "-e", "cat(R.version.string, 'survival', "
                            "as.character(packageVersion('survival')))"], capture_output=True, text=True)
        parts.append(r.stdout.strip())
    return ", ".join(parts)


def report(res) -> str:
    names = ["prrt-rwe", "R", "lifelines", "statsmodels", "scikit-survival"]
    r5, base = r_cluster_1e5(res["cluster"])
    lines = ["## Cox proportional hazards (issue 7)", "",
             f"Machine: {describe()}.  Compared: {versions()}.",
             "Wall-clock seconds, best of 1-7 runs (ours: 3-20); in brackets how many times longer the other tool "
             "took.  Efron ties, 8 covariates, integer-day times (heavy ties), ~30 % censored.  "
             "prrt-rwe and R include the concordance; lifelines includes `concordance_index_`.", "",
             "### Cox fit", ""] + table(res["plain"], names) + ["",
             "### Cluster-robust (sandwich) variance, cluster = 33 sites", ""]
    lines += table(res["cluster"], ["prrt-rwe", "R", "lifelines"])
    if r5 is not None:
        lines += ["", f"R at 100,000 rows, extrapolated as n^2 from {base:,} rows: {fmt_s(r5)} "
                  f"(R's dfbeta residuals for the robust variance are O(n^2))."]
    lines += ["", "### Stratified by site (33 strata)", ""]
    lines += table(res["strata"], ["prrt-rwe", "R", "lifelines", "statsmodels"])
    lines += ["", "### Targets", ""] + verdicts(res)
    return "\n".join(lines) + "\n"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="bench-out")
    parser.add_argument("--quick", action="store_true", help="only 10^3 and 10^4 rows")
    args = parser.parse_args(argv)
    sizes = SIZES[:2] if args.quick else SIZES
    return write_section(Path(args.out) / "cox.md", lambda tmp: report(measure(sizes, tmp)))


def write_section(path: Path, produce) -> int:
    """Run ``produce(scratch folder) -> Markdown`` and write the section to ``path``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        text = produce(Path(tmp))
    path.write_text(text)
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
