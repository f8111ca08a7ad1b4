"""What classification does when the apps below it announce a change (connected in apps.py)."""

from __future__ import annotations

from typing import Any

from sawt.catalog.models import Journey
from sawt.classification.services import classify_enqueue


def classify_imported_complaints(
    sender: Any, *, journey: Journey, actor: Any, **kwargs: Any
) -> None:
    """New or changed complaints are sorted by the journey's model in the background, so the
    review queue and the rankings follow the import without anyone asking."""
    classify_enqueue(journey=journey, actor=actor)
