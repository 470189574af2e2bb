"""Where a run may write (issue 12, "data loss" and "unwritable or odd destinations").

``ingest --db FILE`` replaces FILE only when it is a prrt-rwe database, never a path inside
the registry it reads; ``analyze --out DIR`` writes into a folder (never a file, never the
registry folder or one inside it). Every failure to write (permission denied, /proc, a file
where a folder is expected, a full disk) becomes a DestinationError: one line, exit 2.
"""

from __future__ import annotations

import os
from pathlib import Path


class DestinationError(Exception):
    """A destination the run must not or cannot write; the message is one line."""


def cannot_write(path, exc: OSError) -> DestinationError:
    reason = exc.strerror or type(exc).__name__
    return DestinationError(f"cannot write {path}: {reason}; nothing was written")


def _inside(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def _check_ancestors(path: Path) -> None:
    """The nearest existing ancestor of ``path`` must be a folder."""
    for parent in path.parents:
        if parent.exists():
            if not parent.is_dir():
                raise DestinationError(f"{path}: {parent} is a file where a folder is expected")
            return


def _check_not_in_registry(path: Path, source) -> None:
    if source is None:
        return
    target, registry = path.resolve(), Path(source).resolve()
    if registry.is_dir() and _inside(target, registry):
        raise DestinationError(f"{path} is inside the registry folder {source}: write it elsewhere")
    if registry.is_file() and target == registry:
        raise DestinationError(f"{path} is the registry itself: write it elsewhere")


def check_database_destination(db, source=None) -> None:
    """DestinationError unless ``db`` may be created or replaced by ingest."""
    from prrt_rwe.ingest.database import is_prrt_database

    db = Path(db)
    _check_not_in_registry(db, source)
    if db.is_dir():
        raise DestinationError(f"{db} is a folder; give the database file to create or replace")
    if db.exists() or db.is_symlink():
        if not db.is_file():
            raise DestinationError(f"{db} exists and is not a regular file: not replaced")
        if not is_prrt_database(db):
            raise DestinationError(f"{db} exists and is not a prrt-rwe database: not replaced "
                                   "(give another path, or remove the file yourself)")
    _check_ancestors(db)


def check_output_folder(out, source=None) -> None:
    """DestinationError unless ``out`` may hold a run's files."""
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise DestinationError(f"{out} is a file; --out takes a folder")
    _check_not_in_registry(out, source)
    _check_ancestors(out)


def make_folder(folder) -> Path:
    """``folder`` (and its parents) created; DestinationError when that is impossible."""
    folder = Path(folder)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise cannot_write(folder, exc) from None
    if not os.access(folder, os.W_OK | os.X_OK):
        raise DestinationError(f"cannot write {folder}: permission denied; nothing was written")
    return folder
