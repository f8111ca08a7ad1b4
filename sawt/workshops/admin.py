"""Workshops are recorded here, the one place a person records them: through the workshop
services, so notes are redacted and checked against the journey, and both leave an audit row.

A recorded workshop and its notes are not edited afterwards (no service does that); further
notes can be added to it.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.forms import BaseInlineFormSet, ModelForm
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from sawt.core.admin import ReadOnlyTabularInline, ServiceAdmin
from sawt.workshops.models import Workshop, WorkshopNote
from sawt.workshops.services import workshop_create, workshop_note_add

NOTE_FIELDS = ("text", "stage", "category")


class WorkshopNoteInline(ReadOnlyTabularInline):
    """The notes taken, as recorded."""

    model = WorkshopNote
    fields = NOTE_FIELDS


class NewWorkshopNoteInline(admin.TabularInline):
    """Blank rows for notes to add; WorkshopAdmin saves them through workshop_note_add."""

    model = WorkshopNote
    fields = NOTE_FIELDS
    extra = 1
    verbose_name = _("new note")
    verbose_name_plural = _("new notes")

    def get_queryset(self, request: HttpRequest) -> Any:
        return super().get_queryset(request).none()

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Workshop)
class WorkshopAdmin(ServiceAdmin):
    list_display = ("title_ar", "journey", "held_on", "participants")
    list_filter = ("journey",)
    fields = ("journey", "title_ar", "title_en", "held_on", "participants")
    inlines = [WorkshopNoteInline, NewWorkshopNoteInline]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return self.fields if obj is not None else ()

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: Any, form: ModelForm, change: bool) -> None:
        if change:
            return  # nothing of a recorded workshop is editable; only notes are added
        data = form.cleaned_data
        workshop = workshop_create(
            journey=data["journey"],
            title_ar=data["title_ar"],
            title_en=data.get("title_en", ""),
            held_on=data["held_on"],
            participants=data.get("participants"),
            actor=request.user,
        )
        # The admin goes on with the instance its form built (notes, history entry, redirect):
        # make it the row the service saved.
        for field in obj._meta.concrete_fields:
            setattr(obj, field.attname, getattr(workshop, field.attname))
        obj._state.adding, obj._state.db = False, workshop._state.db

    def save_formset(
        self, request: HttpRequest, form: ModelForm, formset: BaseInlineFormSet, change: bool
    ) -> None:
        # Only new notes are written, each by the service; what the admin's history entry reads
        # is set as formset.save() would have set it.
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        for note_form in formset.extra_forms:
            data = getattr(note_form, "cleaned_data", None)
            if not data or not note_form.has_changed() or data.get("DELETE"):
                continue
            formset.new_objects.append(
                workshop_note_add(
                    workshop=formset.instance,
                    text=data["text"],
                    stage=data.get("stage"),
                    category=data.get("category"),
                    actor=request.user,
                )
            )
