"""Writes on workshops: record a participatory session and the feedback heard in it."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from sawt.catalog.models import GapCategory, Journey, Stage
from sawt.core.access import authorize
from sawt.core.audit import audit_record
from sawt.core.exceptions import ApplicationError
from sawt.textanalytics.arabic import redact_pii
from sawt.workshops.models import Workshop, WorkshopNote


@transaction.atomic
def workshop_create(
    *,
    journey: Journey,
    title_ar: str,
    title_en: str,
    held_on: dt.date,
    participants: int | None = None,
    actor: Any,
) -> Workshop:
    """Record a workshop held about a journey."""
    authorize(actor, "workshop.create", journey)
    title_ar, title_en = title_ar.strip(), title_en.strip()
    if not title_ar:
        raise ApplicationError(_("A workshop needs an Arabic title."))
    if participants is not None and participants < 1:
        raise ApplicationError(_("The number of participants must be at least 1."))
    workshop = Workshop.objects.create(
        journey=journey,
        title_ar=title_ar,
        title_en=title_en,
        held_on=held_on,
        participants=participants,
    )
    audit_record(
        actor=actor,
        action="workshop.create",
        obj=workshop,
        data={"journey": journey.slug, "held_on": held_on.isoformat()},
    )
    return workshop


@transaction.atomic
def workshop_note_add(
    *,
    workshop: Workshop,
    text: str,
    stage: Stage | None = None,
    category: GapCategory | None = None,
    actor: Any,
) -> WorkshopNote:
    """Add one piece of feedback heard in a workshop, optionally placed in a stage and category."""
    authorize(actor, "workshop.note_add", workshop)
    # Notes are customers' own words, so they pass the same redaction as complaints do.
    text = redact_pii(text.strip())
    if not text:
        raise ApplicationError(_("A workshop note cannot be empty."))
    if stage is not None and stage.journey_id != workshop.journey_id:
        raise ApplicationError(
            _("The stage “%(code)s” belongs to another journey.") % {"code": stage.code}
        )
    if category is not None and category.journey_id != workshop.journey_id:
        raise ApplicationError(
            _("The gap category “%(code)s” belongs to another journey.") % {"code": category.code}
        )
    note = WorkshopNote.objects.create(workshop=workshop, text=text, stage=stage, category=category)
    audit_record(
        actor=actor,
        action="workshop.note_add",
        obj=note,
        data={
            "workshop": workshop.pk,
            "stage": stage.code if stage else "",
            "category": category.code if category else "",
        },
    )
    return note
