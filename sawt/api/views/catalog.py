"""Journeys, with their stages and gap categories (reasons), as the token may see them."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import generics

from sawt.api.serializers.catalog import JourneyFilter, JourneySerializer
from sawt.catalog.models import GapCategory, Journey, Stage
from sawt.catalog.selectors import journeys_for


def _journeys(user: Any) -> QuerySet[Journey]:
    return (
        journeys_for(user)
        .select_related("agency")
        .prefetch_related(
            Prefetch("stages", queryset=Stage.objects.order_by("position", "code")),
            Prefetch("gap_categories", queryset=GapCategory.objects.order_by("position", "code")),
        )
        .order_by("slug")
    )


@extend_schema_view(get=extend_schema(parameters=[JourneyFilter]))
class JourneyList(generics.ListAPIView):
    """The journeys the token may see, by slug; `?agency=<code>` keeps one agency's."""

    serializer_class = JourneySerializer

    def get_queryset(self) -> QuerySet[Journey]:
        journeys = _journeys(self.request.user)
        found = JourneyFilter(data=self.request.query_params)
        found.is_valid(raise_exception=True)
        agency = found.validated_data.get("agency")
        return journeys.filter(agency__code=agency) if agency else journeys


class JourneyDetail(generics.RetrieveAPIView):
    """One journey by slug (404 when it is not within the token's agency)."""

    serializer_class = JourneySerializer
    lookup_field = "slug"

    def get_queryset(self) -> QuerySet[Journey]:
        return _journeys(self.request.user)
