"""Flower's daemons as child processes: started with their log in a file, waited for until
they listen, stopped (SIGTERM, then SIGKILL) however the parent ends.  On Linux a child also
gets SIGTERM when its parent dies (``PR_SET_PDEATHSIG``), so a killed ``prrt-rwe node`` takes
its SuperNode with it and the SuperLink learns at once that the site has gone."""

from __future__ import annotations

import ctypes
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

__all__ = ["Child", "flower_env", "free_port", "listening", "wait_listening"]

PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:   # runs in the child, before exec
    try:
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    except OSError:
        pass


def flower_env(flwr_home: Path) -> dict:
    """The environment of Flower's processes: this Python's scripts first on PATH (they spawn
    flwr-serverapp and flower-superexec by name), Flower's state under ``flwr_home``."""
    env = dict(os.environ)
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
    env["FLWR_HOME"] = str(flwr_home)
    env.setdefault("FLWR_TELEMETRY_ENABLED", "0")
    return env


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def split_address(address: str) -> tuple[str, int]:
    host, port = address.rsplit(":", 1)
    return host.strip("[]"), int(port)


def listening(address: str) -> bool:
    """Whether ``address`` accepts a TCP connection now."""
    try:
        with socket.create_connection(split_address(address), timeout=1.0):
            return True
    except OSError:
        return False


def wait_listening(address: str, timeout_s: float, child: "Child | None" = None) -> None:
    """Return once ``address`` accepts connections; RuntimeError after ``timeout_s`` or when
    ``child`` exits first."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if child is not None and child.poll() is not None:
            raise RuntimeError(f"{child.name} exited (code {child.poll()}) before listening on {address}; "
                               f"see {child.log}")
        if listening(address):
            return
        time.sleep(0.2)
    raise RuntimeError(f"nothing listens on {address} after {timeout_s:g} s")


class Child:
    """One child process with its log file; a context manager that always stops it."""

    def __init__(self, name: str, command: list[str], log: Path, env: dict):
        self.name, self.log = name, Path(log)
        self.log.parent.mkdir(parents=True, exist_ok=True)
        self._log_file = self.log.open("ab")
        self.process = subprocess.Popen(command, stdout=self._log_file, stderr=subprocess.STDOUT, env=env,
                                        stdin=subprocess.DEVNULL, preexec_fn=_die_with_parent)

    def poll(self):
        return self.process.poll()

    def stop(self, grace_s: float = 15.0) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(grace_s)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._log_file.close()

    def __enter__(self) -> "Child":
        return self

    def __exit__(self, *exc) -> None:
        self.stop()
