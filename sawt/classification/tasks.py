"""Background work of reason classification, run by `sawt worker`.

Django imports this module at every start (through ClassificationConfig.ready), so it stays
light: the services, and scikit-learn behind them, are imported inside each handler.
"""

from __future__ import annotations

from typing import Any

from sawt.jobs.registry import Progress, register

RETRAIN_JOB = "classifier.retrain"
CLASSIFY_JOB = "classifier.classify"
# One period's candidate themes, for a page that found them missing or stale.
THEMES_JOB = "classifier.themes"
# Every stored theme set of a journey whose data changed (after imports, settles, promotes).
THEMES_REFRESH_JOB = "classifier.themes_refresh"


def _journey(payload: dict[str, Any]) -> Any:
    from sawt.catalog.models import Journey

    return Journey.objects.get(slug=payload["journey"])


@register(RETRAIN_JOB)
def retrain(payload: dict[str, Any], progress: Progress) -> dict[str, Any]:
    """Retrain a journey's model from its labels, then classify and group its feedback."""
    from sawt.classification.services import journey_retrain
    from sawt.classification.theme_services import themes_refresh_later

    journey = _journey(payload)
    result = journey_retrain(journey=journey, actor=None)
    themes_refresh_later(journey=journey)  # what the model now files no longer needs a theme
    return result


@register(CLASSIFY_JOB)
def classify(payload: dict[str, Any], progress: Progress) -> dict[str, Any]:
    """Classify and group a journey's feedback with its newest model (after an import)."""
    from sawt.classification.services import journey_reclassify
    from sawt.classification.theme_services import themes_refresh_later

    journey = _journey(payload)
    result = journey_reclassify(journey=journey)
    themes_refresh_later(journey=journey)
    return result


@register(THEMES_JOB)
def themes(payload: dict[str, Any], progress: Progress) -> dict[str, Any]:
    """Compute a period's candidate themes (nothing to do if the data did not change)."""
    from sawt.classification.theme_services import theme_set_compute

    theme_set, computed = theme_set_compute(
        journey=_journey(payload), period=payload["period"], source=payload["source"]
    )
    return {"themes": len(theme_set.themes), "computed": computed}


@register(THEMES_REFRESH_JOB)
def themes_refresh(payload: dict[str, Any], progress: Progress) -> dict[str, Any]:
    """Compute again the journey's stored theme sets whose data changed."""
    from sawt.classification.theme_services import theme_sets_refresh

    return {"computed": theme_sets_refresh(journey=_journey(payload))}
