"""``import sdtm``: a folder of CDISC SDTM datasets -> a format-v1 folder (shared/spec/importers.md).

Steps: read the datasets (datasets) -> DM subjects with SUPPDM and ``--supp`` covariates
(subjects) -> EX cycles (exposure) -> TU/TR lesions and baseline scans (tumors) -> RS
assessments (response) -> LB labs (labs) -> AE (adverse_events) -> write, validate and place
the folder (registry_output), each finding at the dataset, record number and variable it came
from. A subject without RFXSTDTC takes its first PRRT administration as reference date.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

from prrt_rwe.importers.import_report import ImportReport
from prrt_rwe.importers.problems import ImportFailed, Problem
from prrt_rwe.importers.registry_output import ImportResult, RegistryRows, refuse_early, write_registry
from prrt_rwe.importers.sdtm.adverse_events import read_adverse_events
from prrt_rwe.importers.sdtm.context import SdtmContext
from prrt_rwe.importers.sdtm.datasets import read_folder
from prrt_rwe.importers.sdtm.exposure import COLUMNS as CYCLE_COLUMNS
from prrt_rwe.importers.sdtm.exposure import DEFAULT_TREATMENT, first_cycle_dates, read_cycles
from prrt_rwe.importers.sdtm.labs import read_labs
from prrt_rwe.importers.sdtm.response import COLUMNS as ASSESSMENT_COLUMNS
from prrt_rwe.importers.sdtm.response import read_assessments
from prrt_rwe.importers.sdtm.subjects import add_patients, add_supp_csv, add_suppdm, read_subjects
from prrt_rwe.importers.sdtm.tumors import read_lesions


def _options(treatment, evaluator, impute) -> dict:
    return {"treatment": treatment, "evaluator": evaluator, "impute_partial_dates": impute or "none"}


def convert_sdtm(folder, *, supp=None, treatment: str | None = None, evaluator: str = "INVESTIGATOR",
                 impute_partial_dates: str | None = None) -> tuple[RegistryRows, ImportReport]:
    """The format-v1 rows of the SDTM datasets in ``folder`` and the import report, before
    writing and validation; ImportFailed lists every problem."""
    treatment = treatment or DEFAULT_TREATMENT
    datasets = read_folder(folder)
    inputs = {d: ds.file for d, ds in datasets.items()}
    if supp is not None:
        inputs["supp"] = Path(supp).name
    report = ImportReport("sdtm", inputs, _options(treatment, evaluator, impute_partial_dates),
                          rows_read={ds.file: ds.size for ds in datasets.values()})
    ctx = SdtmContext(impute_partial_dates, evaluator, report)
    rows = RegistryRows()
    dm = datasets["DM"]
    rows.declare("patients", dm.file, {"site_id": "SITEID", "patient_id": "USUBJID"})
    rows.declare("cycles", datasets["EX"].file, CYCLE_COLUMNS)
    rows.declare("assessments", datasets["RS"].file if "RS" in datasets else "rs.xpt", ASSESSMENT_COLUMNS)
    patients = read_subjects(ctx, dm)
    if "SUPPDM" in datasets:
        add_suppdm(ctx, datasets["SUPPDM"], patients)
    if supp is not None:
        if not Path(supp).is_file():
            raise ImportFailed([Problem(Path(supp).name, 1, "", "I001", "supplementary covariates file not found")])
        add_supp_csv(ctx, supp, patients)
    read_cycles(ctx, datasets["EX"], rows, treatment)
    for patient, date in first_cycle_dates(rows).items():
        if not ctx.subjects[patient].reference:
            ctx.subjects[patient] = dataclasses.replace(ctx.subjects[patient], reference=date)
    baseline = read_lesions(ctx, datasets.get("TU"), datasets.get("TR"), rows)
    read_assessments(ctx, datasets.get("RS"), rows, baseline)
    if "RS" not in datasets:
        report.notes.append("no RS dataset: no overall responses (efficacy cannot be analysed)")
    if "LB" in datasets:
        read_labs(ctx, datasets["LB"], rows)
    if "AE" in datasets:
        read_adverse_events(ctx, datasets["AE"], rows)
    add_patients(ctx, dm, patients, rows)
    if ctx.imputed:
        report.notes.append("partial dates imputed to the first day of the month (or year), "
                            "--impute-partial-dates first: " + ", ".join(
                                f"{k} {n}" for k, n in sorted(ctx.imputed.items())))
    if ctx.problems:
        raise ImportFailed(ctx.problems)
    return rows, report


def import_sdtm(folder, out, *, supp=None, treatment: str | None = None, evaluator: str = "INVESTIGATOR",
                impute_partial_dates: str | None = None) -> ImportResult:
    """Convert SDTM datasets into the format-v1 folder ``out`` (validated, all or nothing);
    ImportFailed lists every problem and nothing is written."""
    refuse_early(out, folder)
    rows, report = convert_sdtm(folder, supp=supp, treatment=treatment, evaluator=evaluator,
                                impute_partial_dates=impute_partial_dates)
    warnings = write_registry(rows, out, report)
    return ImportResult(Path(out), report, tuple(warnings))
