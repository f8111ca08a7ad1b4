from django.db import models
from django.utils.translation import gettext_lazy as _


class RecommendationStatus(models.TextChoices):
    """Where a recommendation stands; the allowed moves live in gaps/transitions.py."""

    PROPOSED = "proposed", _("proposed")
    APPROVED = "approved", _("approved")
    IN_PROGRESS = "in_progress", _("in progress")
    IMPLEMENTED = "implemented", _("implemented")
    VERIFIED = "verified", _("verified")
    REJECTED = "rejected", _("rejected")


# Decisions still to be carried out: counted as "open" by the director's view and the portfolio.
OPEN_STATUSES: tuple[str, ...] = (
    RecommendationStatus.PROPOSED,
    RecommendationStatus.APPROVED,
    RecommendationStatus.IN_PROGRESS,
)
