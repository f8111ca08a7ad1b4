"""Agencies own journeys (services); a journey has ordered stages and a taxonomy of gap
categories (reasons for dissatisfaction)."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from sawt.core.i18n import pick
from sawt.core.models import TimeStampedModel


class BilingualName(models.Model):
    """Arabic and English names side by side; Arabic is required, English should follow."""

    name_ar = models.CharField(_("name (Arabic)"), max_length=255)
    name_en = models.CharField(_("name (English)"), max_length=255, blank=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return pick(self.name_ar, self.name_en)

    def names(self) -> dict[str, str]:
        return {"ar": self.name_ar, "en": self.name_en}


class Agency(BilingualName, TimeStampedModel):
    """A body of the ministry (or an external party) that owns journeys and recommendations."""

    code = models.SlugField(_("code"), max_length=64, unique=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("agency")
        verbose_name_plural = _("agencies")


class Journey(BilingualName, TimeStampedModel):
    """A service as a customer lives it, from finding it to receiving it."""

    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, related_name="journeys", verbose_name=_("agency")
    )

    class Meta:
        ordering = ["slug"]
        verbose_name = _("journey")
        verbose_name_plural = _("journeys")

    @classmethod
    def visible_to_agency(cls, agency_id: int) -> Q:
        """The journeys a member of the agency sees (sawt.core.access): the ones it owns."""
        return Q(agency_id=agency_id)


class Stage(BilingualName, TimeStampedModel):
    """One step of a journey; `position` orders the stages as the customer meets them."""

    journey = models.ForeignKey(
        Journey, on_delete=models.CASCADE, related_name="stages", verbose_name=_("journey")
    )
    code = models.SlugField(_("code"), max_length=64)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["journey", "position", "id"]
        verbose_name = _("stage")
        verbose_name_plural = _("stages")
        constraints = [
            models.UniqueConstraint(fields=["journey", "code"], name="stage_code_unique"),
        ]


class GapCategory(BilingualName, TimeStampedModel):
    """A reason for dissatisfaction in a journey's taxonomy (e.g. Qawaem statements not found)."""

    journey = models.ForeignKey(
        Journey,
        on_delete=models.CASCADE,
        related_name="gap_categories",
        verbose_name=_("journey"),
    )
    code = models.SlugField(_("code"), max_length=64)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["journey", "position", "id"]
        verbose_name = _("gap category")
        verbose_name_plural = _("gap categories")
        constraints = [
            models.UniqueConstraint(fields=["journey", "code"], name="gapcategory_code_unique"),
        ]
