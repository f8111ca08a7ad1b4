"""A survey's sample size when its definition does not set it by hand: the number of people
invited to it through sawt. Light (no contacts, no file readers): apps.py connects it to the
journey definition's import."""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.utils import timezone

from sawt.distribution.models import Invitee
from sawt.surveys.models import Survey


def sample_size_recount(survey: Survey) -> None:
    """Set the survey's sample size to its number of invitees (None for none), unless its
    definition set it by hand; writes only when the number changes."""
    invited = Invitee.objects.filter(survey_id=survey.pk).count() or None
    differs = Q(sample_size__isnull=False) if invited is None else ~Q(sample_size=invited)
    changed = Survey.objects.filter(differs, pk=survey.pk, sample_size_by_hand=False)
    if changed.update(sample_size=invited, updated_at=timezone.now()):
        survey.sample_size = invited


def definition_written_recount(sender: Any, survey: Survey, **kwargs: Any) -> None:
    """surveys' `definition_written`: a survey whose definition does not set its sample size
    by hand (any more) counts its invitees at once; returns None (no item of the file)."""
    if not survey.sample_size_by_hand:
        sample_size_recount(survey)
