"""Trained reason classifiers, kept as numbered versions with what they were trained on and
how well they scored, so a prediction can always be traced to the model that made it."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from sawt.catalog.models import Journey
from sawt.core.models import TimeStampedModel


class ClassifierModel(TimeStampedModel):
    """One trained version of a named classifier.

    A journey's model is named after the journey and predicts its gap categories; models
    trained from the command line on any labelled file carry the name given there."""

    name = models.CharField(_("name"), max_length=100)
    version = models.PositiveIntegerField(_("version"))
    journey = models.ForeignKey(
        Journey,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="classifiers",
        verbose_name=_("journey"),
    )
    labels = models.JSONField(_("labels"), default=list)
    training_size = models.PositiveIntegerField(_("training examples"))
    train_seconds = models.FloatField(_("training seconds"))
    # The cross-validated report: macro_f1, accuracy, per_class, confusion_matrix, threshold …
    scores = models.JSONField(_("cross-validated scores"), default=dict)
    # Predictions at or above this confidence are accepted; the others wait for an analyst.
    threshold = models.FloatField(_("review threshold"))
    source = models.CharField(_("trained on"), max_length=255, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        verbose_name=_("trained by"),
    )
    # The fitted pipeline (joblib). Written only by sawt itself, never uploaded: see loads().
    artefact = models.BinaryField(_("model file"))

    class Meta:
        ordering = ["name", "-version"]
        verbose_name = _("classifier")
        verbose_name_plural = _("classifiers")
        constraints = [
            models.UniqueConstraint(fields=["name", "version"], name="classifier_version_unique"),
            models.CheckConstraint(
                condition=Q(threshold__gte=0, threshold__lte=1), name="classifier_threshold_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} v{self.version}"

    @property
    def macro_f1(self) -> float | None:
        return self.scores.get("macro_f1")


class ThemeSource(models.TextChoices):
    """Which feedback a set of candidate themes was found in."""

    COMPLAINTS = "complaints", _("complaints")
    SURVEY = "survey", _("survey open answers")


class ThemeSet(TimeStampedModel):
    """The candidate themes of a journey's feedback for one period and source, as last
    computed, with the fingerprint of the data they were computed from: pages serve them as
    they are, and compute them again (in the background) only once the data changed."""

    journey = models.ForeignKey(
        Journey, on_delete=models.CASCADE, related_name="theme_sets", verbose_name=_("journey")
    )
    period = models.CharField(_("period"), max_length=7)
    source = models.CharField(_("source"), max_length=20, choices=ThemeSource.choices)
    # What the themes were computed from (sawt.classification.selectors.theme_fingerprint).
    fingerprint = models.CharField(_("data fingerprint"), max_length=64)
    # [{"size", "top_terms", "examples", "complaint_ids", "answer_ids"}], largest first.
    themes = models.JSONField(_("themes"), default=list)
    computed_at = models.DateTimeField(_("computed at"))
    seconds = models.FloatField(_("computing seconds"), default=0.0)

    class Meta:
        verbose_name = _("candidate themes")
        verbose_name_plural = _("candidate themes")
        constraints = [
            models.UniqueConstraint(
                fields=["journey", "period", "source"], name="theme_set_one_per_source"
            ),
            models.CheckConstraint(
                condition=Q(source__in=ThemeSource.values), name="theme_set_source_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.journey_id} {self.period} {self.source}"


# The precision analysts may ask of a journey's model before it files a complaint alone: below
# 0.5 it would be wrong as often as right; 0.99 is as strict as a cross-validation of a few
# hundred labels can tell apart from 1 (review everything).
TARGET_PRECISION_MIN = 0.5
TARGET_PRECISION_MAX = 0.99


class ReviewSettings(TimeStampedModel):
    """How sure a journey's model must be to file a complaint without a person, as a precision
    the analysts chose (the threshold that reaches it is read off each model's out-of-fold
    curve). No row, or an empty target, is the default (TARGET_PRECISION of the classifier)."""

    journey = models.OneToOneField(
        Journey,
        on_delete=models.CASCADE,
        related_name="review_settings",
        verbose_name=_("journey"),
    )
    target_precision = models.FloatField(_("target precision"), null=True, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("changed by"),
    )

    class Meta:
        verbose_name = _("review settings")
        verbose_name_plural = _("review settings")
        constraints = [
            models.CheckConstraint(
                condition=Q(target_precision__isnull=True)
                | Q(
                    target_precision__gte=TARGET_PRECISION_MIN,
                    target_precision__lte=TARGET_PRECISION_MAX,
                ),
                name="review_settings_target_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.journey_id} {self.target_precision}"


class ReviewSettle(TimeStampedModel):
    """One settle of the review queue: the complaint an analyst filed and the category given,
    with what each complaint it labelled carried before (`members`), so it can be undone."""

    journey = models.ForeignKey(
        Journey, on_delete=models.CASCADE, related_name="review_settles", verbose_name=_("journey")
    )
    complaint = models.ForeignKey(
        "complaints.Complaint",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("complaint"),
    )
    category = models.ForeignKey(
        "catalog.GapCategory",
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("gap category"),
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("settled by"),
    )
    undone_at = models.DateTimeField(_("undone at"), null=True, blank=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("undone by"),
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("settled complaint")
        verbose_name_plural = _("settled complaints")
        indexes = [models.Index(fields=["journey", "actor", "-created_at"], name="settle_recent")]

    def __str__(self) -> str:
        return f"{self.complaint_id} → {self.category_id}"


class ReviewSettleMember(models.Model):
    """A complaint a settle labelled, and what it carried just before."""

    settle = models.ForeignKey(
        ReviewSettle, on_delete=models.CASCADE, related_name="members", verbose_name=_("settle")
    )
    complaint = models.ForeignKey(
        "complaints.Complaint",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("complaint"),
    )
    # The complaint's category before the settle: a model's guess, a label, or none at all.
    category = models.ForeignKey(
        "catalog.GapCategory",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("category before"),
    )
    category_source = models.CharField(_("set by before"), max_length=16, blank=True)
    category_confidence = models.FloatField(_("confidence before"), null=True, blank=True)

    class Meta:
        verbose_name = _("settled complaint's earlier category")
        verbose_name_plural = _("settled complaints' earlier categories")
        constraints = [
            models.UniqueConstraint(fields=["settle", "complaint"], name="settle_member_unique")
        ]

    def __str__(self) -> str:
        return f"{self.settle_id}: {self.complaint_id}"
