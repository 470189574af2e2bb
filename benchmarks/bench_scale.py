"""Benchmark (issue 17): the whole study — validate + ingest + derive + analyse + report — on
synthetic registries (``prrt-rwe synth``, seed 1, 33 sites) with ``[analyses] heavy = false``,
wall time and peak RSS over the whole process tree (benchmarks/process_tree.py), the heavy
analyses' extra time beside it, Spark local mode (results.json compared with DuckDB's: counts
and strings identical, numbers to 1e-9 relative), and bad input at scale (a lab file of about
1e6 rows with one bad date on its last line: reported on that line, nothing ingested).

Each size runs ``prrt-rwe analyze`` in a fresh process. Writes ``<out>/scale.md``. Usage:
``python benchmarks/bench_scale.py --out bench-out [--sizes 10000 100000] [--heavy-sizes 10000 100000]
[--spark-sizes 10000] [--ingest-sizes 100000 1000000] [--bad-lab-rows 1000000]`` (an empty
``--sizes`` runs only the ingest and bad-input parts). ``--sizes 1000000`` is the issue's target
run (ADLB is derived and written in the engine; docs/architecture.md, "Engines").
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
sys.path.insert(0, str(Path(__file__).parents[1] / "tests" / "engines"))
from process_tree import run_measured  # noqa: E402
from results_equal import differences  # noqa: E402
from timing import describe  # noqa: E402

CLI = str(Path(sys.executable).with_name("prrt-rwe"))
LIGHT = "[analyses]\nheavy = false\n"


def registry(out: Path, patients: int) -> Path:
    folder = out / "registries" / f"synth-{patients}"
    if not (folder / "patients.csv").exists():
        shutil.rmtree(folder, ignore_errors=True)
        start = time.perf_counter()
        rc, _, _, err = run_measured([CLI, "synth", "--out", str(folder), "--patients", str(patients), "--seed", "1"])
        if rc:
            raise SystemExit(f"synth {patients} failed: {err}")
        print(f"synth {patients}: {time.perf_counter() - start:.0f} s", flush=True)
    return folder


def rows_of(folder: Path) -> int:
    with_header = sum(sum(1 for _ in open(p, "rb")) for p in folder.glob("*.csv"))
    return with_header - len(list(folder.glob("*.csv")))


STAGES = ("load_and_validate", "derive", "statistics", "report")
TARGETS = {100_000: (30, 1.5), 1_000_000: (600, 6.0)}   # issue 17: (wall s, peak GB), heavy = false


def analyze(source: Path, out: Path, config: Path, engine: str = "duckdb") -> tuple[float, int, dict, str]:
    """(wall s, peak tree RSS, results.json, stage seconds as 'a / b / c / d')."""
    shutil.rmtree(out, ignore_errors=True)
    rc, wall, peak, err = run_measured([CLI, "analyze", str(source), "--out", str(out), "--config", str(config),
                                        "--engine", engine])
    if rc:
        raise SystemExit(f"analyze {source} ({engine}) failed ({rc}): {err}")
    timings = json.loads((out / "run.json").read_text(encoding="utf-8"))["timings_seconds"]
    stages = " / ".join(f"{timings.get(s, float('nan')):.0f}" for s in STAGES)
    return wall, peak, json.loads((out / "results.json").read_text(encoding="utf-8")), stages


def load() -> str:
    return f"{os.getloadavg()[0]:.1f}"


def verdict(n: int, wall: float, peak: int) -> str:
    if n not in TARGETS:
        return ""
    t, g = TARGETS[n]
    ok = wall <= t and peak / 2**30 <= g
    return f"target ≤ {t} s, ≤ {g} GB: {'met' if ok else 'MISSED'}"


def gb(n: int) -> str:
    return f"{n / 2**30:.2f}"


def bad_input(out: Path, lab_rows: int) -> str:
    """A registry whose labs.csv has ``lab_rows`` rows and a bad date on its last line."""
    source = registry(out, max(100, lab_rows // 80))
    folder = out / "registries" / f"bad-date-{lab_rows}"
    shutil.rmtree(folder, ignore_errors=True)
    shutil.copytree(source, folder)
    labs = folder / "labs.csv"
    with open(labs, "rb") as f:
        lines = [line for _, line in zip(range(lab_rows + 1), f)]
    if len(lines) < lab_rows + 1:
        raise SystemExit(f"{source} has fewer than {lab_rows} lab rows")
    header = lines[0].decode().strip().split(",")
    last = lines[-1].decode().rstrip("\r\n").split(",")
    last[header.index("date")] = "2021-02-30"
    lines[-1] = (",".join(last) + "\n").encode()
    labs.write_bytes(b"".join(lines))
    db, quality = out / "bad.duckdb", out / "bad-quality.json"
    db.unlink(missing_ok=True)
    rc, wall, peak, _ = run_measured([CLI, "ingest", str(folder), "--db", str(db), "--json", str(quality)])
    errors = [i for i in json.loads(quality.read_text())["issues"] if i["severity"] == "error"]
    expected = {"file": "labs.csv", "line": len(lines), "column": "date", "code": "E004"}
    found = len(errors) == 1 and all(errors[0][k] == v for k, v in expected.items())
    return (f"| labs.csv of {len(lines) - 1:,} rows, a bad date on line {len(lines):,} | exit {rc} | "
            f"{'the one error, on that line: ' + errors[0]['message'] if found else f'UNEXPECTED: {errors[:2]}'} | "
            f"{'nothing ingested' if not db.exists() else 'DATABASE WRITTEN'} | {wall:.1f} | {gb(peak)} |")


def ingest_only(out: Path, n: int) -> str:
    """validate + ingest into a DuckDB file (no analysis): bounded memory of the reading side."""
    source = registry(out, n)
    db = out / f"ingest-{n}.duckdb"
    db.unlink(missing_ok=True)
    rc, wall, peak, err = run_measured([CLI, "ingest", str(source), "--db", str(db)])
    if rc:
        raise SystemExit(f"ingest {n} failed ({rc}): {err}")
    size = db.stat().st_size
    db.unlink()
    return f"| {n:,} | {rows_of(source):,} | {wall:.1f} | {gb(peak)} | {size / 2**30:.2f} |"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--sizes", type=int, nargs="*", default=[10_000, 100_000])
    ap.add_argument("--heavy-sizes", type=int, nargs="*", default=[10_000, 100_000])
    ap.add_argument("--spark-sizes", type=int, nargs="*", default=[10_000])
    ap.add_argument("--bad-lab-rows", type=int, default=1_000_000)
    ap.add_argument("--ingest-sizes", type=int, nargs="*", default=[])
    args = ap.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    light, heavy = args.out / "light.toml", args.out / "heavy.toml"
    light.write_text(LIGHT)
    heavy.write_text("[analyses]\nheavy = true\n")
    lines = ["## Registry scale (issue 17): whole study in bounded memory, DuckDB and Spark", "",
             "`prrt-rwe analyze REGISTRY` (validate + load into the embedded engine + derive + analyse + report) on "
             "`prrt-rwe synth` registries (seed 1, 33 sites), one fresh process per run; peak RSS summed over the "
             "process tree (sampled every 0.1 s); stages from run.json (load+validate / derive / statistics / "
             "report, s). `heavy = false` unless said. Load: the 1-minute load average when the run started "
             "(2 cores; other engineers' work included).", "",
             "| patients | rows | engine | heavy | wall s | stages s | peak RSS GB | load | results.json vs DuckDB / target |",
             "|---:|---:|---|---|---:|---|---:|---:|---|"]
    section = args.out / "scale.md"

    def add(line: str) -> None:   # written after every run: a stopped benchmark keeps its rows
        lines.append(line)
        print(line, flush=True)
        section.write_text("\n".join(lines + ["", f"Machine: {describe()}; shared with other engineers, so wall "
                                                     "times include their load."]) + "\n", encoding="utf-8")

    duck = {}
    for n in sorted(set(args.sizes) | set(args.heavy_sizes) | set(args.spark_sizes)):
        source = registry(args.out, n)
        rows = rows_of(source)
        started = load()
        wall, peak, duck[n], stages = analyze(source, args.out / f"analyze-{n}", light)
        add(f"| {n:,} | {rows:,} | duckdb | false | {wall:.1f} | {stages} | {gb(peak)} | {started} | "
            f"{verdict(n, wall, peak) or '—'} |")
        if n in args.heavy_sizes:
            started = load()
            wall_h, peak_h, _, stages = analyze(source, args.out / f"analyze-heavy-{n}", heavy)
            add(f"| {n:,} | {rows:,} | duckdb | true | {wall_h:.1f} | {stages} | {gb(peak_h)} | {started} | "
                f"heavy analyses: {wall_h - wall:+.1f} s |")
        if n in args.spark_sizes:
            started = load()
            wall_s, peak_s, spark, stages = analyze(source, args.out / f"analyze-spark-{n}", light, engine="spark")
            diff = differences(duck[n], spark)
            add(f"| {n:,} | {rows:,} | spark (local[2]) | false | {wall_s:.1f} | {stages} | {gb(peak_s)} | "
                f"{started} | {'equal' if not diff else f'{len(diff)} differences: ' + '; '.join(diff[:3])} |")
    if args.ingest_sizes:
        for line in ("", "Validate + ingest only (`prrt-rwe ingest REGISTRY --db FILE`):", "",
                     "| patients | rows | wall s | peak RSS GB | database GB | load |", "|---:|---:|---:|---:|---:|---:|"):
            lines.append(line)
        for n in args.ingest_sizes:
            started = load()
            add(ingest_only(args.out, n) + f" {started} |")
    for line in ("", "Bad input at scale:", "",
                 "| input | exit | error | database | wall s | peak RSS GB |", "|---|---|---|---|---:|---:|"):
        lines.append(line)
    if args.bad_lab_rows:
        add(bad_input(args.out, args.bad_lab_rows))
    add("")

if __name__ == "__main__":
    main()
