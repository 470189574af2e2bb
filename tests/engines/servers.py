"""A throw-away PostgreSQL server for the tests (issue 17): Debian's postgresql 15 binaries,
``initdb`` and ``pg_ctl`` in a temporary directory, listening on 127.0.0.1 only, trust
authentication. Both refuse to run as root (CI runs as root), so as root they run as the
unprivileged user ``nobody`` (runuser) in a directory of its own under the system temporary
folder (not pytest's: a later pytest run on the machine makes ``/tmp/pytest-of-root`` 0700 again,
and nobody could no longer reach its data to stop). Stopped by SIGQUIT to the postmaster
(PostgreSQL's immediate shutdown), which root can send whatever the directory modes."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

PG_BIN = Path(os.environ.get("PRRT_PG_BIN", "/usr/lib/postgresql/15/bin"))
USER = "prrt"


def pg_available() -> bool:
    return (PG_BIN / "initdb").exists() and (PG_BIN / "pg_ctl").exists()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _as_unprivileged(cmd: list[str]) -> list[str]:
    if os.geteuid() != 0:
        return cmd
    return ["runuser", "-u", "nobody", "--", *cmd]


class PostgresServer:
    def __init__(self):
        self.base = Path(tempfile.mkdtemp(prefix="prrt-pg-"))
        self.data = self.base / "data"
        self.port = _free_port()

    @property
    def url(self) -> str:
        return f"postgresql://{USER}@127.0.0.1:{self.port}/postgres"

    def start(self) -> PostgresServer:
        self.base.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            os.chmod(self.base, 0o700)
            shutil.chown(self.base, "nobody")
        subprocess.run(_as_unprivileged([str(PG_BIN / "initdb"), "-D", str(self.data), "-U", USER,
                                         "-A", "trust", "--no-sync", "-E", "UTF8", "--locale=C"]),
                       check=True, capture_output=True)
        options = (f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.base} -c fsync=off "
                   "-c synchronous_commit=off -c full_page_writes=off -c shared_buffers=128MB "
                   "-c max_connections=20")
        subprocess.run(_as_unprivileged([str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-o", options,
                                         "-l", str(self.base / "log"), "-w", "-t", "60", "start"]),
                       check=True, capture_output=True)
        return self

    def stop(self) -> None:
        """Immediate shutdown (SIGQUIT to the postmaster), then the directory removed."""
        try:
            pid = int((self.data / "postmaster.pid").read_text().split()[0])
        except (OSError, ValueError, IndexError):
            pid = None
        if pid is not None:
            try:
                os.kill(pid, signal.SIGQUIT)
                for _ in range(300):
                    os.kill(pid, 0)
                    time.sleep(0.1)
            except ProcessLookupError:
                pass
        shutil.rmtree(self.base, ignore_errors=True)
