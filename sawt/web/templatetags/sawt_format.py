"""Number formatting for pages: one place that decides decimals and percentages."""

from __future__ import annotations

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import get_language

from sawt.complaints.channels import channel_name
from sawt.core.exceptions import ApplicationError
from sawt.core.numbers import Numbers, fixed, interval_text

register = template.Library()


@register.filter
def score(value: float | None) -> str:
    """A mean to one decimal, as the ministry's reports show scores."""
    # A missing figure reaches a template as None or, through a missing attribute, as "".
    return fixed(value, 1) if isinstance(value, int | float) else "—"


def _ltr(text: str) -> SafeString:
    # Isolated left-to-right, so "6.7%" keeps its order inside Arabic text.
    return format_html('<bdi dir="ltr">{}</bdi>', text)


@register.filter
def pct(value: float | None) -> str:
    """A share as a percentage with one decimal."""
    return "—" if value is None else _ltr(fixed(value, 1, shift=2) + "%")


@register.filter
def count(value: int | None) -> str:
    """A whole number with thousands separators."""
    return "—" if value is None else f"{value:,}"


@register.filter
def ci(value: list[float] | None) -> str:
    """A confidence interval as lo–hi with two decimals, as the report writes it."""
    return "—" if not value else _ltr(interval_text(fixed(value[0], 2), fixed(value[1], 2)))


@register.filter
def local(names: dict[str, str] | None) -> str:
    """The Arabic or English member of a {ar, en} pair, by the active language."""
    if not names:
        return ""
    if (get_language() or "ar")[:2] == "en":
        return names.get("en") or names.get("ar", "")
    return names.get("ar") or names.get("en", "")


@register.filter
def signed(value: float | None) -> str:
    """A difference of means with its sign, two decimals (+0.35, −0.12)."""
    if not isinstance(value, int | float):
        return "—"
    return _ltr(f"{'+' if value >= 0 else '−'}{fixed(abs(value), 2)}")


@register.filter
def pvalue(value: float | None) -> str:
    """A p-value to three decimals, or "< 0.001" when smaller."""
    if not isinstance(value, int | float):
        return "—"
    return _ltr("< 0.001" if value < 0.001 else fixed(value, 3))


@register.filter
def month(period: str | None) -> str:
    """A period YYYY-MM as the month's name and the year in the active language."""
    if not period:
        return "—"
    try:
        return Numbers("latin").period(period)
    except ApplicationError:
        return period


@register.filter
def channel(code: str | None) -> str:
    """A complaint's channel by its name; an unknown code as it is, isolated from the sentence."""
    if not code:
        return "—"
    name = channel_name(code)
    return format_html("<bdi>{}</bdi>", code) if name is None else name


@register.filter
def isolate(value: object) -> SafeString:
    """A value (a name, a code) put into a translated sentence, isolated in <bdi> so its
    direction neither scrambles the sentence nor is scrambled by it."""
    return format_html("<bdi>{}</bdi>", value)
