"""Write a file all at once: into a hidden temporary file beside it, flushed to disk, then
moved into place with ``os.replace`` (atomic on one file system). A run killed or out of
disk space leaves the earlier file, or none, never a truncated one."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def staged(path) -> Path:
    """A temporary path beside ``path``; moved onto ``path`` when the block ends without error,
    removed otherwise."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    tmp = Path(tmp)
    try:
        yield tmp
        with open(tmp, "rb+") as f:
            os.fsync(f.fileno())
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def write_bytes(path, data: bytes) -> Path:
    with staged(path) as tmp:
        tmp.write_bytes(data)
    return Path(path)


def write_text(path, text: str) -> Path:
    return write_bytes(path, text.encode("utf-8"))


def write_with(path, writer: Callable[[Path], object]) -> Path:
    """``writer(tmp)`` writes the content (a library that wants a path); then moved into place."""
    with staged(path) as tmp:
        writer(tmp)
    return Path(path)
