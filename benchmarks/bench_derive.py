"""Benchmark: derive_all on a synthetic 100,000-patient database (~1.5 M lab rows).

The database is generated here with numpy (random but plausible rows in the schema layout,
seed 1), so the benchmark depends on neither synth/ nor ingest/. Writes
``<out>/derive.md``. Usage: ``python benchmarks/bench_derive.py --out bench-out
[--patients 100000]``.
"""

from __future__ import annotations

import argparse
import os
import platform
import time
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from prrt_rwe.derive import derive_all
from prrt_rwe.schema import create_tables

EPOCH_C1 = np.datetime64("2018-01-01")
RESPONSES = np.array(["CR", "PR", "SD", "NON_CR_NON_PD", "PD", "NE"], dtype=object)
LAB_TESTS = {"platelets": (220, 70, "10^9/L", 150, 400), "neutrophils": (4.0, 1.5, "10^9/L", 2.0, 7.5),
             "wbc": (6.5, 2.0, "10^9/L", 4.0, 10.0), "lymphocytes": (1.6, 0.6, "10^9/L", 1.0, 4.0),
             "hemoglobin": (128, 16, "g/L", 120, 170), "creatinine": (85, 25, "umol/L", 50, 104)}


def _dates(days) -> np.ndarray:
    return (EPOCH_C1 + np.asarray(days, dtype=np.int64).astype("timedelta64[D]")).astype("datetime64[s]")


def make_database(n: int, seed: int = 1) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB with the schema layout and random rows for ``n`` patients."""
    rng = np.random.default_rng(seed)
    con = duckdb.connect()
    create_tables(con)
    site = np.char.add("S", (rng.integers(1, 34, n)).astype(str))
    pid = np.char.add("P", np.arange(n).astype(str))
    start = rng.integers(0, 2000, n)
    death = np.where(rng.random(n) < 0.35, start + rng.integers(30, 1500, n), -1)
    nth = np.where(rng.random(n) < 0.2, start + rng.integers(100, 1200, n), -1)
    liver = rng.random(n) < 0.7
    patients = pd.DataFrame({
        "site_id": site, "patient_id": pid, "sex": rng.choice(["F", "M"], n),
        "age": rng.integers(30, 85, n), "primary_site": rng.choice(
            ["pancreas", "small_intestine", "rectum", "lung", "stomach", "unknown"], n),
        "ki67_percent": np.round(rng.gamma(2, 4, n), 1), "krenning_score": rng.integers(2, 5, n),
        "liver_metastases": liver,
        "liver_tumor_burden_percent": np.where(liver, rng.integers(1, 90, n), 0).astype(float),
        "largest_liver_lesion_mm": np.where(liver, rng.integers(5, 80, n), np.nan),
        "ssa_concomitant": rng.random(n) < 0.5,
        "next_therapy_date": pd.Series(_dates(nth)).where(nth >= 0),
        "last_contact_date": _dates(start + rng.integers(30, 1600, n)),
        "death_date": pd.Series(_dates(death)).where(death >= 0),
        "source_line": np.arange(n) + 2,
    })
    last_contact = np.where(death >= 0, np.minimum(death, start + 1600), start + 1600)
    patients["last_contact_date"] = _dates(np.minimum(start + rng.integers(30, 1600, n), last_contact))

    ncyc = rng.integers(1, 5, n)
    cp = np.repeat(np.arange(n), ncyc)
    k = _ranks(ncyc)
    cycles = pd.DataFrame({"site_id": site[cp], "patient_id": pid[cp], "cycle": k + 1,
                           "date": _dates(start[cp] + 56 * k), "activity_gbq": 7.4,
                           "source_line": np.arange(len(cp)) + 2})

    nass = rng.integers(2, 10, n)
    ap = np.repeat(np.arange(n), nass)
    ak = _ranks(nass)
    aday = np.where(ak == 0, -rng.integers(0, 40, len(ap)), ak * 84 + rng.integers(-10, 10, len(ap)))
    resp = np.where(ak == 0, None, RESPONSES[rng.choice(6, len(ap), p=[.05, .25, .4, .05, .15, .1])])
    ok = (death[ap] < 0) | (start[ap] + aday <= death[ap])
    assessments = pd.DataFrame({"site_id": site[ap], "patient_id": pid[ap],
                                "date": _dates(start[ap] + aday), "overall_response": resp,
                                "source_line": np.arange(len(ap)) + 2})[ok]

    per = 15  # 6 tests x ~2.5 dates = 15 lab rows per patient
    lp = np.repeat(np.arange(n), per)
    tests = np.array(list(LAB_TESTS), dtype=object)
    t = tests[np.tile(np.arange(per) % 6, n)]
    visit = np.tile(np.arange(per) // 6, n)
    lday = np.where(visit == 0, -rng.integers(0, 20, len(lp)), visit * 150 + rng.integers(0, 100, len(lp)))
    mean = np.array([LAB_TESTS[x][0] for x in tests])[np.tile(np.arange(per) % 6, n)]
    sd = np.array([LAB_TESTS[x][1] for x in tests])[np.tile(np.arange(per) % 6, n)]
    value = np.round(np.maximum(rng.normal(mean, sd), 0.01), 2)
    unit = np.array([LAB_TESTS[x][2] for x in tests], dtype=object)[np.tile(np.arange(per) % 6, n)]
    lln = np.where(rng.random(len(lp)) < 0.8,
                   np.array([LAB_TESTS[x][3] for x in tests])[np.tile(np.arange(per) % 6, n)], np.nan)
    labs = pd.DataFrame({"site_id": site[lp], "patient_id": pid[lp], "date": _dates(start[lp] + lday),
                         "test": t, "value": value, "unit": unit, "lln": lln, "uln": np.nan,
                         "value_original": value, "unit_original": unit,
                         "source_line": np.arange(len(lp)) + 2})
    labs = labs[(death[lp] < 0) | (start[lp] + lday <= death[lp])]

    m = n // 3
    ep = rng.integers(0, n, m)
    aes = pd.DataFrame({"site_id": site[ep], "patient_id": pid[ep],
                        "term": rng.choice(["Anemia", "Platelet count decreased", "Nausea",
                                            "Acute kidney injury", "Fatigue"], m),
                        "onset_date": _dates(start[ep] + rng.integers(1, 300, m)),
                        "grade": rng.integers(1, 5, m), "source_line": np.arange(m) + 2})
    aes = aes[(death[ep] < 0) | (start[ep] + 300 <= death[ep])]
    for name, frame in (("patients", patients), ("cycles", cycles), ("assessments", assessments),
                        ("labs", labs), ("adverse_events", aes)):
        con.register("frame", frame)
        cols = ", ".join(f'"{c}"' for c in frame.columns)
        con.execute(f'INSERT INTO "{name}" ({cols}) SELECT {cols} FROM frame')
        con.unregister("frame")
    return con


def _ranks(counts: np.ndarray) -> np.ndarray:
    """0..c-1 for each count c, concatenated."""
    total = int(counts.sum())
    starts = np.repeat(np.cumsum(counts) - counts, counts)
    return np.arange(total) - starts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--patients", type=int, default=100_000)
    args = parser.parse_args()
    t0 = time.perf_counter()
    con = make_database(args.patients)
    t_build = time.perf_counter() - t0
    n_labs = con.execute("SELECT count(*) FROM labs").fetchone()[0]
    n_ass = con.execute("SELECT count(*) FROM assessments").fetchone()[0]
    t0, c0 = time.perf_counter(), time.process_time()
    adam = derive_all(con)
    t_derive, c_derive = time.perf_counter() - t0, time.process_time() - c0
    args.out.mkdir(parents=True, exist_ok=True)
    text = (
        "## derive_all (ADaM derivations)\n\n"
        f"{args.patients:,} patients, {n_ass:,} assessments, {n_labs:,} lab rows "
        f"(synthetic, numpy seed 1, in-memory DuckDB); {os.cpu_count()} CPUs, "
        f"{platform.machine()}, Python {platform.python_version()}.\n\n"
        "| step | wall s | CPU s (this process, all threads) |\n|---|---|---|\n"
        f"| build database | {t_build:.1f} | |\n| derive_all | {t_derive:.1f} | {c_derive:.1f} |\n\n"
        f"Load average at the end: {os.getloadavg()[0]:.1f} (the machine may be shared).\n\n"
        f"Rows out: ADSL {len(adam.adsl):,}, ADRS {len(adam.adrs):,}, ADTTE {len(adam.adtte):,}, "
        f"ADLB {len(adam.adlb):,}, ADAE {len(adam.adae):,}.\n"
    )
    (args.out / "derive.md").write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
