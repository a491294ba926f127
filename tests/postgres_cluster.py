"""A throwaway PostgreSQL cluster for tests: initdb in a temporary folder, a free port, stop.

Tests start their own server rather than lean on one someone left running. The server
binaries come from PATH or Debian's /usr/lib/postgresql/<version>/bin (`.ci/run` installs
Debian's `postgresql` when neither has them); when they are missing the fixture fails with
that message, never skips. PostgreSQL refuses to run as root, so as root the cluster runs as
the `postgres` user that Debian's package creates.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
import pytest

__all__ = ["DEBIAN_ROOT", "PostgresCluster", "find_binaries", "postgres"]

DEBIAN_ROOT = Path("/usr/lib/postgresql")  # Debian's <version>/bin folders

_MISSING = (
    "PostgreSQL server binaries (initdb, pg_ctl) were found neither on PATH nor under "
    "/usr/lib/postgresql/*/bin: install Debian's postgresql (apt-get install postgresql), as "
    ".ci/run does"
)


def find_binaries() -> Path:
    """The folder holding initdb and pg_ctl: PATH first, then the newest Debian version."""
    initdb, pg_ctl = shutil.which("initdb"), shutil.which("pg_ctl")
    if initdb and pg_ctl:
        folder = Path(initdb).resolve().parent
        if (folder / "pg_ctl").exists():
            return folder
    versions = sorted(
        DEBIAN_ROOT.glob("*/bin/initdb"),
        key=lambda p: int(p.parts[-3]) if p.parts[-3].isdigit() else 0,
    )
    for candidate in reversed(versions):
        if (candidate.parent / "pg_ctl").exists():
            return candidate.parent
    pytest.fail(_MISSING, pytrace=False)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class PostgresCluster:
    """A running cluster on 127.0.0.1:`port`, trust authentication, superuser `postgres`."""

    folder: Path
    port: int
    bin: Path
    user: str | None  # the system user it runs as (None: this process's)
    started_in_s: float = 0.0
    _names: itertools.count[int] = field(default_factory=itertools.count)

    @classmethod
    def start(cls) -> PostgresCluster:
        """initdb a new cluster in a temporary folder and start it on a free port."""
        bin_dir = find_binaries()
        user = None
        if os.geteuid() == 0:
            try:
                account = pwd.getpwnam("postgres")
            except KeyError:
                pytest.fail(
                    "running as root and there is no 'postgres' user for the server "
                    "(install Debian's postgresql, which creates it)",
                    pytrace=False,
                )
            user = account.pw_name
        began = time.perf_counter()
        folder = Path(tempfile.mkdtemp(prefix="rackforge-pg-"))
        if user is not None:
            shutil.chown(folder, user, user)
        data = folder / "data"
        cls._run(
            [str(bin_dir / "initdb"), "-D", str(data), "-U", "postgres", "-A", "trust",
             "-E", "UTF8", "--locale=C", "--no-sync"],
            user,
        )  # fmt: skip
        for _attempt in range(3):  # a free port can be taken between the check and the start
            port = _free_port()
            options = (
                f"-p {port} -c listen_addresses=127.0.0.1 -c unix_socket_directories={folder} "
                "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
            )
            started = subprocess.run(
                [str(bin_dir / "pg_ctl"), "-D", str(data), "-o", options, "-w", "-t", "60",
                 "-l", str(folder / "server.log"), "start"],
                capture_output=True, text=True, user=user, check=False,
            )  # fmt: skip
            if started.returncode == 0:
                cluster = cls(folder, port, bin_dir, user)
                cluster.started_in_s = time.perf_counter() - began
                return cluster
        log = (folder / "server.log").read_text(errors="replace")[-2000:]
        shutil.rmtree(folder, ignore_errors=True)
        pytest.fail(f"PostgreSQL did not start: {started.stderr.strip()}\n{log}", pytrace=False)

    @staticmethod
    def _run(args: list[str], user: str | None) -> None:
        done = subprocess.run(args, capture_output=True, text=True, user=user, check=False)
        if done.returncode != 0:
            pytest.fail(f"{' '.join(args)} failed: {done.stderr.strip()}", pytrace=False)

    def url(self, database: str = "postgres") -> str:
        """A SQLAlchemy URL (psycopg 3) for `database` on this cluster."""
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def new_database(self) -> str:
        """A new empty database on this cluster; its SQLAlchemy URL."""
        name = f"test_{next(self._names)}"
        conninfo = f"host=127.0.0.1 port={self.port} user=postgres dbname=postgres"
        with psycopg.connect(conninfo, autocommit=True) as connection:
            connection.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def stop(self) -> None:
        """Stop the server at once and remove its folder."""
        with contextlib.suppress(OSError):
            subprocess.run(
                [str(self.bin / "pg_ctl"), "-D", str(self.folder / "data"), "-m", "immediate",
                 "-w", "stop"],
                capture_output=True, user=self.user, check=False,
            )  # fmt: skip
        shutil.rmtree(self.folder, ignore_errors=True)


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresCluster]:
    """One throwaway cluster for the test session (each xdist worker starts its own)."""
    cluster = PostgresCluster.start()
    yield cluster
    cluster.stop()
