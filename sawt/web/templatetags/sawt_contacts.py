"""Contacts on pages: whole for administrators, masked for everyone else (Saudi PDPL).

    {% load sawt_contacts %}
    {{ invitee.mobile|mobile_for:request.user }}   →  +9665•••••123
    {{ invitee.email|email_for:request.user }}     →  a•••@example.com

An erased contact shows as "—". The text is isolated left to right, so that "+966…" keeps its
order inside Arabic text.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

from sawt.distribution.contacts import email_shown, mobile_shown

register = template.Library()


def _shown(text: str) -> SafeString | str:
    return format_html('<bdi dir="ltr">{}</bdi>', text) if text else "—"


@register.filter
def mobile_for(mobile: str | None, user: Any) -> SafeString | str:
    """The mobile number as this user may see it."""
    return _shown(mobile_shown(mobile or "", user))


@register.filter
def email_for(email: str | None, user: Any) -> SafeString | str:
    """The e-mail address as this user may see it."""
    return _shown(email_shown(email or "", user))
