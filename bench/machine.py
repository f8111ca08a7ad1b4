"""A description of the machine a benchmark ran on, read from /proc, /sys and the databases.

The figures only mean something next to it: the same run on a laptop SSD and on a shared
two-core virtual machine differ by more than any change to sawt.
"""

from __future__ import annotations

import os
import platform
import sqlite3
import subprocess
import sys
from importlib import metadata
from pathlib import Path
from typing import Any

import psycopg

PG_SETTINGS = [
    "shared_buffers",
    "work_mem",
    "maintenance_work_mem",
    "max_wal_size",
    "synchronous_commit",
    "max_parallel_workers_per_gather",
    "autovacuum",
]


def _cpu_model() -> str:
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown"


def _memory_gib() -> float:
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            return int(line.split()[1]) / 1024**2
    return 0.0


def disk(path: Path) -> str:
    """Device, file system, size and the kernel's rotational flag for the disk holding `path`."""
    path = path.resolve()
    best = ("", "", "")
    for line in Path("/proc/mounts").read_text().splitlines():
        device, mount, fstype = line.split()[:3]
        inside = path == Path(mount) or Path(mount) in path.parents
        if inside and len(mount) > len(best[1]):
            best = (device, mount, fstype)
    device, mount, fstype = best
    stat = os.statvfs(mount or "/")
    size = stat.f_blocks * stat.f_frsize / 1000**3
    name = Path(device).name
    rotational = Path(f"/sys/block/{name}/queue/rotational")
    flag = rotational.read_text().strip() if rotational.exists() else "?"
    kind = "virtio" if name.startswith("vd") else name
    # Virtual disks often report rotational=1 whatever backs them; say so rather than guess.
    return f"{device} ({kind}), {fstype}, {size:.0f} GB, rotational flag {flag}"


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "not installed"


def describe(workdir: Path, pg_dsn: str | None) -> dict[str, str]:
    """Everything docs/benchmarks.md states about the machine, as label → text."""
    cores = os.cpu_count() or 0
    usable = len(os.sched_getaffinity(0))
    info = {
        "CPU": f"{_cpu_model()}, {cores} logical cores ({usable} usable by this process)",
        "RAM": f"{_memory_gib():.1f} GiB",
        "disk (bench files, SQLite)": disk(workdir),
        "OS": f"{platform.system()} {platform.release()}",
        "Python": sys.version.split()[0],
        "Django / psycopg": f"{_version('django')} / {_version('psycopg')}",
        "SQLite (library Python uses)": sqlite3.sqlite_version,
    }
    if pg_dsn:
        with psycopg.connect(pg_dsn) as conn:
            version = _one(conn, "SHOW server_version")
            data_dir = _one(conn, "SELECT current_setting('data_directory', true)")
            settings = {name: _one(conn, f"SHOW {name}") for name in PG_SETTINGS}
        info["PostgreSQL"] = version
        info["PostgreSQL settings"] = ", ".join(f"{k}={v}" for k, v in settings.items())
        # Only meaningful when the server runs on this machine (the default, 127.0.0.1).
        if data_dir and Path(data_dir).exists():
            info["disk (PostgreSQL data)"] = disk(Path(data_dir))
    return info


def _one(conn: psycopg.Connection, query: str) -> Any:
    """The single value a SHOW or a one-row SELECT answers."""
    row = conn.execute(query).fetchone()
    if row is None:
        raise RuntimeError(f"{query!r} returned no row")
    return row[0]


def load() -> str:
    """The 1/5/15-minute load averages: how busy the shared machine was."""
    return " / ".join(f"{x:.2f}" for x in os.getloadavg())


def code_version() -> str:
    """The commit measured, and the files changed since (figures move with the code)."""

    def git(*args: str) -> str:
        return subprocess.run(
            ["git", *args],
            cwd=Path(__file__).resolve().parent.parent,
            capture_output=True,
            text=True,
            check=False,
        ).stdout

    commit = git("rev-parse", "--short", "HEAD").strip() or "unknown"
    # Porcelain lines are "XY path": stripping the output would eat the first line's X.
    changed = [line[3:] for line in git("status", "--porcelain", "--", "sawt").splitlines()]
    return f"{commit} with uncommitted changes to {', '.join(changed)}" if changed else commit
