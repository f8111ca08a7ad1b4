"""Gaps (customer feedback) and the recommendations (decisions) that close them."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from sawt.catalog.models import Agency, GapCategory, Journey, Stage
from sawt.complaints.models import Complaint
from sawt.core.i18n import pick
from sawt.core.models import TimeStampedModel
from sawt.core.periods import PERIOD_DB_REGEX
from sawt.gaps.choices import RecommendationStatus
from sawt.surveys.models import Question
from sawt.workshops.models import WorkshopNote


class Gap(TimeStampedModel):
    """What customers told us is wrong, found in a period, linked to the evidence behind it."""

    journey = models.ForeignKey(
        Journey, on_delete=models.PROTECT, related_name="gaps", verbose_name=_("journey")
    )
    period = models.CharField(_("period"), max_length=7, help_text="YYYY-MM")
    number = models.PositiveIntegerField(_("number"))
    feedback_ar = models.TextField(_("customer feedback (Arabic)"))
    feedback_en = models.TextField(_("customer feedback (English)"), blank=True)
    stage = models.ForeignKey(
        Stage,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="gaps",
        verbose_name=_("stage"),
    )
    category = models.ForeignKey(
        GapCategory,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="gaps",
        verbose_name=_("gap category"),
    )
    complaints = models.ManyToManyField(
        Complaint, blank=True, related_name="gaps", verbose_name=_("complaints")
    )
    questions = models.ManyToManyField(
        Question, blank=True, related_name="gaps", verbose_name=_("low-scoring items")
    )
    workshop_notes = models.ManyToManyField(
        WorkshopNote, blank=True, related_name="gaps", verbose_name=_("workshop notes")
    )

    class Meta:
        ordering = ["journey", "period", "number"]
        verbose_name = _("gap")
        verbose_name_plural = _("gaps")
        constraints = [
            models.UniqueConstraint(fields=["journey", "number"], name="gap_number_unique"),
            models.CheckConstraint(
                condition=Q(period__regex=PERIOD_DB_REGEX), name="gap_period_format"
            ),
        ]

    @property
    def feedback(self) -> str:
        return pick(self.feedback_ar, self.feedback_en)

    def __str__(self) -> str:
        return f"#{self.number} {self.feedback[:60]}"

    @classmethod
    def visible_to_agency(cls, agency_id: int) -> Q:
        """The gaps a member of the agency sees (sawt.core.access): its journeys', plus those
        carrying a recommendation it owns."""
        # A subquery rather than a join on recommendations: no duplicate rows, no DISTINCT needed.
        owned = Recommendation.objects.filter(owner_id=agency_id).values("gap_id")
        return Q(journey__agency_id=agency_id) | Q(pk__in=owned)


class Recommendation(TimeStampedModel):
    """The decision taken on a gap, owned by an agency and tracked to implemented and beyond."""

    gap = models.ForeignKey(
        Gap, on_delete=models.CASCADE, related_name="recommendations", verbose_name=_("gap")
    )
    text_ar = models.TextField(_("decision (Arabic)"))
    text_en = models.TextField(_("decision (English)"), blank=True)
    owner = models.ForeignKey(
        Agency,
        on_delete=models.PROTECT,
        related_name="recommendations",
        verbose_name=_("owner agency"),
    )
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=RecommendationStatus.choices,
        default=RecommendationStatus.PROPOSED,
    )
    due_date = models.DateField(_("due date"), null=True, blank=True)
    # What the decision should move, checked once it is implemented (sawt.metrics.impact):
    # {"items": [question codes], "stage": stage code | None, "category": category code | None}.
    # Codes in JSON rather than relations: each period's survey has its own Question rows, and
    # an item is the same item across periods only by its code, which is what the comparison
    # reads; stage and category are kept the same way so the targets are one record, edited
    # and audited as one field. The services check every code against the gap's journey.
    targets = models.JSONField(_("what it should move"), default=dict, blank=True)
    # Bumped on every save so a second concurrent edit is detected, never silently applied.
    version = models.PositiveIntegerField(_("version"), default=1)

    class Meta:
        ordering = ["gap", "id"]
        verbose_name = _("recommendation")
        verbose_name_plural = _("recommendations")
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=RecommendationStatus.values),
                name="recommendation_status_valid",
            ),
        ]

    @property
    def text(self) -> str:
        return pick(self.text_ar, self.text_en)

    def __str__(self) -> str:
        return self.text[:60]

    @classmethod
    def visible_to_agency(cls, agency_id: int) -> Q:
        """The recommendations a member of the agency sees (sawt.core.access): those on its
        journeys' gaps, plus those it owns."""
        return Q(gap__journey__agency_id=agency_id) | Q(owner_id=agency_id)


class RecommendationEvent(models.Model):
    """One change of a recommendation's status: from, to, who and when (UTC)."""

    recommendation = models.ForeignKey(
        Recommendation,
        on_delete=models.CASCADE,
        related_name="events",
        verbose_name=_("recommendation"),
    )
    from_status = models.CharField(
        _("from"), max_length=16, choices=RecommendationStatus.choices, blank=True
    )
    to_status = models.CharField(_("to"), max_length=16, choices=RecommendationStatus.choices)
    at = models.DateTimeField(_("at"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        verbose_name=_("by"),
    )
    # Who acted, as a name that outlives the user and covers those who are none: "system",
    # a username, or an API token's "token:<name>" (sawt.core.audit.actor_label).
    actor_label = models.CharField(_("by (name)"), max_length=150, blank=True)
    note = models.TextField(_("note"), blank=True)
    # A move to `verified` carries the impact result it was verified on (the recommendation's
    # entry of sawt.metrics.impact, as computed at that moment): later periods may change the
    # live result, never the evidence the decision rested on. Null for every other move.
    impact = models.JSONField(_("impact at the move"), null=True, blank=True)

    class Meta:
        ordering = ["recommendation", "at", "id"]
        verbose_name = _("status change")
        verbose_name_plural = _("status changes")

    def __str__(self) -> str:
        return f"{self.from_status or '—'} → {self.to_status}"


class RecommendationEdit(models.Model):
    """One edit of a recommendation's text, owner or due date: what changed, who and when."""

    recommendation = models.ForeignKey(
        Recommendation,
        on_delete=models.CASCADE,
        related_name="edits",
        verbose_name=_("recommendation"),
    )
    at = models.DateTimeField(_("at"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        verbose_name=_("by"),
    )
    # {field: [before, after]}, values as shown to people (agency codes, ISO dates).
    changes = models.JSONField(_("changes"), default=dict)

    class Meta:
        ordering = ["recommendation", "at", "id"]
        verbose_name = _("recommendation edit")
        verbose_name_plural = _("recommendation edits")

    def __str__(self) -> str:
        return ", ".join(self.changes)


class GapComment(models.Model):
    """A remark on a gap by someone working on it; personal data is redacted on the way in."""

    gap = models.ForeignKey(
        Gap, on_delete=models.CASCADE, related_name="comments", verbose_name=_("gap")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        verbose_name=_("author"),
    )
    text = models.TextField(_("text"))
    created_at = models.DateTimeField(_("created at"))

    class Meta:
        ordering = ["gap", "created_at", "id"]
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        constraints = [
            models.CheckConstraint(condition=~Q(text=""), name="gapcomment_text_not_empty"),
        ]

    def __str__(self) -> str:
        return self.text[:60]
