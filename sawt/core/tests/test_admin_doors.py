"""The Django admin is a window on domain records, not a door around the services.

Each test is an administrator posting the admin's own change form, with every field as the
form showed it plus the one change the audit made: the admin must refuse it (403) and leave the
database as it was. Workshops, which only the admin records, go through the workshop services.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client

from sawt.core.access import Role
from sawt.core.models import AuditEvent
from sawt.gaps.models import Recommendation, RecommendationEdit
from sawt.testing import factories as f
from sawt.workshops.models import Workshop, WorkshopNote

pytestmark = pytest.mark.django_db


@pytest.fixture
def boss() -> Client:
    client = Client()
    client.force_login(f.user_with_role(Role.ADMINISTRATOR, username="boss"))
    return client


def _value(field: Any) -> Any:
    value = field.value()
    if value is None:
        return ""
    if isinstance(value, bool):
        return "on" if value else ""
    if isinstance(value, list | tuple):
        return [str(v) for v in value]
    return str(value)


def _fields(form: Any) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for bound in form:
        widget = bound.field.widget
        if hasattr(widget, "widgets"):  # a date and a time, in two inputs
            parts = widget.decompress(bound.value())
            data.update({f"{bound.html_name}_{i}": str(p or "") for i, p in enumerate(parts)})
        else:
            data[bound.html_name] = _value(bound)
    return data


def _form_data(response: Any) -> dict[str, Any]:
    """What the change page would post back unchanged: the main form and every inline."""
    data: dict[str, Any] = {}
    adminform = response.context.get("adminform")
    if adminform is not None:
        data.update(_fields(adminform.form))
    for inline in response.context.get("inline_admin_formsets", []):
        formset = inline.formset
        data.update(_fields(formset.management_form))
        for form in formset.forms:
            data.update(_fields(form))
    return {k: v for k, v in data.items() if v != ""}


def _post_change(client: Client, url: str, **changes: Any) -> Any:
    page = client.get(url)
    assert page.status_code == 200  # the record stays readable
    return client.post(url, {**_form_data(page), **changes})


def test_a_gap_cannot_be_linked_to_a_complaint_of_another_journey(boss):
    gap = f.GapFactory()
    foreign = f.ComplaintFactory(journey=f.JourneyFactory())
    response = _post_change(boss, f"/admin/gaps/gap/{gap.pk}/change/", complaints=[foreign.pk])
    assert response.status_code == 403
    assert list(gap.complaints.all()) == []


def test_a_recommendation_cannot_be_edited_behind_the_workflow(boss):
    rec = f.RecommendationFactory(text_ar="القرار كما اتُّفق عليه")
    url = f"/admin/gaps/gap/{rec.gap_id}/change/"
    response = _post_change(boss, url, **{"recommendations-0-text_ar": "قرار آخر"})
    assert response.status_code == 403
    rec.refresh_from_db()
    # A silent edit would leave the version as it was, so a stale page would overwrite it.
    assert (rec.text_ar, rec.version) == ("القرار كما اتُّفق عليه", 1)
    assert not RecommendationEdit.objects.exists()


def test_a_complaint_cannot_be_saved_unredacted(boss):
    complaint = f.ComplaintFactory()
    url = f"/admin/complaints/complaint/{complaint.pk}/change/"
    response = _post_change(boss, url, text="اتصلوا بي على 0551234567 رقم الهوية 1012345678")
    assert response.status_code == 403
    complaint.refresh_from_db()
    assert "0551234567" not in complaint.text
    assert boss.post("/admin/complaints/complaint/add/", {"text": "0551234567"}).status_code == 403


def test_deleting_a_category_in_use_is_refused_not_a_crash(boss):
    category = f.GapCategoryFactory()
    f.ComplaintFactory(journey=category.journey, category=category, category_source="analyst")
    url = f"/admin/catalog/journey/{category.journey_id}/change/"
    response = _post_change(boss, url, **{"gap_categories-0-DELETE": "on"})
    assert response.status_code == 403
    category.refresh_from_db()  # still there


@pytest.mark.parametrize(
    "url",
    [
        "/admin/catalog/agency/add/",
        "/admin/catalog/journey/add/",
        "/admin/surveys/survey/add/",
        "/admin/surveys/response/add/",
        "/admin/gaps/gap/add/",
    ],
)
def test_domain_records_are_not_added_in_the_admin(boss, url):
    assert boss.get(url).status_code == 403


def test_the_lists_stay_readable(boss):
    f.RecommendationFactory()
    f.ComplaintFactory()
    for url in [
        "/admin/gaps/gap/",
        "/admin/complaints/complaint/",
        "/admin/catalog/journey/",
        "/admin/catalog/agency/",
        "/admin/surveys/survey/",
        "/admin/surveys/response/",
        "/admin/workshops/workshop/",
    ]:
        assert boss.get(url).status_code == 200, url


# --- workshops: the admin is where they are recorded, so it goes through the services ----------


def _new_workshop(journey, **extra: Any) -> dict[str, Any]:
    return {
        "journey": journey.pk,
        "title_ar": "ورشة عمل مع المقاولين",
        "title_en": "",
        "held_on": "2022-06-20",
        "participants": "12",
        "notes-TOTAL_FORMS": "0",
        "notes-INITIAL_FORMS": "0",
        "notes-2-TOTAL_FORMS": "1",
        "notes-2-INITIAL_FORMS": "0",
        "notes-2-MIN_NUM_FORMS": "0",
        "notes-2-MAX_NUM_FORMS": "1000",
        "notes-2-0-text": "اتصلوا بي على 0551234567 لأن المتطلبات غير واضحة",
        **extra,
    }


def test_a_workshop_recorded_in_the_admin_goes_through_the_services(boss):
    journey = f.JourneyFactory()
    response = boss.post("/admin/workshops/workshop/add/", _new_workshop(journey))
    assert response.status_code == 302, response.content.decode()[:3000]
    workshop = Workshop.objects.get()
    note = WorkshopNote.objects.get()
    assert (workshop.journey, workshop.held_on) == (journey, dt.date(2022, 6, 20))
    assert note.workshop == workshop and "0551234567" not in note.text  # redacted
    actions = set(AuditEvent.objects.values_list("action", "actor_label"))
    assert actions == {("workshop.create", "boss"), ("workshop.note_add", "boss")}


def test_a_note_with_a_stage_of_another_journey_is_refused_with_nothing_saved(boss):
    journey = f.JourneyFactory()
    foreign_stage = f.StageFactory(journey=f.JourneyFactory())
    data = _new_workshop(journey, **{"notes-2-0-stage": foreign_stage.pk})
    response = boss.post("/admin/workshops/workshop/add/", data, follow=True)
    assert response.status_code == 200
    assert [str(m) for m in response.context["messages"]] == [
        f"المرحلة «{foreign_stage.code}» تتبع رحلة أخرى."
    ]
    assert not Workshop.objects.exists() and not WorkshopNote.objects.exists()


def test_notes_are_added_to_a_workshop_but_not_edited(boss):
    note = f.WorkshopNoteFactory(text="المتطلبات غير واضحة")
    url = f"/admin/workshops/workshop/{note.workshop_id}/change/"
    page = boss.get(url)
    assert page.status_code == 200
    data = {
        **_form_data(page),
        "title_ar": "عنوان آخر",
        "notes-2-0-text": "الرسوم غير واضحة",
        "notes-2-TOTAL_FORMS": "1",
    }
    response = boss.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    note.workshop.refresh_from_db()
    assert note.workshop.title_ar != "عنوان آخر"
    assert sorted(WorkshopNote.objects.values_list("text", flat=True)) == [
        "الرسوم غير واضحة",
        "المتطلبات غير واضحة",
    ]
    assert AuditEvent.objects.filter(action="workshop.note_add").count() == 1


def test_recommendations_stay_visible_on_the_gap_page(boss):
    rec = f.RecommendationFactory(text_ar="قرار ظاهر")
    html = boss.get(f"/admin/gaps/gap/{rec.gap_id}/change/").content.decode()
    assert "قرار ظاهر" in html
    assert Recommendation.objects.count() == 1
