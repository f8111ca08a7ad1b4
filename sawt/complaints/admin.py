"""Complaints, shown read-only: they arrive through imports (PII redacted on the way in) and are
labelled through the review queue, both of which leave an audit row."""

from django.contrib import admin

from sawt.complaints.models import Complaint
from sawt.core.admin import ReadOnlyAdmin


@admin.register(Complaint)
class ComplaintAdmin(ReadOnlyAdmin):
    list_display = (
        "complaint_id",
        "journey",
        "received_at",
        "channel",
        "category",
        "category_source",
    )
    list_filter = ("journey", "category_source", "channel")
    search_fields = ("=complaint_id", "text")
    date_hierarchy = "received_at"
    show_full_result_count = False
    list_select_related = ("journey", "category")
    raw_id_fields = ("journey", "category")
