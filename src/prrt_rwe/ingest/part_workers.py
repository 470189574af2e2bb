"""The checks of a staged registry's parts on worker processes (issue 17).

Every check is about one row or one patient and a part holds whole patients
(ingest/engine_reader.py), so the parts are independent: each worker reads its part's staged
files itself (Arrow IPC or Parquet), runs the checks and hands back the part's findings, its
site counts and, for a load, its typed tables (``prepare``: ingest/load.py). Part ``k`` goes to
worker ``k mod n`` and the results are taken in part order, so the findings and the database
come out as from one process. At most two parts per worker are in flight. Arrow tables of a
result travel as Arrow IPC files in the staging folder, memory-mapped by the parent and
unlinked at once (no copy through the pipe; a result waiting for its turn is page cache, not
the parent's memory).

A worker is ``python -m prrt_rwe.ingest.part_workers``, a fresh interpreter (not a ``fork`` of a
process whose DuckDB threads run, and not multiprocessing's ``spawn``, which runs the caller's
main script again); it reads pickled tasks on stdin, writes pickled results on its own
descriptor (what a library prints goes to stderr) and checks with its parent's day of the run
(schema/limits.pin_run_day). A registry of one part, or a database being re-validated (its
staged rows are temporary tables of the parent's connection), stays in-process.
"""

from __future__ import annotations

import datetime as dt
import io
import itertools
import os
import pickle
import queue
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

WORKERS = 2
# On issue 17's 2-core machine the workers gained nothing (1e5, quiet: load_and_validate 23.3 s
# with two workers, 21.4 s in-process; the staging and DuckDB's inserts already use both cores):
# by default they run only where more cores are free for them.
MIN_CORES = 4
IN_FLIGHT_PER_WORKER = 2


def worker_count(staged) -> int:
    """Workers for ``staged`` (a StagedFolder): 0 (in-process) for one part, for temporary
    tables of the parent's connection, on fewer than MIN_CORES cores unless PRRT_INGEST_WORKERS
    asks for them, or when PRRT_INGEST_WORKERS is 0 or 1."""
    if staged.parts < 2 or not all(f.parquet or f.arrow for f in staged.files.values()):
        return 0
    wanted = os.environ.get("PRRT_INGEST_WORKERS", "")
    cores = os.cpu_count() or 1
    count = int(wanted) if wanted.isdigit() else (WORKERS if cores >= MIN_CORES else 0)
    return 0 if count < 2 else min(count, staged.parts)


class PartWorkerError(RuntimeError):
    """A worker process that exited without answering."""


class _Worker:
    """One worker process and the thread that reads its results as they come."""

    def __init__(self, day: dt.date, folder: Path):
        import prrt_rwe

        env = dict(os.environ)
        package_root = str(Path(prrt_rwe.__file__).resolve().parents[1])
        env["PYTHONPATH"] = os.pathsep.join(p for p in (package_root, env.get("PYTHONPATH")) if p)
        self.proc = subprocess.Popen([sys.executable, "-m", "prrt_rwe.ingest.part_workers", day.isoformat(),
                                      str(folder)],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env)
        self.results: queue.Queue = queue.Queue()
        self.reader = threading.Thread(target=self._read, daemon=True, name="prrt-rwe-part-results")
        self.reader.start()

    def _read(self) -> None:
        try:
            while True:
                self.results.put(pickle.load(self.proc.stdout))
        except (EOFError, OSError):
            self.results.put(("gone", None))
        except Exception as exc:   # a result that cannot be read: raised in the parent
            self.results.put(("error", exc))

    def send(self, task: tuple) -> None:
        pickle.dump(task, self.proc.stdin, protocol=pickle.HIGHEST_PROTOCOL)
        self.proc.stdin.flush()

    def receive(self):
        status, value = self.results.get()
        if status == "ok":
            return value
        if status == "error":
            raise value
        raise PartWorkerError(f"a part worker exited (status {self.proc.wait()})")

    def close(self, kill: bool) -> None:
        try:
            self.proc.stdin.close()
        except OSError:
            pass
        if kill:
            self.proc.kill()
        self.proc.wait()
        self.reader.join()
        self.proc.stdout.close()


def checked_parts(staged, workers: int, prepare=None) -> Iterator[tuple]:
    """(findings, SiteCounts, prepare(parsed) or None) of every part of ``staged``, in part
    order, from ``workers`` worker processes."""
    from prrt_rwe.schema.limits import latest_date

    day = latest_date()
    folder = Path(next(iter(staged.files.values())).where).parent
    pool = [_Worker(day, folder) for _ in range(workers)]
    sent = done = 0
    ok = False
    try:
        while done < staged.parts:
            while sent < staged.parts and sent - done < IN_FLIGHT_PER_WORKER * workers:
                pool[sent % workers].send((staged.files, sent, prepare))
                sent += 1
            result = pool[done % workers].receive()
            done += 1
            yield result
        ok = True
    finally:
        for worker in pool:
            worker.close(kill=not ok)


def check_part(files: dict, k: int, prepare=None) -> tuple:
    """Part ``k`` of staged ``files`` checked (validation.check_one_part), in this process."""
    from prrt_rwe.ingest.engine_reader import StagedFolder
    from prrt_rwe.ingest.validation import check_one_part

    staged = StagedFolder(_connection() if any(not f.arrow for f in files.values()) else None,
                          files, [], "", "", 0)
    return check_one_part(staged, k, prepare)


_CON = None


def _connection():
    """This worker's DuckDB connection, for Parquet-staged files (opened once)."""
    global _CON
    if _CON is None:
        from prrt_rwe.ingest.database import connect

        _CON = connect(":memory:")
    return _CON


def _picklable(exc: Exception) -> Exception:
    try:
        pickle.dumps(exc)
        return exc
    except Exception:
        import traceback

        return PartWorkerError("".join(traceback.format_exception(exc)))


FILE_BYTES = 1 << 20   # an Arrow table larger than this goes by file


class _ResultPickler(pickle.Pickler):
    """Pickles a large Arrow table as an IPC file in ``folder`` (read back by :func:`_mapped`)."""

    def __init__(self, out, folder: Path, names):
        super().__init__(out, protocol=pickle.HIGHEST_PROTOCOL)
        self.folder, self.names = folder, names

    def reducer_override(self, obj):
        import pyarrow as pa

        if isinstance(obj, pa.Table) and obj.nbytes > FILE_BYTES:
            path = self.folder / f"result-{os.getpid()}-{next(self.names)}.arrow"
            with pa.OSFile(str(path), "wb") as sink, pa.ipc.new_file(sink, obj.schema) as writer:
                writer.write_table(obj)
            return _mapped, (str(path),)
        return NotImplemented


def _mapped(path: str):
    """The Arrow table of an IPC file, memory-mapped; the file is unlinked at once (its pages
    stay readable until the table is freed)."""
    import pyarrow as pa

    try:
        with pa.memory_map(path) as source:
            return pa.ipc.open_file(source).read_all()
    finally:
        os.unlink(path)


def _serve(day: str, folder: str) -> None:
    """The worker's loop: a task from stdin, its result (or its exception) to the results pipe."""
    from prrt_rwe.schema import limits

    limits.pin_run_day(dt.date.fromisoformat(day))
    names = itertools.count()
    results = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)   # stray prints of libraries go to stderr, never into the results
    tasks = sys.stdin.buffer
    while True:
        try:
            files, k, prepare = pickle.load(tasks)
        except EOFError:
            return
        try:
            answer = ("ok", check_part(files, k, prepare))
        except Exception as exc:   # handed to the parent, which raises it
            answer = ("error", _picklable(exc))
        buffer = io.BytesIO()
        _ResultPickler(buffer, Path(folder), names).dump(answer)
        results.write(buffer.getbuffer())
        results.flush()
        del answer


if __name__ == "__main__":
    from prrt_rwe.ingest import part_workers   # this module by its name: results refer to it

    part_workers._serve(sys.argv[1], sys.argv[2])
