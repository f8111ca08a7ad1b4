"""The values of distribution's fields, exactly as the issues and the summary JSON spell them."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    """How an invitation reaches a person."""

    EMAIL = "email", _("e-mail")
    SMS = "sms", _("SMS")


class InvitationState(models.TextChoices):
    """Where one person's invitation stands; a later state implies the earlier ones happened."""

    QUEUED = "queued", _("queued")
    SENT = "sent", _("sent")
    FAILED = "failed", _("failed")
    OPENED = "opened", _("opened")
    STARTED = "started", _("started")
    COMPLETED = "completed", _("completed")
    EXPIRED = "expired", _("expired")
    OPTED_OUT = "opted_out", _("opted out")


class MessageKind(models.TextChoices):
    """A message sent to a person: the first invitation or a reminder."""

    INVITATION = "invitation", _("invitation")
    REMINDER = "reminder", _("reminder")


class Language(models.TextChoices):
    """The language a person is written to and first sees the form in."""

    AR = "ar", "العربية"
    EN = "en", "English"
