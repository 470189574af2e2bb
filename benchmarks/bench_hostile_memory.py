"""Benchmark: peak memory of validating hostile workbooks under 10 MB (issue 12: < 1 GB).

Each workbook is built here (raw XML streamed into the zip, fixed content) and validated in a
fresh process, whose peak resident set size (VmHWM of /proc/self/status: ru_maxrss would carry the
builder's peak across fork and exec) is the figure reported.
Writes OUT/hostile_memory.md.

    .venv/bin/python benchmarks/bench_hostile_memory.py --out bench-out
"""

from __future__ import annotations

import argparse
import csv
import json
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "ingest"))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from raw_xlsx import NS, column_letters, rows_xml, write_xlsx  # noqa: E402
from timing import describe  # noqa: E402

MINIMAL = Path(__file__).resolve().parents[1] / "examples" / "minimal"
LIMIT_MB = 1024

MEASURE = """
import json, resource, sys, time
t = time.perf_counter()
from prrt_rwe.ingest.validation import validate
r = validate(sys.argv[1])
codes = sorted({i.code for i in r.errors})
hwm = next(int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmHWM"))
print(json.dumps({"rss_mb": hwm / 1024,
                  "seconds": time.perf_counter() - t, "codes": codes, "ok": r.ok}))
"""


def _rows(name: str) -> list[list[str]]:
    with open(MINIMAL / f"{name}.csv", newline="", encoding="utf-8") as f:
        return list(csv.reader(f))


def _sheet(rows, tail: str = "") -> str:
    return f'<?xml version="1.0"?><worksheet {NS}><sheetData>{rows_xml(rows)}{tail}</sheetData></worksheet>'


def _base(extra: dict | None = None) -> dict:
    sheets = {p.stem: _sheet(_rows(p.stem)) for p in sorted(MINIMAL.glob("*.csv"))}
    sheets.update(extra or {})
    return sheets


def corner(path: Path) -> Path:
    return write_xlsx(path, _base({"labs": _sheet(_rows("labs"), '<row r="1048576"><c r="BL1048576"><v>1</v></c></row>')}))


def xfd(path: Path) -> Path:
    return write_xlsx(path, _base({"labs": _sheet(_rows("labs"), '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>')}))


def huge_shared_string(path: Path) -> Path:
    sheets = _base()
    sheets["adverse_events"] = sheets["adverse_events"].replace(
        "</sheetData>", '<row r="50"><c r="C50" t="s"><v>0</v></c></row></sheetData>')
    block = b"z" * (1 << 20)
    strings = [f"<sst {NS}><si><t>".encode(), *(block for _ in range(1536)), b"</t></si></sst>"]
    return write_xlsx(path, sheets, shared_strings=(piece for piece in strings))


def cell_bomb(path: Path) -> Path:
    """1,048,575 rows x 64 numeric cells (67 million cells) in a few MB."""
    row = "".join(f"<c><v>{c}</v></c>" for c in range(64)).encode()
    rows = (b'<row r="%d">' % r + row + b"</row>" for r in range(1, 1_048_576))
    labs = [f"<worksheet {NS}><sheetData>".encode(), *rows, b"</sheetData></worksheet>"]
    return write_xlsx(path, _base({"labs": (piece for piece in labs)}))


def long_texts(path: Path) -> Path:
    """60 adverse-event terms of 1 MiB each: every cell within the limit, 60 MiB of text."""
    rows = _rows("adverse_events")
    term = rows[0].index("term")
    body = [rows[0]] + [r[:term] + ["t" * ((1 << 20) - 16)] + r[term + 1:] for r in (rows[1:] * 20)[:60]]
    return write_xlsx(path, _base({"adverse_events": _sheet(body)}))


def dense_labs(path: Path) -> Path:
    """A valid workbook of 1.9 million cells, under 10 MB: 240,000 lab rows x 8 columns."""
    patients = _rows("patients")[1:]
    header = ["site_id", "patient_id", "date", "test", "value", "unit", "lln", "uln"]
    rows = [header] + [[p[0], p[1], "2020-06-01", "platelets", 200 + i % 50, "10^9/L", 150, 400]
                       for i, p in zip(range(240_000), patients * 12_000)]
    return write_xlsx(path, _base({"labs": _sheet(rows)}))


CASES = {"used range ends at BL1048576 (2 cells)": corner,
         "used range ends at XFD1048576": xfd,
         "one 1.5 GB shared string": huge_shared_string,
         "67 million numeric cells (1,048,575 rows x 64)": cell_bomb,
         "60 cells of 1 MiB text each (valid sizes)": long_texts,
         "240,000 valid lab rows x 8 columns": dense_labs}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", type=Path, default=Path("bench-out"))
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    lines = ["## Hostile workbooks: peak memory of `validate` (issue 12)", "",
             "Each workbook is built by `benchmarks/bench_hostile_memory.py` and validated in a fresh "
             f"process; the requirement is < {LIMIT_MB} MB for any workbook under 10 MB.", "",
             "| workbook | file size | peak RSS | time | result |", "|---|---|---|---|---|"]
    worst = 0.0
    with tempfile.TemporaryDirectory() as tmp:
        for label, build in CASES.items():
            path = build(Path(tmp) / "registry.xlsx")
            size = path.stat().st_size
            t0 = time.perf_counter()
            done = subprocess.run([sys.executable, "-c", MEASURE, str(path)], capture_output=True,
                                  text=True, check=True)
            result = json.loads(done.stdout.strip().splitlines()[-1])
            worst = max(worst, result["rss_mb"])
            verdict = "valid" if result["ok"] else "refused: " + ", ".join(result["codes"])
            lines.append(f"| {label} | {size / 1e6:.2f} MB | {result['rss_mb']:.0f} MB | "
                         f"{time.perf_counter() - t0:.1f} s | {verdict} |")
            print(lines[-1], flush=True)
            path.unlink()
    lines += ["", f"Worst peak: {worst:.0f} MB ({'within' if worst < LIMIT_MB else 'OVER'} the "
              f"{LIMIT_MB} MB bound). Machine: {describe()} (shared with other engineers' jobs).", ""]
    (args.out / "hostile_memory.md").write_text("\n".join(lines), encoding="utf-8")


if __name__ == "__main__":
    main()
