"""The events announced by the apps below: a completed survey form (by invitation or by the
anonymous link) and a finished import, with ids, codes and counts, and no personal data."""

from __future__ import annotations

import pytest

from sawt.complaints.services import complaints_import
from sawt.distribution.models import InvitationSettings
from sawt.distribution.services.form import (
    invitation_complete,
    open_key_new,
    open_key_read,
    open_response_submit,
)
from sawt.testing import factories as f
from sawt.webhooks.models import WebhookDelivery
from sawt.webhooks.services import webhook_create

pytestmark = pytest.mark.django_db
EVERYTHING = ["gap.created", "recommendation.status_changed", "survey.completed", "import.finished"]


@pytest.fixture
def subscribed(settings):
    settings.SAWT_WEBHOOK_ALLOW_HOSTS = ["127.0.0.1"]
    return webhook_create(url="http://127.0.0.1:9/", events=EVERYTHING, actor=None)


@pytest.fixture
def survey():
    survey = f.SurveyFactory(code="permits-2022-06")
    f.QuestionFactory(survey=survey, code="overall", kind="overall")
    return survey


def sent() -> list[dict]:
    return [d.payload for d in WebhookDelivery.objects.order_by("id")]


def test_a_completed_invitation_is_announced_without_who_answered(subscribed, survey):
    invitation = f.InvitationFactory(
        invitee__survey=survey, invitee__reference_id="REQ-7", invitee__mobile="0551234567"
    )
    submission = invitation_complete(invitation=invitation, values={"overall": "4"})
    [payload] = sent()
    assert payload["event"] == "survey.completed" and payload["occurred_at"]
    assert payload["data"] == {
        "survey": "permits-2022-06",
        "journey": survey.journey.slug,
        "response_id": submission.response.pk,
        "channel": "invitation",
    }
    assert "REQ-7" not in str(payload) and "0551234567" not in str(payload)


def test_the_anonymous_link_completes_once_per_form(subscribed, survey):
    InvitationSettings.objects.create(survey=survey, open_link=True)
    key = open_key_read(survey, open_key_new(survey))
    open_response_submit(survey=survey, key=key, values={"overall": "3"})
    open_response_submit(survey=survey, key=key, values={"overall": "3"})
    assert [p["data"]["channel"] for p in sent()] == ["open_link"]
    assert key not in str(sent())


def test_an_import_is_announced_with_its_counts_and_no_text(subscribed, tmp_path):
    journey = f.JourneyFactory(slug="permits")
    path = tmp_path / "complaints.csv"
    path.write_text(
        "complaint_id,received_at,text,channel\n"
        "K-1,2022-06-02 10:00,الطلب متأخر منذ أسبوعين,بلدي\n"
        "K-2,2022-06-03,رقم جوالي 0551234567,مركز الاتصال\n",
        encoding="utf-8",
    )
    complaints_import(journey_slug="permits", path=path)
    complaints_import(journey_slug="permits", path=path)  # nothing changes: still finished
    first, second = sent()
    assert first["event"] == "import.finished"
    assert first["data"] == {
        "action": "complaint.import",
        "source": "file",
        "journey": journey.slug,
        "rows": 2,
        "created": 2,
        "updated": 0,
        "unchanged": 0,
    }
    assert (second["data"]["created"], second["data"]["unchanged"]) == (0, 2)
    assert "0551234567" not in str(sent()) and "متأخر" not in str(sent())
    assert first["id"] != second["id"]


def test_a_batch_pushed_through_the_api_is_announced_as_such(subscribed):
    from sawt.complaints.services import complaints_push

    journey = f.JourneyFactory(slug="permits")
    item = {"complaint_id": "K-1", "received_at": "2022-06-02T10:00:00+03:00", "text": "تأخر"}
    complaints_push(batches={journey: [(0, item)]}, actor=None)
    [payload] = sent()
    assert payload["event"] == "import.finished"
    assert payload["data"]["source"] == "api"
    assert (payload["data"]["action"], payload["data"]["created"]) == ("complaint.import", 1)


def test_a_sample_import_is_announced_with_who_was_added_counted_only(subscribed, tmp_path):
    from sawt.distribution.services.sample import sample_import

    survey = f.SurveyFactory(code="permits-2022-06")
    path = tmp_path / "sample.csv"
    path.write_text(
        "reference_id,mobile,completed_at\nR-1,0551234567,2022-06-01\nR-2,0551234568,2022-06-02\n",
        encoding="utf-8",
    )
    sample_import(survey_code=survey.code, path=path, actor=None)
    [payload] = sent()
    assert payload["data"]["action"] == "survey.sample_import"
    assert (payload["data"]["rows"], payload["data"]["created"]) == (2, 2)
    assert "0551234567" not in str(payload) and "R-1" not in str(payload)
