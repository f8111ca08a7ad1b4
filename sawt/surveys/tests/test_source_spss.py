"""SPSS data files (`--from spss`), written with pyreadstat.write_sav in each test."""

import datetime as dt
import zoneinfo
from pathlib import Path

import pandas as pd
import pyreadstat
import pytest
from django.test import override_settings

from sawt.imports.problems import ImportFailed, ProblemCollector
from sawt.imports.tests.helpers import snapshot
from sawt.surveys.models import Response
from sawt.surveys.services import responses_import
from sawt.surveys.sources import spss
from sawt.testing.factories import QuestionFactory, SurveyFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]
RIYADH = zoneinfo.ZoneInfo("Asia/Riyadh")
EXAMPLE = Path(__file__).resolve().parents[3] / "docs" / "examples" / "responses.sav"
# Q1 is coded best first (1 = very satisfied): its choices turn labels into scores.
Q1_LABELS = {1.0: "راضٍ جدًا", 2.0: "راضٍ", 3.0: "محايد", 4.0: "غير راضٍ", 5.0: "غير راضٍ أبدًا"}
Q1_CHOICES = {"راضٍ جدًا": 5, "راضٍ": 4, "محايد": 3, "غير راضٍ": 2, "غير راضٍ أبدًا": 1}


@pytest.fixture
def survey():
    survey = SurveyFactory(code="spss-2022-06")
    QuestionFactory(survey=survey, code="q1", kind="overall", choices=Q1_CHOICES)
    QuestionFactory(survey=survey, code="q2")
    QuestionFactory(survey=survey, code="comments", kind="text", scale_min=None, scale_max=None)
    return survey


def write(path: Path, **columns) -> Path:
    labels = columns.pop("labels", {"Q1": Q1_LABELS, "region": {1.0: "الرياض", 2.0: "جدة"}})
    missing = columns.pop("missing", {"Q2": [9.0]})
    pyreadstat.write_sav(
        pd.DataFrame(columns), str(path), variable_value_labels=labels, missing_ranges=missing
    )
    return path


def example(path: Path) -> Path:
    return write(
        path,
        ResponseId=["R_1", "R_2", "R_3"],
        RecordedDate=[
            dt.datetime(2022, 6, 15, 10, 4, 11),
            dt.datetime(2022, 6, 16, 9, 0),
            dt.datetime(2022, 6, 17, 8, 30),
        ],
        Q1=[1.0, 4.0, 2.0],
        Q2=[5.0, 9.0, 3.0],  # 9 is user-missing: no answer
        comments=["", "الانتظار طويل", ""],
        region=[1.0, 2.0, 1.0],
        RecipientEmail=["a@example.com", "b@example.com", ""],
        IPAddress=["10.0.0.1", "10.0.0.2", ""],
    )


def run(path: Path):
    return responses_import(survey_code="spss-2022-06", path=path, source="spss")


def stored() -> dict[str, tuple]:
    out = {}
    for r in Response.objects.prefetch_related("answers__question"):
        answers = {
            a.question.code: a.score if a.score is not None else a.text for a in r.answers.all()
        }
        out[r.respondent_id] = (r.submitted_at, r.attributes, answers)
    return out


def refused(path: Path) -> list[str]:
    before = snapshot()
    with pytest.raises(ImportFailed) as caught:
        run(path)
    assert snapshot() == before
    return caught.value.lines()[1:]


def test_the_committed_example_is_the_one_the_fixture_writes(tmp_path):
    # docs/examples/responses.sav is written by `example`; rewrite it when that changes.
    fresh, _ = pyreadstat.read_sav(str(example(tmp_path / "r.sav")))
    committed, _ = pyreadstat.read_sav(str(EXAMPLE))
    pd.testing.assert_frame_equal(fresh, committed)


def test_labels_values_dates_and_no_personal_variable(survey, tmp_path):
    result = run(example(tmp_path / "r.sav"))
    assert result.created == 3
    assert stored() == {
        "R_1": (
            dt.datetime(2022, 6, 15, 10, 4, 11, tzinfo=RIYADH),
            {"region": "الرياض"},
            {"q1": 5, "q2": 5},
        ),
        "R_2": (
            dt.datetime(2022, 6, 16, 9, 0, tzinfo=RIYADH),
            {"region": "جدة"},
            {"q1": 2, "comments": "الانتظار طويل"},
        ),
        "R_3": (
            dt.datetime(2022, 6, 17, 8, 30, tzinfo=RIYADH),
            {"region": "الرياض"},
            {"q1": 4, "q2": 3},
        ),
    }
    assert "example.com" not in str(snapshot()) and "10.0.0" not in str(snapshot())


def test_importing_the_same_file_twice_changes_nothing(survey, tmp_path):
    path = example(tmp_path / "r.sav")
    run(path)
    before = snapshot()
    assert run(path).unchanged == 3
    assert snapshot() == before


def test_a_labelled_code_that_is_no_score_names_its_case_and_variable(survey, tmp_path):
    path = write(
        tmp_path / "dk.sav",
        id=[1.0, 2.0],
        Q2=[4.0, 8.0],
        labels={"Q2": {8.0: "لا أعرف"}},
        missing={},
    )
    assert refused(path) == [
        "row 2, column Q2: 8 (“لا أعرف”) is neither one of this question's answers nor a score "
        "from 1 to 5."
    ]


def test_an_unknown_text_answer_is_a_problem(survey, tmp_path):
    path = write(tmp_path / "text.sav", id=["a", "b"], Q1=["راضٍ", "ممتاز"], labels={}, missing={})
    lines = refused(path)
    assert lines[0].startswith("row 2, column Q1: “ممتاز” is neither one of this question's")


def test_a_file_without_a_respondent_id_is_refused(survey, tmp_path):
    path = write(tmp_path / "noid.sav", Q2=[4.0], labels={}, missing={})
    assert "No variable holds the respondent's id" in refused(path)[0]


def test_a_file_over_the_size_limit_is_refused_before_reading(survey, tmp_path):
    path = example(tmp_path / "r.sav")
    with override_settings(SAWT_IMPORT_MAX_BYTES=100):
        assert refused(path)[0].startswith("The file is too large")


def test_cases_over_the_limit_are_refused_from_the_header(survey, tmp_path, monkeypatch):
    monkeypatch.setattr(spss, "MAX_ROWS", 2)
    assert refused(example(tmp_path / "r.sav")) == ["The file has 3 cases; at most 2 are read."]


def test_a_file_that_is_not_spss_is_refused(survey, tmp_path):
    path = tmp_path / "fake.sav"
    path.write_bytes(b"$FL2" + b"\x00" * 200)
    assert refused(path)[0].startswith("The file is not an SPSS data file (.sav) that can be read")


def test_the_report_names_the_personal_variables_dropped(survey, tmp_path):
    with spss.open_source(example(tmp_path / "r.sav"), survey, ProblemCollector()) as table:
        notes = table.notes
    assert notes.read_as == {
        "ResponseId": "respondent_id",
        "RecordedDate": "submitted_at",
        "Q1": "q1",
        "Q2": "q2",
        "comments": "comments",
    }
    assert notes.dropped == ["RecipientEmail", "IPAddress"]
    assert notes.attributes == ["region"]
