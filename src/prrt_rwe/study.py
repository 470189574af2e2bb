"""The whole study in one call: registry (folder, workbook or ingested .duckdb) ->
validated load -> ADaM datasets -> statistics -> OUT/results.json, OUT/report.html,
OUT/ard.parquet, OUT/adam/*.parquet and OUT/run.json (shared/spec/results-v1.md).

``analyze`` raises :class:`StudyInputError` for input it cannot analyse (validation
errors, a bad study.toml, a file that is not a prrt-rwe database, no patient in the efficacy
set); the CLI turns it into exit 1. An OUT it must not or cannot write raises
:class:`~prrt_rwe.outputs.destination.DestinationError` (exit 2). OUT is complete only with
its marker (outputs/completion.py): removed first, written last, same run id as run.json.
"""

from __future__ import annotations

import gc
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb

import prrt_rwe
# The statistics and the report (matplotlib, scipy, numba: seconds of imports) are imported where
# they are used, and on stats/warm_up.py's thread while the datasets are derived, not before the
# first stage (issue 17). These few are light.
from prrt_rwe.report.numbers import MIN_THRESHOLD
from prrt_rwe.report.provenance import file_sha256, versions, write_rules_text
from prrt_rwe.report.quality import quality_summary
from prrt_rwe.report.results_json import write_results
from prrt_rwe.report.run_json import write_run
from prrt_rwe.outputs import completion
from prrt_rwe.outputs.atomic import write_with
from prrt_rwe.outputs.destination import cannot_write, check_output_folder, make_folder

DEMO_PATIENTS, DEMO_SITES = 422, 33  # the seed: prrt_rwe.synth.demo_seed (a stated rule)
MAX_ERRORS_SHOWN = 20


class StudyInputError(Exception):
    """Input the study cannot be run on; the message says what and where."""


@dataclass(frozen=True)
class StudyResults:
    results: dict
    report_path: Path
    out: Path
    summary: tuple[str, ...] = ()  # the one-screen summary the CLI prints (counts masked as the report)


def _config(config):
    from prrt_rwe.config import ConfigError, StudyConfig, load_config

    if isinstance(config, StudyConfig):
        return config
    try:
        return load_config(config)
    except (ConfigError, OSError) as exc:
        raise StudyInputError(f"study configuration: {exc}") from None


def _validation_error(report) -> StudyInputError:
    lines = report.format_lines()
    errors = [i.format() for i in report.errors][:MAX_ERRORS_SHOWN]
    more = len(report.errors) - len(errors)
    tail = f"\n... and {more} more errors" if more > 0 else ""
    return StudyInputError(f"{report.source}: {len(report.errors)} validation errors, nothing analysed "
                           f"({len(lines)} findings; run `prrt-rwe validate` for all):\n"
                           + "\n".join(errors) + tail)


ENGINES = ("duckdb", "spark")


def open_source(source, engine: str = "duckdb") -> tuple:
    """(engine or DuckDB connection, data-quality record, provenance) of a registry folder,
    workbook, ingested DuckDB database or PostgreSQL URL; a DuckDB database is checked to be
    ours and re-validated first, a PostgreSQL one to be ours (it was validated on ingest). The
    record is the ValidationReport, or for a database the summary of the validation at ingest
    that it stores (its re-validation's report when it stores none).
    ``engine = "spark"``: the validated tables are handed to Spark (engines/spark_engine.py)."""
    from prrt_rwe.engines.postgres_engine import is_postgres_url

    if engine not in ENGINES:
        raise StudyInputError(f"unknown engine {engine!r} (known: {', '.join(ENGINES)})")
    if is_postgres_url(source):
        if engine != "duckdb":
            raise StudyInputError("--engine spark reads a registry or DuckDB database, not PostgreSQL")
        return _open_postgres(str(source))
    source = Path(source)
    if not source.exists():
        raise StudyInputError(f"{source}: no such file or folder")
    if source.is_file() and source.suffix.lower() != ".xlsx":
        con, report, provenance = _open_database(source)
    else:
        from prrt_rwe.ingest.load import load_registry

        con, report = load_registry(source)
        if con is None:
            raise _validation_error(report)
        provenance = {"input_kind": report.kind, "input_fingerprint": report.fingerprint}
    if engine == "spark":
        con = _to_spark(con)
    return con, report, {**provenance, "engine": engine}


def _open_postgres(url: str) -> tuple:
    from prrt_rwe.engines.engine import EngineError
    from prrt_rwe.ingest.postgres_load import open_postgres, stored_summary
    from prrt_rwe.ingest.report import ValidationReport

    try:
        engine, meta = open_postgres(url)
    except EngineError as exc:
        raise StudyInputError(str(exc)) from None
    fingerprint = meta.get("input_fingerprint", "")
    report = stored_summary(engine) or ValidationReport.build(engine.url_shown, "postgresql", fingerprint, [])
    return engine, report, {"input_kind": "postgresql", "input_fingerprint": fingerprint, "engine": "postgresql"}


def _to_spark(con):
    """The validated DuckDB tables as Parquet in a temporary folder, read by a Spark engine
    that removes the folder when closed."""
    import shutil
    import tempfile

    from prrt_rwe.engines.engine import EngineError
    from prrt_rwe.engines.spark_engine import from_duckdb

    folder = tempfile.mkdtemp(prefix="prrt-spark-")
    try:
        spark = from_duckdb(con, folder)
    except EngineError as exc:
        shutil.rmtree(folder, ignore_errors=True)
        raise StudyInputError(str(exc)) from None
    finally:
        con.close()
    spark.on_close(lambda: shutil.rmtree(folder, ignore_errors=True))
    return spark


def _open_database(path: Path) -> tuple:
    from prrt_rwe.ingest.database import NotOurDatabase, open_database, stage_database
    from prrt_rwe.ingest.validation import check_staged

    try:
        con, meta = open_database(path)
    except NotOurDatabase as exc:
        raise StudyInputError(f"{path}: {exc}") from None
    from prrt_rwe.ingest.load import stored_validation_summary

    try:
        report = check_staged(stage_database(con, path.name, meta), str(path))
        stored = stored_validation_summary(con)
    except duckdb.Error as exc:
        con.close()
        raise StudyInputError(f"{path}: cannot be read ({str(exc).strip().splitlines()[0]})") from None
    if not report.ok:
        con.close()
        raise _validation_error(report)
    return con, stored or report, {"input_kind": "duckdb", "input_fingerprint": meta.get("input_fingerprint")}


class _Progress:
    """When ``show`` and stderr is a terminal: the running stage on a spinner, and each
    finished stage as a line with its duration. Silent otherwise (not a TTY)."""

    FIRST = "validating and loading the registry"

    def __init__(self, show: bool):
        self._status, self._text, self._since = None, self.FIRST, time.perf_counter()
        if show and sys.stderr.isatty():
            from rich.console import Console

            self._console = Console(stderr=True, emoji=False, highlight=False)
            self._status = self._console.status(self.FIRST)
            self._status.start()

    def stage(self, text: str | None) -> None:
        if self._status is None:
            return
        now = time.perf_counter()
        self._console.print(f"done: {self._text} ({now - self._since:.1f} s)", markup=False)
        self._text, self._since = text, now
        if text is not None:
            self._status.update(text)

    def stop(self) -> None:
        if self._status is not None:
            self._status.stop()


def comparators_in_force(cfg, extra=()) -> tuple:
    """The shipped comparator files (``[comparators] shipped``), those named in study.toml
    (relative to it) and ``extra`` (paths or loaded Comparators, e.g. ``--comparator``).

    A file that breaks the schema raises ComparatorFileError (the CLI: a usage error)."""
    from prrt_rwe.benchmarks.comparators import Comparator, ComparatorFileError, load_comparator, shipped_comparators

    base = Path(cfg.source).parent if cfg.source else Path.cwd()
    loaded = list(shipped_comparators()) if cfg.comparators.shipped else []
    loaded += [load_comparator(base / f) for f in cfg.comparators.files]
    loaded += [c if isinstance(c, Comparator) else load_comparator(c) for c in extra]
    seen = {}
    for c in loaded:
        if c.id in seen:
            raise ComparatorFileError(c.path, "id", f"{c.id!r} is also the id of {Path(seen[c.id]).name or 'a shipped file'}")
        seen[c.id] = c.path
    return tuple(loaded)


def analyze(source, out, config=None, suppress_below: int | None = None,
            progress: bool = False, comparators=(), input_note: str | None = None,
            engine: str = "duckdb") -> StudyResults:
    """Run the whole study (see module doc); returns the results and where the report is.

    ``progress=True`` shows the current stage on a terminal (the CLI sets it);
    ``comparators``: more comparator files (paths or loaded), beside the shipped ones;
    ``input_note`` is stated in the report's methods and provenance (e.g. the demo's seed rule);
    ``engine``: where the derivations run, ``duckdb`` (embedded) or ``spark``; a PostgreSQL
    URL as ``source`` runs them in PostgreSQL."""
    shown = _Progress(progress)
    try:
        return _analyze(source, out, config, suppress_below, shown, comparators, input_note, engine)
    finally:
        shown.stop()


def _analyze(source, out, config, suppress_below, shown: _Progress, comparators=(),
             input_note=None, engine="duckdb") -> StudyResults:
    from prrt_rwe.config import ConfigError
    from prrt_rwe.derive import derive_all
    from prrt_rwe.engines.postgres_engine import is_postgres_url

    started = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    timings, clock = {}, time.perf_counter()

    def lap(stage):
        nonlocal clock
        now = time.perf_counter()
        timings[stage] = now - clock
        clock = now

    if suppress_below is not None and suppress_below < MIN_THRESHOLD:
        raise StudyInputError(f"--suppress-below must be at least {MIN_THRESHOLD} "
                              "(a '<2' would still reveal a count of 1)")
    out = Path(out)
    check_output_folder(out, None if is_postgres_url(source) else source)
    cfg = _config(config)
    in_force = comparators_in_force(cfg, comparators)
    con, report, provenance = open_source(source, engine)
    lap("load_and_validate")
    shown.stage("deriving the analysis datasets")
    from prrt_rwe.stats import warm_up

    warm_up.start()   # numba's start-up beside the derivations (mostly in the engine, GIL released)
    try:
        adam = derive_all(con, cfg, release_engine=True)   # closed below
        from prrt_rwe.results.confounding.iptw import check_config as check_iptw_config

        check_iptw_config(adam.adsl, cfg.iptw)
    except ConfigError as exc:
        raise StudyInputError(f"study configuration: {exc}") from None
    finally:
        con.close()
    lap("derive")
    shown.stage("estimating")
    if is_postgres_url(source):   # never a password in run.json, the report or an error
        from prrt_rwe.engines.postgres_engine import redacted

        source = redacted(str(source))
    if not (adam.adsl["EFFFL"].astype("string") == "Y").any():
        from prrt_rwe.results.missing_data.missingness import missing_everywhere

        why = missing_everywhere(adam.adsl, cfg.study.complete_case)
        raise StudyInputError(f"{source}: no patient in the efficacy set (see the exclusions){why}; "
                              "nothing to analyse")
    provenance["input_note"] = input_note
    try:
        return _write_outputs(out, source, adam, cfg, report, provenance, suppress_below, shown,
                              started, timings, lap, in_force)
    except OSError as exc:
        raise cannot_write(out, exc) from None


def _write_outputs(out, source, adam, cfg, report, provenance, suppress_below, shown, started,
                   timings, lap, in_force=None) -> StudyResults:
    """Every file of OUT, each atomically, the completion marker removed first and written last."""
    from prrt_rwe.report.svg import start_png_process

    start_png_process(len(adam.adsl))   # the report's PNG worker starts up beside the statistics
    thresholds = gc.get_threshold()
    # a process that froze objects itself keeps its collector as it is: gc.unfreeze would release them too
    own = gc.get_freeze_count() == 0
    if own:
        gc.set_threshold(YOUNG_GC_THRESHOLD, *thresholds[1:])
    try:
        return _write_files(out, source, adam, cfg, report, provenance, suppress_below, shown, started,
                            timings, lap, in_force, freeze=own)
    finally:
        if own:
            gc.set_threshold(*thresholds)
            gc.unfreeze()


# Allocations less deallocations of container objects between two young collections while the
# statistics and the report run (CPython's default: 700). matplotlib's figures made ~340 young
# collections (and every tenth an older one) in the report of 1e5; at 20,000 about ten
# (issue 17), the young garbage they could hold is a few MB at most.
YOUNG_GC_THRESHOLD = 20_000


def _keep_out_of_gc() -> None:
    """Collect the garbage, then move every object left (the ADaM frames, then the analysis
    too: live until the run ends) out of the cyclic garbage collector's generations
    (``gc.freeze``): its full collections traverse every container object of the process, and
    the figures' matplotlib objects triggered them often enough that ~a quarter of the report's
    CPU was the collector going over the statistics' objects (issue 17: 1.6 of 5.9 CPU s at
    1e5). The collection before each freeze finds only what became garbage since the last
    one; ``_write_outputs`` unfreezes them at the end (an ``analyze`` called again in the same
    process collects them as before). No output depends on when garbage is collected."""
    gc.collect()
    gc.freeze()


def _write_files(out, source, adam, cfg, report, provenance, suppress_below, shown, started,
                 timings, lap, in_force=None, freeze=True) -> StudyResults:
    from prrt_rwe.report.ard import write_ard
    from prrt_rwe.report.context import ReportContext
    from prrt_rwe.report.html import render_with_exports
    from prrt_rwe.report.numbers import Numbers
    from prrt_rwe.report.summary import terminal_summary
    from prrt_rwe.results.analysis import analyze_adam

    make_folder(out / "adam")
    completion.begin(out)
    run_id = completion.new_run_id()
    tables = adam.file_tables()      # zero-copy of the text: the columns no statistic reads
    adam.drop_file_only_columns()    # go from memory once their file is written (issue 17)
    with ThreadPoolExecutor(max_workers=1) as writer:   # pyarrow writes without the GIL:
        written = writer.submit(adam.write_parquet, out / "adam", tables)   # overlap the statistics
        del tables
        if freeze:
            _keep_out_of_gc()   # the ADaM frames (the file-only columns gone): live until the end
        analysis = analyze_adam(adam, cfg, in_force)
        adam_files = written.result()
    lap("statistics")
    if freeze:
        _keep_out_of_gc()   # the analysis, which the report reads to the end
    shown.stage("writing results.json, ard.parquet and report.html")
    if in_force is not None:
        provenance["comparators"] = [{"id": c.id, "file": Path(c.path).name} for c in in_force]
    provenance.update(code_version=prrt_rwe.__version__, versions=versions(), source=str(source),
                      config=cfg.source, config_sha256=file_sha256(cfg.source), run_id=run_id)
    files = [write_with(out / "results.json", lambda tmp: write_results(analysis.results, tmp))]
    quality = quality_summary(report)
    files.append(write_with(out / "ard.parquet", lambda tmp: write_ard(
        analysis.results, {**analysis.extras, "data_quality": quality}, tmp)))
    ctx = ReportContext(analysis, Numbers(suppress_below), cfg, quality, provenance)
    html, exported = render_with_exports(ctx)
    report_path = write_with(out / "report.html", lambda tmp: tmp.write_text(html, encoding="utf-8"))
    files += [report_path, *exported.write(out), write_rules_text(out)]
    lap("report")
    shown.stage(None)
    files += [write_with(out / "run.json", lambda tmp: write_run(
        tmp, started_utc=started, timings=timings, provenance=provenance, rules=analysis.rules,
        suppress_below=suppress_below))]
    completion.finish(out, run_id, provenance.get("input_fingerprint"), files + adam_files)
    return StudyResults(analysis.results, report_path, out, tuple(terminal_summary(ctx)))


def run_demo(out) -> StudyResults:
    """Synthesize the calibrated cohort (422 patients, 33 sites, the seed of demo_seed's rule)
    into OUT/registry and analyse it into OUT; the report states the seed and its rule."""
    from prrt_rwe.synth.demo_seed import RULE, demo_seed
    from prrt_rwe.synth.generator import generate

    out, seed = Path(out), demo_seed()
    registry = out / "registry"
    generate(registry, patients=DEMO_PATIENTS, sites=DEMO_SITES, seed=seed, messy=False)
    note = (f"synthetic demonstration cohort (prrt-rwe synth, {DEMO_PATIENTS} patients, {DEMO_SITES} sites, "
            f"seed {seed}); {RULE}")
    return analyze(registry, out, progress=True, input_note=note)
