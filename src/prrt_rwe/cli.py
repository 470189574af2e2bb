"""Command line: parses arguments and calls the stages (shared/spec/results-v1.md, "Commands").

Exit codes: 0 success, 1 invalid data, 2 usage error (a destination that must not or cannot
be written included). Every message is printed with its control characters escaped.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console
from rich.markup import escape as _markup_escape

from prrt_rwe.cli_usage import OneLineUsage
from prrt_rwe.outputs.terminal import printable
from prrt_rwe.report.numbers import MIN_THRESHOLD as MIN_SUPPRESS


def escape(text: str) -> str:
    """Markup escaped and control characters made visible (outputs/terminal.py)."""
    return _markup_escape(printable(text))


app = typer.Typer(cls=OneLineUsage, add_completion=False, no_args_is_help=True,
                  pretty_exceptions_show_locals=False,  # locals can hold patient data
                  help="Real-world-evidence studies of PRRT from multicenter registries.")
out_console = Console(emoji=False, highlight=False, soft_wrap=True)
err_console = Console(stderr=True, emoji=False, highlight=False, soft_wrap=True)


@app.command()
def synth(
    out: Path = typer.Option(..., "--out", metavar="DIR", help="folder to write the registry into"),
    patients: int = typer.Option(422, min=1, metavar="N", help="number of patients"),
    sites: int = typer.Option(33, min=1, metavar="N", help="number of institutions"),
    seed: int = typer.Option(1, min=0, metavar="SEED",
                             help="random seed; same seed gives byte-identical files"),
    messy: bool = typer.Option(False, "--messy", help="inject realistic faults, listed in DIR.manifest.json beside DIR"),
) -> None:
    """Write a synthetic multicenter registry in format v1."""
    from prrt_rwe.synth.generator import generate

    result = generate(out, patients=patients, sites=sites, seed=seed, messy=messy)
    out_console.print(escape(result.describe()))


@app.command()
def validate(
    path: Path = typer.Argument(..., exists=True, metavar="REGISTRY",
                                help="registry folder (CSV files) or .xlsx workbook"),
    json_out: Optional[Path] = typer.Option(None, "--json", metavar="FILE",
                                            help="write the data-quality summary as JSON"),
) -> None:
    """Check a registry; prints file:line:column: CODE message; exit 1 on errors.

    REGISTRY: a folder of CSV files or an .xlsx workbook (docs/registry-format.md).
    """
    from prrt_rwe.ingest.console import print_report
    from prrt_rwe.ingest.validation import validate as run_validate

    report = run_validate(path)
    print_report(report, out_console)
    _write_json(report, json_out)
    raise typer.Exit(0 if report.ok else 1)


def _write_json(report, json_out: Optional[Path]) -> None:
    """--json FILE, or exit 2 with one line when FILE cannot be written."""
    if json_out is None:
        return
    try:
        report.write_json(json_out)
    except OSError as exc:
        err_console.print(escape(f"cannot write {json_out}: {exc.strerror or exc}"))
        raise typer.Exit(2) from None


@app.command()
def ingest(
    path: Path = typer.Argument(..., exists=True, metavar="REGISTRY",
                                help="registry folder (CSV files) or .xlsx workbook"),
    db: str = typer.Option(..., "--db", metavar="FILE|URL",
                           help="DuckDB file to create or replace, or a postgresql:// URL"),
    json_out: Optional[Path] = typer.Option(None, "--json", metavar="FILE",
                                            help="write the data-quality summary as JSON"),
    keep_extra_columns: bool = typer.Option(False, "--keep-extra-columns",
                                            help="store columns outside format v1 (they may hold identifiers)"),
) -> None:
    """Validated, all-or-nothing load into an embedded DuckDB database (or PostgreSQL).

    REGISTRY: a folder of CSV files or an .xlsx workbook (docs/registry-format.md).
    """
    from prrt_rwe.engines.engine import EngineError
    from prrt_rwe.engines.postgres_engine import is_postgres_url, redacted
    from prrt_rwe.ingest.console import print_report
    from prrt_rwe.ingest.load import ingest as run_ingest
    from prrt_rwe.outputs.destination import DestinationError

    target = db if is_postgres_url(db) else Path(db)
    existed = is_postgres_url(db) or target.exists()   # PostgreSQL: one transaction, left as it was
    try:
        result = run_ingest(path, target, keep_extra_columns=keep_extra_columns)
    except (DestinationError, EngineError) as exc:
        err_console.print(escape(str(exc)))
        raise typer.Exit(2) from None
    db = redacted(db) if is_postgres_url(db) else db
    print_report(result.validation, out_console)
    _write_json(result.validation, json_out)
    if not result.ok:
        err_console.print(escape(f"nothing ingested: {db} left as it was" if existed
                                 else f"nothing ingested: {db} not created"), soft_wrap=True)
        raise typer.Exit(1)
    out_console.print(escape(f"ingested into {db}"))


def _existing_database(value: Optional[str]) -> Optional[str]:
    """--db of analyze: a postgresql:// URL, or a file that exists (click's own messages)."""
    from prrt_rwe.engines.postgres_engine import is_postgres_url

    if value is None or is_postgres_url(value):
        return value
    if not Path(value).exists():
        raise typer.BadParameter(f"File {value!r} does not exist.")
    if Path(value).is_dir():
        raise typer.BadParameter(f"File {value!r} is a directory.")
    return value


@app.command()
def analyze(
    source: Optional[Path] = typer.Argument(None, exists=True, metavar="REGISTRY",
                                            help="registry folder or .xlsx workbook"),
    db: Optional[str] = typer.Option(None, "--db", metavar="FILE|URL", callback=_existing_database,
                                     help="an ingested DuckDB database or postgresql:// URL instead of files"),
    engine: str = typer.Option("duckdb", "--engine", metavar="ENGINE",
                               help="where the derivations run: duckdb (embedded) or spark "
                                    "(local, or SPARK_REMOTE / PRRT_SPARK_MASTER)"),
    out: Path = typer.Option(..., "--out", metavar="OUT", help="output folder"),
    config: Optional[Path] = typer.Option(None, "--config", exists=True, dir_okay=False, metavar="FILE",
                                          help="study.toml with rule and model settings"),
    suppress_below: Optional[int] = typer.Option(
        None, "--suppress-below", min=MIN_SUPPRESS, metavar="N",
        help=f"report.html and its exported tables and figures show counts 1..N-1 as '<N' and mask "
             f"every number they could be recomputed from (N >= {MIN_SUPPRESS})"),
    comparator: Optional[list[Path]] = typer.Option(None, "--comparator", exists=True, dir_okay=False,
                                                    metavar="FILE",
                                                    help="a published trial arm or cohort (YAML, comparators.md); "
                                                         "repeatable, added to the shipped NETTER-1/NETTER-2 files"),
) -> None:
    """The whole study: OUT/results.json, OUT/report.html, OUT/adam/*.parquet.

    REGISTRY: a folder of CSV files or an .xlsx workbook; or --db FILE|URL, an ingested DuckDB
    database or a postgresql:// URL.
    """
    from prrt_rwe.benchmarks.comparators import ComparatorFileError, load_comparator
    from prrt_rwe.cli_usage import usage_error
    from prrt_rwe.outputs.destination import DestinationError
    from prrt_rwe.study import StudyInputError, analyze as run_analyze

    if (source is None) == (db is None):
        raise usage_error("give exactly one of a registry folder or --db FILE")
    if engine not in ("duckdb", "spark"):
        raise usage_error(f"--engine {engine}: expected duckdb or spark")
    try:
        extra = [load_comparator(p) for p in comparator or ()]
        from prrt_rwe.engines.postgres_engine import is_postgres_url

        given = source if source is not None else (db if is_postgres_url(db) else Path(db))
        result = run_analyze(given, out, config=config, suppress_below=suppress_below, progress=True,
                             comparators=extra, engine=engine)
    except ComparatorFileError as exc:
        err_console.print(escape(f"comparator file {exc}"))
        raise typer.Exit(2) from None
    except StudyInputError as exc:
        err_console.print(escape(str(exc)))
        raise typer.Exit(1) from None
    except DestinationError as exc:
        err_console.print(escape(str(exc)))
        raise typer.Exit(2) from None
    _print_summary(result)


@app.command("reconstruct-km")
def reconstruct_km(
    curve: Path = typer.Option(..., "--curve", metavar="FILE", help="digitised curve CSV: time_months, survival (0-1)"),
    at_risk: Path = typer.Option(..., "--at-risk", metavar="FILE", help="numbers at risk CSV: time_months, n_at_risk"),
    out: Path = typer.Option(..., "--out", metavar="FILE", help="CSV to write: one row per patient, time_months, event"),
    total_events: Optional[int] = typer.Option(None, "--total-events", metavar="N", help="total events, when published"),
) -> None:
    """Patient-level data reconstructed from a published Kaplan-Meier curve (Guyot et al. 2012)."""
    from prrt_rwe.benchmarks.comparators.km_files import KmFileError, reconstruct_files

    for path in (curve, at_risk):
        if not path.exists():
            err_console.print(escape(f"{path}: no such file"))
            raise typer.Exit(2)
    try:
        ipd = reconstruct_files(curve, at_risk, out, total_events=total_events)
    except KmFileError as exc:
        err_console.print(escape(str(exc)))
        raise typer.Exit(1) from None
    out_console.print(escape(f"{out}: {ipd.time.size} patients, {int(ipd.event.sum())} events"))


@app.command()
def federate(
    out: Path = typer.Option(..., "--out", metavar="OUT", help="output folder"),
    network: Optional[Path] = typer.Option(None, "--network", metavar="FILE",
                                           help="network.toml (sites, min_cell, time_unit)"),
    simulate: Optional[Path] = typer.Option(None, "--simulate", metavar="REGISTRY",
                                            help="run every site of this registry here"),
    config: Optional[Path] = typer.Option(None, "--config", metavar="FILE",
                                          help="study.toml with rule and model settings"),
) -> None:
    """Federated study: the sites keep their rows (shared/spec/federated.md)."""
    from prrt_rwe.federated.errors import FederationError
    from prrt_rwe.federated.study import coordinate, simulate as run_simulation
    from prrt_rwe.outputs.destination import DestinationError
    from prrt_rwe.study import StudyInputError

    if simulate is None and network is None:
        err_console.print("give --simulate REGISTRY, or --network network.toml to coordinate deployed nodes")
        raise typer.Exit(2)
    try:
        result = (run_simulation(simulate, out, config=config, network=network) if simulate is not None
                  else coordinate(network, out, config=config))
    except (StudyInputError, FederationError) as exc:
        err_console.print(escape(str(exc)))
        raise typer.Exit(1) from None
    except DestinationError as exc:
        err_console.print(escape(str(exc)))
        raise typer.Exit(2) from None
    out_console.print(escape(f"report: {result.report_path}"))


@app.command()
def node(
    network: Path = typer.Option(..., "--network", metavar="FILE",
                                 help="network.toml (this site's entry and the settings)"),
    registry: Optional[Path] = typer.Option(None, "--registry", metavar="DIR",
                                            help="this site's registry folder or .xlsx"),
    db: Optional[Path] = typer.Option(None, "--db", metavar="FILE", help="this site's ingested DuckDB database"),
    audit: Optional[Path] = typer.Option(None, "--audit", metavar="FILE",
                                         help="audit log (default ./audit-<site>.jsonl)"),
) -> None:
    """Run this site's node: answer the network's predefined analyses until stopped."""
    from prrt_rwe.federated.study import serve_node
    from prrt_rwe.study import StudyInputError

    if (registry is None) == (db is None):
        err_console.print("give exactly one of --registry DIR or --db FILE")
        raise typer.Exit(2)
    try:
        serve_node(registry if registry is not None else db, network, audit=audit,
                   say=lambda text: out_console.print(escape(text)))
    except (StudyInputError, RuntimeError) as exc:
        err_console.print(escape(str(exc)))
        raise typer.Exit(1) from None


@app.command()
def demo(out: Path = typer.Option(Path("demo-out"), "--out", metavar="OUT", help="output folder")) -> None:
    """Synthesize the calibrated 33-site cohort and run the whole study on it."""
    from prrt_rwe.study import run_demo

    _print_summary(run_demo(out))


def _print_summary(result) -> None:
    """The one-screen summary of a study run; its last line is the report path."""
    for line in result.summary:
        out_console.print(escape(line), soft_wrap=True)
    out_console.print(escape(f"report: {result.report_path.resolve()}"), soft_wrap=True)


@app.command("redcap-template")
def redcap_template(out: Path = typer.Option(..., "--out", metavar="DIR", help="folder to write the template into")) -> None:
    """Write the REDCap project template: data_dictionary.csv and repeating_instruments.csv."""
    from prrt_rwe.importers.redcap.template import write_template
    from prrt_rwe.outputs.destination import DestinationError, check_output_folder

    try:
        check_output_folder(out)
        paths = write_template(out)
    except DestinationError as exc:
        err_console.print(escape(str(exc)))
        raise typer.Exit(2) from None
    for path in paths:
        out_console.print(escape(str(path)))


import_app = typer.Typer(no_args_is_help=True, pretty_exceptions_show_locals=False, help="Convert REDCap or CDISC SDTM data to format v1.")
app.add_typer(import_app, name="import")


@import_app.command("redcap")
def import_redcap(
    records: Path = typer.Option(..., "--records", help="REDCap records export (CSV raw, or labels with --labels)"),
    dictionary: Path = typer.Option(..., "--dictionary", help="the project's data dictionary CSV"),
    out: Path = typer.Option(..., "--out", help="format-v1 folder to write"),
    mapping: Optional[Path] = typer.Option(None, "--mapping", help="map.toml for a project other than the template"),
    date_format: Optional[str] = typer.Option(None, "--date-format", help="ymd (default), mdy or dmy, as exported"),
    labels: bool = typer.Option(False, "--labels", help="the export is REDCap's CSV labels export"),
) -> None:
    """REDCap export -> format-v1 folder and import_report.json; then the usual validation."""
    from prrt_rwe.importers.redcap.convert import import_redcap as run_import

    if date_format not in (None, "ymd", "mdy", "dmy"):
        err_console.print(escape(f"--date-format must be ymd, mdy or dmy, not {date_format!r}"))
        raise typer.Exit(2)
    _run_import(lambda: run_import(records, dictionary, out, mapping=mapping,
                                   date_format=date_format, labels=labels))


@import_app.command("sdtm")
def import_sdtm(
    folder: Path = typer.Argument(..., help="folder of SDTM datasets (SAS XPT or Dataset-JSON v1.1)"),
    out: Path = typer.Option(..., "--out", help="format-v1 folder to write"),
    supp: Optional[Path] = typer.Option(None, "--supp", help="CSV of USUBJID and covariates SDTM lacks"),
    treatment: Optional[str] = typer.Option(None, "--treatment", help="regular expression of the PRRT EXTRT"),
    evaluator: str = typer.Option("INVESTIGATOR", "--evaluator", help="RSEVAL/TUEVAL/TREVAL rows to read"),
    impute_partial_dates: Optional[str] = typer.Option(None, "--impute-partial-dates",
                                                       help="'first': a partial date takes its first day"),
) -> None:
    """CDISC SDTM (DM, EX, RS, TU, TR, LB, AE) -> format-v1 folder and import_report.json."""
    from prrt_rwe.importers.sdtm.convert import import_sdtm as run_import

    if impute_partial_dates not in (None, "first"):
        err_console.print(escape(f"--impute-partial-dates must be 'first', not {impute_partial_dates!r}"))
        raise typer.Exit(2)
    _run_import(lambda: run_import(folder, out, supp=supp, treatment=treatment, evaluator=evaluator,
                                   impute_partial_dates=impute_partial_dates))


def _run_import(run) -> None:
    """Print the problems of an import (exit 1, nothing written) or its warnings and summary."""
    from prrt_rwe.importers.problems import ImportFailed
    from prrt_rwe.outputs.destination import DestinationError

    try:
        result = run()
    except DestinationError as exc:
        err_console.print(escape(str(exc)))
        raise typer.Exit(2) from None
    except ImportFailed as exc:
        for problem in exc.problems:
            out_console.print(escape(problem.format()), style="red", soft_wrap=True)
        err_console.print(escape(f"import failed: {len(exc.problems)} errors, nothing written"))
        raise typer.Exit(1) from None
    for problem in result.warnings:
        out_console.print(escape(problem.format()), style="yellow", soft_wrap=True)
    written = ", ".join(f"{t} {n}" for t, n in result.report.rows_written.items())
    out_console.print(escape(f"imported into {result.out} ({written}); "
                             f"report: {result.out / 'import_report.json'}"), soft_wrap=True)


def main() -> None:
    """The ``prrt-rwe`` console script: the command, then its exit status without the
    interpreter's teardown (:func:`_exit_without_teardown`)."""
    code = app(standalone_mode=False)   # OneLineUsage: the status (printed what it had to)
    _exit_without_teardown(code if isinstance(code, int) else 0)


def _exit_without_teardown(code: int) -> None:
    """Exit with ``code`` after the steps of CPython's own exit that do something — non-daemon
    threads joined and concurrent.futures' workers shut down (the PNG worker process), then
    the atexit handlers (temporary folders' finalizers, logging) and the console streams
    flushed — but not the teardown after them: freeing numba, matplotlib, scipy and pandas
    module by module took about half a CPU second after the last line was printed, and
    writes nothing (issue 17). Elsewhere than CPython: ``sys.exit``."""
    import atexit
    import os
    import threading

    shutdown, exit_functions = getattr(threading, "_shutdown", None), getattr(atexit, "_run_exitfuncs", None)
    if shutdown is None or exit_functions is None:
        sys.exit(code)
    shutdown()
    exit_functions()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):   # a closed pipe (prrt-rwe ... | head): nothing more to say
            pass
    os._exit(code)


if __name__ == "__main__":
    main()
