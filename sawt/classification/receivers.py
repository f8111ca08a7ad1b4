"""What classification does when the apps below it announce a change (connected in apps.py)."""

from __future__ import annotations

from typing import Any

from sawt.catalog.models import Journey
from sawt.classification.services import classify_enqueue
from sawt.classification.theme_services import themes_refresh_later
from sawt.surveys.models import Survey


def classify_imported_complaints(
    sender: Any, *, journey: Journey, actor: Any, **kwargs: Any
) -> None:
    """New or changed complaints are sorted by the journey's model in the background, so the
    review queue and the rankings follow the import without anyone asking; the stored candidate
    themes are computed again (once for a burst: the refresh is queued with a delay and a key)."""
    classify_enqueue(journey=journey, actor=actor)
    themes_refresh_later(journey=journey, actor=actor)


def refresh_themes_after_responses(
    sender: Any, *, survey: Survey, actor: Any, **kwargs: Any
) -> None:
    """New or changed open answers: the journey's stored candidate themes are computed again
    in the background, as after an import of complaints."""
    themes_refresh_later(journey=survey.journey, actor=actor)
