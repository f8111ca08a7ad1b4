"""Participatory workshops with customers and staff, and the notes taken in them."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from sawt.catalog.models import GapCategory, Journey, Stage
from sawt.core.i18n import pick
from sawt.core.models import TimeStampedModel


class Workshop(TimeStampedModel):
    """A session held about a journey; its notes are customer feedback like complaints are."""

    journey = models.ForeignKey(
        Journey, on_delete=models.PROTECT, related_name="workshops", verbose_name=_("journey")
    )
    title_ar = models.CharField(_("title (Arabic)"), max_length=255)
    title_en = models.CharField(_("title (English)"), max_length=255, blank=True)
    held_on = models.DateField(_("held on"))
    participants = models.PositiveIntegerField(_("participants"), null=True, blank=True)

    class Meta:
        ordering = ["journey", "-held_on"]
        verbose_name = _("workshop")
        verbose_name_plural = _("workshops")

    @property
    def title(self) -> str:
        return pick(self.title_ar, self.title_en)

    def __str__(self) -> str:
        return f"{self.title} ({self.held_on})"


class WorkshopNote(TimeStampedModel):
    """One piece of feedback heard in a workshop, optionally placed in a stage and category."""

    workshop = models.ForeignKey(
        Workshop, on_delete=models.CASCADE, related_name="notes", verbose_name=_("workshop")
    )
    text = models.TextField(_("text"))
    stage = models.ForeignKey(
        Stage,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="workshop_notes",
        verbose_name=_("stage"),
    )
    category = models.ForeignKey(
        GapCategory,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="workshop_notes",
        verbose_name=_("gap category"),
    )

    class Meta:
        ordering = ["workshop", "id"]
        verbose_name = _("workshop note")
        verbose_name_plural = _("workshop notes")

    def __str__(self) -> str:
        return self.text[:60]
