"""Reads of the catalog on behalf of a person, scoped by the one policy (sawt.core.access)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from sawt.catalog.models import Journey
from sawt.core.access import scoped


def journeys_for(user: Any) -> QuerySet[Journey]:
    """The journeys this user may see."""
    return scoped(user, Journey.objects.all())
