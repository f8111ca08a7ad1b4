"""A recommendation's move as the API takes it and answers it (…/recommendations/<id>/moves/)."""

from __future__ import annotations

from rest_framework import serializers

from sawt.gaps.choices import RecommendationStatus

# What a note may hold: a paragraph or two, as the web form's note would.
NOTE_MAX = 2000


class MoveRequestSerializer(serializers.Serializer):
    to_status = serializers.ChoiceField(
        choices=RecommendationStatus.choices, help_text="The status to move the recommendation to."
    )
    expected_status = serializers.ChoiceField(
        choices=RecommendationStatus.choices,
        help_text="The status the caller last saw; another one now is a conflict (409).",
    )
    expected_version = serializers.IntegerField(
        min_value=1,
        max_value=2**31 - 1,
        help_text="The version the caller last saw; any change since then is a conflict (409).",
    )
    note = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=NOTE_MAX,
        trim_whitespace=True,
        help_text="Why, or what was done; kept with the move in the recommendation's history.",
    )


class MoveEventSerializer(serializers.Serializer):
    from_status = serializers.ChoiceField(choices=RecommendationStatus.choices)
    to_status = serializers.ChoiceField(choices=RecommendationStatus.choices)
    at = serializers.DateTimeField()
    note = serializers.CharField(allow_blank=True)
    by = serializers.CharField(help_text="Who moved it: `token:<name>` for a token.")


class MoveResultSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.ChoiceField(choices=RecommendationStatus.choices)
    version = serializers.IntegerField(help_text="Send this as expected_version next time.")
    event = MoveEventSerializer()
