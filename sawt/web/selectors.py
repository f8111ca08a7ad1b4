"""Reads that shape data for the web pages; every one starts from the person's scope."""

from __future__ import annotations

from typing import Any

from django.db.models import F, QuerySet
from django.http import Http404

from sawt.catalog.models import GapCategory, Journey
from sawt.catalog.selectors import journeys_for
from sawt.complaints.selectors import complaints_for
from sawt.core.periods import period_bounds
from sawt.gaps.models import Gap
from sawt.gaps.selectors import gaps_for
from sawt.reports.portfolio import PortfolioReport, portfolio_report
from sawt.surveys.choices import QuestionKind
from sawt.surveys.models import Answer, Survey
from sawt.surveys.selectors import surveys_for
from sawt.workshops.models import Workshop

SOURCES = ("complaints", "survey")


def journey_periods_list(*, user: Any) -> list[dict]:
    """The journeys `user` may see, with their agency and surveyed periods, newest first."""
    journeys = journeys_for(user).select_related("agency").prefetch_related("surveys")
    return [
        {
            "journey": journey,
            "periods": sorted((s.period for s in journey.surveys.all()), reverse=True),
        }
        for journey in journeys
    ]


def periods_for_user(*, user: Any) -> list[str]:
    """Every period in which a journey `user` may see was surveyed, newest first."""
    periods = surveys_for(user).values_list("period", flat=True).distinct().order_by("-period")
    return list(periods)


def portfolio_for_user(*, user: Any, period: str) -> PortfolioReport:
    """The portfolio of `period` restricted to the journeys `user` may see: its lines, the very
    figures the portfolio PDF is built on (sawt.reports.portfolio)."""
    return portfolio_report(period=period, journeys=journeys_for(user), full=False)


def journey_for_user(*, user: Any, slug: str) -> Journey:
    """The journey with this slug if `user` may see it; otherwise a 404, as if it did not exist."""
    journey = journeys_for(user).select_related("agency").filter(slug=slug).first()
    if journey is None:
        raise Http404(slug)
    return journey


def survey_for_user(*, user: Any, code: str) -> Survey:
    """The survey with this code if `user` may see it; otherwise a 404, as if it did not exist."""
    survey = surveys_for(user).select_related("journey__agency").filter(code=code).first()
    if survey is None:
        raise Http404(code)
    return survey


def survey_codes_for_user(*, user: Any, period: str) -> dict[str, str]:
    """{journey slug: survey code} of the period's surveys `user` may see (one query)."""
    rows = surveys_for(user).filter(period=period).values_list("journey__slug", "code")
    return dict(rows)


def journey_gaps_for_user(*, user: Any, journey: Journey, period: str) -> QuerySet[Gap]:
    """The journey's gaps of the period that `user` may see, with their recommendations."""
    return (
        gaps_for(user)
        .filter(journey=journey, period=period)
        .select_related("stage", "category")
        .prefetch_related("recommendations__owner")
        .order_by("number")
    )


def journey_workshops(*, journey: Journey, period: str) -> list[Workshop]:
    """The workshops held for the journey in the period, with their notes."""
    start, end = (d.date() for d in period_bounds(period))
    return list(
        Workshop.objects.filter(journey=journey, held_on__gte=start, held_on__lt=end)
        .prefetch_related("notes__stage")
        .order_by("held_on", "id")
    )


def category_texts_for_user(
    *, user: Any, journey: Journey, period: str, code: str, source: str
) -> tuple[GapCategory, QuerySet]:
    """The redacted texts filed under one gap category: the period's complaints, or the open
    answers of the period's survey. Rows have `when`, `channel` and `text`, oldest first."""
    if source not in SOURCES:
        raise Http404(source)
    category = journey.gap_categories.filter(code=code).first()
    if category is None:
        raise Http404(code)
    if source == "complaints":
        start, end = period_bounds(period)
        rows = (
            complaints_for(user)
            .filter(journey=journey, category=category, received_at__gte=start)
            .filter(received_at__lt=end)
            .order_by("received_at", "id")
            .values("id", "channel", "text", when=F("received_at"))
        )
        return category, rows
    survey = surveys_for(user).filter(journey=journey, period=period).first()
    if survey is None:
        raise Http404(period)
    answers = (
        Answer.objects.filter(
            question__survey=survey, question__kind=QuestionKind.TEXT, category=category
        )
        .exclude(text="")
        .order_by("response__submitted_at", "id")
        .values("id", "text", when=F("response__submitted_at"))
    )
    return category, answers
