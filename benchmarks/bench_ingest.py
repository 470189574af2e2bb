"""Benchmark: validate + ingest a 100,000-patient registry with ~1.5 million lab rows.

The registry is generated here with numpy (valid by construction, fixed seed), written as
CSV, then ``prrt_rwe.validate`` and ``prrt_rwe.ingest`` are timed separately. Peak memory
is the process's maximum resident set size (resource.getrusage). Writes OUT/ingest.md.

    .venv/bin/python benchmarks/bench_ingest.py --out bench-out [--patients 100000]
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import shutil
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv

LAB_TESTS = ("platelets", "neutrophils", "wbc", "lymphocytes", "hemoglobin", "creatinine", "albumin")
LAB_UNITS = {"platelets": ("10^9/L", 250.0), "neutrophils": ("10^9/L", 4.0), "wbc": ("10^9/L", 6.5),
             "lymphocytes": ("10^9/L", 1.6), "hemoglobin": ("g/dL", 12.8),
             "creatinine": ("mg/dL", 0.9), "albumin": ("g/L", 40.0)}
PRIMARY = ("pancreas", "small_intestine", "rectum", "stomach", "lung", "unknown")


def _write(folder: Path, name: str, frame: pd.DataFrame) -> None:
    table = pa.Table.from_pandas(frame, preserve_index=False)
    pacsv.write_csv(table, folder / f"{name}.csv",
                    write_options=pacsv.WriteOptions(quoting_style="none"))


def _dates(base: np.ndarray, offset) -> np.ndarray:
    return np.datetime_as_string(base + np.asarray(offset).astype("timedelta64[D]"), unit="D")


def generate(folder: Path, patients: int, seed: int = 7) -> dict[str, int]:
    """A valid registry: 4 cycles, 5 scans, 15 lab rows and ~1 AE per patient."""
    rng = np.random.default_rng(seed)
    n = patients
    site = np.char.add("S", np.char.zfill((np.arange(n) % 33 + 1).astype(str), 2))
    pid = (np.arange(n) + 1).astype(str)
    c1 = np.datetime64("2015-01-05") + rng.integers(0, 2500, n).astype("timedelta64[D]")
    fu = rng.integers(200, 1500, n)
    dead = rng.random(n) < 0.3
    pat = pd.DataFrame({
        "site_id": site, "patient_id": pid, "sex": rng.choice(["M", "F"], n),
        "age": rng.integers(30, 85, n), "primary_site": rng.choice(PRIMARY, n),
        "who_grade": rng.choice(["G1", "G2", "G3"], n), "ki67_percent": rng.integers(1, 30, n),
        "krenning_score": rng.choice([3, 4], n), "functioning": rng.choice(["yes", "no"], n),
        "ecog": rng.integers(0, 3, n), "liver_metastases": "yes",
        "liver_tumor_burden_percent": rng.integers(1, 80, n), "largest_liver_lesion_mm": rng.integers(5, 90, n),
        "bone_metastases": rng.choice(["yes", "no"], n), "prior_lines": rng.integers(0, 3, n),
        "prior_ssa": "yes", "ssa_concomitant": rng.choice(["yes", "no"], n),
        "diagnosis_date": _dates(c1, -rng.integers(30, 2000, n)), "next_therapy_date": "",
        "last_contact_date": _dates(c1, fu), "death_date": np.where(dead, _dates(c1, fu), ""),
    })
    k = np.repeat(np.arange(n), 4)
    cyc = pd.DataFrame({"site_id": site[k], "patient_id": pid[k], "cycle": np.tile(np.arange(1, 5), n),
                        "date": _dates(c1[k], np.tile(np.arange(4) * 56, n)), "agent": "lu177_dotatate",
                        "activity_gbq": np.round(rng.normal(7.4, 0.2, 4 * n), 2)})
    k = np.repeat(np.arange(n), 5)
    day = np.tile(np.array([-20, 0, 0, 0, 0]), n) + np.tile(np.arange(5) * 36, n)
    day = np.minimum(day, fu[k])
    ass = pd.DataFrame({"site_id": site[k], "patient_id": pid[k], "date": _dates(c1[k], day),
                        "overall_response": np.where(day > 0, rng.choice(["SD", "PR", "PD"], 5 * n), ""),
                        "sum_diameters_mm": "", "new_lesions": "", "modality": "CT"})
    k = np.repeat(np.arange(n), 15)
    test = np.array(LAB_TESTS)[rng.integers(0, len(LAB_TESTS), 15 * n)]
    unit = pd.Series(test).map({t: LAB_UNITS[t][0] for t in LAB_TESTS}).to_numpy()
    centre = pd.Series(test).map({t: LAB_UNITS[t][1] for t in LAB_TESTS}).to_numpy()
    labs = pd.DataFrame({"site_id": site[k], "patient_id": pid[k],
                         "date": _dates(c1[k], np.minimum(np.tile(np.arange(15) * 14 - 7, n), fu[k])),
                         "test": test, "value": np.round(centre * rng.uniform(0.6, 1.3, 15 * n), 3),
                         "unit": unit, "lln": "", "uln": ""})
    ae_k = np.flatnonzero(rng.random(n) < 0.8)
    ae = pd.DataFrame({"site_id": site[ae_k], "patient_id": pid[ae_k], "term": "Nausea",
                       "onset_date": _dates(c1[ae_k], 3), "grade": rng.integers(1, 4, len(ae_k)),
                       "ctcae_version": "5.0", "serious": "no"})
    tables = {"patients": pat, "cycles": cyc, "assessments": ass, "labs": labs, "adverse_events": ae}
    for name, frame in tables.items():
        _write(folder, name, frame)
    return {name: len(frame) for name, frame in tables.items()}


def write_workbook(folder: Path, path: Path) -> None:
    """The CSV registry as an .xlsx workbook, dates and numbers stored as Excel values."""
    import openpyxl

    wb = openpyxl.Workbook(write_only=True)
    for csv_path in sorted(folder.glob("*.csv")):
        frame = pd.read_csv(csv_path, dtype=str, keep_default_na=False)
        ws = wb.create_sheet(csv_path.stem)
        ws.append(list(frame.columns))
        typed = {}
        for col in frame.columns:
            values = frame[col]
            if values.str.fullmatch(r"\d{4}-\d{2}-\d{2}").all():
                typed[col] = pd.to_datetime(values).dt.date.astype(object)
            elif values.str.fullmatch(r"-?\d+(\.\d+)?").all():
                typed[col] = values.astype(float)
            else:
                typed[col] = values.where(values != "", None)
        for row in zip(*(typed[c] for c in frame.columns)):
            ws.append(list(row))
    wb.save(path)


def time_workbook(patients: int) -> list[str]:
    """validate() on a workbook, with python-calamine and with openpyxl."""
    import sys

    import prrt_rwe

    work = Path(tempfile.mkdtemp(prefix="bench-ingest-xlsx-"))
    try:
        (work / "registry").mkdir()
        rows = generate(work / "registry", patients)
        write_workbook(work / "registry", work / "registry.xlsx")
        timings = {}
        for engine in ("python-calamine", "openpyxl"):
            saved = sys.modules.get("python_calamine")
            if engine == "openpyxl":
                sys.modules["python_calamine"] = None  # makes the import fail: openpyxl is used
            try:
                t0 = time.perf_counter()
                report = prrt_rwe.validate(work / "registry.xlsx")
                timings[engine] = time.perf_counter() - t0
            finally:
                if engine == "openpyxl":
                    sys.modules.pop("python_calamine")
                    if saved is not None:
                        sys.modules["python_calamine"] = saved
            if not report.ok:
                raise SystemExit("benchmark workbook did not validate")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    cells = sum(rows.values())
    return [
        (f"Workbook (.xlsx, same generator, {patients:,} patients, {cells:,} rows): `prrt_rwe.validate` "
        f"{timings['python-calamine']:.1f} s with python-calamine, {timings['openpyxl']:.1f} s with "
        f"openpyxl read-only ({timings['openpyxl'] / timings['python-calamine']:.1f}x)."),
        "",
    ]


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("bench-out"))
    parser.add_argument("--patients", type=int, default=100_000)
    parser.add_argument("--workbook-patients", type=int, default=5_000)
    args = parser.parse_args()
    import prrt_rwe

    work = Path(tempfile.mkdtemp(prefix="bench-ingest-"))
    try:
        t0 = time.perf_counter()
        (work / "registry").mkdir()
        rows = generate(work / "registry", args.patients)
        t_gen = time.perf_counter() - t0
        size = sum(p.stat().st_size for p in (work / "registry").iterdir()) / 2**20
        t0, c0 = time.perf_counter(), time.process_time()
        report = prrt_rwe.validate(work / "registry")
        t_val, c_val = time.perf_counter() - t0, time.process_time() - c0
        peak_val = _peak_mib()
        t0, c0 = time.perf_counter(), time.process_time()
        result = prrt_rwe.ingest(work / "registry", work / "registry.duckdb")
        t_ing, c_ing = time.perf_counter() - t0, time.process_time() - c0
        peak = _peak_mib()
        db_mib = (work / "registry.duckdb").stat().st_size / 2**20 if result.ok else float("nan")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    if not result.ok:
        raise SystemExit("benchmark registry did not validate:\n" + "\n".join(report.format_lines()[:20]))
    lines = [
        "## Ingest (validate + load into DuckDB)",
        "",
        "Registry generated in the benchmark (numpy, seed 7), rows: "
        + ", ".join(f"{n:,} {t}" for t, n in rows.items()) + f"; {size:.0f} MiB of CSV "
        f"(written in {t_gen:.1f} s). Machine: {platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}, load average {os.getloadavg()[0]:.1f} at the end (wall time "
        "exceeds CPU time when other processes share the cores).",
        "",
        "| step | wall s | CPU s | peak RSS (MiB) |",
        "|---|---:|---:|---:|",
        f"| `prrt_rwe.validate` | {t_val:.1f} | {c_val:.1f} | {peak_val:.0f} |",
        f"| `prrt_rwe.ingest` (validate again + DuckDB, atomic) | {t_ing:.1f} | {c_ing:.1f} | {peak:.0f} |",
        "",
        (f"Issues found: {len(report.errors)} errors, {len(report.warnings)} warnings. "
         f"DuckDB file: {db_mib:.0f} MiB."),
        "",
    ]
    lines += time_workbook(args.workbook_patients)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "ingest.md").write_text("\n".join(lines), encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
