"""Writes that open a gap from one piece of evidence: a complaint category, a low item, a note.

Each gathers the evidence, then calls `gap_create`, which checks it and writes the audit row.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from sawt.catalog.models import GapCategory, Journey, Stage
from sawt.complaints.models import Complaint
from sawt.core.exceptions import ApplicationError
from sawt.core.periods import period_bounds
from sawt.gaps.models import Gap
from sawt.gaps.services import gap_create
from sawt.surveys.models import Question
from sawt.workshops.models import WorkshopNote


def category_complaints(
    *, journey: Journey, period: str, category: GapCategory
) -> QuerySet[Complaint]:
    """The complaints about `journey` received in `period` and sorted into `category`."""
    start, end = period_bounds(period)
    return Complaint.objects.filter(
        journey=journey, category=category, received_at__gte=start, received_at__lt=end
    )


def gap_create_from_category(
    *,
    journey: Journey,
    period: str,
    category: GapCategory,
    feedback_ar: str,
    feedback_en: str = "",
    stage: Stage | None = None,
    actor: Any,
) -> Gap:
    """Open a gap on a reason for dissatisfaction, linking the period's complaints sorted in it."""
    complaints = category_complaints(journey=journey, period=period, category=category)
    return gap_create(
        journey=journey,
        period=period,
        feedback_ar=feedback_ar,
        feedback_en=feedback_en,
        stage=stage,
        category=category,
        complaints=complaints,
        actor=actor,
    )


def gap_create_from_item(
    *,
    journey: Journey,
    period: str,
    question: Question,
    feedback_ar: str,
    feedback_en: str = "",
    category: GapCategory | None = None,
    actor: Any,
) -> Gap:
    """Open a gap on a low-scoring survey item of the period, in the item's stage."""
    if question.survey.period != period:
        raise ApplicationError(
            _("The survey item “%(code)s” was not asked in %(period)s.")
            % {"code": question.code, "period": period}
        )
    return gap_create(
        journey=journey,
        period=period,
        feedback_ar=feedback_ar,
        feedback_en=feedback_en,
        stage=question.stage,
        category=category,
        questions=[question],
        actor=actor,
    )


def gap_create_from_note(
    *,
    journey: Journey,
    period: str,
    note: WorkshopNote,
    feedback_ar: str,
    feedback_en: str = "",
    actor: Any,
) -> Gap:
    """Open a gap on a workshop note, in the note's stage and category."""
    return gap_create(
        journey=journey,
        period=period,
        feedback_ar=feedback_ar,
        feedback_en=feedback_en,
        stage=note.stage,
        category=note.category,
        workshop_notes=[note],
        actor=actor,
    )
