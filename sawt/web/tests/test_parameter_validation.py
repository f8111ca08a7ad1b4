"""The audit's malformed parameters, one by one: a 400 that names the parameter, nothing
changed; a well-formed value naming nothing the person may see stays a 404."""

from __future__ import annotations

import pytest
from django.test import Client

from sawt.catalog.models import GapCategory
from sawt.complaints.models import Complaint
from sawt.core.access import Role
from sawt.gaps.models import Gap
from sawt.testing import factories as f

pytestmark = pytest.mark.django_db
PROMOTE = "/journeys/permits/2022-06/themes/promote/"


@pytest.fixture
def analyst() -> Client:
    f.SurveyFactory(journey=f.JourneyFactory(slug="permits"), period="2022-06")
    client = Client()
    client.force_login(f.user_with_role(Role.ANALYST, username="mona"))
    client.cookies["django_language"] = "en"
    return client


@pytest.mark.parametrize("note", ["²", "٣", "-1", "1.5", "99999999999999999999999"])
def test_a_malformed_note_is_a_400_naming_it(analyst, note):
    response = analyst.get("/gaps/new/", {"journey": "permits", "period": "2022-06", "note": note})
    assert response.status_code == 400
    html = response.content.decode()
    assert "note:" in html and "Nothing was changed" in html


@pytest.mark.parametrize(
    ("name", "value"),
    [("journey", "per\x00mits"), ("item", "q\x00"), ("category", "x\x00"), ("period", "٢٠٢٢-06")],
)
def test_nul_bytes_and_foreign_digits_in_the_gap_source_are_a_400(analyst, name, value):
    params = {"journey": "permits", "period": "2022-06", name: value}
    assert analyst.get("/gaps/new/", params).status_code == 400
    assert analyst.post("/gaps/new/", {**params, "feedback_ar": "ملاحظة"}).status_code == 400
    assert not Gap.objects.exists()


def test_a_note_that_does_not_exist_is_still_a_404(analyst):
    params = {"journey": "permits", "period": "2022-06", "note": "12345"}
    assert analyst.get("/gaps/new/", params).status_code == 404


@pytest.mark.parametrize(
    "fields",
    [
        {"name_ar": "مواقف", "complaint_ids": "²"},
        {"name_ar": "مواقف", "complaint_ids": "1,x"},
        {"name_ar": "مواق\x00ف"},
        {"name_ar": "م" * 300},
        {"name_ar": "مواقف", "name_en": "p" * 300},
        {"name_ar": "مواقف", "code": "x" * 300},
    ],
)
def test_a_malformed_theme_is_a_400_and_adds_no_category(analyst, fields):
    complaint = f.ComplaintFactory(journey__slug="permits-2")
    response = analyst.post(PROMOTE, {"code": "parking", "theme": "1", **fields})
    assert response.status_code == 400
    assert not GapCategory.objects.exists()
    complaint.refresh_from_db()
    assert complaint.category is None and Complaint.objects.count() == 1


def test_a_malformed_review_category_is_a_400(analyst):
    journey = f.JourneyFactory(slug="licences")
    f.SurveyFactory(journey=journey, period="2022-06")
    complaint = f.ComplaintFactory(journey=journey)
    url = f"/journeys/licences/2022-06/review/{complaint.pk}/"
    assert analyst.post(url, {"category": "de\x00lay"}).status_code == 400
    assert analyst.post(url, {"category": "x" * 300}).status_code == 400
    complaint.refresh_from_db()
    assert complaint.category is None


def test_an_overlong_username_is_a_failed_login_not_a_crash(client):
    response = client.post("/accounts/login/", {"username": "u" * 10_000, "password": "x"})
    assert response.status_code == 200  # the form again
    assert "_auth_user_id" not in client.session
