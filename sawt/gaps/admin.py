from django.contrib import admin

from sawt.gaps.models import Gap, Recommendation, RecommendationEvent


class RecommendationInline(admin.StackedInline):
    model = Recommendation
    extra = 0
    fields = ("text_ar", "text_en", "owner", "status", "due_date")
    # Status moves go through the workflow service (allowed moves, history), not a free edit.
    readonly_fields = ("status",)


@admin.register(Gap)
class GapAdmin(admin.ModelAdmin):
    list_display = ("number", "journey", "period", "stage", "category", "feedback_ar")
    list_filter = ("journey", "period")
    search_fields = ("feedback_ar", "feedback_en")
    inlines = [RecommendationInline]
    filter_horizontal = ("workshop_notes",)
    raw_id_fields = ("complaints", "questions")


@admin.register(RecommendationEvent)
class RecommendationEventAdmin(admin.ModelAdmin):
    list_display = ("recommendation", "from_status", "to_status", "at", "actor")
    list_filter = ("to_status",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
