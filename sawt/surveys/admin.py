"""Surveys, their questions and responses, shown read-only: definitions and responses come in
through the imports, which check every row and keep the score counts in step."""

from django.contrib import admin

from sawt.core.admin import ReadOnlyAdmin, ReadOnlyTabularInline
from sawt.surveys.models import Question, Response, Survey


class QuestionInline(ReadOnlyTabularInline):
    model = Question
    fields = ("position", "code", "kind", "stage", "text_ar", "scale_min", "scale_max")


@admin.register(Survey)
class SurveyAdmin(ReadOnlyAdmin):
    list_display = ("code", "journey", "period", "sample_size", "population_size")
    list_filter = ("journey", "period")
    inlines = [QuestionInline]


@admin.register(Response)
class ResponseAdmin(ReadOnlyAdmin):
    # Response tables reach millions of rows: no full counts, no joins in the list.
    list_display = ("respondent_id", "survey", "submitted_at")
    list_filter = ("survey",)
    search_fields = ("=respondent_id",)
    raw_id_fields = ("survey",)
    show_full_result_count = False
    list_select_related = ("survey",)
