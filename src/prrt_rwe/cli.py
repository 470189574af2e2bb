"""Command line: parses arguments and calls the stages (shared/spec/results-v1.md, "Commands").

Exit codes: 0 success, 1 invalid data, 2 usage error (a destination that must not or cannot
be written included). Every message is printed with its control characters escaped.
"""

from __future__ import annotations

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
    """Check a registry; prints file:line:column: CODE message; exit 1 on errors."""
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
    db: Path = typer.Option(..., "--db", metavar="FILE", help="DuckDB file to create or replace"),
    json_out: Optional[Path] = typer.Option(None, "--json", metavar="FILE",
                                            help="write the data-quality summary as JSON"),
    keep_extra_columns: bool = typer.Option(False, "--keep-extra-columns",
                                            help="store columns outside format v1 (they may hold identifiers)"),
) -> None:
    """Validated, all-or-nothing load into an embedded DuckDB database."""
    from prrt_rwe.ingest.console import print_report
    from prrt_rwe.ingest.load import ingest as run_ingest
    from prrt_rwe.outputs.destination import DestinationError

    existed = db.exists()
    try:
        result = run_ingest(path, db, keep_extra_columns=keep_extra_columns)
    except DestinationError as exc:
        err_console.print(escape(str(exc)))
        raise typer.Exit(2) from None
    print_report(result.validation, out_console)
    _write_json(result.validation, json_out)
    if not result.ok:
        err_console.print(escape(f"nothing ingested: {db} left as it was" if existed
                                 else f"nothing ingested: {db} not created"), soft_wrap=True)
        raise typer.Exit(1)
    out_console.print(escape(f"ingested into {db}"))


@app.command()
def analyze(
    source: Optional[Path] = typer.Argument(None, exists=True, metavar="REGISTRY",
                                            help="registry folder or .xlsx workbook"),
    db: Optional[Path] = typer.Option(None, "--db", exists=True, dir_okay=False, metavar="FILE",
                                      help="an ingested DuckDB database instead of files"),
    out: Path = typer.Option(..., "--out", metavar="OUT", help="output folder"),
    config: Optional[Path] = typer.Option(None, "--config", exists=True, dir_okay=False, metavar="FILE",
                                          help="study.toml with rule and model settings"),
    suppress_below: Optional[int] = typer.Option(
        None, "--suppress-below", min=MIN_SUPPRESS, metavar="N",
        help=f"report.html shows counts 1..N-1 as '<N' and masks every number they could be "
             f"recomputed from (N >= {MIN_SUPPRESS})"),
) -> None:
    """The whole study: OUT/results.json, OUT/report.html, OUT/adam/*.parquet."""
    from prrt_rwe.cli_usage import usage_error
    from prrt_rwe.outputs.destination import DestinationError
    from prrt_rwe.study import StudyInputError, analyze as run_analyze

    if (source is None) == (db is None):
        raise usage_error("give exactly one of a registry folder or --db FILE")
    try:
        result = run_analyze(source if source is not None else db, out, config=config,
                             suppress_below=suppress_below, progress=True)
    except StudyInputError as exc:
        err_console.print(escape(str(exc)))
        raise typer.Exit(1) from None
    except DestinationError as exc:
        err_console.print(escape(str(exc)))
        raise typer.Exit(2) from None
    _print_summary(result)


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


def main() -> None:
    app()


if __name__ == "__main__":
    main()
