from django.contrib import admin

from sawt.catalog.models import Agency, GapCategory, Journey, Stage


class StageInline(admin.TabularInline):
    model = Stage
    extra = 0
    fields = ("position", "code", "name_ar", "name_en")


class GapCategoryInline(admin.TabularInline):
    model = GapCategory
    extra = 0
    fields = ("position", "code", "name_ar", "name_en")


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin):
    list_display = ("code", "name_ar", "name_en")
    search_fields = ("code", "name_ar", "name_en")


@admin.register(Journey)
class JourneyAdmin(admin.ModelAdmin):
    list_display = ("slug", "name_ar", "name_en", "agency")
    list_filter = ("agency",)
    search_fields = ("slug", "name_ar", "name_en")
    inlines = [StageInline, GapCategoryInline]
