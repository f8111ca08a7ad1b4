"""response_submit: a form's answers land as an import's do — checked the same way, redacted,
counted by the database at once, and stored once per respondent."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied

from sawt.core.access import Role
from sawt.core.exceptions import ApplicationError
from sawt.core.models import AuditEvent
from sawt.metrics.selectors import journey_summary
from sawt.surveys.models import Answer, Response
from sawt.surveys.services import response_submit
from sawt.surveys.signals import responses_imported
from sawt.testing import factories as f

pytestmark = pytest.mark.django_db
WHEN = dt.datetime(2022, 6, 20, 9, 30, tzinfo=dt.UTC)


def _submit(survey, rid="REQ-1", **values):
    reasons = values.pop("reasons", None)
    attributes = values.pop("attributes", None)
    return response_submit(
        survey=survey,
        respondent_id=rid,
        submitted_at=WHEN,
        answers=values,
        reasons=reasons,
        attributes=attributes,
        actor=None,
    )


def _counts(summary):
    items = {i["code"]: i for s in summary["stages"] for i in s["items"]}
    items["overall"] = summary["overall"]
    return {code: (item["n"], item["distribution"]) for code, item in items.items()}


def test_the_summary_counts_a_submission_at_once(survey):
    before = journey_summary(journey_slug="permits", period="2022-06")
    assert before["sample"]["responses"] == 0
    _submit(survey, overall="4", s1="٢", e1="7", n1="10", t1="الموظف كان متعاوناً")
    after = journey_summary(journey_slug="permits", period="2022-06")
    assert after["sample"]["responses"] == 1
    counts = _counts(after)
    assert counts["overall"][0] == 1 and counts["overall"][1]["4"] == 1
    assert counts["s1"][0] == 1 and counts["s1"][1]["2"] == 1  # Arabic-Indic digit read as 2
    assert counts["e1"][1]["7"] == 1
    response = Response.objects.get(respondent_id="REQ-1")
    assert response.submitted_at == WHEN
    assert Answer.objects.get(response=response, question__code="t1").text == "الموظف كان متعاوناً"


def test_values_are_checked_as_an_import_checks_them(survey, english):
    with pytest.raises(ApplicationError) as refused:
        _submit(survey, overall="6", s1="x", e1="3")
    problems = {p.column: p.message for p in refused.value.problems}
    # The import's own messages (test_responses_import.py holds them for a file's cells).
    assert problems == {
        "overall": "6 is outside this question's scale, 1 to 5.",
        "s1": "“x” is not a whole number; this question is scored from 1 to 5.",
    }
    assert not Response.objects.exists()


def test_nothing_given_is_refused(survey, english):
    with pytest.raises(ApplicationError, match="at least one"):
        _submit(survey, overall="", t1="  ")
    assert not Response.objects.exists()


def test_open_answers_reasons_and_attributes_are_redacted(survey):
    _submit(
        survey,
        overall="1",
        t1="اتصلوا بي على 0501234567",
        reasons={"overall": "رقم هويتي 1012345678 ولم يرد أحد"},
        attributes={"region": "الرياض", "contact": "someone@example.com"},
    )
    response = Response.objects.get()
    text = Answer.objects.get(question__code="t1").text
    assert "0501234567" not in text and "[جوال]" in text
    reason = Answer.objects.get(question__code="overall")
    assert reason.score == 1 and "1012345678" not in reason.text and reason.text
    assert response.attributes["region"] == "الرياض"
    assert "someone@example.com" not in response.attributes["contact"]


def test_a_reason_needs_its_score(survey):
    with pytest.raises(ApplicationError) as refused:
        _submit(survey, s1="4", reasons={"overall": "لم يعجبني"})
    assert [p.column for p in refused.value.problems] == ["overall"]
    assert not Response.objects.exists()


def test_a_reason_leaves_the_summary_of_open_answers_alone(survey):
    _submit(survey, overall="2", reasons={"overall": "انتظرت طويلاً"})
    summary = journey_summary(journey_slug="permits", period="2022-06")
    assert _counts(summary)["overall"][0] == 1
    # The ranking of open answers counts the answers of open questions only.
    assert all(row["count"] == 0 for row in summary["gap_categories"]["survey"])


def test_a_second_submission_changes_nothing(survey):
    first = _submit(survey, overall="5")
    audit = AuditEvent.objects.count()
    second = _submit(survey, overall="1", t1="تغيير")
    assert first.created and not second.created
    assert second.response.pk == first.response.pk
    assert list(Answer.objects.values_list("question__code", "score")) == [("overall", 5)]
    assert AuditEvent.objects.count() == audit
    overall = _counts(journey_summary(journey_slug="permits", period="2022-06"))["overall"]
    assert overall[0] == 1 and overall[1]["5"] == 1 and overall[1]["1"] == 0


def test_a_submission_is_audited_without_personal_data(survey):
    _submit(survey, overall="3", t1="نص")
    event = AuditEvent.objects.get(action="survey.response_submit")
    assert event.actor_label == "system"
    assert event.data == {"survey": "permits-2022-06", "answers": 2}


def test_a_person_must_be_allowed_to_import_responses(survey):
    viewer = f.user_with_role(Role.VIEWER, username="omar")
    with pytest.raises(PermissionDenied):
        response_submit(
            survey=survey, respondent_id="x", submitted_at=WHEN, answers={"s1": "3"}, actor=viewer
        )
    assert not Response.objects.exists()


def test_themes_are_told_after_open_answers_only(survey, django_capture_on_commit_callbacks):
    heard = []

    def listener(sender, **kwargs):
        heard.append(kwargs["survey"].code)

    responses_imported.connect(listener)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            _submit(survey, rid="a", overall="4")
        assert heard == []
        with django_capture_on_commit_callbacks(execute=True):
            _submit(survey, rid="b", overall="4", t1="الخدمة ممتازة")
        assert heard == ["permits-2022-06"]
    finally:
        responses_imported.disconnect(listener)


def test_a_respondent_id_is_required(survey):
    with pytest.raises(ApplicationError):
        _submit(survey, rid="  ", overall="4")
    with pytest.raises(ApplicationError):
        _submit(survey, rid="x" * 101, overall="4")
    assert not Response.objects.exists()
