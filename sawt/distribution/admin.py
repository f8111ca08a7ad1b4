"""Distribution in the admin: a read-only window (samples, invitations and opt-outs are written
by the distribution services only). Contacts are never listed: they are personal data."""

from __future__ import annotations

from django.contrib import admin

from sawt.core.admin import ReadOnlyAdmin
from sawt.distribution.models import Invitation, OptOut, SampleDraw


@admin.register(SampleDraw)
class SampleDrawAdmin(ReadOnlyAdmin):
    list_display = ("survey", "population", "drawn", "seed", "strata", "created_at")
    list_filter = ("survey",)


@admin.register(Invitation)
class InvitationAdmin(ReadOnlyAdmin):
    # No contact, no reference id, no answers: the state and its times are what the admin needs.
    list_display = ("id", "channel", "state", "sent_at", "completed_at", "reminders_sent")
    list_filter = ("state", "channel")
    fields = (*list_display, "expires_at", "opened_at", "started_at", "failure_reason")
    show_full_result_count = False


@admin.register(OptOut)
class OptOutAdmin(ReadOnlyAdmin):
    list_display = ("channel", "source", "created_at")
    list_filter = ("channel", "source")
    fields = list_display
