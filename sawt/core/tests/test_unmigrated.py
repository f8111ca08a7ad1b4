"""A command run before `sawt migrate` says so: a SQLite file that is not there yet (and is not
created by asking), a PostgreSQL database without tables, a database an upgrade left behind.
Exit status 1, one translated line naming the database and `sawt migrate`, no traceback.

Each case runs every database command in one fresh interpreter (sawt.cli.main, as the console
script calls it) against a database of its own, apart from the test database."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest
from psycopg import sql

PROBE = r"""
import contextlib, io, json, sys
from sawt.cli import main

results = []
for args in json.loads(sys.argv[1]):
    err = io.StringIO()
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(err):
        try:
            main(args)
            code = 0
        except SystemExit as leaving:
            code = leaving.code
        except Exception as exc:  # what a person would have seen as a traceback
            code = f"traceback: {type(exc).__name__}: {exc}"
    results.append([" ".join(args), code, err.getvalue()])
print(json.dumps(results))
"""

JOURNEY = ["--journey", "contractor-classification", "--period", "2022-06"]


def _commands(tmp_path: Path) -> list[list[str]]:
    """Every `sawt` command that reads or writes the database, with valid arguments."""
    data = Path(__file__).resolve().parents[3] / "docs" / "examples"
    return [
        ["summary", *JOURNEY, "--lang", "en"],
        ["report", *JOURNEY, "--out", str(tmp_path / "r.pdf"), "--lang", "en"],
        ["export", *JOURNEY, "--out", str(tmp_path / "r.xlsx"), "--lang", "en"],
        ["import-survey", str(data / "contractor-classification.yaml"), "--lang", "en"],
        ["import-responses", "--survey", "cc-2022-07", str(data / "responses.csv"), "--lang", "en"],
        [
            "import-complaints",
            "--journey",
            "contractor-classification",
            str(data / "complaints.csv"),
            "--lang",
            "en",
        ],
        [
            "createuser",
            "--username",
            "mona",
            "--role",
            "analyst",
            "--password-stdin",
            "--lang",
            "en",
        ],
        ["classifier", "list", "--lang", "en"],
        ["worker", "--once"],
    ]


def _run(env: dict[str, str], commands: list[list[str]]) -> list[list]:
    """[command, exit status or the exception it raised, stderr] of each command, in order."""
    run = subprocess.run(
        [sys.executable, "-c", PROBE, json.dumps(commands)],
        capture_output=True,
        text=True,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "sawt.config.settings", **env},
        stdin=subprocess.DEVNULL,
        timeout=120,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    return json.loads(run.stdout.strip().splitlines()[-1])


def _all_refused(results: list[list], database: str, english: str) -> None:
    """Each exited 1 naming the database and `sawt migrate`; in English where asked (the
    worker has no --lang: Arabic)."""
    for command, code, err in results:
        assert code == 1, f"sawt {command}: {code}"
        assert database in err and "sawt migrate" in err, f"sawt {command}: {err}"
        assert english in err if "--lang en" in command else "قاعدة" in err, err
        assert "Traceback" not in err


def test_a_sqlite_file_that_is_not_there_is_named_and_not_created(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    env = {"SAWT_HOME": str(home), "DATABASE_URL": ""}
    results = _run(env, _commands(tmp_path))
    path = home / "sawt.sqlite3"
    _all_refused(results, str(path), f"There is no database at {path} yet")
    assert not (home / "sawt.sqlite3").exists()
    assert not (tmp_path / "r.pdf").exists() and not (tmp_path / "r.xlsx").exists()


def test_a_database_behind_this_version_is_refused_and_migrate_brings_it_up(
    tmp_path: Path,
) -> None:
    env = {"SAWT_HOME": str(tmp_path), "DATABASE_URL": ""}
    # An upgrade's state: every migration applied but the newest of one app.
    results = _run(
        env,
        [
            ["migrate", "--no-input", "--verbosity", "0"],
            ["migrate", "classification", "0001", "--no-input", "--verbosity", "0"],
            ["summary", *JOURNEY, "--lang", "en"],
            ["classifier", "list", "--lang", "ar"],
            ["migrate", "--no-input", "--verbosity", "0"],
            ["classifier", "list", "--lang", "en"],
        ],
    )
    assert [code for _command, code, _err in results] == [0, 0, 1, 1, 0, 0], results
    summary, listing = results[2][2], results[3][2]
    assert summary.startswith(f"The database {tmp_path / 'sawt.sqlite3'} is behind this version")
    assert summary.endswith("run `sawt migrate` first.\n")
    assert "قاعدة البيانات" in listing and "sawt migrate" in listing  # Arabic by default


def _postgres_url() -> str | None:
    url = os.environ.get("DATABASE_URL", "")
    return url if url.startswith(("postgres://", "postgresql://")) else None


@pytest.mark.skipif(_postgres_url() is None, reason="PostgreSQL only (DATABASE_URL)")
def test_a_postgres_database_without_tables_is_refused(tmp_path: Path) -> None:
    url = urlsplit(_postgres_url() or "")
    empty = f"{url.path.lstrip('/')}_empty"  # beside the database this run was given
    admin = urlunsplit(url._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(empty)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(empty)))
    try:
        env = {
            "SAWT_HOME": str(tmp_path),
            "DATABASE_URL": urlunsplit(url._replace(path=f"/{empty}")),
        }
        results = _run(env, _commands(tmp_path))
        _all_refused(results, empty, f"The database {empty} has no tables yet")
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(empty))
            )


WEB_PROBE = r"""
import json, django
django.setup()
from django.test.utils import setup_test_environment
setup_test_environment()
from django.test import Client

answers = []
for language in ("ar", "en"):
    client = Client(raise_request_exception=False)
    client.cookies["django_language"] = language
    # The login page needs no database; signing in does.
    page = client.get("/accounts/login/")
    signing_in = client.post("/accounts/login/", {"username": "mona", "password": "x-y-z-w"})
    answers.append([page.status_code, signing_in.status_code, signing_in.content.decode()])
print(json.dumps(answers))
"""


def test_the_web_application_on_an_unmigrated_database_answers_503_saying_so(
    tmp_path: Path,
) -> None:
    run = subprocess.run(
        [sys.executable, "-c", WEB_PROBE],
        capture_output=True,
        text=True,
        # The test settings: static files without a manifest, so no collectstatic is needed.
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "sawt.config.settings_test",
            "SAWT_HOME": str(tmp_path),
            "DATABASE_URL": "",
        },
        timeout=120,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    (ar, en) = json.loads(run.stdout.strip().splitlines()[-1])
    assert (ar[0], ar[1], en[1]) == (200, 503, 503)
    assert "صوت ليس جاهزاً بعد" in ar[2] and "sawt migrate" in ar[2]
    assert "sawt is not ready yet" in en[2] and "Whoever runs this server runs" in en[2]
    # The database's details go to the log, for whoever runs the server, not to the page.
    assert str(tmp_path) not in en[2] and "no tables yet" in run.stderr
