"""Benchmark of the synthetic registry generator: speed and memory at scale, and
calibration against Okamoto et al. 2026 over many seeds.

1. Scale: ``generate`` of ``--patients`` (default 1,000,000) in a child process; wall time,
   peak resident memory of the child, rows and bytes written.
2. Calibration: ``--seeds`` (default 50) registries of 422 patients / 33 sites, each run
   through ingest -> derive; per figure, the share of seeds whose estimate lies inside the
   published 95 % CI (published.yaml okamoto2026; Clopper-Pearson from n/N where the paper
   gives counts only). With a calibrated generator each share should be high but below 100 %
   (a published CI is the paper's sampling error, our 422 patients have their own).
Writes ``<out>/synth.md``. Usage: ``python benchmarks/bench_synth.py --out bench-out
[--patients 1000000] [--seeds 50]``.
"""

from __future__ import annotations

import argparse
import math
import multiprocessing as mp
import os
import platform
import resource
import shutil
import tempfile
import time
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import statsmodels.api as sm
from statsmodels.duration.hazard_regression import PHReg

from prrt_rwe.benchmarks.published import study
from prrt_rwe.derive import derive_all
from prrt_rwe.ingest.load import ingest
from prrt_rwe.stats.kaplan_meier import kaplan_meier
from prrt_rwe.stats.proportions import clopper_pearson
from prrt_rwe.synth.generator import generate

OR_TERMS = {"primary_group[pancreas]": "pancreas", "primary_group[hindgut]": "hindgut",
            "krenning4": "krenning4", "liver_lesion_le30": "liver_lesion_le30"}
HR_TERMS = ("ki67_lt10", "krenning4", "liver_burden_lt50", "liver_lesion_le30", "ssa_concomitant")


def _child(out: str, patients: int, queue) -> None:
    t = time.perf_counter()
    result = generate(out, patients=patients, seed=1)
    wall = time.perf_counter() - t
    queue.put((wall, result.rows, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss))


def scale(patients: int) -> dict:
    tmp = tempfile.mkdtemp(prefix="bench-synth-")
    try:
        queue = mp.get_context("spawn").Queue()
        proc = mp.get_context("spawn").Process(target=_child, args=(tmp, patients, queue))
        proc.start()
        wall, rows, maxrss_kb = queue.get()
        proc.join()
        size = sum(p.stat().st_size for p in Path(tmp).iterdir())
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return {"wall_s": wall, "rows": rows, "peak_rss_gib": maxrss_kb / 2**20, "bytes": size}


def _flag(s: pd.Series) -> np.ndarray:
    return s.map(lambda v: v in (True, "Y", "yes", 1)).to_numpy(float)


def one_seed(seed: int, folder: Path) -> dict:
    reg = folder / f"seed{seed}"
    generate(reg, seed=seed)
    loaded = ingest(reg, reg / "db.duckdb")
    if not loaded.ok:
        raise RuntimeError(f"seed {seed}: validation errors")
    con = duckdb.connect(str(reg / "db.duckdb"), read_only=True)
    a = derive_all(con)
    con.close()
    shutil.rmtree(reg)
    adsl = a.adsl
    eff = adsl[adsl["EFFFL"] == "Y"].copy()
    cbor = a.adrs[a.adrs["PARAMCD"] == "CBOR"].set_index("USUBJID")["AVALC"]
    eff["resp"] = eff["USUBJID"].map(cbor).isin(["CR", "PR"]).to_numpy(float)
    pfs = a.adtte[a.adtte["PARAMCD"] == "PFS"].set_index("USUBJID")
    t = eff["USUBJID"].map(pfs["AVAL"]).to_numpy(float)
    ev = 1 - eff["USUBJID"].map(pfs["CNSR"]).to_numpy(float)
    km = kaplan_meier(t, ev)
    m = {"n_efficacy": len(eff), "orr": eff["resp"].mean(),
         "orr_pancreas": eff.loc[eff["primary_group"] == "pancreas", "resp"].mean(),
         "orr_hindgut": eff.loc[eff["primary_group"] == "hindgut", "resp"].mean(),
         "pfs_median_months": (km.median or math.nan) / 30.4375,
         "hematologic_grade3plus": (adsl["AEHEM3FL"] == "Y").mean(),
         "hematologic_grade3plus_lab": (adsl["LBHEM3FL"] == "Y").mean(),
         "renal_grade3plus": (adsl["LBREN3FL"] == "Y").mean(),
         "hormonal_marked_improvement": a.hormonal_symptoms["marked_improvement"]
         / max(a.hormonal_symptoms["evaluable"], 1),
         "hormonal_n": a.hormonal_symptoms["evaluable"]}
    x = pd.DataFrame({"pancreas": (eff["primary_group"] == "pancreas").to_numpy(float),
                      "hindgut": (eff["primary_group"] == "hindgut").to_numpy(float),
                      "krenning4": _flag(eff["krenning4"]),
                      "liver_lesion_le30": _flag(eff["liver_lesion_le30"])})
    fit = sm.Logit(eff["resp"].to_numpy(), sm.add_constant(x)).fit(disp=0)
    for term, col in OR_TERMS.items():
        m[f"OR {term}"] = math.exp(fit.params[col])
    cox = PHReg(t, np.column_stack([_flag(eff[c]) for c in HR_TERMS]), status=ev, ties="efron").fit()
    for i, term in enumerate(HR_TERMS):
        m[f"HR {term}"] = math.exp(cox.params[i])
    return m


def published_intervals() -> dict[str, tuple[float, float, str]]:
    ok = study("okamoto2026")
    res, mod = ok.results, ok.models
    out = {}
    for key in ("orr", "orr_pancreas", "orr_hindgut", "hormonal_marked_improvement"):
        n, N = res[key]["n"], res[key]["N"]
        lo, hi = clopper_pearson(n, N)
        out[key] = (lo, hi, f"{n}/{N}, Clopper-Pearson")
    out["pfs_median_months"] = (*res["pfs_median_months"]["ci95"], "published CI")
    hem = res["hematologic_grade3plus"]["estimate"]
    lo, hi = clopper_pearson(round(hem * ok.n), ok.n)
    out["hematologic_grade3plus"] = (lo, hi, f"{hem} of {ok.n}, Clopper-Pearson")
    out["renal_grade3plus"] = (0.0, res["renal_grade3plus"]["estimate_below"], "published: below")
    for term in OR_TERMS:
        out[f"OR {term}"] = (*mod["orr_logistic_or"][term]["ci95"], "published CI")
    for term in HR_TERMS:
        out[f"HR {term}"] = (*mod["pfs_cox_hr"][term]["ci95"], "published CI")
    return out


def calibration(seeds: int) -> tuple[pd.DataFrame, dict]:
    folder = Path(tempfile.mkdtemp(prefix="bench-synth-cal-"))
    try:
        rows = [{"seed": s, **one_seed(s, folder)} for s in range(1, seeds + 1)]
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return pd.DataFrame(rows), published_intervals()


def report(out: Path, sc: dict | None, patients: int, cal: pd.DataFrame | None, ci: dict) -> str:
    lines = ["## Synthetic registry (synth)", "",
             f"Machine: {os.cpu_count()} cores, {platform.machine()}, Python {platform.python_version()}.", ""]
    if sc is not None:
        total = sum(sc["rows"].values())
        lines += [f"Scale: {patients:,} patients in {sc['wall_s']:.0f} s "
                  f"({patients / sc['wall_s']:,.0f} patients/s), peak memory {sc['peak_rss_gib']:.2f} GiB, "
                  f"{total:,} rows, {sc['bytes'] / 2**30:.2f} GiB of CSV "
                  f"(labs {sc['rows']['labs']:,} rows).", ""]
    if cal is not None:
        lines += [f"Calibration: {len(cal)} seeds x 422 patients / 33 sites, ingest -> derive; "
                  "share of seeds inside the published 95 % CI (Okamoto 2026).", "",
                  "| figure | published CI | mean over seeds | 5-95 % of seeds | share inside |",
                  "|---|---|---|---|---|"]
        for key, (lo, hi, src) in ci.items():
            v = cal[key].dropna()
            inside = ((v >= lo) & (v <= hi)).mean()
            lines.append(f"| {key} | {lo:.3g}-{hi:.3g} ({src}) | {v.mean():.3g} | "
                         f"{v.quantile(0.05):.3g}-{v.quantile(0.95):.3g} | {inside:.0%} |")
        inside_all = np.ones(len(cal), bool)
        for key, (lo, hi, _) in ci.items():
            inside_all &= ((cal[key] >= lo) & (cal[key] <= hi)).to_numpy()
        cal.to_csv(out / "synth_seeds.csv", index=False, float_format="%.4g")
        lines += ["", f"Seeds with every figure inside its published CI: {int(inside_all.sum())} of "
                  f"{len(cal)} ({', '.join(str(s) for s in cal['seed'][inside_all])}); "
                  "per-seed values in synth_seeds.csv."]
        lines += ["", f"Efficacy N: mean {cal['n_efficacy'].mean():.1f} (published 383), range "
                  f"{cal['n_efficacy'].min()}-{cal['n_efficacy'].max()}; lab-based hematologic grade >= 3 "
                  f"mean {cal['hematologic_grade3plus_lab'].mean():.3f}; functioning patients mean "
                  f"{cal['hormonal_n'].mean():.1f} (published 24).", ""]
    text = "\n".join(lines)
    (out / "synth.md").write_text(text)
    return text


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--patients", type=int, default=1_000_000)
    ap.add_argument("--seeds", type=int, default=50)
    args = ap.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    sc = scale(args.patients) if args.patients > 0 else None
    cal, ci = calibration(args.seeds) if args.seeds > 0 else (None, {})
    print(report(args.out, sc, args.patients, cal, ci))


if __name__ == "__main__":
    main()
