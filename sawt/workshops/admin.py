from django.contrib import admin

from sawt.workshops.models import Workshop, WorkshopNote


class WorkshopNoteInline(admin.TabularInline):
    model = WorkshopNote
    extra = 0
    fields = ("text", "stage", "category")


@admin.register(Workshop)
class WorkshopAdmin(admin.ModelAdmin):
    list_display = ("title_ar", "journey", "held_on", "participants")
    list_filter = ("journey",)
    inlines = [WorkshopNoteInline]
