"""Worker processes for the tests: a database they can all reach, and scripts to run in them.

On SQLite the test database lives in memory, out of other processes' reach, so those tests run
on a database file of their own, set up as `sawt serve` would find it (WAL and all); on
PostgreSQL they use the test database itself (from a `transaction=True` test).
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any
from urllib.parse import quote

from django.db import connection

# Every script starts so: Django set up, the tests' job handlers registered, no periodic work.
PRELUDE = """
import json, os, sys, time
import django
django.setup()
import sawt.jobs.tests.handlers
sawt.jobs.tests.handlers.periodic_off()
from django.core.management import call_command
"""
MIGRATE = """
for app in ("core", "jobs", "django_tasks_database"):
    call_command("migrate", app, verbosity=0)
"""


def _postgres_url() -> str:
    s = connection.settings_dict
    auth = quote(s["USER"] or "") + (f":{quote(s['PASSWORD'])}" if s["PASSWORD"] else "")
    return f"postgres://{auth}@{s['HOST'] or 'localhost'}:{s['PORT'] or 5432}/{s['NAME']}"


_template: Path | None = None


def _migrated() -> Path:
    """A database file with the queue's tables, migrated once per test run (it takes seconds)."""
    global _template
    if _template is None:
        home = Path(tempfile.mkdtemp(prefix="sawt-jobs-template-"))
        env = {**os.environ, "SAWT_HOME": str(home)}
        env.pop("DATABASE_URL", None)
        python(PRELUDE + MIGRATE, env)
        _template = home / "sawt.sqlite3"
    return _template


def shared_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    """The environment of worker processes sharing one database with this test."""
    env = {**os.environ, "SAWT_HOME": str(tmp_path), **extra}
    if connection.vendor == "sqlite":
        env.pop("DATABASE_URL", None)
        shutil.copy(_migrated(), tmp_path / "sawt.sqlite3")
    else:
        env["DATABASE_URL"] = _postgres_url()
    return env


def python(code: str, env: dict[str, str], timeout: float = 120) -> str:
    """Run `code` in a new Python process; its standard output."""
    run = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=timeout
    )
    assert run.returncode == 0, run.stdout + run.stderr
    return run.stdout


def popen(code: str, env: dict[str, str], **kwargs: Any) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-c", code], env=env, text=True, **kwargs)


def query(env: dict[str, str], sql: str) -> list[tuple[Any, ...]]:
    """Rows of `sql` in the shared database (read from outside Django on SQLite)."""
    if connection.vendor == "sqlite":
        with sqlite3.connect(Path(env["SAWT_HOME"]) / "sawt.sqlite3") as db:
            return db.execute(sql).fetchall()
    # PostgreSQL: the test's own connection sees what the workers committed.
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return [tuple(row) for row in cursor.fetchall()]
