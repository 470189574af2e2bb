"""The temporary files of a run, named by its process id, and the removal of those of runs
that are gone (issue 17: a killed run leaves its staged parts, DuckDB's spill folder and the
WAL of its scratch database in the temporary folder, gigabytes at 1e6 patients).

Names: ``prrt-rwe-stage-PID-*`` (ingest/validation.py), ``prrt-rwe-duckdb-PID``
(engines/duckdb_engine.configure) and ``prrt-rwe-registry-PID-*.duckdb[.wal]``
(ingest/load.scratch_database). :func:`remove_stale` removes, at the start of a run, those of
processes that no longer exist, as ingest/load.remove_stale_partials does for the ``.partial``
folders beside a database; a name without a process id, this process's own and a live
process's are left alone.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from pathlib import Path

STAGE_PREFIX = "prrt-rwe-stage-"
_OURS = re.compile(r"(?:prrt-rwe-stage-(\d+)-.+|prrt-rwe-duckdb-(\d+)|prrt-rwe-registry-(\d+)-.+\.duckdb(?:\.wal)?)")


def make_stage_folder() -> Path:
    """A new folder for this process's staged parts, in the temporary folder."""
    return Path(tempfile.mkdtemp(prefix=f"{STAGE_PREFIX}{os.getpid()}-"))


def remove_stale(folder=None) -> list[Path]:
    """Remove the temporary files and folders of prrt-rwe processes that are gone (module
    doc) from ``folder`` (the temporary folder by default); returns what was removed."""
    folder = Path(folder or tempfile.gettempdir())
    removed = []
    try:
        entries = list(folder.iterdir())
    except OSError:
        return removed
    for entry in entries:
        match = _OURS.fullmatch(entry.name)
        if match is None:
            continue
        pid = int(next(g for g in match.groups() if g is not None))
        if pid == os.getpid() or process_alive(pid):
            continue
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry, ignore_errors=True)
        else:
            try:
                entry.unlink()
            except OSError:
                continue
        removed.append(entry)
    return removed


def process_alive(pid: int) -> bool:
    """A process of this id exists (one of another user counts as alive)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    except OverflowError:
        return False
    return True
