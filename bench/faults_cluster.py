"""A throwaway PostgreSQL cluster for bench/faults.py: own data directory, own port.

Never touches the machine's shared server. initdb refuses to run as root, so when this
runs as root the server binaries run as the `postgres` system user (runuser).
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import time
from pathlib import Path


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _bin_dir() -> Path:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=_major)
    if not found:
        initdb = shutil.which("initdb")
        if not initdb:
            raise RuntimeError("PostgreSQL server binaries (initdb, pg_ctl) not found")
        return Path(initdb).parent
    return Path(found[-1]).parent


def _major(path: str) -> int:
    try:
        return int(Path(path).parent.parent.name)
    except ValueError:
        return 0


class TempCluster:
    """initdb + pg_ctl in a temporary directory, trust authentication on 127.0.0.1."""

    def __init__(self, root: Path, port: int | None = None) -> None:
        self.root = root
        self.data = root / "pgdata"
        self.log = root / "postgres.log"
        self.port = port or free_port()
        self.bin = _bin_dir()
        self.as_postgres = os.geteuid() == 0
        self.started = False

    def _run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        command = list(args)
        if self.as_postgres:
            command = ["runuser", "-u", "postgres", "--", *command]
        done = subprocess.run(  # noqa: S603 (the PostgreSQL binaries, fixed arguments)
            command, check=False, capture_output=True, text=True, timeout=120, cwd=self.root
        )
        if check and done.returncode != 0:
            raise RuntimeError(f"{' '.join(command)} failed: {done.stdout}{done.stderr}")
        return done

    def url(self, database: str) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"

    def init(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        if self.as_postgres:
            shutil.chown(self.root, user="postgres", group="postgres")
        self._run(
            str(self.bin / "initdb"),
            "-D",
            str(self.data),
            "-A",
            "trust",
            "-U",
            "postgres",
            "-E",
            "UTF8",
            "--no-sync",
        )

    def _pg_ctl(self, action: str, *options: str, check: bool = True) -> None:
        """``pg_ctl action`` on this cluster's data directory, waiting until it is done."""
        self._run(
            str(self.bin / "pg_ctl"), "-D", str(self.data), *options, "-w", action, check=check
        )

    def _server_options(self) -> tuple[str, ...]:
        """The log file and server settings, for starting and restarting."""
        settings = (
            f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 "
            "-c max_connections=60 -c shared_buffers=64MB"
        )
        return ("-l", str(self.log), "-o", settings)

    def start(self) -> None:
        self._pg_ctl("start", *self._server_options())
        self.started = True

    def restart(self, mode: str = "fast") -> float:
        """Restart the server; returns the seconds it took."""
        began = time.monotonic()
        self._pg_ctl("restart", *self._server_options(), "-m", mode)
        return time.monotonic() - began

    def stop(self) -> None:
        if self.started:
            self._pg_ctl("stop", "-m", "immediate", check=False)
            self.started = False

    def create_database(self, name: str) -> None:
        self._run(
            str(self.bin / "createdb"),
            "-h",
            "127.0.0.1",
            "-p",
            str(self.port),
            "-U",
            "postgres",
            name,
        )

    def cleanup(self) -> None:
        self.stop()
        shutil.rmtree(self.root, ignore_errors=True)
