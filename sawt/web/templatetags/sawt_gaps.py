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
    "targets": _("what it should move"),
}
TARGET_LABELS = {"items": _("items"), "stage": _("stage"), "category": _("complaint category")}


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


@register.filter
def change_text(value: object) -> object:
    """An edited value as the history shows it: targets ({items, stage, category}) as one line
    of codes under translated names; any other value as it is."""
    if not isinstance(value, dict):
        return value
    parts = []
    for key, label in TARGET_LABELS.items():
        shown = value.get(key)
        if isinstance(shown, list):
            shown = ", ".join(str(code) for code in shown)
        if shown:
            parts.append(f"{label}: {shown}")
    return " · ".join(parts)


@register.filter
def verdict_label(value: str) -> str:
    """The translated name of an impact verdict (sawt.metrics.impact)."""
    from sawt.metrics.impact_render import verdict_label as label

    return label(value)
