"""POST /api/v1/surveys/<code>/responses/: the file import's rules, all or nothing, idempotent
on respondent_id, scoped; the summary counts what was pushed."""

from __future__ import annotations

import pytest

from sawt.metrics.selectors import journey_summary
from sawt.surveys.models import Answer, Response
from sawt.testing.factories import AgencyFactory, JourneyFactory, QuestionFactory, SurveyFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def survey():
    survey = SurveyFactory(journey=JourneyFactory(agency=AgencyFactory()), period="2022-06")
    QuestionFactory(survey=survey, code="overall", kind="overall")
    QuestionFactory(survey=survey, code="why", kind="text", scale_min=None, scale_max=None)
    return survey


def _url(survey):
    return f"/api/v1/surveys/{survey.code}/responses/"


def _item(n, **extra):
    item = {
        "respondent_id": f"R{n}",
        "submitted_at": "2022-06-20T12:00:00+03:00",
        "answers": {"overall": n % 5 + 1, "why": "اتصل على 0501234567"},
        "attributes": {"region": "الرياض"},
    }
    item.update(extra)
    return item


def test_responses_are_saved_idempotently_and_counted_by_the_summary(token, survey):
    client = token("write", agency=survey.journey.agency)
    batch = [_item(n) for n in range(4)]
    response = client.post(_url(survey), batch, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["created"] == 4
    assert Response.objects.filter(survey=survey).count() == 4
    text = Answer.objects.get(response__respondent_id="R1", question__code="why").text
    assert "0501234567" not in text
    again = client.post(_url(survey), batch, format="json").json()
    assert (again["created"], again["updated"], again["unchanged"]) == (0, 0, 4)
    batch[0]["answers"]["overall"] = 5
    assert client.post(_url(survey), batch, format="json").json()["updated"] == 1
    summary = journey_summary(journey_slug=survey.journey.slug, period="2022-06")
    assert summary["sample"]["responses"] == 4


def test_problems_by_item_and_field(token, survey):
    batch = [
        _item(0),
        _item(1, answers={"overall": 9}),
        _item(2, answers={"nope": 1}),
        _item(3, attributes={"overall": "x"}),
        _item(4, respondent_id=""),
        _item(0),
        _item(6, submitted_at="soon"),
    ]
    response = token("write").post(_url(survey), batch, format="json")
    assert response.status_code == 400
    fields = [e["field"] for e in response.json()["errors"]]
    assert fields == [
        "1.answers.overall",
        "2.answers.nope",
        "3.attributes.overall",
        "4.respondent_id",
        "5.respondent_id",
        "6.submitted_at",
    ]
    assert not Response.objects.exists()


def test_scopes_and_limits(token, survey):
    other = SurveyFactory(journey=JourneyFactory(agency=AgencyFactory()))
    mine = token("write", agency=survey.journey.agency)
    assert mine.post(_url(other), [_item(1)], format="json").status_code == 404
    assert (
        mine.post("/api/v1/surveys/nope/responses/", [_item(1)], format="json").status_code == 404
    )
    assert token("read").post(_url(survey), [_item(1)], format="json").status_code == 403
    assert mine.post(_url(survey), [], format="json").status_code == 400
    assert (
        mine.post(_url(survey), [_item(n) for n in range(1001)], format="json").status_code == 413
    )
    single = mine.post(_url(survey), _item(1, answers={"overall": "x"}), format="json")
    assert [e["field"] for e in single.json()["errors"]] == ["answers.overall"]
    assert not Response.objects.exists()
