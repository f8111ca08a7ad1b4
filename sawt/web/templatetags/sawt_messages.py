"""Messages written by the services, shown in the page's own direction.

A message is a sentence in the page's language that may quote a user value ("“q3”", "«q3»").
Left to the browser's `dir="auto"`, a sentence that starts with such a Latin value would be
laid out left to right and its Arabic scrambled; so the sentence keeps the page's direction and
each quoted value is isolated in `<bdi>`, as pages isolate values they place themselves.
"""

from __future__ import annotations

import re

from django import template
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

# A value the services quote: “…” in English, «…» in Arabic (never across lines).
_QUOTED = re.compile(r"([“«])([^“”«»\n]+)([”»])")


@register.filter
def isolate_quoted(message: object) -> SafeString:
    """`message` escaped, with every quoted value inside `<bdi>` (quotes left outside it)."""
    escaped = str(conditional_escape(message if isinstance(message, str) else str(message)))
    # Escaping leaves the quotation marks alone, and the value inside is already escaped.
    return mark_safe(_QUOTED.sub(r"\1<bdi>\2</bdi>\3", escaped))
