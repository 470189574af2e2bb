"""Registry ingestion: readers (CSV folder, .xlsx), validation, all-or-nothing DuckDB load.

``prrt_rwe.ingest`` is both this package and the public function ``prrt_rwe.ingest(path,
db)``: once a submodule is imported, Python binds the package to that name, so the package
itself is made callable and delegates to ``prrt_rwe.ingest.load.ingest``.
"""

from __future__ import annotations

import sys
import types


class _CallablePackage(types.ModuleType):
    def __call__(self, path, db):
        """Validate and load a registry into a DuckDB file, all-or-nothing; returns an IngestReport."""
        from prrt_rwe.ingest.load import ingest

        return ingest(path, db)


sys.modules[__name__].__class__ = _CallablePackage
