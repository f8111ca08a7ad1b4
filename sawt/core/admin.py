"""The admin as a window on domain records, and the audit trail.

Every meaningful write goes through a service (allowed moves, evidence from the same journey,
redaction, version bumps, the audit row). Django's admin would save a model form straight into
the tables and skip all of it, so domain records are read-only here (`ReadOnlyAdmin`,
`ReadOnlyInline`); the few things only the admin does (accounts, workshops) call the services.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect

from sawt.core.exceptions import ApplicationError
from sawt.core.models import AuditEvent


class ReadOnlyMixin:
    """No add, change or delete: records are listed and shown, never written, here."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ReadOnlyAdmin(ReadOnlyMixin, admin.ModelAdmin):
    """A model admin that only shows records the services write."""


class ReadOnlyTabularInline(ReadOnlyMixin, admin.TabularInline):
    """Related records shown on their parent's page, read-only."""


class ReadOnlyStackedInline(ReadOnlyMixin, admin.StackedInline):
    """Related records shown on their parent's page, read-only, one block each."""


class ServiceAdmin(admin.ModelAdmin):
    """A model admin whose saves call services: a refusal is a message, with nothing saved."""

    def changeform_view(
        self,
        request: HttpRequest,
        object_id: str | None = None,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        try:
            # Django runs the form's save in one transaction: a refusal rolls all of it back.
            return super().changeform_view(request, object_id, form_url, extra_context)
        except ApplicationError as exc:
            self.message_user(request, exc.message, messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    """The audit trail is append-only: readable here, never editable."""

    list_display = ("at", "actor_label", "action", "object_type", "object_id")
    list_filter = ("action",)
    search_fields = ("actor_label", "object_id")
