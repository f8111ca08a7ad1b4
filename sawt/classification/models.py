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
