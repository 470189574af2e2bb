"""A throw-away PostgreSQL server for the tests (issue 17): Debian's postgresql 15 binaries,
``initdb`` and ``pg_ctl`` in a temporary directory, listening on 127.0.0.1 only, trust
authentication. Both refuse to run as root (CI runs as root), so as root they run as the
unprivileged user ``nobody`` (runuser) in a directory it owns."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
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
    def __init__(self, base: Path):
        self.base = base
        self.data = base / "data"
        self.port = _free_port()

    @property
    def url(self) -> str:
        return f"postgresql://{USER}@127.0.0.1:{self.port}/postgres"

    def start(self) -> PostgresServer:
        self.base.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            os.chmod(self.base, 0o777)
            shutil.chown(self.base, "nobody")
            for parent in self.base.parents:   # nobody must reach the directory
                if parent == Path(parent.anchor):
                    break
                os.chmod(parent, os.stat(parent).st_mode | 0o011)
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
        subprocess.run(_as_unprivileged([str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-m", "immediate",
                                         "-w", "stop"]), capture_output=True)
