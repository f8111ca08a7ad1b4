"""Background work of reason classification, run by `sawt worker`.

Django imports this module at every start (through ClassificationConfig.ready), so it stays
light: the services, and scikit-learn behind them, are imported inside each handler.
"""

from __future__ import annotations

from typing import Any

from sawt.jobs.registry import Progress, register

RETRAIN_JOB = "classifier.retrain"
# The deep engine's slower model, queued by a retraining when the deployment trains deep.
DEEP_RETRAIN_JOB = "classifier.retrain_deep"
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
    """Retrain a journey's model from its labels with the fast engine (seconds), then classify
    and group its feedback; where the deployment trains deep, queue the deep model after it,
    so the analysts' new labels change the queue now and the better model follows."""
    from sawt.classification.services import deep_retrain_enqueue, journey_retrain
    from sawt.classification.theme_services import themes_refresh_later

    journey = _journey(payload)
    progress(0, 1, "fast")
    result = journey_retrain(journey=journey, actor=None, engine="fast")
    progress(1, 1, "fast")
    themes_refresh_later(journey=journey)  # what the model now files no longer needs a theme
    deep = deep_retrain_enqueue(journey=journey, actor=None)
    return {**result, "deep_job": deep.pk if deep is not None else None}


@register(DEEP_RETRAIN_JOB)
def retrain_deep(payload: dict[str, Any], progress: Progress) -> dict[str, Any]:
    """Train the deep engine's model of a journey (minutes to tens of minutes on a CPU), with
    its progress, save it as the next version, then classify and group with it."""
    from sawt.classification.services import classifier_engine, journey_retrain
    from sawt.classification.theme_services import themes_refresh_later
    from sawt.textanalytics import engines

    journey = _journey(payload)
    if classifier_engine() != engines.DEEP:
        # Queued before the deployment stopped training deep (or lost its extra): nothing to do.
        return {"skipped": "the deployment does not train the deep engine"}
    result = journey_retrain(journey=journey, actor=None, engine="deep", progress=progress)
    themes_refresh_later(journey=journey)
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
