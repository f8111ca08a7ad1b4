"""`sawt demo` creates an administrator whose password is printed in the README: it refuses to
run under production settings, before touching the database."""

from __future__ import annotations

import os
import secrets
import sqlite3
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.utils import translation

from sawt.demo.management.commands import demo

ROOT = Path(__file__).resolve().parents[3]


@override_settings(SAWT_PRODUCTION=True)
def test_the_demo_refuses_production_settings_before_doing_anything(monkeypatch):
    calls: list[str] = []
    monkeypatch.setattr(demo, "demo_load", lambda **kw: calls.append("load"))
    monkeypatch.setattr(demo, "call_command", lambda name, **kw: calls.append(name))
    err = StringIO()
    with translation.override("en"), pytest.raises(SystemExit) as exit_:
        call_command("demo", "--load-only", stdout=StringIO(), stderr=err)
    assert exit_.value.code != 0
    assert calls == []  # not even migrate
    assert "production" in err.getvalue() and "createuser" in err.getvalue()


def test_sawt_demo_under_production_settings_exits_with_a_message(tmp_path):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "sawt.config.settings_production",
        "SAWT_HOME": str(tmp_path),
        "SAWT_SECRET_KEY": secrets.token_urlsafe(50),
    }
    env.pop("DATABASE_URL", None)
    run = subprocess.run(
        [sys.executable, "-m", "sawt.cli", "demo", "--load-only"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode != 0
    assert "Traceback" not in run.stderr and "createuser" in run.stderr
    database = tmp_path / "sawt.sqlite3"
    if database.exists():  # created empty at most: no table, no account
        with sqlite3.connect(database) as connection:
            assert connection.execute("select count(*) from sqlite_master").fetchone() == (0,)
