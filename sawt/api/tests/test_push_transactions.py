"""POST /api/v1/transactions/: write scope, agency scope (404), batch limits (400, 413), every
problem by item and field, idempotent, and continuous sampling's invitations."""

from __future__ import annotations

from decimal import Decimal

import pytest

from sawt.distribution.models import InvitationSettings, Invitee, ServiceTransaction
from sawt.testing.factories import AgencyFactory, JourneyFactory, SurveyFactory

pytestmark = pytest.mark.django_db
URL = "/api/v1/transactions/"


def _item(journey, n, **extra):
    item = {
        "journey": journey.slug,
        "reference_id": f"T{n}",
        "completed_at": "2022-06-15T10:00:00+03:00",
        "mobile": f"0550{n:06d}",
        "attributes": {"region": "الرياض"},
    }
    item.update(extra)
    return item


@pytest.fixture
def agency():
    return AgencyFactory()


@pytest.fixture
def journey(agency):
    return JourneyFactory(agency=agency)


def test_a_batch_joins_the_pool_and_a_resend_says_unchanged(token, agency, journey):
    client = token("write", agency=agency)
    batch = [_item(journey, n) for n in range(3)]
    response = client.post(URL, batch, format="json")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["created"], body["unchanged"], body["invited"], body["opted_out"]) == (3, 0, 0, 0)
    assert body["items"][0] == {"index": 0, "outcome": "created", "decision": "no_survey"}
    again = client.post(URL, batch, format="json").json()
    assert (again["created"], again["unchanged"]) == (0, 3)
    assert ServiceTransaction.objects.count() == 3


def test_continuous_sampling_invites_through_the_api(token, journey):
    survey = SurveyFactory(journey=journey, period="2022-06")
    InvitationSettings.objects.create(
        survey=survey, continuous_rate=Decimal(100), continuous_daily_cap=2, continuous_seed=1
    )
    body = token("write").post(URL, [_item(journey, n) for n in range(3)], format="json").json()
    assert body["invited"] == 2
    assert [i["decision"] for i in body["items"]] == ["invited", "invited", "daily_cap"]
    assert Invitee.objects.filter(survey=survey).count() == 2


def test_every_problem_is_listed_by_item_and_field_and_nothing_is_saved(token, journey):
    batch = [
        _item(journey, 0),
        _item(journey, 1),
        _item(journey, 2, completed_at="2022-06-15"),
        _item(journey, 3, mobile="12345"),
        _item(journey, 4, email="not-an-address", mobile=None),
        _item(journey, 5, attributes={"region": 7}),
    ]
    response = token("write").post(URL, batch, format="json")
    assert response.status_code == 400
    fields = [e["field"] for e in response.json()["errors"]]
    assert fields == ["2.completed_at", "3.mobile", "4.email", "5.attributes.region"]
    assert not ServiceTransaction.objects.exists()


def test_a_single_object_is_a_batch_of_one_with_plain_field_names(token, journey):
    client = token("write")
    bad = client.post(URL, _item(journey, 1, mobile="nope"), format="json")
    assert bad.status_code == 400
    assert [e["field"] for e in bad.json()["errors"]] == ["mobile"]
    assert client.post(URL, _item(journey, 1), format="json").json()["created"] == 1


def test_batch_limits_and_shapes(token, journey):
    client = token("write")
    assert client.post(URL, [], format="json").status_code == 400
    too_many = [_item(journey, n) for n in range(1001)]
    assert client.post(URL, too_many, format="json").status_code == 413
    assert client.post(URL, "text", format="json").status_code == 400
    wrong = client.post(URL, [_item(journey, 1), 5], format="json")
    assert wrong.status_code == 400
    assert wrong.json()["errors"][0]["field"] == "1"
    no_journey = client.post(URL, [{"reference_id": "x"}], format="json")
    assert no_journey.json()["errors"][0]["field"] == "0.journey"
    assert not ServiceTransaction.objects.exists()


def test_scopes_and_agencies(token, agency, journey):
    theirs = JourneyFactory(agency=AgencyFactory())
    assert token("read").post(URL, [_item(journey, 1)], format="json").status_code == 403
    mine = token("write", agency=agency)
    response = mine.post(URL, [_item(journey, 1), _item(theirs, 2)], format="json")
    assert response.status_code == 404
    assert response.json()["errors"][0]["field"] == "1.journey"
    unknown = mine.post(URL, [{**_item(journey, 1), "journey": "nowhere"}], format="json")
    assert unknown.status_code == 404
    assert not ServiceTransaction.objects.exists()
    assert mine.post(URL, [_item(journey, 1)], format="json").status_code == 200
