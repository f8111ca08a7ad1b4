"""POST /api/v1/complaints/: the file import's rules and redaction, all or nothing across
journeys, idempotent on (journey, complaint_id), scoped; GET on the same path still lists."""

from __future__ import annotations

import pytest

from sawt.complaints.models import Complaint
from sawt.core.models import AuditEvent
from sawt.testing.factories import AgencyFactory, GapCategoryFactory, JourneyFactory

pytestmark = pytest.mark.django_db
URL = "/api/v1/complaints/"


def _item(journey, n, **extra):
    item = {
        "journey": journey.slug,
        "complaint_id": f"C-{n}",
        "received_at": "2022-06-10T09:00:00+03:00",
        "text": f"تأخر الطلب رقم {n}",
        "channel": "app",
    }
    item.update(extra)
    return item


@pytest.fixture
def agency():
    return AgencyFactory()


@pytest.fixture
def journeys(agency):
    return JourneyFactory(agency=agency), JourneyFactory(agency=agency)


def test_a_batch_across_journeys_is_saved_redacted_and_a_resend_changes_nothing(
    token, agency, journeys
):
    first, second = journeys
    GapCategoryFactory(journey=first, code="delay")
    client = token("write", agency=agency)
    batch = [
        _item(first, 1, text="اتصلوا بي على 0501234567 أو sara@example.com", category="DELAY"),
        _item(second, 1),
        _item(first, 2),
    ]
    response = client.post(URL, batch, format="json")
    assert response.status_code == 200, response.json()
    assert response.json() == {
        "created": 3,
        "updated": 0,
        "unchanged": 0,
        "items": [{"index": i, "outcome": "created"} for i in range(3)],
    }
    stored = Complaint.objects.get(journey=first, complaint_id="C-1")
    assert "0501234567" not in stored.text and "sara@example.com" not in stored.text
    assert "[جوال]" in stored.text
    assert stored.category.code == "delay"
    assert AuditEvent.objects.filter(action="complaint.import").count() == 2
    again = client.post(URL, batch, format="json").json()
    assert (again["created"], again["updated"], again["unchanged"]) == (0, 0, 3)
    batch[2]["text"] = "نص آخر"
    changed = client.post(URL, batch, format="json").json()
    assert [i["outcome"] for i in changed["items"]] == ["unchanged", "unchanged", "updated"]


def test_one_bad_item_refuses_the_whole_batch_by_item_and_field(token, journeys):
    first, second = journeys
    batch = [
        _item(first, 1),
        _item(second, 2, received_at="yesterday"),
        _item(first, 3, text=""),
        _item(first, 1),  # the same complaint twice
        _item(first, 4, category="nope"),
        _item(first, 5, text=["a list"]),
    ]
    response = token("write").post(URL, batch, format="json")
    assert response.status_code == 400
    fields = [e["field"] for e in response.json()["errors"]]
    assert fields == [
        "1.received_at",
        "2.text",
        "3.complaint_id",
        "4.category",
        "5.text",
        "5.text",
    ] or fields == ["1.received_at", "2.text", "3.complaint_id", "4.category", "5.text"]
    assert not Complaint.objects.exists()


def test_a_single_complaint(token, journeys):
    client = token("write")
    response = client.post(URL, _item(journeys[0], 9), format="json")
    assert response.status_code == 200
    assert response.json()["items"] == [{"index": 0, "outcome": "created"}]
    bad = client.post(URL, _item(journeys[0], 10, received_at=""), format="json")
    assert [e["field"] for e in bad.json()["errors"]] == ["received_at"]


def test_scopes_agencies_and_limits(token, agency, journeys):
    theirs = JourneyFactory(agency=AgencyFactory())
    batch = [_item(journeys[0], 1)]
    reader = token("read", agency=agency)
    assert reader.post(URL, batch, format="json").status_code == 403
    assert reader.get(URL).status_code == 200  # the same path still lists them
    writer = token("write", agency=agency)
    assert writer.post(URL, [*batch, _item(theirs, 2)], format="json").status_code == 404
    assert writer.post(URL, [], format="json").status_code == 400
    many = [_item(journeys[0], n) for n in range(1001)]
    assert writer.post(URL, many, format="json").status_code == 413
    assert not Complaint.objects.exists()
