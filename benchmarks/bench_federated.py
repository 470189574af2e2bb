"""Benchmark: the federated study (issue 18) against the pooled ``analyze`` of the same registry.

1. The 33-site demo cohort (synth, 422 patients, seed 1), simulated with time_unit day, week and
   month and min_cell 1 and 5: headline numbers beside the pooled ones, the largest difference
   over every exact key of results.json, and how many keys each setting suppresses.
2. The 100,000-patient registry (33 sites): the same table for day, week and month at the
   default min_cell 5, and the wall time of the federated simulation against the pooled
   analysis, measured in the same process one after the other (target: within 5x).

Writes ``<out>/federated.md``.  Usage:
``python benchmarks/bench_federated.py --out bench-out [--patients 100000] [--skip-large]``.
"""

from __future__ import annotations

import argparse
import shutil
import time
from pathlib import Path

from timing import describe

from prrt_rwe.federated.network import NetworkConfig
from prrt_rwe.federated.study import simulate
from prrt_rwe.study import analyze
from prrt_rwe.synth.generator import generate

SETTINGS = (("day", 1), ("week", 1), ("month", 1), ("day", 5), ("week", 5), ("month", 5))
LARGE_SETTINGS = (("day", 5), ("week", 5), ("month", 5))
HEADLINE = (("ORR", ("response", "orr", "estimate")),
            ("DCR", ("response", "dcr", "estimate")),
            ("Median age", ("baseline", "age_median")),
            ("Median PFS, months", ("pfs", "median_months")),
            ("PFS at 12 months", ("pfs", "rate_at", "12", "estimate")),
            ("PFS at 24 months", ("pfs", "rate_at", "24", "estimate")),
            ("Median OS, months", ("os", "median_months")),
            ("OS at 24 months", ("os", "rate_at", "24", "estimate")),
            ("Median follow-up, months", ("followup_median_months",)),
            ("Median DoR, months", ("duration_of_response", "median_months")))


def leaves(tree, path=""):
    if isinstance(tree, dict):
        for k, v in tree.items():
            yield from leaves(v, f"{path}.{k}" if path else k)
    elif isinstance(tree, list):
        for i, v in enumerate(tree):
            yield from leaves(v, f"{path}[{i}]")
    else:
        yield path, tree


def model_rows(results: dict) -> list[tuple[str, tuple]]:
    rows = []
    for model, ratio, label in (("pfs_cox", "hr", "PFS HR"), ("orr_logistic", "or", "ORR OR")):
        for i, term in enumerate(results["models"][model]["terms"]):
            rows.append((f"{label} {term['term']}", ("models", model, "terms", i, ratio)))
    return rows


def get_any(results: dict, path: tuple):
    node = results
    for key in path:
        if isinstance(key, int):
            node = node[key] if isinstance(node, list) and key < len(node) else None
        else:
            node = node.get(key) if isinstance(node, dict) else None
        if node is None:
            return None
    return node


def fmt(x) -> str:
    return "—" if x is None else f"{x:.4g}"


def cell(value, pooled) -> str:
    if value is None:
        return "—"
    if pooled is None or pooled == 0:
        return fmt(value)
    return f"{fmt(value)} ({100 * (value - pooled) / abs(pooled):+.1f} %)"


def exact_difference(pooled: dict, fed: dict) -> float:
    """Largest relative difference over the numbers results.json has in both runs."""
    not_available = fed["federation"]["not_available"]
    theirs = dict(leaves(fed))
    worst = 0.0
    for path, value in leaves(pooled):
        if any(path == k or path.startswith((k + ".", k + "[")) for k in not_available):
            continue
        got = theirs.get(path)
        if isinstance(value, (int, float)) and not isinstance(value, bool) and isinstance(got, (int, float)):
            worst = max(worst, abs(got - value) / max(abs(value), 1e-12))
    return worst


def table(title: str, pooled: dict, runs: dict) -> list[str]:
    labels = [f"{u}, min_cell {m}" for u, m in runs]
    lines = [f"### {title}", "", "| | pooled | " + " | ".join(labels) + " |",
             "|---|---:|" + "---:|" * len(labels)]
    for label, path in HEADLINE + tuple(model_rows(pooled)):
        p = get_any(pooled, path)
        lines.append(f"| {label} | {fmt(p)} | " + " | ".join(cell(get_any(r, path), p) for r in runs.values()) + " |")
    lines.append("| keys suppressed (min_cell) | — | " + " | ".join(
        str(len(r["federation"]["suppressed"])) for r in runs.values()) + " |")
    lines.append("| keys not available (by design) | — | " + " | ".join(
        str(len(r["federation"]["not_available"])) for r in runs.values()) + " |")
    lines.append("| largest relative difference, numbers in both | — | " + " | ".join(
        f"{exact_difference(pooled, r):.2g}" for r in runs.values()) + " |")
    return lines + [""]


def run(registry: Path, out: Path, settings) -> tuple[dict, float, dict, dict]:
    """Pooled results and time; per setting the federated results; the first setting's time."""
    shutil.rmtree(out, ignore_errors=True)
    start = time.perf_counter()
    pooled = analyze(registry, out / "pooled").results
    pooled_s = time.perf_counter() - start
    runs, times = {}, {}
    for unit, m in settings:
        start = time.perf_counter()
        runs[(unit, m)] = simulate(registry, out / f"federated-{unit}-{m}",
                                   network=NetworkConfig(min_cell=m, time_unit=unit)).results
        times[(unit, m)] = time.perf_counter() - start
        print(f"{registry.name} {unit} min_cell {m}: {times[(unit, m)]:.1f} s", flush=True)
    return pooled, pooled_s, runs, times


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--patients", type=int, default=100_000)
    ap.add_argument("--large-seed", type=int, default=2)
    ap.add_argument("--skip-large", action="store_true")
    args = ap.parse_args()
    work = args.out / "federated"
    demo = work / "registries" / "demo"
    if not (demo / "patients.csv").exists():
        generate(demo, patients=422, sites=33, seed=1)
    lines = ["## Federated study (issue 18): simulated network against the pooled analysis", "",
             "Each site's rows are analysed alone by its node; the coordinator sees only what "
             "shared/spec/federated.md lets a node release. A cell is the federated value and, in "
             "brackets, its difference from the pooled analysis; — = null (suppressed under min_cell, "
             "or a site could not release it). The last row is the largest relative difference over "
             "every number both results.json files hold (exactness: day, min_cell 1).", ""]
    pooled, _, runs, _ = run(demo, work / "demo", SETTINGS)
    lines += table("Demo cohort: 422 patients, 33 sites (median 9 patients), seed 1", pooled, runs)
    lines += ["With min_cell 5, sites of fewer than 5 patients (7 of the 33) can release no count of "
              "their own, so almost every key of this small network is suppressed: per-site small-cell "
              "rules need sites of a few dozen patients, or secure aggregation.", ""]
    if not args.skip_large:
        large = work / "registries" / f"synth-{args.patients}"
        if not (large / "patients.csv").exists():
            generate(large, patients=args.patients, sites=33, seed=args.large_seed)
        pooled, pooled_s, runs, times = run(large, work / "large", LARGE_SETTINGS)
        lines += table(f"{args.patients:,} patients, 33 sites, seed {args.large_seed} (seed 1 draws a "
                       "diagnosis date before 1900, which validation rejects)", pooled, runs)
        day = times[("day", 5)]
        lines += ["### Time, same process, one after the other", "",
                  "| run | wall s | vs pooled |", "|---|---:|---:|",
                  f"| pooled `analyze` | {pooled_s:.1f} | 1.0x |"]
        lines += [f"| federated simulation, {u}, min_cell {m} | {t:.1f} | {t / pooled_s:.2f}x |"
                  for (u, m), t in times.items()]
        lines += ["", f"Target: 33 simulated sites within 5x of the pooled analysis: "
                  f"{day / pooled_s:.2f}x ({'met' if day <= 5 * pooled_s else 'NOT met'}).", ""]
    lines += [f"Machine: {describe()}. Other engineers' jobs share the two cores; "
              "ratios are measured in the same run.", ""]
    (args.out / "federated.md").write_text("\n".join(lines), encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
