"""Agencies and journeys, with their stages and gap categories: shown, not edited, here.

They come from journey definitions (`sawt import-survey`, or the imports page), which check a
definition whole and record it in the audit trail; a category is added by promoting a theme.
Editing them here would skip those checks: deleting a category in use, for one, would leave
complaints labelled by an analyst with no category.
"""

from django.contrib import admin

from sawt.catalog.models import Agency, GapCategory, Journey, Stage
from sawt.core.admin import ReadOnlyAdmin, ReadOnlyTabularInline


class StageInline(ReadOnlyTabularInline):
    model = Stage
    fields = ("position", "code", "name_ar", "name_en")


class GapCategoryInline(ReadOnlyTabularInline):
    model = GapCategory
    fields = ("position", "code", "name_ar", "name_en")


@admin.register(Agency)
class AgencyAdmin(ReadOnlyAdmin):
    list_display = ("code", "name_ar", "name_en")
    search_fields = ("code", "name_ar", "name_en")


@admin.register(Journey)
class JourneyAdmin(ReadOnlyAdmin):
    list_display = ("slug", "name_ar", "name_en", "agency")
    list_filter = ("agency",)
    search_fields = ("slug", "name_ar", "name_en")
    inlines = [StageInline, GapCategoryInline]
