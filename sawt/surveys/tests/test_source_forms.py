"""Google Forms and Microsoft Forms responses (`--from forms`)."""

import datetime as dt
import zoneinfo
from pathlib import Path

import pytest

from sawt.imports.problems import ImportFailed, ProblemCollector
from sawt.imports.tests.helpers import snapshot, write_xlsx
from sawt.imports.values import ValueProblem
from sawt.surveys.models import Response
from sawt.surveys.services import responses_import
from sawt.surveys.sources import forms
from sawt.testing.factories import QuestionFactory, SurveyFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]
RIYADH = zoneinfo.ZoneInfo("Asia/Riyadh")
PLUS3 = dt.timezone(dt.timedelta(hours=3))
EXAMPLES = Path(__file__).resolve().parents[3] / "docs" / "examples"
LABELS = {
    "راضٍ جدًا": 5,
    "راضٍ": 4,
    "محايد": 3,
    "غير راضٍ": 2,
    "غير راضٍ أبدًا": 1,
    "Very satisfied": 5,
    "Satisfied": 4,
    "Neutral": 3,
    "Dissatisfied": 2,
    "Very dissatisfied": 1,
}
MS_HEADER = [
    "ID",
    "Start time",
    "Completion time",
    "Email",
    "Name",
    "Overall, how satisfied are you with the service?",
    "How easy was it to submit the request?",
    "What could be improved?",
]
MS_ROWS = [
    [
        1,
        dt.datetime(2022, 6, 15, 9, 58),
        dt.datetime(2022, 6, 15, 10, 4, 11),
        "anonymous",
        None,
        "Very satisfied",
        5,
        None,
    ],
    [
        2,
        dt.datetime(2022, 6, 16, 13, 0),
        dt.datetime(2022, 6, 16, 13, 5),
        "ali@example.com",
        "Ali Ahmed",
        "Dissatisfied",
        2,
        "The wait was long",
    ],
]


@pytest.fixture
def survey():
    survey = SurveyFactory(code="forms-2022-06", period="2022-06")
    QuestionFactory(
        survey=survey,
        code="overall",
        kind="overall",
        choices=LABELS,
        text_ar="ما مدى رضاك عن الخدمة بشكل عام؟",
        text_en="Overall, how satisfied are you with the service?",
    )
    QuestionFactory(
        survey=survey,
        code="s1",
        text_ar="كم كانت سهولة تقديم الطلب؟",
        text_en="How easy was it to submit the request?",
    )
    QuestionFactory(
        survey=survey,
        code="t1",
        kind="text",
        scale_min=None,
        scale_max=None,
        text_ar="ما الذي يمكن تحسينه؟",
        text_en="What could be improved?",
    )
    return survey


def run(path: Path):
    return responses_import(survey_code="forms-2022-06", path=path, source="forms")


def stored() -> dict[str, tuple]:
    out = {}
    for r in Response.objects.prefetch_related("answers__question").order_by("submitted_at"):
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


def test_google_forms_arabic_export(survey):
    result = run(EXAMPLES / "responses-google-forms.csv")
    assert result.created == 3
    rows = list(stored().values())
    assert rows == [
        (
            dt.datetime(2022, 6, 15, 22, 4, 11, tzinfo=PLUS3),
            {"المنطقة": "الرياض"},
            {"overall": 5, "s1": 5},
        ),
        (
            dt.datetime(2022, 6, 15, 23, 30, tzinfo=PLUS3),
            {"المنطقة": "جدة"},
            {"overall": 4, "s1": 4, "t1": "الانتظار طويل"},
        ),
        (
            dt.datetime(2022, 6, 16, 9, 2, 45, tzinfo=PLUS3),
            {"المنطقة": "الرياض"},
            {"overall": 2, "s1": 2, "t1": "لم يرد أحد على الهاتف"},
        ),
    ]
    assert all(rid.startswith("forms-") and len(rid) == 22 for rid in stored())
    assert "sara@example.com" not in str(snapshot())


def test_importing_the_same_export_twice_changes_nothing(survey):
    run(EXAMPLES / "responses-google-forms.csv")
    before = snapshot()
    result = run(EXAMPLES / "responses-google-forms.csv")
    assert (result.created, result.updated, result.unchanged) == (0, 0, 3)
    assert snapshot() == before


def test_microsoft_forms_workbook_drops_id_email_and_name(survey, tmp_path):
    path = write_xlsx(tmp_path / "ms.xlsx", [MS_HEADER, *MS_ROWS])
    run(path)
    values = stored()
    assert list(values.values()) == [
        (dt.datetime(2022, 6, 15, 10, 4, 11, tzinfo=RIYADH), {}, {"overall": 5, "s1": 5}),
        (
            dt.datetime(2022, 6, 16, 13, 5, tzinfo=RIYADH),
            {},
            {"overall": 2, "s1": 2, "t1": "The wait was long"},
        ),
    ]
    assert "Ali Ahmed" not in str(snapshot()) and "ali@example.com" not in str(snapshot())


def test_the_microsoft_example_imports(survey):
    assert run(EXAMPLES / "responses-microsoft-forms.xlsx").created == 2


def test_identical_rows_get_distinct_stable_ids(survey, tmp_path):
    path = tmp_path / "twice.csv"
    path.write_text(
        "Timestamp,How easy was it to submit the request?\n"
        "6/15/2022 10:00:00,4\n6/15/2022 10:00:00,4\n",
        encoding="utf-8",
    )
    run(path)
    ids = sorted(stored())
    assert ids[1] == ids[0] + "-2"
    assert run(path).unchanged == 2


def test_day_first_dates_are_told_by_a_day_over_twelve(survey, tmp_path):
    path = tmp_path / "dmy.csv"
    path.write_text(
        "Timestamp,How easy was it to submit the request?\n"
        "03/06/2022 10:00:00,4\n15/06/2022 22:04:11,5\n",
        encoding="utf-8",
    )
    run(path)
    assert [v[0] for v in stored().values()] == [
        dt.datetime(2022, 6, 3, 10, tzinfo=RIYADH),
        dt.datetime(2022, 6, 15, 22, 4, 11, tzinfo=RIYADH),
    ]


def test_ambiguous_dates_are_read_in_the_survey_period(survey, tmp_path):
    path = tmp_path / "ambiguous.csv"
    path.write_text(
        "Timestamp,How easy was it to submit the request?\n03/06/2022 10:00,4\n",
        encoding="utf-8",
    )
    run(path)
    assert [v[0] for v in stored().values()] == [dt.datetime(2022, 6, 3, 10, tzinfo=RIYADH)]


def test_an_unmatched_question_text_is_a_problem_not_an_attribute(survey, tmp_path):
    path = tmp_path / "unmatched.csv"
    path.write_text(
        "Timestamp,How easy was it to submit the request?,How long did you wait for an answer?\n"
        "6/15/2022 10:00:00,4,Two days\n",
        encoding="utf-8",
    )
    lines = refused(path)
    assert lines[0].startswith(
        "row 1, column How long did you wait for an answer?: This column looks like a question"
    )


def test_an_unknown_label_names_its_row_and_column(survey, tmp_path):
    path = tmp_path / "label.csv"
    path.write_text(
        'Timestamp,"Overall, how satisfied are you with the service?"\n'
        "6/15/2022 10:00:00,Very satisfied\n6/15/2022 11:00:00,Delighted\n",
        encoding="utf-8",
    )
    lines = refused(path)
    assert lines == [
        "row 3, column Overall, how satisfied are you with the service?: “Delighted” is neither "
        "one of this question's answers (Very dissatisfied, غير راضٍ أبدًا, Dissatisfied, غير "
        "راضٍ, Neutral, محايد, Satisfied, راضٍ, Very satisfied, راضٍ جدًا) nor a score from 1 "
        "to 5."
    ]


def test_a_bad_time_names_its_row_and_column(survey, tmp_path):
    path = tmp_path / "time.csv"
    path.write_text(
        "Timestamp,How easy was it to submit the request?\n6/31/2022 10:00:00,4\n",
        encoding="utf-8",
    )
    assert refused(path) == [
        "row 2, column Timestamp: “6/31/2022 10:00:00” is not a real date or time."
    ]


def test_an_export_without_a_time_column_is_refused(survey, tmp_path):
    path = tmp_path / "notime.csv"
    path.write_text("How easy was it to submit the request?\n4\n", encoding="utf-8")
    assert "No column holds the time of each response" in refused(path)[0]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2022/06/15 10:04:11 PM GMT+3", dt.datetime(2022, 6, 15, 22, 4, 11, tzinfo=PLUS3)),
        ("2022/06/15 12:04:11 AM GMT+3", dt.datetime(2022, 6, 15, 0, 4, 11, tzinfo=PLUS3)),
        ("٢٠٢٢/٠٦/١٥ ١٠:٠٤:١١ م GMT+3", dt.datetime(2022, 6, 15, 22, 4, 11, tzinfo=PLUS3)),
        ("2022/06/15 10:04:11 GMT", dt.datetime(2022, 6, 15, 10, 4, 11, tzinfo=dt.UTC)),
        ("6/15/2022 10:04:11", dt.datetime(2022, 6, 15, 10, 4, 11, tzinfo=RIYADH)),
        ("15.06.2022 10:04", dt.datetime(2022, 6, 15, 10, 4, tzinfo=RIYADH)),
        ("2022-06-15T10:04:11+03:00", dt.datetime(2022, 6, 15, 10, 4, 11, tzinfo=PLUS3)),
    ],
)
def test_forms_times(text, expected):
    assert forms.forms_time(text) == expected


def test_a_thirteenth_hour_with_pm_is_not_a_time():
    with pytest.raises(ValueProblem):
        forms.forms_time("2022/06/15 13:04:11 PM")


def test_looks_like_a_forms_header():
    assert forms.looks_like(["timestamp", "how was it?"])
    assert forms.looks_like(["id", "start time", "completion time", "email", "name", "q"])
    assert not forms.looks_like(["respondent_id", "q1"])


def test_the_report_names_the_dropped_columns(survey, tmp_path):
    path = write_xlsx(tmp_path / "ms.xlsx", [MS_HEADER, *MS_ROWS])
    with forms.open_source(path, survey, ProblemCollector()) as table:
        notes = table.notes
    assert notes.read_as["Completion time"] == "submitted_at"
    assert notes.dropped == ["ID", "Start time", "Email", "Name"]
    assert notes.read_as["What could be improved?"] == "t1"


def test_a_question_mentioning_a_phone_is_still_a_question(survey, tmp_path):
    survey.questions.filter(code="s1").update(text_en="Did anyone answer the phone quickly?")
    path = tmp_path / "phone.csv"
    path.write_text("Timestamp,Did anyone answer the phone quickly?\n6/15/2022 10:00,4\n")
    run(path)
    assert [v[2] for v in stored().values()] == [{"s1": 4}]
