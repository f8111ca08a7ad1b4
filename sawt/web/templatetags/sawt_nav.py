"""The site menu's questions: which links a person's role may use."""

from __future__ import annotations

from typing import Any

from django import template

from sawt.core.access import can

register = template.Library()


@register.simple_tag
def can_any(user: Any, *actions: str) -> bool:
    """Whether the person may take at least one of `actions`, so a link never leads to a 403."""
    return any(can(user, action) for action in actions)
