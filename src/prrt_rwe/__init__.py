"""prrt-rwe: real-world-evidence studies of PRRT from multicenter registries.

The stable Python API (shared/spec/results-v1.md, "Python API")::

    prrt_rwe.validate(path) -> ValidationReport
    prrt_rwe.ingest(path, db) -> IngestReport
    prrt_rwe.analyze(source, out, config=None) -> StudyResults
    from prrt_rwe import stats
"""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["validate", "ingest", "analyze", "synth", "stats", "__version__"]


def validate(path):
    """Check a registry folder or workbook; returns a ValidationReport (nothing printed)."""
    from prrt_rwe.ingest.validation import validate as _validate

    return _validate(path)


def ingest(path, db):
    """Validate and load a registry into a DuckDB file, all-or-nothing; returns an IngestReport."""
    from prrt_rwe.ingest.load import ingest as _ingest

    return _ingest(path, db)


def analyze(source, out, config=None, **options):
    """Run the whole study from a registry folder or .duckdb file; returns StudyResults."""
    from prrt_rwe.study import analyze as _analyze

    return _analyze(source, out, config=config, **options)


def synth(out, **options):
    """Write a synthetic registry in format v1; returns a SynthResult."""
    from prrt_rwe.synth.generator import generate

    return generate(out, **options)


def __getattr__(name):
    if name == "stats":
        import importlib

        return importlib.import_module("prrt_rwe.stats")
    raise AttributeError(f"module 'prrt_rwe' has no attribute {name!r}")
