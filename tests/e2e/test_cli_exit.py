"""The ``prrt-rwe`` console script (cli.main) exits without the interpreter's teardown (issue
17), yet prints, exits and cleans up as typer's own exit (``app()``, ``sys.exit``) did: the
same output and status, the atexit handlers run, a concurrent.futures worker process shut
down in order."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

MINIMAL = Path(__file__).parents[2] / "examples" / "minimal"


def _run(call: str, argv: list[str], prelude: str = "") -> subprocess.CompletedProcess:
    script = f"import sys\n{prelude}\nsys.argv = {['prrt-rwe', *argv]!r}\nfrom prrt_rwe.cli import main, app\n{call}\n"
    return subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300)


@pytest.mark.parametrize("argv", [
    ["validate", str(MINIMAL)],                      # findings on stdout, exit 0
    ["analyze", str(MINIMAL)],                       # a usage error: one line, exit 2
    ["validate", str(MINIMAL / "patients.csv")],     # not a registry
])
def test_the_console_script_prints_and_exits_as_typer_did(argv):
    quick, typer_exit = _run("main()", argv), _run("app()", argv)
    assert (quick.returncode, quick.stdout, quick.stderr) == \
           (typer_exit.returncode, typer_exit.stdout, typer_exit.stderr)


def test_atexit_handlers_and_worker_processes_are_shut_down_in_order(tmp_path):
    marker, done = tmp_path / "atexit", tmp_path / "worker"
    prelude = f"""
import atexit, time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

def work(path):
    time.sleep(0.5)
    Path(path).write_text("done")

if __name__ == "__main__":
    atexit.register(lambda: Path({str(marker)!r}).write_text("ran"))
    pool = ProcessPoolExecutor(max_workers=1)
    pool.submit(work, {str(done)!r})   # still running when the command ends
"""
    result = _run("main()", ["validate", str(MINIMAL)], prelude=prelude)
    assert result.returncode == 0, result.stderr
    assert marker.read_text() == "ran"
    assert done.read_text() == "done"
    assert "Traceback" not in result.stderr
