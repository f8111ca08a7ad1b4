"""Complaints about a journey, with the reason for dissatisfaction they were sorted into."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from sawt.catalog.choices import CategorySource
from sawt.catalog.models import GapCategory, Journey
from sawt.core.models import TimeStampedModel


class Complaint(TimeStampedModel):
    """One complaint; `text` is stored with personal data already redacted."""

    journey = models.ForeignKey(
        Journey, on_delete=models.PROTECT, related_name="complaints", verbose_name=_("journey")
    )
    complaint_id = models.CharField(_("complaint id"), max_length=100)
    received_at = models.DateTimeField(_("received at"), db_index=True)
    channel = models.CharField(_("channel"), max_length=50, blank=True)
    text = models.TextField(_("text"))
    category = models.ForeignKey(
        GapCategory,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="complaints",
        verbose_name=_("gap category"),
    )
    category_source = models.CharField(
        _("category set by"), max_length=16, choices=CategorySource.choices, blank=True
    )
    category_confidence = models.FloatField(_("confidence"), null=True, blank=True)
    # The classifier's best guess, kept whatever its confidence: above the model's threshold it
    # is also the category (source "model"); below it, the complaint waits in the review queue.
    prediction = models.ForeignKey(
        GapCategory,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("predicted category"),
    )
    prediction_confidence = models.FloatField(_("prediction confidence"), null=True, blank=True)
    # Which version of the journey's model made the prediction (the journey's model is named
    # after it: classification's ClassifierModel with name = journey slug). A version, not a
    # foreign key: complaints sit below classification and know nothing of its tables.
    classifier_version = models.PositiveIntegerField(_("classifier version"), null=True, blank=True)
    # Near-duplicates (the same complaint sent through several channels) share a group: the id
    # of the group's earliest complaint. Null for a complaint with no near-duplicate (or not
    # grouped yet): it is a group of its own.
    duplicate_group = models.BigIntegerField(_("duplicate group"), null=True, blank=True)
    # What an analyst's label of this complaint would teach the model, written with its
    # prediction (sawt.classification.services.review_priorities_update): the review queue
    # is ordered by it, highest first. 0 where it was not computed (the queue then falls back to
    # the least sure first). Not null (NULLS LAST in an index is beyond SQLite), with a default in
    # the database too: imports insert complaints with their own SQL (sawt.imports.db).
    review_priority = models.FloatField(_("review priority"), default=0.0, db_default=0.0)

    class Meta:
        # Not by journey first: ordering on a foreign key joins the journey table into every
        # query, the category counts of the summary included.
        ordering = ["-received_at", "id"]
        verbose_name = _("complaint")
        verbose_name_plural = _("complaints")
        constraints = [
            models.UniqueConstraint(fields=["journey", "complaint_id"], name="complaint_id_unique"),
            models.CheckConstraint(condition=~Q(text=""), name="complaint_text_not_empty"),
            models.CheckConstraint(
                condition=Q(category__isnull=True, category_source="")
                | Q(category__isnull=False, category_source__in=CategorySource.values),
                name="complaint_category_source",
            ),
            models.CheckConstraint(
                condition=Q(category_confidence__isnull=True)
                | Q(category_confidence__gte=0, category_confidence__lte=1),
                name="complaint_confidence_range",
            ),
            models.CheckConstraint(
                condition=Q(prediction_confidence__isnull=True)
                | Q(prediction_confidence__gte=0, prediction_confidence__lte=1),
                name="complaint_prediction_confidence_range",
            ),
        ]
        indexes = [
            # Covers the summary's category counts for a journey and period (no table reads).
            models.Index(
                fields=["journey", "received_at", "category", "category_source"],
                name="complaint_journey_period",
            ),
            # The complaints that share a near-duplicate group, for the rankings' `groups`: a
            # small index, so counting distinct groups costs nothing where there are none.
            models.Index(
                fields=["journey", "received_at", "category", "duplicate_group"],
                condition=Q(duplicate_group__isnull=False),
                name="complaint_grouped",
            ),
            # The review queue: a journey's unsettled predictions, least sure first.
            models.Index(
                fields=["journey", "prediction_confidence"],
                condition=Q(category__isnull=True, prediction__isnull=False),
                name="complaint_review_queue",
            ),
            # ... ordered by what a label teaches the model most.
            models.Index(
                fields=["journey", "-review_priority"],
                condition=Q(category__isnull=True, prediction__isnull=False),
                name="complaint_review_priority",
            ),
        ]

    def __str__(self) -> str:
        return self.complaint_id

    @classmethod
    def visible_to_agency(cls, agency_id: int) -> Q:
        """The complaints a member of the agency sees (sawt.core.access): its journeys'."""
        return Q(journey__agency_id=agency_id)


class SavedMapping(TimeStampedModel):
    """How a journey's complaint files are read: a mapping profile (sawt.imports.mapping),
    stored as its YAML document's data so it can be downloaded for `--mapping`. Saved from
    the imports page's preview; the page's later uploads for the journey use it."""

    KIND_COMPLAINTS = "complaints"
    KIND_RESPONSES = "responses"

    journey = models.ForeignKey(
        Journey, on_delete=models.CASCADE, related_name="saved_mappings", verbose_name=_("journey")
    )
    kind = models.CharField(_("kind of file"), max_length=20, default=KIND_COMPLAINTS)
    profile = models.JSONField(_("mapping profile"), default=dict)

    class Meta:
        verbose_name = _("saved column mapping")
        verbose_name_plural = _("saved column mappings")
        constraints = [
            models.UniqueConstraint(fields=["journey", "kind"], name="one_mapping_per_journey_kind")
        ]

    def __str__(self) -> str:
        return f"{self.journey} · {self.kind}"
