"""Background work of reason classification, run by `sawt worker`."""

from __future__ import annotations

from typing import Any

from sawt.catalog.models import Journey
from sawt.classification.services import (
    CLASSIFY_JOB,
    RETRAIN_JOB,
    journey_reclassify,
    journey_retrain,
)
from sawt.jobs.registry import register


@register(RETRAIN_JOB)
def retrain(payload: dict[str, Any]) -> dict[str, Any]:
    """Retrain a journey's model from its labels, then classify and group its feedback."""
    journey = Journey.objects.get(slug=payload["journey"])
    return journey_retrain(journey=journey, actor=None)


@register(CLASSIFY_JOB)
def classify(payload: dict[str, Any]) -> dict[str, Any]:
    """Classify and group a journey's feedback with its newest model (after an import)."""
    journey = Journey.objects.get(slug=payload["journey"])
    return journey_reclassify(journey=journey)
