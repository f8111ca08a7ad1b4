"""Surveys of a journey in a period, their questions, and the responses received."""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from sawt.catalog.choices import CategorySource
from sawt.catalog.models import GapCategory, Journey, Stage
from sawt.core.i18n import pick
from sawt.core.models import TimeStampedModel
from sawt.core.periods import PERIOD_DB_REGEX
from sawt.surveys.choices import MAX_SCORE, MIN_SCORE, QuestionKind


class Survey(TimeStampedModel):
    """The satisfaction survey of one journey in one period (`YYYY-MM`): who it was sent to."""

    code = models.SlugField(_("code"), max_length=100, unique=True)
    journey = models.ForeignKey(
        Journey, on_delete=models.PROTECT, related_name="surveys", verbose_name=_("journey")
    )
    period = models.CharField(_("period"), max_length=7, help_text="YYYY-MM")
    # Invitations sent: set by hand in the definition, or, when it is not, the number of people
    # invited through sawt (sawt.distribution); None until either happened.
    sample_size = models.PositiveIntegerField(_("sample sent"), null=True, blank=True)
    sample_size_by_hand = models.BooleanField(_("sample size set by hand"), default=True)
    population_size = models.PositiveIntegerField(_("population"), null=True, blank=True)
    # Kept by the writers of responses (surveys/services/tallies.py), read by every page: the
    # responses with no answer but "not applicable", and {attribute: {value: responses}}
    # (None: not counted yet; a new survey starts with none).
    empty_responses = models.PositiveIntegerField(
        _("responses without an answer"), default=0, db_default=0
    )
    respondent_groups = models.JSONField(
        _("respondents by attribute"), null=True, blank=True, default=dict
    )
    # Moved on by every write of responses (the same writers): a figure computed from the
    # respondents' answers may be kept until it changes (metrics/drivers.py).
    responses_version = models.PositiveIntegerField(_("responses version"), default=0, db_default=0)

    class Meta:
        ordering = ["journey", "-period"]
        verbose_name = _("survey")
        verbose_name_plural = _("surveys")
        constraints = [
            # One measurement per journey and period keeps the summary unambiguous.
            models.UniqueConstraint(fields=["journey", "period"], name="survey_journey_period"),
            models.CheckConstraint(
                condition=Q(period__regex=PERIOD_DB_REGEX), name="survey_period_format"
            ),
            models.CheckConstraint(condition=Q(sample_size__gt=0), name="survey_sample_positive"),
            models.CheckConstraint(
                condition=Q(population_size__isnull=True) | Q(population_size__gt=0),
                name="survey_population_positive",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} ({self.period})"

    @classmethod
    def visible_to_agency(cls, agency_id: int) -> Q:
        """The surveys a member of the agency sees (sawt.core.access): its journeys'."""
        return Q(journey__agency_id=agency_id)


class Question(TimeStampedModel):
    """One survey item; scored kinds carry a scale, every kind but `overall` may sit in a stage."""

    survey = models.ForeignKey(
        Survey, on_delete=models.CASCADE, related_name="questions", verbose_name=_("survey")
    )
    code = models.SlugField(_("code"), max_length=64)
    kind = models.CharField(_("kind"), max_length=16, choices=QuestionKind.choices)
    text_ar = models.TextField(_("text (Arabic)"))
    text_en = models.TextField(_("text (English)"), blank=True)
    scale_min = models.PositiveSmallIntegerField(_("scale from"), null=True, blank=True)
    scale_max = models.PositiveSmallIntegerField(_("scale to"), null=True, blank=True)
    stage = models.ForeignKey(
        Stage,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="questions",
        verbose_name=_("stage"),
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    # The survey tool's answer codes as written ({"very_good": 5, "AO01": 1}): a response
    # source scores a cell by looking it up here; empty for sawt's own definitions.
    choices = models.JSONField(_("choices"), default=dict, blank=True)
    # The survey tool's own id of the question (XLSForm `name`, LimeSurvey SGQA), so a
    # response export's columns map to questions.
    source_key = models.CharField(_("source key"), max_length=200, blank=True)
    # Answer values that mean "not applicable" (["0"], ["99"]), as the definition lists them in
    # text: an import records such an answer as not applicable, neither a score nor a blank.
    na_values = models.JSONField(_("not-applicable values"), default=list, blank=True)

    class Meta:
        ordering = ["survey", "position", "id"]
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        constraints = [
            models.UniqueConstraint(fields=["survey", "code"], name="question_code_unique"),
            models.CheckConstraint(
                condition=Q(kind__in=QuestionKind.values), name="question_kind_valid"
            ),
            models.CheckConstraint(
                condition=(
                    Q(kind=QuestionKind.TEXT, scale_min__isnull=True, scale_max__isnull=True)
                    | (
                        ~Q(kind=QuestionKind.TEXT)
                        # NULL would make the check pass, so the bounds must be present.
                        & Q(scale_min__isnull=False, scale_max__isnull=False)
                        & Q(scale_min__gte=MIN_SCORE, scale_max__lte=MAX_SCORE)
                        & Q(scale_max__gt=F("scale_min"))
                    )
                ),
                name="question_scale_valid",
            ),
            models.CheckConstraint(
                condition=~Q(kind=QuestionKind.OVERALL) | Q(stage__isnull=True),
                name="question_overall_has_no_stage",
            ),
        ]

    @property
    def text(self) -> str:
        return pick(self.text_ar, self.text_en)

    def __str__(self) -> str:
        return f"{self.code}: {self.text}"


class Response(models.Model):
    """One respondent's answers to a survey; extra import columns become `attributes`."""

    survey = models.ForeignKey(
        Survey, on_delete=models.CASCADE, related_name="responses", verbose_name=_("survey")
    )
    respondent_id = models.CharField(_("respondent id"), max_length=100)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    attributes = models.JSONField(_("attributes"), default=dict, blank=True)

    class Meta:
        ordering = ["survey", "id"]
        verbose_name = _("response")
        verbose_name_plural = _("responses")
        constraints = [
            models.UniqueConstraint(
                fields=["survey", "respondent_id"], name="response_respondent_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.respondent_id


class Answer(models.Model):
    """One answer: a score (scored kinds, within the question's scale) or a text."""

    # No single-column indexes on the two keys: (response, question) is unique and
    # (question, score) is indexed, and each leads with one of them. At ten million answers
    # every index costs seconds on each import.
    response = models.ForeignKey(
        Response,
        on_delete=models.CASCADE,
        related_name="answers",
        verbose_name=_("response"),
        db_index=False,
    )
    question = models.ForeignKey(
        Question,
        on_delete=models.CASCADE,
        related_name="answers",
        verbose_name=_("question"),
        db_index=False,
    )
    score = models.SmallIntegerField(_("score"), null=True, blank=True)
    text = models.TextField(_("text"), blank=True, default="")
    # Open-text answers are sorted into gap categories like complaints are.
    category = models.ForeignKey(
        GapCategory,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="answers",
        verbose_name=_("gap category"),
        db_index=False,
    )
    category_source = models.CharField(
        _("category set by"), max_length=16, choices=CategorySource.choices, blank=True
    )
    # "Not applicable": the respondent answered with one of the question's na_values. Not a
    # score (the score-count triggers skip it, as every NULL score), not a blank either: the
    # summary counts these apart. NULL, not False, on rows written before it existed, so adding
    # the column rewrites no row of a table with millions.
    not_applicable = models.BooleanField(_("not applicable"), null=True, blank=True)

    class Meta:
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        constraints = [
            models.UniqueConstraint(
                fields=["response", "question"], name="answer_once_per_question"
            ),
            models.CheckConstraint(
                condition=Q(score__isnull=True) | Q(score__gte=MIN_SCORE, score__lte=MAX_SCORE),
                name="answer_score_in_range",
            ),
            models.CheckConstraint(
                condition=Q(score__isnull=False) | ~Q(text="") | Q(not_applicable=True),
                name="answer_not_empty",
            ),
            models.CheckConstraint(
                condition=~Q(not_applicable=True) | Q(score__isnull=True),
                name="answer_not_applicable_no_score",
            ),
            models.CheckConstraint(
                condition=Q(category__isnull=True, category_source="")
                | Q(category__isnull=False, category_source__in=CategorySource.values),
                name="answer_category_source",
            ),
        ]
        indexes = [
            # The metrics engine groups by (question, score): this index answers it alone.
            models.Index(fields=["question", "score"], name="answer_question_score"),
            # Only open-text answers carry a category: index those, not ten million nulls.
            models.Index(
                fields=["category"], condition=Q(category__isnull=False), name="answer_category"
            ),
        ]

    def __str__(self) -> str:
        return str(self.score) if self.score is not None else self.text[:60]


class ScoreCount(models.Model):
    """How many answers a question has at one score: the sufficient statistic the metrics engine
    reads. Kept by database triggers on every insert, update and delete of answers (migration
    0004), so it cannot drift from the answers whatever writes them."""

    question = models.ForeignKey(
        Question,
        on_delete=models.CASCADE,
        related_name="score_counts",
        verbose_name=_("question"),
        db_index=False,
    )
    score = models.SmallIntegerField(_("score"))
    count = models.BigIntegerField(_("count"), default=0)

    class Meta:
        verbose_name = _("score count")
        verbose_name_plural = _("score counts")
        constraints = [
            models.UniqueConstraint(fields=["question", "score"], name="scorecount_unique"),
            models.CheckConstraint(condition=Q(count__gte=0), name="scorecount_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.question_id}:{self.score}×{self.count}"
