"""Fresh, throwaway databases for one benchmark run, and the commands run against them."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import sql

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
# The console script next to this interpreter; `-m sawt.cli` is the same dispatcher.
_SCRIPT = Path(sys.executable).with_name("sawt")
SAWT = [str(_SCRIPT)] if _SCRIPT.exists() else [sys.executable, "-m", "sawt.cli"]


class CommandFailed(RuntimeError):
    """A sawt command exited with an error; the message carries the end of its output."""


@dataclass(frozen=True)
class Timed:
    """A finished child process: wall time, its own CPU time, peak memory and output."""

    seconds: float
    cpu_seconds: float
    peak_mib: float
    stdout: str


@dataclass
class Engine:
    """One database under test: its name, the environment sawt runs with, its home directory."""

    name: str
    home: Path
    database_url: str
    dsn: str | None = None  # PostgreSQL only: a libpq URL for the baselines and probes
    env: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.env = {**os.environ, "DATABASE_URL": self.database_url, "SAWT_HOME": str(self.home)}

    def sawt(self, *args: str) -> Timed:
        """Run `sawt ARGS…` against this engine and time it."""
        return timed([*SAWT, *args], self.env)

    def probe(self, action: str, *args: str) -> dict[str, Any]:
        """bench/probe.py ACTION in this engine's environment; its JSON answer."""
        out = timed([sys.executable, str(BENCH / "probe.py"), action, *args], self.env)
        return json.loads(out.stdout)


def timed(command: list[str], env: dict[str, str]) -> Timed:
    """Run a command to completion; measure it with wait4 so CPU and memory are its own."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        proc = subprocess.Popen(command, stdout=out, stderr=err, env=env, cwd=ROOT)
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode(), err.read().decode()
    if proc.returncode != 0:
        tail = "\n".join((stderr or stdout).strip().splitlines()[-15:])
        raise CommandFailed(f"{' '.join(command)} exited with {proc.returncode}:\n{tail}")
    return Timed(seconds, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, stdout)


@contextmanager
def sqlite_engine(workdir: Path | None, keep: bool) -> Iterator[Engine]:
    """A new SQLite file in a new SAWT_HOME, removed afterwards unless `keep`."""
    home = Path(tempfile.mkdtemp(prefix="sawt-bench-sqlite-", dir=workdir))
    try:
        yield Engine("sqlite", home, f"sqlite:///{home / 'sawt.sqlite3'}")
    finally:
        if not keep:
            shutil.rmtree(home, ignore_errors=True)


def _with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


@contextmanager
def postgres_engine(admin_url: str, workdir: Path | None, keep: bool) -> Iterator[Engine]:
    """A new database `sawt_bench_<pid>` on the server of `admin_url`, dropped afterwards."""
    name = f"sawt_bench_{os.getpid()}"
    home = Path(tempfile.mkdtemp(prefix="sawt-bench-pg-", dir=workdir))
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    url = _with_database(admin_url, name)
    try:
        yield Engine("postgres", home, url, dsn=url)
    finally:
        if not keep:
            with psycopg.connect(admin_url, autocommit=True) as conn:
                # FORCE: a probe or an autovacuum worker may still hold a connection.
                conn.execute(
                    sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
                )
            shutil.rmtree(home, ignore_errors=True)
