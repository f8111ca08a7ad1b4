"""What the read endpoints return (surveys, summaries, complaints, gaps, recommendations) and
the filters they take, each validated so a bad value is a 400 naming the parameter."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field, inline_serializer
from rest_framework import serializers

from sawt.api.serializers.catalog import NameSerializer
from sawt.catalog.choices import CategorySource
from sawt.complaints.models import Complaint
from sawt.core.exceptions import ApplicationError
from sawt.core.periods import PERIOD_DB_REGEX, parse_period
from sawt.gaps.choices import RecommendationStatus
from sawt.gaps.models import Gap, Recommendation, RecommendationEvent
from sawt.surveys.choices import QuestionKind
from sawt.surveys.models import Question, Survey

# A code or null (a question without a stage, a complaint without a category, …).
NULLABLE_CODE = {"type": "string", "nullable": True}


@extend_schema_field(NameSerializer)
class Bilingual(serializers.Field):
    """A text kept in both languages (`<prefix>_ar`, `<prefix>_en`) as `{"ar", "en"}`."""

    def __init__(self, prefix: str, **kwargs: Any) -> None:
        self.prefix = prefix
        super().__init__(source="*", read_only=True, **kwargs)

    def to_representation(self, value: Any) -> dict[str, str]:
        return {
            "ar": getattr(value, f"{self.prefix}_ar"),
            "en": getattr(value, f"{self.prefix}_en"),
        }


@extend_schema_field({"type": "string", "pattern": PERIOD_DB_REGEX, "example": "2022-06"})
class PeriodField(serializers.CharField):
    """A calendar month `YYYY-MM`, checked by the one parser every interface uses."""

    def to_internal_value(self, data: Any) -> str:
        value = super().to_internal_value(data)
        try:
            parse_period(value)
        except ApplicationError as exc:
            raise serializers.ValidationError(exc.message) from exc
        return value


# Filters (query parameters). Slugs and codes are checked for their shape: any other value
# could match nothing anyway, and some (a NUL character) the database refuses outright.


class SurveyFilter(serializers.Serializer):
    journey = serializers.SlugField(required=False, help_text="Journey slug.")
    period = PeriodField(required=False, help_text="Period as YYYY-MM.")


class ComplaintFilter(SurveyFilter):
    category = serializers.SlugField(required=False, help_text="Gap category code.")
    # The metaclass takes it as a field; only mypy sees it shadow Field.source.
    source = serializers.ChoiceField(  # type: ignore[assignment]
        choices=CategorySource.choices,
        required=False,
        help_text="Who set the category: an import, an analyst or the classifier (model).",
    )


class GapFilter(SurveyFilter):
    status = serializers.ChoiceField(
        choices=RecommendationStatus.choices,
        required=False,
        help_text="Gaps with at least one recommendation in this status.",
    )


class RecommendationFilter(serializers.Serializer):
    journey = serializers.SlugField(required=False, help_text="Journey slug (of the gap).")
    status = serializers.ChoiceField(choices=RecommendationStatus.choices, required=False)
    agency = serializers.SlugField(required=False, help_text="Code of the owner agency.")


class SummaryPath(serializers.Serializer):
    period = PeriodField()


# Surveys


class ScaleSerializer(serializers.Serializer):
    min = serializers.IntegerField(source="scale_min")
    max = serializers.IntegerField(source="scale_max")


class QuestionSerializer(serializers.ModelSerializer):
    text = Bilingual("text")
    stage = serializers.SerializerMethodField()
    scale = serializers.SerializerMethodField()

    class Meta:
        model = Question
        fields = ["code", "kind", "position", "stage", "text", "scale"]

    @extend_schema_field(NULLABLE_CODE)
    def get_stage(self, question: Question) -> str | None:
        return question.stage.code if question.stage else None

    @extend_schema_field(ScaleSerializer(allow_null=True))
    def get_scale(self, question: Question) -> dict[str, Any] | None:
        if question.kind == QuestionKind.TEXT or question.scale_min is None:
            return None
        return {"min": question.scale_min, "max": question.scale_max}


class SurveySerializer(serializers.ModelSerializer):
    journey: serializers.SlugRelatedField = serializers.SlugRelatedField(
        slug_field="slug", read_only=True
    )
    period = serializers.CharField(read_only=True)
    response_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Survey
        fields = ["code", "journey", "period", "sample_size", "population_size", "response_count"]


class SurveyDetailSerializer(SurveySerializer):
    questions = QuestionSerializer(many=True, read_only=True)

    class Meta(SurveySerializer.Meta):
        fields = [*SurveySerializer.Meta.fields, "questions"]


# Complaints


class ComplaintSerializer(serializers.ModelSerializer):
    journey: serializers.SlugRelatedField = serializers.SlugRelatedField(
        slug_field="slug", read_only=True
    )
    text = serializers.CharField(
        read_only=True, help_text="The complaint's text, personal data redacted on the way in."
    )
    category = serializers.SerializerMethodField()
    category_source = serializers.SerializerMethodField()

    class Meta:
        model = Complaint
        fields = [
            "complaint_id",
            "journey",
            "received_at",
            "channel",
            "text",
            "category",
            "category_source",
        ]

    @extend_schema_field(NULLABLE_CODE)
    def get_category(self, complaint: Complaint) -> str | None:
        return complaint.category.code if complaint.category else None

    @extend_schema_field(
        {"type": "string", "enum": CategorySource.values, "nullable": True},
    )
    def get_category_source(self, complaint: Complaint) -> str | None:
        return complaint.category_source or None


# Gaps and recommendations


class EventSerializer(serializers.ModelSerializer):
    """One move of a recommendation: from (null for its creation), to, when, by whom, why."""

    from_status = serializers.SerializerMethodField()
    actor = serializers.SerializerMethodField()

    class Meta:
        model = RecommendationEvent
        # `impact`: on a move to verified, the result it was verified on (docs/impact.md);
        # null on every other move.
        fields = ["from_status", "to_status", "at", "actor", "note", "impact"]

    @extend_schema_field(
        serializers.ChoiceField(choices=RecommendationStatus.choices, allow_null=True)
    )
    def get_from_status(self, event: RecommendationEvent) -> str | None:
        return event.from_status or None

    @extend_schema_field(NULLABLE_CODE)
    def get_actor(self, event: RecommendationEvent) -> str | None:
        """Who moved it: a person's user name, `token:<name>` for an API token, `system`;
        null for a move recorded before names were kept."""
        if event.actor:
            return event.actor.get_username()
        return event.actor_label or None


class RecommendationSerializer(serializers.ModelSerializer):
    text = Bilingual("text")
    owner: serializers.SlugRelatedField = serializers.SlugRelatedField(
        slug_field="code", read_only=True
    )
    journey = serializers.CharField(source="gap.journey.slug", read_only=True)
    period = serializers.CharField(source="gap.period", read_only=True)
    history = EventSerializer(source="events", many=True, read_only=True)
    targets = serializers.SerializerMethodField()

    class Meta:
        model = Recommendation
        fields = [
            "id",
            "gap",
            "journey",
            "period",
            "text",
            "owner",
            "status",
            "version",
            "due_date",
            # What it should move: {"items": [codes], "stage": code|null, "category": code|null}.
            "targets",
            "created_at",
            "updated_at",
            "history",
        ]

    @extend_schema_field(
        inline_serializer(
            "RecommendationTargets",
            {
                "items": serializers.ListField(child=serializers.CharField()),
                "stage": serializers.CharField(allow_null=True),
                "category": serializers.CharField(allow_null=True),
            },
        )
    )
    def get_targets(self, recommendation: Recommendation) -> dict:
        """Always the three keys, whatever an older row holds."""
        targets = recommendation.targets or {}
        return {
            "items": list(targets.get("items") or []),
            "stage": targets.get("stage"),
            "category": targets.get("category"),
        }


class RecommendationDetailSerializer(RecommendationSerializer):
    next_statuses = serializers.SerializerMethodField()

    class Meta(RecommendationSerializer.Meta):
        fields = [*RecommendationSerializer.Meta.fields, "next_statuses"]

    @extend_schema_field(
        serializers.ListField(child=serializers.ChoiceField(choices=RecommendationStatus.choices))
    )
    def get_next_statuses(self, recommendation: Recommendation) -> list[str]:
        return list(self.context.get("next_statuses", []))


class GapRecommendationSerializer(serializers.ModelSerializer):
    """A recommendation as a gap lists it; the full one is at /recommendations/<id>/."""

    owner: serializers.SlugRelatedField = serializers.SlugRelatedField(
        slug_field="code", read_only=True
    )

    class Meta:
        model = Recommendation
        fields = ["id", "owner", "status", "version", "due_date"]


class GapSerializer(serializers.ModelSerializer):
    journey = serializers.CharField(source="journey.slug", read_only=True)
    feedback = Bilingual("feedback")
    stage = serializers.SerializerMethodField()
    category = serializers.SerializerMethodField()
    recommendations = GapRecommendationSerializer(source="recs", many=True, read_only=True)

    class Meta:
        model = Gap
        fields = [
            "id",
            "number",
            "journey",
            "period",
            "feedback",
            "stage",
            "category",
            "created_at",
            "recommendations",
        ]

    @extend_schema_field(NULLABLE_CODE)
    def get_stage(self, gap: Gap) -> str | None:
        return gap.stage.code if gap.stage else None

    @extend_schema_field(NULLABLE_CODE)
    def get_category(self, gap: Gap) -> str | None:
        return gap.category.code if gap.category else None


class EvidenceSerializer(serializers.Serializer):
    complaints = serializers.IntegerField(source="n_complaints")
    questions = serializers.IntegerField(source="n_questions")
    workshop_notes = serializers.IntegerField(source="n_notes")


class GapDetailSerializer(GapSerializer):
    evidence = EvidenceSerializer(source="*", read_only=True)

    class Meta(GapSerializer.Meta):
        fields = [*GapSerializer.Meta.fields, "evidence"]


# The summary: the view returns `journey_summary` as it is (docs/summary.md); these only
# describe that shape in the schema.


class SummaryItemSerializer(serializers.Serializer):
    code = serializers.CharField()
    n = serializers.IntegerField()
    mean = serializers.FloatField(allow_null=True)
    sd = serializers.FloatField(allow_null=True)
    ci95 = serializers.ListField(
        child=serializers.FloatField(), min_length=2, max_length=2, allow_null=True
    )
    top2 = serializers.FloatField(allow_null=True)
    distribution = serializers.DictField(
        child=serializers.IntegerField(), help_text="Answers at every point of the scale."
    )


class SummaryStageItemSerializer(SummaryItemSerializer):
    kind = serializers.CharField()
    text = NameSerializer()


class SummaryStageSerializer(serializers.Serializer):
    code = serializers.CharField(allow_null=True)
    name = NameSerializer()
    mean = serializers.FloatField(allow_null=True)
    items = SummaryStageItemSerializer(many=True)


class SummaryAgencySerializer(serializers.Serializer):
    code = serializers.CharField()
    name = NameSerializer()


class SummaryJourneySerializer(serializers.Serializer):
    slug = serializers.CharField()
    name = NameSerializer()
    agency = SummaryAgencySerializer()


class SummarySampleSerializer(serializers.Serializer):
    sent = serializers.IntegerField(allow_null=True)
    responses = serializers.IntegerField()
    response_rate = serializers.FloatField(allow_null=True)
    complaints = serializers.IntegerField()


class SummaryCategorySerializer(serializers.Serializer):
    code = serializers.CharField()
    name = NameSerializer()
    count = serializers.IntegerField()
    labelled = serializers.IntegerField()
    share = serializers.FloatField(allow_null=True)
    groups = serializers.IntegerField(required=False, help_text="Complaints only.")


class SummaryCategoriesSerializer(serializers.Serializer):
    complaints = SummaryCategorySerializer(many=True)
    survey = SummaryCategorySerializer(many=True)


class SummaryGapsSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    recommendations = serializers.IntegerField()
    by_status = serializers.DictField(child=serializers.IntegerField())


class JourneySummarySerializer(serializers.Serializer):
    """Exactly what `sawt summary --format json` prints (docs/summary.md)."""

    journey = SummaryJourneySerializer()
    period = serializers.CharField()
    sample = SummarySampleSerializer()
    overall = SummaryItemSerializer(allow_null=True)
    stages = SummaryStageSerializer(many=True)
    gap_categories = SummaryCategoriesSerializer()
    gaps = SummaryGapsSerializer()
    distribution = serializers.DictField(
        allow_null=True, help_text="The response funnel; null for an imported survey."
    )
