"""Names for the channels complaints come in through: a file carries a code (`balady-portal`),
a person reads a name in their language. A code without a name here is shown as it is."""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

CHANNEL_NAMES: dict[str, Promise] = {
    "balady-portal": _("Balady portal"),
    "call-centre-940": _("Call centre 940"),
    "call-centre-199": _("Call centre 199"),
    "email": _("E-mail"),
    "social-media": _("Social media"),
    "mobile-app": _("Mobile app"),
    "website": _("Website"),
    "phone": _("Telephone"),
    "walk-in": _("In person"),
}


def channel_name(code: str) -> str | None:
    """The channel's name in the active language, or None for a code sawt has no name for."""
    name = CHANNEL_NAMES.get(code.strip().lower())
    return None if name is None else str(name)
