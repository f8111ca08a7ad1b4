import datetime as dt
import zoneinfo
from pathlib import Path

import pytest
from django.test import override_settings

from sawt.catalog.choices import CategorySource
from sawt.catalog.models import GapCategory
from sawt.core.exceptions import ApplicationError
from sawt.core.models import AuditEvent
from sawt.imports.problems import ImportFailed
from sawt.imports.tests.helpers import counts, snapshot, write_xlsx
from sawt.surveys.models import Answer, Response
from sawt.surveys.services import responses_import
from sawt.surveys.tests.conftest import RESPONSES

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english", "survey")]
RIYADH = zoneinfo.ZoneInfo("Asia/Riyadh")
CODE = "permits-2022-06"


def run(path: Path):
    return responses_import(survey_code=CODE, path=path)


def stored() -> dict[str, dict]:
    """Each respondent as stored: time, attributes and {question code: score or text}."""
    out = {}
    for response in Response.objects.prefetch_related("answers__question"):
        answers = {
            a.question.code: a.score if a.score is not None else a.text
            for a in response.answers.all()
        }
        out[response.respondent_id] = {
            "submitted_at": response.submitted_at,
            "attributes": response.attributes,
            "answers": answers,
        }
    return out


VALID = {
    "P-001": {
        "submitted_at": dt.datetime(2022, 6, 3, 9, 15, tzinfo=RIYADH),
        "attributes": {"region": "الرياض"},
        "answers": {"overall": 4, "s1": 5, "e1": 6, "n1": 9},
    },
    "P-002": {
        "submitted_at": dt.datetime(2022, 6, 4, 10, 0, tzinfo=RIYADH),
        "attributes": {"region": "جدة"},
        "answers": {"overall": 2, "s1": 1, "e1": 3, "n1": 4, "t1": "الانتظار طويل جداً"},
    },
    "P-003": {"submitted_at": None, "attributes": {}, "answers": {"overall": 5, "n1": 10}},
}


def test_valid_file_creates_one_response_per_row():
    result = run(RESPONSES / "valid.csv")
    assert (result.rows, result.created, result.updated, result.unchanged) == (3, 3, 0, 0)
    assert stored() == VALID
    audit = AuditEvent.objects.get(action="survey.responses_import")
    assert audit.data["created"] == 3
    assert audit.data["file"] == "valid.csv"


@pytest.mark.parametrize("name", ["valid_cp1256.csv", "valid_bom.csv"])
def test_windows_arabic_and_utf8_with_bom_read_like_utf8(name):
    run(RESPONSES / name)
    assert stored() == VALID


def test_arabic_indic_digits_and_semicolons():
    run(RESPONSES / "valid_arabic_digits.csv")
    assert stored() == {
        "P-001": {
            "submitted_at": dt.datetime(2022, 6, 3, 9, 15, tzinfo=RIYADH),
            "attributes": {},
            "answers": {"overall": 4, "s1": 5, "e1": 6, "n1": 10},
        }
    }


def test_xlsx_with_real_dates_and_arabic_indic_digits(tmp_path):
    path = write_xlsx(
        tmp_path / "responses.xlsx",
        [
            ["respondent_id", "submitted_at", "overall", "s1", "e1", "n1", "t1", "region"],
            ["X-1", dt.datetime(2022, 6, 10, 8, 45), 4, "٥", 7.0, "١٠", None, "مكة"],
            [1002, dt.date(2022, 6, 11), "٣", None, 1, 0, 5, None],
        ],
    )
    result = run(path)
    assert result.created == 2
    assert stored() == {
        "X-1": {
            "submitted_at": dt.datetime(2022, 6, 10, 8, 45, tzinfo=RIYADH),
            "attributes": {"region": "مكة"},
            "answers": {"overall": 4, "s1": 5, "e1": 7, "n1": 10},
        },
        # A number in an open-text column is kept as text.
        "1002": {
            "submitted_at": dt.datetime(2022, 6, 11, tzinfo=RIYADH),
            "attributes": {},
            "answers": {"overall": 3, "e1": 1, "n1": 0, "t1": "5"},
        },
    }


def test_importing_the_same_file_twice_changes_nothing_the_second_time():
    run(RESPONSES / "valid.csv")
    before = snapshot()
    result = run(RESPONSES / "valid.csv")
    assert (result.rows, result.created, result.updated, result.unchanged) == (3, 0, 0, 3)
    assert snapshot() == before


def test_a_changed_row_replaces_that_respondents_answers_only(tmp_path):
    run(RESPONSES / "valid.csv")
    ids = dict(Response.objects.values_list("respondent_id", "id"))
    untouched = set(Answer.objects.exclude(response__respondent_id="P-002").values_list("pk"))
    path = tmp_path / "second.csv"
    path.write_text(
        "respondent_id,submitted_at,overall,s1,e1,n1,t1,region\n"
        "P-002,2022-06-04T10:00:00+03:00,3,,3,4,الانتظار طويل جداً,الدمام\n"
        "P-004,2022-06-06,5,5,5,5,,\n",
        encoding="utf-8",
    )
    result = run(path)
    assert (result.created, result.updated, result.unchanged) == (1, 1, 0)
    now = stored()
    assert now["P-002"]["answers"] == {
        "overall": 3,
        "e1": 3,
        "n1": 4,
        "t1": "الانتظار طويل جداً",
    }
    assert now["P-002"]["attributes"] == {"region": "الدمام"}
    assert now["P-001"] == VALID["P-001"]  # a respondent absent from the file stays as it was
    assert Response.objects.get(respondent_id="P-002").pk == ids["P-002"]
    assert untouched <= set(Answer.objects.values_list("pk"))


def test_an_analysts_label_survives_when_the_open_answer_is_unchanged(tmp_path):
    run(RESPONSES / "valid.csv")
    slow = GapCategory.objects.get(code="slow")
    Answer.objects.filter(question__code="t1").update(
        category=slow, category_source=CategorySource.ANALYST
    )
    path = tmp_path / "changed-score.csv"
    path.write_text("respondent_id,overall,t1\nP-002,1,الانتظار طويل جداً\n", encoding="utf-8")
    assert run(path).updated == 1
    answer = Answer.objects.get(question__code="t1")
    assert (answer.category, answer.category_source) == (slow, "analyst")


def test_personal_data_never_reaches_the_database(tmp_path):
    path = tmp_path / "pii.csv"
    path.write_text(
        "respondent_id,overall,t1,contact\nP-9,2,اتصلوا بي على ٠٥٥١٢٣٤٥٦٧ رجاءً,0551234567\n",
        encoding="utf-8",
    )
    run(path)
    response = Response.objects.get()
    assert response.answers.get(question__code="t1").text == "اتصلوا بي على [جوال] رجاءً"
    assert response.attributes == {"contact": "[جوال]"}


def test_unknown_survey_code_names_only_the_code():
    with pytest.raises(ApplicationError) as caught:
        responses_import(survey_code="nope-2022", path=RESPONSES / "valid.csv")
    assert caught.value.message == "No survey has the code “nope-2022”."


def refused(path: Path) -> list[str]:
    before = snapshot()
    with pytest.raises(ImportFailed) as caught:
        run(path)
    assert snapshot() == before
    return caught.value.lines()


@pytest.mark.parametrize(
    ("name", "problems"),
    [
        (
            "err_missing_respondent_column.csv",
            ["row 1: The column “respondent_id” is missing from the first row."],
        ),
        (
            "err_no_question_columns.csv",
            [
                "row 1: No column is named after a question of this survey; its question codes "
                "are: overall, s1, e1, n1, t1."
            ],
        ),
        (
            "err_respondent_blank.csv",
            ["row 3, column respondent_id: A respondent_id is required on every row."],
        ),
        (
            "err_respondent_too_long.csv",
            ["row 2, column respondent_id: A respondent_id is at most 100 characters."],
        ),
        (
            "err_respondent_duplicate.csv",
            ["row 4, column respondent_id: The respondent “P-001” already appears on row 2."],
        ),
        (
            "err_score_not_whole.csv",
            [
                "row 2, column overall: “4.5” is not a whole number; this question is scored "
                "from 1 to 5."
            ],
        ),
        (
            "err_score_not_number.csv",
            [
                "row 2, column s1: “ممتاز” is not a whole number; this question is scored from "
                "1 to 5."
            ],
        ),
        (
            "err_score_outside_scale.csv",
            [
                "row 2, column e1: 8 is outside this question's scale, 1 to 7.",
                "row 3, column overall: 0 is outside this question's scale, 1 to 5.",
                "row 3, column n1: 11 is outside this question's scale, 0 to 10.",
            ],
        ),
        (
            "err_submitted_not_iso.csv",
            [
                "row 2, column submitted_at: “03/06/2022” is not a date in ISO 8601 form; write "
                "it like 2022-06-15 or 2022-06-15 14:30."
            ],
        ),
        (
            "err_submitted_impossible.csv",
            ["row 2, column submitted_at: “2022-02-30” is not a real date or time."],
        ),
        (
            "err_extra_cells.csv",
            ["row 2: This row has more cells than the first row has column names."],
        ),
        (
            "err_duplicate_column.csv",
            ["row 1, column s1: This column name appears more than once in the first row."],
        ),
        (
            "err_first_row_empty.csv",
            ["row 1: The first row must hold the column names, but it is empty."],
        ),
        (
            "err_damaged_utf8.csv",
            [
                "The file is saved as UTF-8 but has bytes that are not UTF-8 near line 5. Save "
                "it again as CSV UTF-8."
            ],
        ),
    ],
)
def test_each_documented_responses_error(name, problems):
    run(RESPONSES / "valid.csv")  # earlier data that a refused file must leave alone
    before = counts()
    count = len(problems)
    noun = "problem" if count == 1 else "problems"
    assert refused(RESPONSES / name) == [
        f"The file was not imported because of {count} {noun}; nothing was saved.",
        *problems,
    ]
    assert counts() == before


@override_settings(SAWT_IMPORT_MAX_PROBLEMS=2)
def test_reading_stops_at_the_problem_limit_and_says_where(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("respondent_id,overall\n" + "".join(f"R{i},9\n" for i in range(5)), "utf-8")
    assert refused(path) == [
        "The file was not imported: reading stopped at row 3 after 2 problems, so the rows "
        "after it were not checked; nothing was saved.",
        "row 2, column overall: 9 is outside this question's scale, 1 to 5.",
        "row 3, column overall: 9 is outside this question's scale, 1 to 5.",
    ]


@override_settings(SAWT_IMPORT_MAX_PROBLEMS=2)
def test_problems_past_the_limit_in_the_last_row_read_are_counted(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("respondent_id,overall,s1,e1\nR1,9,9,9\nR2,9,9,9\n", "utf-8")
    assert refused(path) == [
        "The file was not imported: reading stopped at row 2 after 3 problems, so the rows "
        "after it were not checked; nothing was saved.",
        "row 2, column overall: 9 is outside this question's scale, 1 to 5.",
        "row 2, column s1: 9 is outside this question's scale, 1 to 5.",
        "… and 1 more problem (only the first 2 are listed).",
    ]


def test_a_file_speaks_only_for_its_own_columns(tmp_path):
    run(RESPONSES / "valid.csv")
    path = tmp_path / "open-answers.csv"
    path.write_text(
        "respondent_id,t1,channel\nP-001,أريد متابعة أوضح للطلب,تطبيق\nP-003,,\n", encoding="utf-8"
    )
    result = run(path)
    assert (result.updated, result.unchanged) == (1, 1)
    now = stored()
    # Scores, time and the region attribute of P-001 stay; its open answer and channel arrive.
    assert now["P-001"] == {
        "submitted_at": VALID["P-001"]["submitted_at"],
        "attributes": {"region": "الرياض", "channel": "تطبيق"},
        "answers": {**VALID["P-001"]["answers"], "t1": "أريد متابعة أوضح للطلب"},
    }
    assert now["P-003"] == VALID["P-003"]
    before = snapshot()
    assert run(path).unchanged == 2
    assert snapshot() == before
