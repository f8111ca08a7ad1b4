"""Reads of complaints on behalf of a person, scoped by the one policy (sawt.core.access)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from sawt.complaints.models import Complaint
from sawt.core.access import scoped


def complaints_for(user: Any) -> QuerySet[Complaint]:
    """The complaints about the journeys this user may see."""
    return scoped(user, Complaint.objects.all())
