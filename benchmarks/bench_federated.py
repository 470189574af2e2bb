"""Benchmark: the federated study (issue 18) against the pooled ``analyze`` of the same registry.

1. The 33-site demo cohort (``prrt-rwe demo``'s: 422 patients, demo_seed()), simulated with time_unit day, week and
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
import collections
import csv
import re
import shutil
import statistics
import time
from pathlib import Path

from timing import describe

from prrt_rwe.federated.contract import leaves
from prrt_rwe.federated.network import NetworkConfig
from prrt_rwe.federated.study import simulate
from prrt_rwe.study import analyze
from prrt_rwe.synth.demo_seed import demo_seed
from prrt_rwe.synth.generator import generate

SETTINGS = (("day", 1), ("week", 1), ("month", 1), ("day", 5), ("week", 5), ("month", 5))
LARGE_SETTINGS = (("day", 5),)   # --large-all: week and month as well
HEADLINE = (("ORR", ("response", "orr", "estimate")),
            ("DCR", ("response", "dcr", "estimate")),
            ("Median age", ("baseline", "age_median")),
            ("Median PFS, months", ("pfs", "median_months")),
            ("PFS at 12 months", ("pfs", "rate_at", "12", "estimate")),
            ("PFS at 24 months", ("pfs", "rate_at", "24", "estimate")),
            ("Median OS, months", ("os", "median_months")),
            ("OS at 24 months", ("os", "rate_at", "24", "estimate")),
            ("Median follow-up, months", ("followup_median_months",)),
            ("Median DoR, months", ("duration_of_response", "median_months")),
            ("IPTW ESS", ("iptw", "ess")),
            ("IPTW weighted PFS HR", ("iptw", "pfs_hr", "hr")),
            ("IPTW weighted median PFS, exposed", ("iptw", "pfs_km", "exposed", "median_months")),
            ("IPTW largest SMD after weighting", ("iptw", "balance")),
            ("MAIC ESS, NETTER-2", ("comparators", 2, "maic", "ess")),
            ("MAIC ORR, NETTER-2", ("comparators", 2, "maic", "orr", "estimate")))


def site_sizes(registry: Path) -> list[int]:
    with (registry / "patients.csv").open(newline="", encoding="utf-8") as f:
        return list(collections.Counter(row["site_id"] for row in csv.DictReader(f)).values())


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
    if path[-1] == "balance":   # the largest |SMD| after weighting
        return max((abs(b["smd_after"]) for b in node if b["smd_after"] is not None), default=None)
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
    """Largest relative difference over the numbers results.json has in both runs (a difference
    under 1e-12 absolute, rounding of a number that is itself rounding such as MAIC's max |diff|,
    counts as none, as in tests/federated/test_federated_demo.py)."""
    not_available = fed["federation"]["not_available"]
    theirs = dict(leaves(fed))
    worst = 0.0
    for path, value in leaves(pooled):
        normal = re.sub(r"\[\d+\]", "[]", path)
        if any(normal == k or normal.startswith((k + ".", k + "[")) for k in not_available):
            continue
        got = theirs.get(path)
        if isinstance(value, (int, float)) and not isinstance(value, bool) and isinstance(got, (int, float)):
            if abs(got - value) > 1e-12:   # as the demo test: equal to 1e-8 relative or 1e-12 absolute
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


NO_MI = "[imputation]\nm = 0\n"   # study.toml: multiple imputation off (not available federated)


def run(registry: Path, out: Path, settings, time_without_mi: bool = False,
        runtime: str = "flower") -> tuple[dict, dict, dict, dict]:
    """Pooled results; pooled times (default rules, and with MI off when asked); per setting
    the federated results and times (``runtime`` "direct": the same bytes without Flower)."""
    shutil.rmtree(out, ignore_errors=True)
    start = time.perf_counter()
    pooled = analyze(registry, out / "pooled").results
    pooled_s = {"default": time.perf_counter() - start}
    print(f"{registry.name} pooled: {pooled_s['default']:.1f} s", flush=True)
    if time_without_mi:
        (out / "no-mi.toml").write_text(NO_MI, encoding="utf-8")
        start = time.perf_counter()
        analyze(registry, out / "pooled-no-mi", config=out / "no-mi.toml")
        pooled_s["no_mi"] = time.perf_counter() - start
    runs, times = {}, {}
    for unit, m in settings:
        start = time.perf_counter()
        runs[(unit, m)] = simulate(registry, out / f"federated-{unit}-{m}", runtime=runtime,
                                   network=NetworkConfig(min_cell=m, time_unit=unit)).results
        times[(unit, m)] = time.perf_counter() - start
        print(f"{registry.name} {unit} min_cell {m}: {times[(unit, m)]:.1f} s", flush=True)
    return pooled, pooled_s, runs, times


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--patients", type=int, default=100_000)
    ap.add_argument("--large-seed", type=int, default=1)
    ap.add_argument("--skip-large", action="store_true")
    ap.add_argument("--large-all", action="store_true", help="the large registry also by week and month")
    args = ap.parse_args()
    work = args.out / "federated"
    demo = work / "registries" / "demo"
    seed = demo_seed()
    if not (demo / "patients.csv").exists():
        generate(demo, patients=422, sites=33, seed=seed)
    lines = ["## Federated study (issue 18): simulated network against the pooled analysis", "",
             "Each site's rows are analysed alone by its node; the coordinator sees only what "
             "shared/spec/federated.md lets a node release. A cell is the federated value and, in "
             "brackets, its difference from the pooled analysis; — = null (suppressed under min_cell, "
             "or a site could not release it). The last row is the largest relative difference over "
             "every number both results.json files hold (exactness: day, min_cell 1).", ""]
    # tables only (no timing): nodes called directly, which tests/federated shows gives the same
    # bytes as Flower's Message API
    pooled, _, runs, _ = run(demo, work / "demo", SETTINGS, runtime="direct")
    sizes = site_sizes(demo)
    lines += table(f"Demo cohort: 422 patients, 33 sites (median {statistics.median(sizes):g} patients), "
                   f"seed {seed}", pooled, runs)
    lines += [f"With min_cell 5, a site of fewer than 5 patients ({sum(n < 5 for n in sizes)} of the 33) can "
              "release no count of its own, and a key is null when any site cannot release it: per-site "
              "small-cell rules need sites of a few dozen patients.", ""]
    if not args.skip_large:
        large = work / "registries" / f"synth-{args.patients}"
        if not (large / "patients.csv").exists():
            generate(large, patients=args.patients, sites=33, seed=args.large_seed)
        settings = LARGE_SETTINGS + ((("week", 5), ("month", 5)) if args.large_all else ())
        pooled, pooled_s, runs, times = run(large, work / "large", settings, time_without_mi=True)
        lines += table(f"{args.patients:,} patients, 33 sites, seed {args.large_seed}", pooled, runs)
        day, base, no_mi = times[("day", 5)], pooled_s["default"], pooled_s["no_mi"]
        lines += ["### Time, same process, one after the other", "",
                  "| run | wall s | vs pooled | vs pooled without MI |", "|---|---:|---:|---:|",
                  f"| pooled `analyze` (default rules, MI m = 20) | {base:.1f} | 1.0x | {base / no_mi:.2f}x |",
                  f"| pooled `analyze`, `[imputation] m = 0` | {no_mi:.1f} | {no_mi / base:.2f}x | 1.0x |"]
        lines += [f"| federated simulation, {u}, min_cell {m} | {t:.1f} | {t / base:.2f}x | {t / no_mi:.2f}x |"
                  for (u, m), t in times.items()]
        lines += ["", "A node skips multiple imputation (not available in a federated study), so the fair "
                  "comparison is the last column.",
                  f"Target: 33 simulated sites within 5x of the pooled analysis: {day / base:.2f}x of the "
                  f"default pooled run, {day / no_mi:.2f}x of the pooled run without MI "
                  f"({'met' if day <= 5 * no_mi else 'NOT met'}).", ""]
    lines += [f"Machine: {describe()}. Other engineers' jobs share the two cores; "
              "ratios are measured in the same run.", ""]
    (args.out / "federated.md").write_text("\n".join(lines), encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
