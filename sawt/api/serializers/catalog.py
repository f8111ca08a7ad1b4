"""Journeys as the API shows them: names in both languages, stages and reasons in order."""

from __future__ import annotations

from rest_framework import serializers

from sawt.catalog.models import GapCategory, Journey, Stage


class NameSerializer(serializers.Serializer):
    ar = serializers.CharField()
    en = serializers.CharField(allow_blank=True)


class StageSerializer(serializers.ModelSerializer):
    name = NameSerializer(source="names", read_only=True)

    class Meta:
        model = Stage
        fields = ["code", "position", "name"]


class GapCategorySerializer(serializers.ModelSerializer):
    name = NameSerializer(source="names", read_only=True)

    class Meta:
        model = GapCategory
        fields = ["code", "position", "name"]


class JourneySerializer(serializers.ModelSerializer):
    name = NameSerializer(source="names", read_only=True)
    agency: serializers.SlugRelatedField = serializers.SlugRelatedField(
        slug_field="code", read_only=True
    )
    stages = StageSerializer(many=True, read_only=True)
    gap_categories = GapCategorySerializer(many=True, read_only=True)

    class Meta:
        model = Journey
        fields = ["slug", "name", "agency", "stages", "gap_categories"]


class JourneyFilter(serializers.Serializer):
    # A slug's shape, checked: PostgreSQL refuses some strings (a NUL) before it compares them.
    agency = serializers.SlugField(required=False, help_text="Code of the journey's agency.")
