"""The push endpoints' bodies, as the schema documents them. The items themselves are checked
by the services with the file imports' rules (one parser for both doors); these serializers
describe the shapes for the schema and are not used to validate."""

from __future__ import annotations

from rest_framework import serializers

# Items per call at most: a larger batch is refused with 413.
MAX_ITEMS = 1000


class TransactionItemSerializer(serializers.Serializer):
    journey = serializers.CharField(help_text="The journey's slug.")
    reference_id = serializers.CharField(max_length=100)
    completed_at = serializers.DateTimeField(help_text="ISO 8601 with its offset from UTC.")
    mobile = serializers.CharField(required=False, help_text="A Saudi mobile number.")
    email = serializers.CharField(required=False)
    language = serializers.ChoiceField(choices=["ar", "en"], required=False, default="ar")
    attributes = serializers.DictField(child=serializers.CharField(), required=False)


class ComplaintItemSerializer(serializers.Serializer):
    journey = serializers.CharField(help_text="The journey's slug.")
    complaint_id = serializers.CharField(max_length=100)
    received_at = serializers.DateTimeField()
    text = serializers.CharField(help_text="Personal data in it is redacted before saving.")
    channel = serializers.CharField(required=False)
    category = serializers.CharField(required=False, help_text="A gap category's code.")


class ResponseItemSerializer(serializers.Serializer):
    respondent_id = serializers.CharField(max_length=100)
    submitted_at = serializers.DateTimeField(required=False)
    answers = serializers.DictField(
        help_text="Question code → score (a whole number in its scale) or open text."
    )
    attributes = serializers.DictField(child=serializers.CharField(), required=False)


class ItemOutcomeSerializer(serializers.Serializer):
    index = serializers.IntegerField()
    outcome = serializers.ChoiceField(choices=["created", "updated", "unchanged"])


class PushResultSerializer(serializers.Serializer):
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    unchanged = serializers.IntegerField()
    items = ItemOutcomeSerializer(many=True)


class TransactionOutcomeSerializer(serializers.Serializer):
    index = serializers.IntegerField()
    outcome = serializers.ChoiceField(choices=["created", "unchanged", "opted_out"])
    decision = serializers.ChoiceField(
        choices=["", "invited", "not_drawn", "daily_cap", "already_invited", "no_survey"],
        help_text="What continuous sampling decided for a new transaction ('' otherwise).",
    )


class TransactionsResultSerializer(serializers.Serializer):
    created = serializers.IntegerField()
    unchanged = serializers.IntegerField()
    opted_out = serializers.IntegerField()
    invited = serializers.IntegerField()
    items = TransactionOutcomeSerializer(many=True)
