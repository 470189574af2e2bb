"""Benchmark: multiple imputation (issue 13) — does it work, and how fast is it.

Usage: python benchmarks/bench_mi.py --out bench-out [--quick]   (writes bench-out/mi.md)

1. Simulation (seeded; 500 replicates of 400 patients). Cox model of PFS on ki67_lt10
   (Ki-67 < 10 %, HR 0.5) and liver_burden_lt50 (HR 0.6); Ki-67 is log-normal and higher with
   a high liver burden. Ki-67 is missing at random given the other covariate and the outcome:
   logit P(missing) = −2 + 1.2·(burden ≥ 50 %) + 1.5·(progression in the first 12 months)
   (~27 % missing). Complete case against multiple imputation as analyze does it (m = 20:
   the threshold flag by logistic regression on the burden, the PFS event and the Nelson–Aalen
   cumulative hazard; then Ki-67 by predictive mean matching on the flag's side of 10 %; pooled
   by Rubin's rules), and, to show why the flag comes first, Ki-67 imputed alone by PMM on the
   same predictors. Bias of log HR, empirical SE, mean model SE, coverage of the 95 % CI
   (Monte-Carlo SE of a coverage near 95 % over 500 replicates: ~1 %).
2. Speed: analyze's multiple imputation (imputation model, m = 20, 5 iterations, both default
   models fitted on each completed data set and pooled) on a synthetic registry of 10,000
   patients, beside R mice 3.15 (mice(m = 20, maxit = 5), the same columns and methods,
   with() + pool() of the same two models) on the same data (benchmarks/bench_mi.R).
   Wall clock and CPU time; the machine is shared, so the ratio of the two is the figure to read.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.special import expit

sys.path.insert(0, str(Path(__file__).parent))
from timing import describe  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from prrt_rwe.stats import ImputedVariable, cox_ph, mice, pool_rubin  # noqa: E402
from prrt_rwe.stats.mice import nelson_aalen_at  # noqa: E402
from prrt_rwe.stats.rubin import dfcom_cox  # noqa: E402

TRUE = np.array([np.log(0.5), np.log(0.6)])
TERMS = ("ki67_lt10", "liver_burden_lt50")
COVERAGE_TARGET = (0.93, 0.97)
SPEED_TARGET_S = 60.0
FLAG_FIRST = (ImputedVariable("ki67_lt10", "logreg", exclude=("ki67",)), ImputedVariable("ki67", "pmm", within="ki67_lt10"))
NUMBER_ONLY = (ImputedVariable("ki67", "pmm"),)


def simulate(rep: int, n: int = 400):
    rng = np.random.default_rng(20260600 + rep)
    high = (rng.uniform(size=n) < 0.4).astype(float)
    ki67 = np.exp(rng.normal(np.log(8) + 0.4 * high, 0.9))
    X = np.column_stack([(ki67 < 10).astype(float), 1 - high])
    t = rng.exponential(1 / (0.04 * np.exp(X @ TRUE)))
    c = rng.uniform(12, 60, n)
    months, event = np.minimum(t, c), (t <= c).astype(float)
    miss = rng.uniform(size=n) < expit(-2.0 + 1.2 * high + 1.5 * event * (months < 12))
    return ki67, X, months, event, miss, high


def _covered(est, lo, hi):
    return (lo <= TRUE) & (TRUE <= hi)


def replicate(rep: int, m: int) -> dict:
    ki67, X, months, event, miss, high = simulate(rep)
    cc = cox_ph(months[~miss], event[~miss], X[~miss])
    out = {"cc": (cc.coef, cc.se, _covered(cc.coef, *np.log(cc.ci95).T))}
    aux = np.column_stack([high, event, nelson_aalen_at(months, event)])
    obs = np.where(miss, np.nan, ki67)
    for name, variables in (("mi", FLAG_FIRST), ("mi_number_only", NUMBER_ONLY)):
        data = np.column_stack([np.where(miss, np.nan, X[:, 0]), obs]) if name == "mi" else obs[:, None]
        imp = mice(data, variables, auxiliary=aux, m=m, iterations=5 if name == "mi" else 1, seed=rep)
        q, u = [], []
        for i in range(m):
            lt10 = (imp.completed[i, :, -1] < 10).astype(float)
            fit = cox_ph(months, event, np.column_stack([lt10, X[:, 1]]))
            q.append(fit.coef), u.append(fit.se ** 2)
        pooled = pool_rubin(q, u, df_complete=dfcom_cox(int(event.sum()), 2))
        ci = pooled.ci()
        out[name] = (pooled.estimate, pooled.std_error, _covered(pooled.estimate, ci[:, 0], ci[:, 1]))
    out["missing"] = miss.mean()
    return out


def simulation(replicates: int, m: int) -> tuple[list[str], bool]:
    start = time.process_time()
    runs = [replicate(r, m) for r in range(replicates)]
    cpu = time.process_time() - start
    lines = [f"Simulation: {replicates} replicates of 400 patients, m = {m}, seeds 20260600 + replicate; "
             f"Ki-67 missing in {100 * np.mean([r['missing'] for r in runs]):.1f} % of patients on average; "
             f"{cpu:.0f} s CPU.", "",
             "| analysis | term | true log HR | bias | empirical SE | mean SE | 95 % CI coverage |",
             "|---|---|---|---|---|---|---|"]
    labels = {"cc": "complete case", "mi": "multiple imputation (analyze)",
              "mi_number_only": "MI, Ki-67 alone by PMM (not used)"}
    ok = True
    for key, label in labels.items():
        est = np.array([r[key][0] for r in runs])
        se = np.array([r[key][1] for r in runs])
        cov = np.array([r[key][2] for r in runs]).mean(axis=0)
        for j, term in enumerate(TERMS):
            lines.append(f"| {label} | {term} | {TRUE[j]:.3f} | {est[:, j].mean() - TRUE[j]:+.3f} | "
                         f"{est[:, j].std(ddof=1):.3f} | {se[:, j].mean():.3f} | {100 * cov[j]:.1f} % |")
            if key == "mi":
                ok &= COVERAGE_TARGET[0] <= cov[j] <= COVERAGE_TARGET[1]
    return lines, ok


def _speed_data(folder: Path, patients: int):
    """The response-evaluable population of a synthetic registry and the imputation input."""
    from prrt_rwe.config import load_config
    from prrt_rwe.derive import derive_all
    from prrt_rwe.results.missing_data.imputation_model import imputation_input
    from prrt_rwe.results.patient_outcomes import patient_outcomes
    from prrt_rwe.results.populations import flagged
    from prrt_rwe.study import open_source
    from prrt_rwe.synth.generator import generate

    generate(folder / "registry", patients=patients, sites=33, seed=1, messy=False)
    con, _, _ = open_source(folder / "registry")
    cfg = load_config(None)
    adam = derive_all(con, cfg)
    con.close()
    outcomes = patient_outcomes(flagged(adam.adsl, "EVALFL"), adam.adrs, adam.adtte)
    return cfg, outcomes, imputation_input(outcomes.frame, outcomes, (), cfg.sites.min_site_n)


def _r_csv(inputs, outcomes, path: Path) -> None:
    d = pd.DataFrame(inputs.data, columns=inputs.names)
    for name in ("who_grade",):
        if name in d:
            d[name] = d[name].map(dict(enumerate(inputs.levels[name])))
    aux = pd.DataFrame(inputs.auxiliary, columns=[f"aux{j}" for j in range(inputs.auxiliary.shape[1])])
    pd.concat([d, aux.assign(days=outcomes.days)], axis=1).to_csv(path, index=False, na_rep="NA")


def speed(patients: int) -> tuple[list[str], bool]:
    from prrt_rwe.results.missing_data.imputed_models import imputed_models

    tmp = Path(tempfile.mkdtemp(prefix="bench-mi-"))
    try:
        cfg, outcomes, inputs = _speed_data(tmp, patients)
        wall, cpu = time.perf_counter(), time.process_time()
        mi = imputed_models(outcomes, cfg.models, cfg.imputation, cfg.sites.min_site_n)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        assert "reason" not in mi.blocks["pfs_cox_mi"], mi.blocks["pfs_cox_mi"]
        missing = int(np.isnan(inputs.data).any(axis=1).sum())
        lines = [f"Speed: {outcomes.n:,} response-evaluable patients of a synthetic registry of {patients:,} "
                 f"(33 sites, seed 1), {missing:,} with a missing value; {len(inputs.variables)} variables in the "
                 f"imputation model, {inputs.auxiliary.shape[1]} complete predictors; m = {cfg.imputation.m}, "
                 f"{cfg.imputation.iterations} iterations.", "",
                 "| tool | wall | CPU | ratio (wall) |", "|---|---|---|---|",
                 f"| prrt-rwe (imputation + 2 x {cfg.imputation.m} fits + pooling) | {wall:.1f} s | {cpu:.1f} s | 1.0x |"]
        ok = wall < SPEED_TARGET_S
        if shutil.which("Rscript"):
            _r_csv(inputs, outcomes, tmp / "mi.csv")
            run = subprocess.run(["Rscript", str(ROOT / "benchmarks" / "bench_mi.R"), str(tmp / "mi.csv"),
                                  str(cfg.imputation.m), str(cfg.imputation.iterations)],
                                 capture_output=True, text=True, timeout=3600)
            if run.returncode == 0:
                r_wall, r_cpu = (float(x) for x in run.stdout.split())
                lines.append(f"| R mice 3.15 (mice + with + pool) | {r_wall:.1f} s | {r_cpu:.1f} s | "
                             f"{r_wall / wall:.1f}x slower |")
            else:
                lines.append(f"| R mice | failed: {run.stderr.strip().splitlines()[-1] if run.stderr else '?'} | | |")
        lines += ["", f"Target: under {SPEED_TARGET_S:.0f} s on this machine: {'met' if ok else 'NOT met'} "
                  f"({wall:.1f} s wall)."]
        return lines, ok
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default="bench-out")
    ap.add_argument("--quick", action="store_true", help="50 replicates, m = 5, 2,000 patients (a smoke run)")
    args = ap.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    sim, sim_ok = simulation(50 if args.quick else 500, 5 if args.quick else 20)
    fast, fast_ok = speed(2_000 if args.quick else 10_000)
    lines = ["## Multiple imputation (issue 13)", "", f"Machine: {describe()}.", "", *sim, "",
             f"Coverage of the multiple-imputation CIs within {100 * COVERAGE_TARGET[0]:.0f}–"
             f"{100 * COVERAGE_TARGET[1]:.0f} %: {'met' if sim_ok else 'NOT met'}. The complete-case "
             "analysis is biased for the covariate that governs missingness together with the outcome "
             "(liver burden); imputing Ki-67 alone by PMM on a linear predictor attenuates its hazard ratio, "
             "which is why analyze imputes the threshold flag first.", "", *fast, ""]
    (out / "mi.md").write_text("\n".join(lines))
    print(f"wrote {out / 'mi.md'}")


if __name__ == "__main__":
    main()
