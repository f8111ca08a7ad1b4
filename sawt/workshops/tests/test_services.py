"""Workshop services: sessions and notes, checked against their journey, with an audit trail."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import translation

from sawt.core.access import Role
from sawt.core.exceptions import ApplicationError
from sawt.core.models import AuditEvent
from sawt.testing.factories import (
    GapCategoryFactory,
    JourneyFactory,
    StageFactory,
    WorkshopFactory,
    user_with_role,
)
from sawt.workshops.models import Workshop, WorkshopNote
from sawt.workshops.services import workshop_create, workshop_note_add

pytestmark = pytest.mark.django_db


@pytest.fixture
def analyst():
    # Services check the actor's role themselves: the analyst needs one.
    return user_with_role(Role.ANALYST, username="analyst")


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def test_workshop_create_records_the_session_and_audits(analyst):
    journey = JourneyFactory()
    workshop = workshop_create(
        journey=journey,
        title_ar="ورشة مع المقاولين",
        title_en="Workshop with contractors",
        held_on=dt.date(2022, 6, 21),
        participants=14,
        actor=analyst,
    )
    assert (workshop.journey, workshop.participants) == (journey, 14)
    audit = AuditEvent.objects.get(action="workshop.create")
    assert (audit.object_id, audit.actor) == (str(workshop.pk), analyst)


def test_workshop_create_needs_an_arabic_title(analyst):
    with pytest.raises(ApplicationError, match="Arabic title"):
        workshop_create(
            journey=JourneyFactory(),
            title_ar=" ",
            title_en="Workshop",
            held_on=dt.date(2022, 6, 21),
            actor=analyst,
        )
    assert Workshop.objects.count() == 0


def test_note_add_places_the_note_and_audits(analyst):
    workshop = WorkshopFactory()
    stage = StageFactory(journey=workshop.journey)
    category = GapCategoryFactory(journey=workshop.journey)
    note = workshop_note_add(
        workshop=workshop, text="الدليل قديم", stage=stage, category=category, actor=analyst
    )
    assert (note.stage, note.category, note.text) == (stage, category, "الدليل قديم")
    assert AuditEvent.objects.get(action="workshop.note_add").data["category"] == category.code


def test_note_add_redacts_personal_data(analyst):
    note = workshop_note_add(
        workshop=WorkshopFactory(), text="تواصلوا معي على ٠٥٥١٢٣٤٥٦٧", actor=analyst
    )
    assert "٠٥٥١٢٣٤٥٦٧" not in note.text
    assert "[جوال]" in note.text


def test_note_add_refuses_a_stage_of_another_journey(analyst):
    with pytest.raises(ApplicationError, match="belongs to another journey"):
        workshop_note_add(
            workshop=WorkshopFactory(), text="ملاحظة", stage=StageFactory(), actor=analyst
        )
    assert WorkshopNote.objects.count() == 0


def test_note_add_refuses_empty_text(analyst):
    with pytest.raises(ApplicationError, match="cannot be empty"):
        workshop_note_add(workshop=WorkshopFactory(), text="   ", actor=analyst)
