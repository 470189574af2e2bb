"""The completion marker of an analyze output folder (issue 12, "killed analyze").

A run removes OUT/run-complete.json first, writes each of its files atomically, and writes
the marker last: the run id, the input fingerprint and the sha256 of every file it wrote.
run.json and report.html carry the same run id. A folder is complete only when the marker
is there, names the run id of run.json and every file it lists has its recorded digest;
anything else (a killed run, a folder mixing two runs, a file edited later) is incomplete.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import dataclass
from pathlib import Path

from prrt_rwe.outputs.atomic import write_text

MARKER = "run-complete.json"
SCHEMA = "prrt-rwe/run-complete/1"


def new_run_id() -> str:
    return uuid.uuid4().hex


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def begin(out: Path) -> None:
    """Mark OUT incomplete before anything of the new run is written."""
    (Path(out) / MARKER).unlink(missing_ok=True)


def finish(out: Path, run_id: str, input_fingerprint: str | None, files: list[Path]) -> Path:
    """Write the marker, last, over the files of this run (paths inside OUT)."""
    out = Path(out)
    record = {"schema": SCHEMA, "run_id": run_id, "input_fingerprint": input_fingerprint,
              "files": {p.relative_to(out).as_posix(): sha256_file(p) for p in sorted(files)}}
    return write_text(out / MARKER, json.dumps(record, indent=2) + "\n")


@dataclass(frozen=True)
class Completion:
    """Whether OUT holds one whole run; ``reason`` says why not."""

    complete: bool
    reason: str = ""
    run_id: str | None = None


def completion(out) -> Completion:
    """Check OUT's marker against run.json and the digests of the files it lists."""
    out = Path(out)
    try:
        marker = json.loads((out / MARKER).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return Completion(False, f"no {MARKER}: the run did not finish")
    except (OSError, ValueError) as exc:
        return Completion(False, f"{MARKER} unreadable ({exc})")
    run_id = marker.get("run_id")
    try:
        run = json.loads((out / "run.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return Completion(False, "run.json missing or unreadable", run_id)
    if run.get("run_id") != run_id:
        return Completion(False, f"run.json belongs to run {run.get('run_id')}, the marker to {run_id}",
                          run_id)
    for name, digest in (marker.get("files") or {}).items():
        path = out / name
        if not path.is_file() or sha256_file(path) != digest:
            return Completion(False, f"{name} is not the file run {run_id} wrote", run_id)
    return Completion(True, "", run_id)
