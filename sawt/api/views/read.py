"""Read endpoints: surveys, a journey's summary for a period, complaints, gaps and
recommendations, each starting from what the token may see (the `<thing>_for` selectors).

Filters are query parameters validated by a serializer, so a bad value is a 400 that names
the parameter; a filter naming something the token cannot see simply matches nothing. They are
documented on GET alone: a view that adds another method to the same address (POST
complaints/) inherits them without them.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Prefetch, QuerySet
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import exceptions, generics
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import Serializer
from rest_framework.views import APIView

from sawt.api.serializers import read as s
from sawt.catalog.selectors import journeys_for
from sawt.complaints.models import Complaint
from sawt.complaints.selectors import complaints_for
from sawt.core.exceptions import ApplicationError
from sawt.core.periods import PERIOD_DB_REGEX, period_bounds
from sawt.gaps.models import Gap, Recommendation, RecommendationEvent
from sawt.gaps.selectors import gap_get, gap_list, next_statuses, recommendations_for
from sawt.metrics.selectors import journey_summary
from sawt.surveys.models import Question, Survey
from sawt.surveys.selectors import surveys_for


def _filters(request: Request, serializer_class: type[Serializer]) -> dict[str, Any]:
    """The query's filters, validated (a ValidationError is a 400 naming the parameter)."""
    serializer = serializer_class(data=request.query_params)
    serializer.is_valid(raise_exception=True)
    return {key: value for key, value in serializer.validated_data.items() if value}


def _surveys(user: Any) -> QuerySet[Survey]:
    return (
        surveys_for(user)
        .select_related("journey")
        .annotate(response_count=Count("responses"))
        .order_by("-period", "code")
    )


@extend_schema_view(get=extend_schema(parameters=[s.SurveyFilter]))
class SurveyList(generics.ListAPIView):
    """The surveys the token may see, newest period first."""

    serializer_class = s.SurveySerializer

    def get_queryset(self) -> QuerySet[Survey]:
        found = _filters(self.request, s.SurveyFilter)
        surveys = _surveys(self.request.user)
        if "journey" in found:
            surveys = surveys.filter(journey__slug=found["journey"])
        if "period" in found:
            surveys = surveys.filter(period=found["period"])
        return surveys


class SurveyDetail(generics.RetrieveAPIView):
    """One survey by code, with its questions in questionnaire order (404 when it is not
    within the token's agency)."""

    serializer_class = s.SurveyDetailSerializer
    lookup_field = "code"

    def get_queryset(self) -> QuerySet[Survey]:
        questions = Question.objects.select_related("stage").order_by("position", "id")
        return _surveys(self.request.user).prefetch_related(
            Prefetch("questions", queryset=questions)
        )


class JourneySummary(APIView):
    """The summary of a journey for a period: exactly what `sawt summary --format json` prints
    (docs/summary.md). 404 when the journey is not within the token's agency or has no survey
    for the period."""

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "period",
                str,
                OpenApiParameter.PATH,
                description="Period as YYYY-MM.",
                pattern=PERIOD_DB_REGEX,
            )
        ],
        responses=s.JourneySummarySerializer,
    )
    def get(self, request: Request, slug: str, period: str) -> Response:
        checked = s.SummaryPath(data={"period": period})
        checked.is_valid(raise_exception=True)
        journeys = journeys_for(request.user)
        get_object_or_404(journeys, slug=slug)
        try:
            summary = journey_summary(journey_slug=slug, period=period, journeys=journeys)
        except ApplicationError as exc:
            # The journey is visible and the period valid: what is missing is its survey.
            raise exceptions.NotFound(exc.message) from exc
        return Response(summary)


@extend_schema_view(get=extend_schema(parameters=[s.ComplaintFilter]))
class ComplaintList(generics.ListAPIView):
    """The complaints the token may see, newest first; their text is stored redacted."""

    serializer_class = s.ComplaintSerializer

    def get_queryset(self) -> QuerySet[Complaint]:
        found = _filters(self.request, s.ComplaintFilter)
        complaints = complaints_for(self.request.user).select_related("journey", "category")
        if "journey" in found:
            complaints = complaints.filter(journey__slug=found["journey"])
        if "period" in found:
            start, end = period_bounds(found["period"])
            complaints = complaints.filter(received_at__gte=start, received_at__lt=end)
        if "category" in found:
            complaints = complaints.filter(category__code=found["category"])
        if "source" in found:
            complaints = complaints.filter(category_source=found["source"])
        return complaints.order_by("-received_at", "id")


@extend_schema_view(get=extend_schema(parameters=[s.GapFilter]))
class GapList(generics.ListAPIView):
    """The gaps the token may see, newest period first, with the recommendations on them it
    may see."""

    serializer_class = s.GapSerializer

    def get_queryset(self) -> QuerySet[Gap]:
        return gap_list(user=self.request.user, **_filters(self.request, s.GapFilter))


class GapDetail(generics.RetrieveAPIView):
    """One gap, with its recommendations and how much evidence stands behind it."""

    serializer_class = s.GapDetailSerializer

    def get_object(self) -> Gap:
        return gap_get(user=self.request.user, pk=self.kwargs["pk"])


def _recommendations(user: Any) -> QuerySet[Recommendation]:
    events = RecommendationEvent.objects.select_related("actor").order_by("at", "id")
    return (
        recommendations_for(user)
        .select_related("owner", "gap", "gap__journey")
        .prefetch_related(Prefetch("events", queryset=events))
        .order_by("id")
    )


@extend_schema_view(get=extend_schema(parameters=[s.RecommendationFilter]))
class RecommendationList(generics.ListAPIView):
    """The recommendations the token may see, oldest first, each with its history."""

    serializer_class = s.RecommendationSerializer

    def get_queryset(self) -> QuerySet[Recommendation]:
        found = _filters(self.request, s.RecommendationFilter)
        recommendations = _recommendations(self.request.user)
        if "journey" in found:
            recommendations = recommendations.filter(gap__journey__slug=found["journey"])
        if "status" in found:
            recommendations = recommendations.filter(status=found["status"])
        if "agency" in found:
            recommendations = recommendations.filter(owner__code=found["agency"])
        return recommendations


class RecommendationDetail(generics.RetrieveAPIView):
    """One recommendation with its history, its `status` and `version` (what a move must
    name), and the statuses this token may move it to now."""

    serializer_class = s.RecommendationDetailSerializer

    def get_queryset(self) -> QuerySet[Recommendation]:
        return _recommendations(self.request.user)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        recommendation = self.get_object()
        context = {
            **self.get_serializer_context(),
            "next_statuses": next_statuses(user=request.user, recommendation=recommendation),
        }
        return Response(self.get_serializer_class()(recommendation, context=context).data)
