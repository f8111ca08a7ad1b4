"""Reads that shape data for the plain pages (the figures themselves come from metrics)."""

from __future__ import annotations

from sawt.catalog.models import Journey


def journey_periods_list() -> list[dict]:
    """Every journey with its agency and the periods it has a survey for, newest first."""
    journeys = Journey.objects.select_related("agency").prefetch_related("surveys")
    return [
        {
            "journey": journey,
            "periods": sorted((s.period for s in journey.surveys.all()), reverse=True),
        }
        for journey in journeys
    ]
