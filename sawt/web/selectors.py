"""Reads that shape data for the plain pages (the figures themselves come from metrics)."""

from __future__ import annotations

from typing import Any

from sawt.accounts.scoping import journeys_for


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
