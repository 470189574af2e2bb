"""Benchmark: `import redcap` and `import sdtm` on synthetic registries (synth, seed 1, 33 sites).

Each registry is generated (not timed) and written, also untimed, as the REDCap raw export of our
template (tests/importers/redcap_project_writer.py, as in the round-trip test) and as SDTM XPT
(DM, SUPPDM, EX, RS, LB, AE; below). Timed: ``validate`` of the registry itself, then each import
(read, convert, write, and the same ``validate`` on its output). import / validate is what an
importer costs on top of the validation any registry gets. Writes OUT/importers.md.

    .venv/bin/python benchmarks/bench_importers.py --out bench-out [--sizes 422 5000]
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd
import pyreadstat
from timing import describe

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "importers"))

from redcap_project_writer import template_project, write_export  # noqa: E402

from prrt_rwe.importers import import_redcap, import_sdtm  # noqa: E402
from prrt_rwe.importers.sdtm.labs import TESTS  # noqa: E402
from prrt_rwe.importers.sdtm.subjects import SUPPLEMENTED  # noqa: E402
from prrt_rwe.ingest.validation import validate  # noqa: E402
from prrt_rwe.synth.generator import generate  # noqa: E402

LBTESTCD = {test: code for code, test in TESTS.items()}
RSSTRESC = {"NON_CR_NON_PD": "NON-CR/NON-PD"}


def _csv(folder: Path, name: str) -> pd.DataFrame:
    path = folder / f"{name}.csv"
    return pd.read_csv(path, dtype=str, keep_default_na=False) if path.exists() else pd.DataFrame()


def _xpt(folder: Path, domain: str, frame: pd.DataFrame) -> None:
    frame.insert(0, "STUDYID", "SYNTH")
    if not domain.startswith("SUPP"):
        frame.insert(1, "DOMAIN", domain)
    pyreadstat.write_xport(frame, str(folder / f"{domain.lower()}.xpt"), table_name=domain,
                           file_format_version=5)


def write_sdtm(registry: Path, folder: Path) -> None:
    """The registry as SDTM: USUBJID = site-patient, RFXSTDTC = cycle 1, covariates in SUPPDM."""
    folder.mkdir(parents=True, exist_ok=True)
    pat, cyc = _csv(registry, "patients"), _csv(registry, "cycles")
    usubjid = lambda f: f["site_id"] + "-" + f["patient_id"]  # noqa: E731
    first = cyc[cyc["cycle"] == "1"].assign(USUBJID=usubjid).set_index("USUBJID")["date"]
    subj = usubjid(pat)
    _xpt(folder, "DM", pd.DataFrame({"USUBJID": subj, "SITEID": pat["site_id"],
                                     "AGE": pat["age"].astype(float), "AGEU": "YEARS", "SEX": pat["sex"],
                                     "RFXSTDTC": subj.map(first).fillna(""), "DTHDTC": pat["death_date"]}))
    supp = pat.assign(USUBJID=subj).melt(id_vars="USUBJID", value_vars=[c for c in pat if c in SUPPLEMENTED],
                                         var_name="QNAM", value_name="QVAL")
    _xpt(folder, "SUPPDM", supp[supp["QVAL"] != ""].assign(RDOMAIN="DM")[["RDOMAIN", "USUBJID", "QNAM", "QVAL"]])
    _xpt(folder, "EX", pd.DataFrame({"USUBJID": usubjid(cyc), "EXTRT": "LUTATHERA",
                                     "EXDOSE": cyc["activity_gbq"].astype(float), "EXDOSU": "GBq",
                                     "EXSTDTC": cyc["date"]}))
    ass = _csv(registry, "assessments")
    ass = ass[ass["overall_response"] != ""]
    _xpt(folder, "RS", pd.DataFrame({"USUBJID": usubjid(ass), "RSTESTCD": "OVRLRESP",
                                     "RSSTRESC": ass["overall_response"].replace(RSSTRESC),
                                     "RSEVAL": "INVESTIGATOR", "RSDTC": ass["date"]}))
    labs = _csv(registry, "labs")
    labs = labs[labs["test"].isin(LBTESTCD)]
    _xpt(folder, "LB", pd.DataFrame({"USUBJID": usubjid(labs), "LBTESTCD": labs["test"].map(LBTESTCD),
                                     "LBSTRESN": pd.to_numeric(labs["value"]), "LBSTRESU": labs["unit"],
                                     "LBSTNRLO": pd.to_numeric(labs["lln"]), "LBSTNRHI": pd.to_numeric(labs["uln"]),
                                     "LBDTC": labs["date"]}))
    ae = _csv(registry, "adverse_events")
    _xpt(folder, "AE", pd.DataFrame({"USUBJID": usubjid(ae), "AETERM": ae["term"], "AEDECOD": ae["term"],
                                     "AESTDTC": ae["onset_date"], "AETOXGR": ae["grade"],
                                     "AESER": ae["serious"].map({"yes": "Y", "no": "N"}).fillna("")}))


def timed(fn, reps: int) -> tuple[float, float]:
    """(best wall s, CPU s of that run, all threads) of ``reps`` calls after a warm-up."""
    fn()
    best = (float("inf"), 0.0)
    for _ in range(reps):
        wall, cpu = time.perf_counter(), time.process_time()
        fn()
        best = min(best, (time.perf_counter() - wall, time.process_time() - cpu))
    return best


def rows_of(folder: Path) -> int:
    return sum(len(_csv(folder, p.stem)) for p in folder.glob("*.csv"))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--sizes", type=int, nargs="+", default=[422, 5000])
    ap.add_argument("--repeat", type=int, default=1)
    args = ap.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    lines = ["## Importers (issue 16): REDCap and SDTM to format v1", "",
             f"Machine: {describe()}. Best of {args.repeat} after a warm-up; synth registries (seed 1, "
             "33 sites). Each import includes the validation of its output, so import / validate is "
             "the importer's own cost.", "",
             "Seconds as wall / CPU (this process, all threads); ratios of CPU seconds.", "",
             "| patients | registry rows | validate | import redcap (export rows) | ratio | "
             "import sdtm (records) | ratio |", "|---:|---:|---:|---:|---:|---:|---:|"]
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        for n in args.sizes:
            registry = tmp / f"synth-{n}"
            generate(registry, patients=n, sites=33, seed=1)
            project = template_project()
            dictionary = project.write_dictionary(tmp / "dict.csv")
            export = write_export(registry, tmp / f"export-{n}.csv", project, site_field_every=1)
            sdtm = tmp / f"sdtm-{n}"
            write_sdtm(registry, sdtm)
            out = tmp / "out"

            def redcap():
                shutil.rmtree(out, ignore_errors=True)
                import_redcap(export, dictionary, out)

            def sdtm_import():
                shutil.rmtree(out, ignore_errors=True)
                import_sdtm(sdtm, out)

            t_val = timed(lambda: validate(registry), args.repeat)
            t_red = timed(redcap, args.repeat)
            t_sdtm = timed(sdtm_import, args.repeat)
            export_rows = sum(1 for _ in export.open(encoding="utf-8")) - 1
            records = sum(len(pyreadstat.read_xport(str(p))[0]) for p in sdtm.glob("*.xpt"))
            shown = {k: f"{w:.2f} / {c:.2f}" for k, (w, c) in
                     {"val": t_val, "red": t_red, "sdtm": t_sdtm}.items()}
            lines.append(f"| {n:,} | {rows_of(registry):,} | {shown['val']} | {shown['red']} ({export_rows:,}) | "
                         f"{t_red[1] / t_val[1]:.1f} | {shown['sdtm']} ({records:,}) | "
                         f"{t_sdtm[1] / t_val[1]:.1f} |")
            print(lines[-1], flush=True)
    lines += ["", "The machine is shared: wall seconds follow its load, CPU seconds much less. Validation "
              "is vectorised (pyarrow, several threads); the importers convert row by row in Python, once "
              "per distinct value of a column (codes, dates)."]
    (args.out / "importers.md").write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
