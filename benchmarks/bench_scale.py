"""Benchmark (issue 17): the whole study — validate + ingest + derive + analyse + report — on
synthetic registries (``prrt-rwe synth``, seed 1, 33 sites) with ``[analyses] heavy = false``,
wall time and peak RSS over the whole process tree (benchmarks/process_tree.py), the heavy
analyses' extra time beside it, Spark local mode (results.json compared with DuckDB's: counts
and strings identical, numbers to 1e-9 relative), and bad input at scale (a lab file of about
1e6 rows with one bad date on its last line: reported on that line, nothing ingested).

Each size runs ``prrt-rwe analyze`` in a fresh process. Writes ``<out>/scale.md``. Usage:
``python benchmarks/bench_scale.py --out bench-out [--sizes 10000 100000] [--heavy-sizes 10000 100000]
[--spark-sizes 10000] [--bad-lab-rows 1000000]``.
"""

from __future__ import annotations

import argparse
import json
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


def analyze(source: Path, out: Path, config: Path, engine: str = "duckdb") -> tuple[float, int, dict]:
    shutil.rmtree(out, ignore_errors=True)
    rc, wall, peak, err = run_measured([CLI, "analyze", str(source), "--out", str(out), "--config", str(config),
                                        "--engine", engine])
    if rc:
        raise SystemExit(f"analyze {source} ({engine}) failed ({rc}): {err}")
    return wall, peak, json.loads((out / "results.json").read_text(encoding="utf-8"))


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
    ap.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    ap.add_argument("--heavy-sizes", type=int, nargs="*", default=[10_000, 100_000])
    ap.add_argument("--spark-sizes", type=int, nargs="*", default=[10_000])
    ap.add_argument("--bad-lab-rows", type=int, default=1_000_000)
    ap.add_argument("--ingest-sizes", type=int, nargs="*", default=[])
    args = ap.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    light, heavy = args.out / "light.toml", args.out / "heavy.toml"
    light.write_text(LIGHT)
    heavy.write_text("[analyses]\nheavy = true\n")
    lines = ["## Registry scale (issue 17): whole study, bounded memory, three engines", "",
             "`prrt-rwe analyze` on `prrt-rwe synth` registries (seed 1, 33 sites), one fresh process per run; "
             "peak RSS summed over the process tree (sampled every 0.1 s). `heavy = false` unless said.", "",
             "| patients | rows | engine | heavy | wall s | peak RSS GB | results.json vs DuckDB |",
             "|---:|---:|---|---|---:|---:|---|"]
    duck = {}
    for n in sorted(set(args.sizes) | set(args.heavy_sizes) | set(args.spark_sizes)):
        source = registry(args.out, n)
        rows = rows_of(source)
        wall, peak, duck[n] = analyze(source, args.out / f"analyze-{n}", light)
        lines.append(f"| {n:,} | {rows:,} | duckdb | false | {wall:.1f} | {gb(peak)} | — |")
        print(lines[-1], flush=True)
        if n in args.heavy_sizes:
            wall_h, peak_h, _ = analyze(source, args.out / f"analyze-heavy-{n}", heavy)
            lines.append(f"| {n:,} | {rows:,} | duckdb | true | {wall_h:.1f} | {gb(peak_h)} | — (heavy analyses: "
                         f"{wall_h - wall:+.1f} s) |")
            print(lines[-1], flush=True)
        if n in args.spark_sizes:
            wall_s, peak_s, spark = analyze(source, args.out / f"analyze-spark-{n}", light, engine="spark")
            diff = differences(duck[n], spark)
            lines.append(f"| {n:,} | {rows:,} | spark (local[2]) | false | {wall_s:.1f} | {gb(peak_s)} | "
                         f"{'equal' if not diff else f'{len(diff)} differences: ' + '; '.join(diff[:3])} |")
            print(lines[-1], flush=True)
    if args.ingest_sizes:
        lines += ["", "Validate + ingest only (`prrt-rwe ingest REGISTRY --db FILE`):", "",
                  "| patients | rows | wall s | peak RSS GB | database GB |", "|---:|---:|---:|---:|---:|"]
        for n in args.ingest_sizes:
            lines.append(ingest_only(args.out, n))
            print(lines[-1], flush=True)
    lines += ["", "Bad input at scale:", "",
              "| input | exit | error | database | wall s | peak RSS GB |", "|---|---|---|---|---:|---:|"]
    if args.bad_lab_rows:
        lines.append(bad_input(args.out, args.bad_lab_rows))
        print(lines[-1], flush=True)
    lines += ["", f"Machine: {describe()}. The machine is shared (up to 10 engineers): wall times include "
              "their load; the load average is the one at the end of the run."]
    (args.out / "scale.md").write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
