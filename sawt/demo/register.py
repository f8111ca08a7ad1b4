"""Load a demo journey's workshop and gap register from `data/<slug>.register.yaml`.

Everything goes through the workshop and gap services, as an analyst's clicks would, so the
demo leaves the same events and audit rows behind as real work does.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from django.db import transaction

from sawt.catalog.models import Agency, GapCategory, Journey, Stage
from sawt.complaints.models import Complaint
from sawt.core.periods import parse_period
from sawt.gaps.models import Gap
from sawt.gaps.services import gap_create, recommendation_create, recommendation_transition
from sawt.gaps.transitions import path_to
from sawt.surveys.models import Survey
from sawt.workshops.models import Workshop, WorkshopNote
from sawt.workshops.services import workshop_create, workshop_note_add

# The register's dates are the ministry's office days; decisions are logged mid-morning.
RIYADH = ZoneInfo("Asia/Riyadh")
DECISION_TIME = dt.time(10, 0)


def _stage(journey: Journey, code: str | None) -> Stage | None:
    return journey.stages.get(code=code) if code else None


def _category(journey: Journey, code: str | None) -> GapCategory | None:
    return journey.gap_categories.get(code=code) if code else None


def _workshop(journey: Journey, spec: dict[str, Any], actor: Any) -> dict[str, WorkshopNote]:
    """Create the workshop and its notes; return the notes by their key in the YAML."""
    workshop: Workshop = workshop_create(
        journey=journey,
        title_ar=spec["title"]["ar"],
        title_en=spec["title"]["en"],
        held_on=spec["held_on"],
        participants=spec.get("participants"),
        actor=actor,
    )
    return {
        note["key"]: workshop_note_add(
            workshop=workshop,
            text=note["text"],
            stage=_stage(journey, note.get("stage")),
            category=_category(journey, note.get("category")),
            actor=actor,
        )
        for note in spec["notes"]
    }


def _evidence_complaints(journey: Journey, category: GapCategory | None, period: str) -> list:
    """The period's complaints filed under the gap's category: the volume behind the gap."""
    if category is None:
        return []
    start, end = parse_period(period)
    return list(
        Complaint.objects.filter(
            journey=journey,
            category=category,
            received_at__gte=dt.datetime.combine(start, dt.time.min, tzinfo=RIYADH),
            received_at__lt=dt.datetime.combine(end, dt.time.min, tzinfo=RIYADH),
        )
    )


def _recommend(gap: Gap, spec: dict[str, Any], owner: Agency, actor: Any) -> None:
    """Propose the decision, then move it along the pipeline on the dates the YAML gives."""
    history: dict[str, dt.date] = spec["history"]
    steps = list(history)
    if steps[0] != "proposed" or steps[1:] != path_to(steps[-1]):
        raise ValueError(f"history {steps} does not follow the recommendation pipeline")

    def at(status: str) -> dt.datetime:
        return dt.datetime.combine(history[status], DECISION_TIME, tzinfo=RIYADH)

    rec = recommendation_create(
        gap=gap,
        text_ar=spec["text"]["ar"],
        text_en=spec["text"]["en"],
        owner=owner,
        due_date=spec.get("due"),
        actor=actor,
        at=at("proposed"),
    )
    for status in steps[1:]:
        rec = recommendation_transition(
            recommendation=rec,
            to_status=status,
            expected_status=rec.status,
            actor=actor,
            at=at(status),
        )


def _gap(survey: Survey, spec: dict[str, Any], notes: dict[str, WorkshopNote], actor: Any) -> None:
    journey = survey.journey
    category = _category(journey, spec.get("category"))
    gap = gap_create(
        journey=journey,
        period=survey.period,
        feedback_ar=spec["feedback"]["ar"],
        feedback_en=spec["feedback"]["en"],
        stage=_stage(journey, spec.get("stage")),
        category=category,
        complaints=_evidence_complaints(journey, category, survey.period),
        questions=survey.questions.filter(code__in=spec.get("questions", [])),
        workshop_notes=[notes[key] for key in spec.get("notes", [])],
        actor=actor,
    )
    rec = spec["recommendation"]
    owner = Agency.objects.get(code=rec["owner"]) if "owner" in rec else journey.agency
    _recommend(gap, rec, owner, actor)


def register_load(*, survey: Survey, spec: dict[str, Any], actor: Any) -> bool:
    """Load the workshop and gaps unless the journey already has them; True if loaded."""
    journey = survey.journey
    # One unit: a journey either has the whole demo register or none of it, so the check
    # below is enough to make a second `sawt demo` change nothing.
    with transaction.atomic():
        if journey.workshops.exists() or Gap.objects.filter(journey=journey).exists():
            return False
        notes = _workshop(journey, spec["workshop"], actor) if "workshop" in spec else {}
        for gap_spec in spec["gaps"]:
            _gap(survey, gap_spec, notes, actor)
    return True
