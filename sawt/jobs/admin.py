from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from sawt.jobs.models import Job


@admin.register(Job)
class JobAdmin(admin.ModelAdmin):
    list_display = ("id", "kind", "status", "created_by", "created_at", "finished_at", "attempts")
    list_filter = ("status", "kind")
    search_fields = ("kind", "dedupe_key", "error")
    date_hierarchy = "created_at"

    # Jobs are written by the queue's services and the worker only: the admin is a window.
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Job | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Job | None = None) -> bool:
        return False
