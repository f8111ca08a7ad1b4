from django.contrib import admin

from sawt.complaints.models import Complaint


@admin.register(Complaint)
class ComplaintAdmin(admin.ModelAdmin):
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
