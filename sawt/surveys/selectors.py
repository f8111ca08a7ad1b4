"""Reads of surveys on behalf of a person, scoped by the one policy (sawt.core.access)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from sawt.core.access import scoped
from sawt.surveys.models import Survey


def surveys_for(user: Any) -> QuerySet[Survey]:
    """The surveys of the journeys this user may see."""
    return scoped(user, Survey.objects.all())
