"""The import commands: one line on success; on refusal the problems on stderr and status 1."""

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import translation

from sawt.imports.tests.helpers import counts
from sawt.surveys.tests.conftest import DEFINITIONS, RESPONSES

pytestmark = pytest.mark.django_db


def sawt(*args: str) -> tuple[int, str, str]:
    """Run a management command the way `sawt …` does; (exit status, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command(*args, stdout=out, stderr=err)
        status = 0
    except SystemExit as leaving:
        status = int(leaving.code)
    return status, out.getvalue(), err.getvalue()


@pytest.mark.usefixtures("english")
def test_import_survey_prints_one_line_and_a_rerun_changes_nothing():
    status, out, err = sawt("import_survey", str(DEFINITIONS / "valid.yaml"))
    assert (status, err) == (0, "")
    assert out == (
        "Survey “permits-2022-06” (2022-06): 12 items read: 12 created, 0 updated, "
        "0 unchanged, 0 removed.\n"
    )
    assert sawt("import_survey", str(DEFINITIONS / "valid.yaml"))[1] == (
        "Survey “permits-2022-06” (2022-06): 12 items read: 0 created, 0 updated, "
        "12 unchanged, 0 removed.\n"
    )


@pytest.mark.usefixtures("english", "survey")
def test_import_responses_prints_created_updated_unchanged():
    # Issue 12: the summary line stays first; a second line says what each column was read as
    # and which became attributes.
    args = ("import_responses", "--survey", "permits-2022-06", str(RESPONSES / "valid.csv"))
    assert sawt(*args) == (
        0,
        "Responses for survey “permits-2022-06”: 3 rows read: 3 created, 0 updated, 0 unchanged.\n"
        "Columns: respondent_id, submitted_at, overall, s1, e1, n1, t1; attributes: region.\n",
        "",
    )


@pytest.mark.usefixtures("english", "survey")
def test_a_refused_file_exits_with_status_1_and_lists_its_problems():
    before = counts()
    status, out, err = sawt(
        "import_responses",
        "--survey",
        "permits-2022-06",
        str(RESPONSES / "err_score_outside_scale.csv"),
    )
    assert (status, out) == (1, "")
    assert err == (
        "The file was not imported because of 3 problems; nothing was saved.\n"
        "row 2, column e1: 8 is outside this question's scale, 1 to 7.\n"
        "row 3, column overall: 0 is outside this question's scale, 1 to 5.\n"
        "row 3, column n1: 11 is outside this question's scale, 0 to 10.\n"
    )
    assert counts() == before


@pytest.mark.usefixtures("english", "survey")
def test_an_unknown_survey_is_one_plain_line():
    status, _, err = sawt("import_responses", "--survey", "x", str(RESPONSES / "valid.csv"))
    assert (status, err) == (1, "No survey has the code “x”.\n")


@pytest.mark.usefixtures("survey")
def test_messages_are_arabic_by_default():
    assert translation.get_language() == "ar"
    status, _, err = sawt("import_responses", "--survey", "x", str(RESPONSES / "valid.csv"))
    assert (status, err) == (1, "لا يوجد استبيان بالرمز «x».\n")


@pytest.mark.usefixtures("survey")
def test_problem_lines_are_arabic_by_default():
    status, _, err = sawt(
        "import_responses",
        "--survey",
        "permits-2022-06",
        str(RESPONSES / "err_score_not_whole.csv"),
    )
    assert status == 1
    assert err == (
        "لم يُستورد الملف بسبب مشكلة واحدة، ولم يُحفظ منه شيء.\n"
        "الصف 2، العمود overall: «4.5» ليس عدداً صحيحاً؛ ودرجات هذا السؤال من 1 إلى 5.\n"
    )


def test_the_sawt_console_script_exits_1_without_a_traceback(tmp_path):
    # A YAML syntax error is found before any query, so a new database will do (a migrated one:
    # on a database without tables every command says only that, sawt/core/schema.py).
    env = {**os.environ, "SAWT_HOME": str(tmp_path), "DATABASE_URL": f"sqlite:///{tmp_path}/x.db"}
    script = Path(sys.executable).with_name("sawt")
    subprocess.run([str(script), "migrate", "--verbosity", "0"], env=env, check=True)
    done = subprocess.run(
        [str(script), "import-survey", str(DEFINITIONS / "err_syntax.yaml")],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert done.returncode == 1
    assert done.stdout == ""
    lines = done.stderr.splitlines()
    assert len(lines) == 2
    assert lines[1].startswith(("line 14: ", "السطر 14: "))
    assert "Traceback" not in done.stderr
    assert "CommandError" not in done.stderr
