"""Background work of reason classification, run by `sawt worker`.

Django imports this module at every start (through ClassificationConfig.ready), so it stays
light: the services, and scikit-learn behind them, are imported inside each handler.
"""

from __future__ import annotations

from typing import Any

from sawt.jobs.registry import Progress, register

RETRAIN_JOB = "classifier.retrain"
CLASSIFY_JOB = "classifier.classify"


@register(RETRAIN_JOB)
def retrain(payload: dict[str, Any], progress: Progress) -> dict[str, Any]:
    """Retrain a journey's model from its labels, then classify and group its feedback."""
    from sawt.catalog.models import Journey
    from sawt.classification.services import journey_retrain

    journey = Journey.objects.get(slug=payload["journey"])
    return journey_retrain(journey=journey, actor=None)


@register(CLASSIFY_JOB)
def classify(payload: dict[str, Any], progress: Progress) -> dict[str, Any]:
    """Classify and group a journey's feedback with its newest model (after an import)."""
    from sawt.catalog.models import Journey
    from sawt.classification.services import journey_reclassify

    journey = Journey.objects.get(slug=payload["journey"])
    return journey_reclassify(journey=journey)
