"""The events other systems may subscribe to, and where a delivery stands."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class WebhookEvent(models.TextChoices):
    """The names are public (docs/api.md): a receiver switches on them."""

    GAP_CREATED = "gap.created", _("A gap was recorded")
    RECOMMENDATION_STATUS_CHANGED = (
        "recommendation.status_changed",
        _("A recommendation changed status"),
    )
    SURVEY_COMPLETED = "survey.completed", _("A respondent completed a survey form")
    IMPORT_FINISHED = (
        "import.finished",
        _("An import of complaints, responses or a sample finished"),
    )


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("pending")
    DELIVERED = "delivered", _("delivered")
    FAILED = "failed", _("failed")
