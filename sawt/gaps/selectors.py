"""Reads of the gap register for pages and the API, always starting from the person's scope."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypedDict

from django.db.models import BooleanField, Case, Count, Prefetch, Q, QuerySet, Value, When
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from sawt.catalog.models import GapCategory, Journey
from sawt.catalog.selectors import journeys_for
from sawt.core.access import can, role_of, scoped
from sawt.core.exceptions import ApplicationError
from sawt.core.periods import parse_period
from sawt.gaps.choices import RecommendationStatus as S
from sawt.gaps.evidence import category_complaints
from sawt.gaps.models import (
    Gap,
    GapComment,
    Recommendation,
    RecommendationEdit,
    RecommendationEvent,
)
from sawt.gaps.transitions import ALLOWED_MOVES, role_may_move
from sawt.surveys.models import Question
from sawt.workshops.models import WorkshopNote

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations


class WithRecommendations(TypedDict):
    """What gap_list and gap_get add to each gap: `recs`, the recommendations the person may
    see (a Prefetch to_attr), for `WithAnnotations[Gap, WithRecommendations]`."""

    recs: list[Recommendation]


# A recommendation in one of these is finished with: it can no longer be late.
CLOSED: tuple[str, ...] = (S.IMPLEMENTED, S.VERIFIED, S.REJECTED)


def gaps_for(user: Any) -> QuerySet[Gap]:
    """The gaps of the journeys this user may see, plus those its agency owns a decision on."""
    return scoped(user, Gap.objects.all())


def recommendations_for(user: Any) -> QuerySet[Recommendation]:
    """The recommendations on gaps of the journeys this user may see, plus those it owns."""
    return scoped(user, Recommendation.objects.all())


def today() -> dt.date:
    """Today in the ministry's time zone (due dates are its calendar days)."""
    return timezone.localdate()


def _recommendations(user: Any, on: dt.date) -> QuerySet[Recommendation]:
    # Scoped too: an agency that sees a gap only through its own decision sees only that one.
    return (
        recommendations_for(user)
        .select_related("owner")
        .annotate(
            overdue=Case(
                When(Q(due_date__lt=on) & ~Q(status__in=CLOSED), then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            )
        )
        .order_by("id")
    )


def gap_list(
    *,
    user: Any,
    journey: str | None = None,
    stage: str | None = None,
    agency: str | None = None,
    status: str | None = None,
    period: str | None = None,
) -> QuerySet[Gap]:
    """The gaps this user may see, filtered; journey by slug, stage and agency by code.

    `agency` matches the journey's agency or the owner of one of its recommendations; `status`
    a gap with at least one recommendation in it.
    """
    gaps = gaps_for(user)
    # Filters on recommendations read only those the person can see: an agency that sees a
    # gap through its own decision must not learn the status or owner of the others on it.
    visible = recommendations_for(user)
    if journey:
        gaps = gaps.filter(journey__slug=journey)
    if stage:
        gaps = gaps.filter(stage__code=stage)
    if period:
        gaps = gaps.filter(period=period)
    # Subqueries rather than joins on recommendations: a gap shows once however many match.
    if agency:
        owned = visible.filter(owner__code=agency).values("gap_id")
        gaps = gaps.filter(Q(journey__agency__code=agency) | Q(pk__in=owned))
    if status:
        gaps = gaps.filter(pk__in=visible.filter(status=status).values("gap_id"))
    return (
        gaps.select_related("journey", "journey__agency", "stage", "category")
        .prefetch_related(
            Prefetch("recommendations", queryset=_recommendations(user, today()), to_attr="recs")
        )
        .order_by("-period", "journey__slug", "-number")
    )


def gap_get(*, user: Any, pk: int) -> WithAnnotations[Gap, WithRecommendations]:
    """One gap this user may see, with its recommendations and evidence counts; else 404."""
    gaps = (
        gaps_for(user)
        .select_related("journey", "journey__agency", "stage", "category")
        .annotate(
            n_complaints=Count("complaints", distinct=True),
            n_questions=Count("questions", distinct=True),
            n_notes=Count("workshop_notes", distinct=True),
        )
        .prefetch_related(
            Prefetch("recommendations", queryset=_recommendations(user, today()), to_attr="recs")
        )
    )
    return get_object_or_404(gaps, pk=pk)


def recommendation_get(*, user: Any, gap: Gap, pk: int) -> Recommendation:
    """One recommendation of `gap` this user may see; else 404."""
    return get_object_or_404(recommendations_for(user).select_related("owner"), gap=gap, pk=pk)


def next_statuses(*, user: Any, recommendation: Recommendation) -> list[str]:
    """The statuses this user may move the recommendation to now (pipeline ∩ role)."""
    if not can(user, "recommendation.transition", recommendation):
        return []
    role, current = role_of(user), recommendation.status
    return [s for s in ALLOWED_MOVES.get(current, ()) if role_may_move(role, current, s)]


def verifications(recommendations: list[Recommendation]) -> dict[int, RecommendationEvent]:
    """{recommendation id: its latest move to `verified`}, which carries the impact result it
    was verified on (one query)."""
    events = RecommendationEvent.objects.filter(
        recommendation__in=[r.pk for r in recommendations], to_status=S.VERIFIED
    ).order_by("at", "id")
    return {e.recommendation_id: e for e in events}  # the latest wins


@dataclass(frozen=True)
class HistoryEntry:
    """One line of a gap's history: a status change, an edit or a comment."""

    kind: str  # "status" | "edit" | "comment"
    at: dt.datetime
    actor: str
    recommendation_id: int | None = None
    from_status: str = ""
    to_status: str = ""
    text: str = ""
    changes: dict | None = None


def _who(user: Any) -> str:
    return user.get_username() if user is not None else "—"


def gap_history(*, gap: Gap, user: Any) -> list[HistoryEntry]:
    """Status changes and edits of the gap's recommendations this user sees, and the gap's
    comments, oldest first (newest last)."""
    recs = recommendations_for(user).filter(gap=gap).values("pk")
    entries = [
        HistoryEntry(
            kind="status",
            at=e.at,
            actor=_who(e.actor),
            recommendation_id=e.recommendation_id,
            from_status=e.from_status,
            to_status=e.to_status,
            text=e.note,
        )
        for e in RecommendationEvent.objects.filter(recommendation__in=recs).select_related("actor")
    ]
    entries += [
        HistoryEntry(
            kind="edit",
            at=e.at,
            actor=_who(e.actor),
            recommendation_id=e.recommendation_id,
            changes=e.changes,
        )
        for e in RecommendationEdit.objects.filter(recommendation__in=recs).select_related("actor")
    ]
    entries += [
        HistoryEntry(kind="comment", at=c.created_at, actor=_who(c.author), text=c.text)
        for c in GapComment.objects.filter(gap=gap).select_related("author")
    ]
    return sorted(entries, key=lambda e: e.at)


@dataclass
class GapSource:
    """The evidence a new gap starts from, as the journey page links to it."""

    journey: Journey
    period: str
    category: GapCategory | None = None
    question: Question | None = None
    note: WorkshopNote | None = None
    complaints: int = 0

    def initial(self) -> dict[str, Any]:
        """Form defaults: the evidence's own words and stage."""
        if self.note is not None:
            return {"feedback_ar": self.note.text, "stage": self.note.stage_id}
        if self.question is not None:
            q = self.question
            return {"feedback_ar": q.text_ar, "feedback_en": q.text_en, "stage": q.stage_id}
        if self.category is not None:
            c = self.category
            return {"feedback_ar": c.name_ar, "feedback_en": c.name_en}
        return {}


def gap_source_get(
    *,
    user: Any,
    journey: str,
    period: str,
    category: str = "",
    item: str = "",
    note: int | None = None,
) -> GapSource:
    """Resolve `?journey=&period=&category=|item=|note=` within what the user sees; else 404.

    The values come parsed (sawt/web/gap_forms.py GapSourceForm): `note` is a workshop note's id.
    """
    try:
        parse_period(period)
    except ApplicationError as exc:
        raise Http404(exc.message) from exc
    found = get_object_or_404(journeys_for(user), slug=journey)
    source = GapSource(journey=found, period=period)
    if category:
        source.category = get_object_or_404(found.gap_categories, code=category)
        source.complaints = category_complaints(
            journey=found, period=period, category=source.category
        ).count()
    elif item:
        source.question = get_object_or_404(
            Question.objects.select_related("survey"),
            survey__journey=found,
            survey__period=period,
            code=item,
        )
    elif note is not None:
        source.note = get_object_or_404(WorkshopNote, workshop__journey=found, pk=note)
    return source
