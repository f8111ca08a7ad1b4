"""Any file up to 1 MB is accepted or refused within 5 s and 300 MB, clearly, with nothing written.

The files are built by `hostile.py` (billion laughs, 100,000 levels of nesting, zip bombs, far
rows and columns, huge fields...). `hostile_driver.py` imports each through the real command
in a child process forked from one Django process, and reports its time, peak memory, exit
status, messages and the rows it wrote. The margins are generous: each file takes well under a
second on two shared cores; before this test they took up to minutes and gigabytes.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connection

SECONDS = 5.0
MEBIBYTES = 300.0
pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def _database_for_children(tmp_path: Path) -> str:
    """A DATABASE_URL the driver's children can open, with the test database's schema."""
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        # The test database lives in memory: copy it (schema only, it is empty) to a file.
        connection.ensure_connection()
        path = tmp_path / "children.sqlite3"
        with sqlite3.connect(path) as target:
            connection.connection.backup(target)
        return f"sqlite:///{path}"
    user = quote(settings["USER"] or "")
    password = f":{quote(settings['PASSWORD'])}" if settings["PASSWORD"] else ""
    host = settings["HOST"] or "127.0.0.1"
    port = settings["PORT"] or 5432
    return f"postgres://{user}{password}@{host}:{port}/{settings['NAME']}"


def test_every_hostile_file_costs_little_and_gets_a_clear_answer(tmp_path):
    environment = {
        **os.environ,
        "DATABASE_URL": _database_for_children(tmp_path),
        "SAWT_HOME": str(tmp_path / "home"),
        "SAWT_IMPORT_MAX_PROBLEMS": "50",
    }
    out = tmp_path / "results.json"
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "sawt.imports.tests.hostile_driver",
            str(tmp_path / "files"),
            str(out),
            "--timeout",
            "30",
        ],
        env=environment,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    results = json.loads(out.read_text())
    assert len(results) >= 30
    for result in results:
        where = f"{result['name']}: {result['stderr'][:500]}"
        assert not result["killed"], where
        assert result["seconds"] < SECONDS, where
        assert result["peak_mib"] < MEBIBYTES, where
        assert "Traceback" not in result["stderr"], where
        if result["accepted"]:
            assert result["code"] == 0, where
        else:
            assert result["code"] == 1, where
            assert result["expect"] in result["stderr"], where
            assert result["changed"] == {}, where
