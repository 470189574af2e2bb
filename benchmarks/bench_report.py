"""Benchmark: the report stage on the 422-patient demo cohort — report.html alone, with the
exports (OUT/figures svg + 300 dpi png, OUT/tables csv + tables.docx), and with
small-cell suppression (``--suppress-below 10``: complementary suppression and its
audit-ready ledger). The statistics are computed once (not timed). Writes
``<out>/report.md``. Usage: ``python benchmarks/bench_report.py --out bench-out [--repeat 3]``.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from timing import best_of, describe  # noqa: E402

from prrt_rwe.config import StudyConfig
from prrt_rwe.derive import derive_all
from prrt_rwe.report.context import ReportContext
from prrt_rwe.report.html import render, render_with_exports
from prrt_rwe.report.numbers import Numbers
from prrt_rwe.results.analysis import analyze_adam
from prrt_rwe.study import open_source
from prrt_rwe.synth.demo_seed import demo_seed
from prrt_rwe.synth.generator import generate


def context(registry: Path):
    con, report, provenance = open_source(registry)
    adam = derive_all(con, StudyConfig())
    con.close()
    analysis = analyze_adam(adam, StudyConfig())
    return lambda k: ReportContext(analysis, Numbers(k), StudyConfig(), {"available": False}, provenance)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        make = context(generate(Path(tmp) / "registry", patients=422, sites=33, seed=demo_seed()).out)

        def exported(k):
            html, bundle = render_with_exports(make(k))
            bundle.write(Path(tmp) / f"out-{k}")

        runs = (("report.html only", lambda: render(make(None))),
                ("report.html + figures/tables exports", lambda: exported(None)),
                ("report.html + exports, --suppress-below 10", lambda: exported(10)))
        times = [(label, best_of(fn, args.repeat)) for label, fn in runs]
    base = times[0][1]
    lines = ["## report stage (422-patient demo cohort)", "", f"{describe()}; best of {args.repeat}.", "",
             "| what | best s | × report.html only |", "|---|---:|---:|"]
    lines += [f"| {label} | {t:.2f} | {t / base:.2f} |" for label, t in times]
    (args.out / "report.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
