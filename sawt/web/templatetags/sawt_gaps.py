"""Labels for the gap register's pages: status names and the fields of an edit."""

from __future__ import annotations

from django import template
from django.utils.translation import gettext_lazy as _

from sawt.gaps.choices import RecommendationStatus

register = template.Library()

FIELD_LABELS = {
    "text_ar": _("decision (Arabic)"),
    "text_en": _("decision (English)"),
    "owner": _("owner agency"),
    "due_date": _("due date"),
}


@register.filter
def status_label(value: str) -> str:
    """The translated name of a recommendation status; a dash for none (a creation)."""
    if value in RecommendationStatus.values:
        return str(RecommendationStatus(value).label)
    return value or "—"


@register.filter
def field_label(value: str) -> str:
    """The translated name of a recommendation field in an edit's history line."""
    return str(FIELD_LABELS.get(value, value))
