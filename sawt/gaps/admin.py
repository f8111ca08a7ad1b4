"""The gap register, shown read-only: gaps, recommendations and their history are written by
the gap services (evidence from the gap's own journey, allowed moves by role, a version bump and
an audit row on every change), from the register's pages."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from sawt.core.admin import ReadOnlyAdmin, ReadOnlyStackedInline
from sawt.gaps.models import Gap, Recommendation, RecommendationEvent


class RecommendationInline(ReadOnlyStackedInline):
    model = Recommendation
    fields = ("text_ar", "text_en", "owner", "status", "due_date", "version")


@admin.register(Gap)
class GapAdmin(ReadOnlyAdmin):
    list_display = ("number", "journey", "period", "stage", "category", "feedback_ar")
    list_filter = ("journey", "period")
    list_select_related = ("journey", "stage", "category")
    search_fields = ("feedback_ar", "feedback_en")
    # The evidence as counts: a gap drawn from a category may link thousands of complaints.
    fields = (
        "journey",
        "period",
        "number",
        "stage",
        "category",
        "feedback_ar",
        "feedback_en",
        "evidence",
    )
    readonly_fields = ("evidence",)
    inlines = [RecommendationInline]

    @admin.display(description=_("evidence"))
    def evidence(self, gap: Gap) -> str:
        return _("complaints: %(complaints)d · survey items: %(questions)d · notes: %(notes)d") % {
            "complaints": gap.complaints.count(),
            "questions": gap.questions.count(),
            "notes": gap.workshop_notes.count(),
        }


@admin.register(RecommendationEvent)
class RecommendationEventAdmin(ReadOnlyAdmin):
    list_display = ("recommendation", "from_status", "to_status", "at", "actor")
    list_filter = ("to_status",)
