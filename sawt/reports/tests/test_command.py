"""`sawt report` refuses what it cannot do with one clear message, exit 1 and no file."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from sawt.testing import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def journey():
    journey = f.JourneyFactory(slug="permits", name_ar="رحلة الرخص", name_en="Permits")
    stage = f.StageFactory(journey=journey, name_ar="التقديم", name_en="Application")
    survey = f.SurveyFactory(journey=journey, period="2022-06", sample_size=40)
    item = f.QuestionFactory(survey=survey, stage=stage, text_ar="الرضا عن سرعة الإنجاز")
    for score in (5, 4, 4, 3):
        f.AnswerFactory(response=f.ResponseFactory(survey=survey), question=item, score=score)
    return journey


def _run(*args: str) -> tuple[int, str, str]:
    out, err = StringIO(), StringIO()
    try:
        call_command("report", *args, stdout=out, stderr=err)
    except SystemExit as exc:
        return int(exc.code or 0), out.getvalue(), err.getvalue()
    return 0, out.getvalue(), err.getvalue()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--journey", "nope", "--period", "2022-06"], "No journey has the slug “nope”."),
        (
            ["--journey", "permits", "--period", "2023-01"],
            "The journey “permits” has no survey for 2023-01. Periods with a survey: 2022-06.",
        ),
        (["--journey", "permits", "--period", "2022-13"], "The period “2022-13” is not valid"),
        (["--period", "2022-13"], "The period “2022-13” is not valid"),
        (["--period", "2021-01"], "No journey has a survey for 2021-01."),
    ],
    ids=["unknown-journey", "no-survey", "bad-period", "bad-period-portfolio", "empty-period"],
)
def test_errors_exit_1_with_one_message_and_write_nothing(tmp_path, journey, args, message):
    out = tmp_path / "report.pdf"
    code, stdout, stderr = _run(*args, "--out", str(out), "--lang", "en")
    assert code == 1
    assert message in stderr and "Traceback" not in stderr
    assert stdout == "" and list(tmp_path.iterdir()) == []


def test_an_unknown_extension_is_refused(tmp_path, journey):
    code, _, stderr = _run("--period", "2022-06", "--out", str(tmp_path / "r.docx"), "--lang", "en")
    assert code == 1
    assert "must end in .pdf or .html" in stderr
    assert list(tmp_path.iterdir()) == []


def test_a_missing_folder_is_refused(tmp_path, journey):
    out = tmp_path / "missing" / "r.pdf"
    code, _, stderr = _run("--period", "2022-06", "--out", str(out), "--lang", "en")
    assert code == 1
    assert f"The folder “{out.parent}” does not exist." in stderr
    assert list(tmp_path.iterdir()) == []


def test_a_folder_as_output_is_refused(tmp_path, journey):
    target = tmp_path / "report.pdf"
    target.mkdir()
    code, _, stderr = _run("--period", "2022-06", "--out", str(target), "--lang", "en")
    assert code == 1
    assert "cannot be written: it is a folder" in stderr
    assert list(tmp_path.iterdir()) == [target] and list(target.iterdir()) == []


def test_errors_are_in_arabic_by_default(tmp_path, journey):
    code, _, stderr = _run(
        "--journey", "nope", "--period", "2022-06", "--out", str(tmp_path / "r.pdf")
    )
    assert code == 1
    assert "nope" in stderr and "No journey" not in stderr


def test_html_output_is_the_standalone_report(tmp_path, journey):
    out = tmp_path / "permits.html"
    code, stdout, _ = _run("--journey", "permits", "--period", "2022-06", "--out", str(out))
    assert code == 0 and stdout.strip() == str(out)
    html = out.read_text(encoding="utf-8")
    assert '<html lang="ar" dir="rtl">' in html
    assert "رحلة الرخص" in html and "الرضا عن سرعة الإنجاز" in html
    assert "NotoSansArabic-Regular.ttf" in html  # the bundled font, by file URL


def test_the_target_option_moves_the_line(tmp_path, journey):
    # Mean of 5, 4, 4, 3 is 4.0: it meets the default target and misses a target of 4.5.
    out = tmp_path / "r.html"
    _run("--journey", "permits", "--period", "2022-06", "--out", str(out), "--lang", "en")
    assert "meets the target" in out.read_text()
    _run(
        "--journey", "permits", "--period", "2022-06", "--out", str(out), "--lang", "en",
        "--target", "4.5",
    )  # fmt: skip
    html = out.read_text()
    assert "below the target" in html and "meets the target" not in html
    assert "Targets: 4.5 on 1–5." in html
