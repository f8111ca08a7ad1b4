"""`sawt export`: writes the workbook and says where; any error is one line, exit 1, no file."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import translation
from openpyxl import load_workbook

from sawt.testing import factories as f

pytestmark = pytest.mark.django_db


def sawt(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command(*args, stdout=out, stderr=err)
    except SystemExit as leaving:
        return int(leaving.code), out.getvalue(), err.getvalue()
    return 0, out.getvalue(), err.getvalue()


@pytest.fixture
def journey():
    """A small measured journey: one overall item answered by one respondent."""
    journey = f.JourneyFactory(slug="permits", name_en="Building permits")
    survey = f.SurveyFactory(journey=journey, period="2022-06", sample_size=20)
    question = f.QuestionFactory(survey=survey, code="overall", kind="overall")
    f.AnswerFactory(response=f.ResponseFactory(survey=survey), question=question, score=4)
    return journey


def export(tmp_path: Path, *extra: str, out: str = "permits.xlsx", journey: str = "permits"):
    return sawt(
        "export", "--journey", journey, "--period", "2022-06", "--out", str(tmp_path / out), *extra
    )


def test_writes_the_workbook_and_prints_its_path(journey, tmp_path):
    status, out, err = export(tmp_path, "--lang", "en")
    path = tmp_path / "permits.xlsx"
    assert (status, out, err) == (0, f"{path}\n", "")
    wb = load_workbook(path)
    assert wb.sheetnames[0] == "Summary"
    summary = {label.value: value.value for label, value in wb["Summary"].iter_rows(min_row=2)}
    assert (summary["Journey"], summary["Overall satisfaction (mean)"]) == ("Building permits", 4)
    assert list(tmp_path.iterdir()) == [path]  # no temporary file left behind


def test_arabic_by_default(journey, tmp_path):
    assert export(tmp_path)[0] == 0
    wb = load_workbook(tmp_path / "permits.xlsx")
    assert all(ws.sheet_view.rightToLeft for ws in wb)


def test_an_existing_file_is_replaced(journey, tmp_path):
    (tmp_path / "permits.xlsx").write_bytes(b"old")
    assert export(tmp_path, "--lang", "en")[0] == 0
    assert load_workbook(tmp_path / "permits.xlsx").sheetnames[0] == "Summary"


def test_the_output_must_be_an_xlsx_file(journey, tmp_path):
    with translation.override("en"):
        result = export(tmp_path, out="permits.csv")
    assert result == (
        1,
        "",
        "The output file must end in .xlsx, for example permits-2022-06.xlsx.\n",
    )
    assert list(tmp_path.iterdir()) == []


def test_an_unknown_journey_in_arabic_writes_nothing(journey, tmp_path):
    status, out, err = export(tmp_path, journey="nope")
    assert (status, out, err) == (1, "", "لا توجد رحلة بالمعرّف «nope».\n")
    assert list(tmp_path.iterdir()) == []


def test_a_period_without_a_survey_names_the_periods_there_are(journey, tmp_path):
    status, out, err = sawt(
        "export",
        "--journey",
        "permits",
        "--period",
        "2023-01",
        "--out",
        str(tmp_path / "x.xlsx"),
        "--lang",
        "en",
    )
    assert (status, out) == (1, "")
    assert err == (
        "The journey “permits” has no survey for 2023-01. Periods with a survey: 2022-06.\n"
    )
    assert list(tmp_path.iterdir()) == []


def test_a_malformed_period(journey, tmp_path):
    status, _, err = sawt(
        "export",
        "--journey",
        "permits",
        "--period",
        "June",
        "--out",
        str(tmp_path / "x.xlsx"),
        "--lang",
        "en",
    )
    assert (status, err) == (
        1,
        "The period “June” is not valid: write it as YYYY-MM, for example 2022-06.\n",
    )
    assert list(tmp_path.iterdir()) == []


def test_a_missing_folder(journey, tmp_path):
    status, _, err = export(tmp_path, "--lang", "en", out="missing/permits.xlsx")
    assert (status, err) == (1, f"The folder “{tmp_path / 'missing'}” does not exist.\n")
    assert list(tmp_path.iterdir()) == []


def test_a_failed_export_leaves_an_existing_file_alone(journey, tmp_path):
    (tmp_path / "permits.xlsx").write_bytes(b"old")
    assert export(tmp_path, journey="nope")[0] == 1
    assert (tmp_path / "permits.xlsx").read_bytes() == b"old"


def test_a_file_that_cannot_be_written(journey, tmp_path):
    (tmp_path / "permits.xlsx").mkdir()  # a folder where the file should go
    status, _, err = export(tmp_path, "--lang", "en")
    assert status == 1
    assert err.startswith(f"The file “{tmp_path / 'permits.xlsx'}” cannot be written: ")
    assert [p.name for p in tmp_path.iterdir()] == ["permits.xlsx"]
