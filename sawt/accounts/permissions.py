"""Who may write what, as data: the roles allowed each action (named as the audit names it).

Reading is scoping.py's business. An action here is still taken only on objects the person can
see: an interface fetches the object through scoping first, then asks `can` or `require`.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from sawt.accounts.choices import Role
from sawt.accounts.scoping import agency_id_of, role_of

R = Role
ANALYSTS: frozenset[str] = frozenset({R.ADMINISTRATOR, R.ANALYST})

ALLOWED: dict[str, frozenset[str]] = {
    "survey.definition_import": ANALYSTS,
    "survey.responses_import": ANALYSTS,
    "complaint.import": ANALYSTS,
    "category.assign": ANALYSTS,
    "classifier.train": ANALYSTS,
    "theme.promote": ANALYSTS,
    "workshop.create": ANALYSTS,
    "workshop.note_add": ANALYSTS,
    "gap.create": ANALYSTS,
    "recommendation.create": ANALYSTS,
    "recommendation.update": ANALYSTS,
    # Those working a gap discuss it: analysts and the agencies that can see it (scoping).
    "gap.comment": ANALYSTS | {R.AGENCY_MEMBER},
    # The agency that owns a decision reports its progress; analysts may move any of them.
    "recommendation.transition": ANALYSTS | {R.AGENCY_MEMBER},
    "report.download": frozenset(R.values),
    "user.create": frozenset({R.ADMINISTRATOR}),
    "membership.set": frozenset({R.ADMINISTRATOR}),
}

# Actions an agency member may take only on an object its own agency owns.
OWN_AGENCY_ONLY: frozenset[str] = frozenset({"recommendation.transition"})


def _owner_agency_id(obj: Any) -> int | None:
    """The agency answerable for an object: a recommendation's owner, else its journey's."""
    if hasattr(obj, "owner_id"):
        return obj.owner_id
    if hasattr(obj, "journey"):
        return obj.journey.agency_id
    return getattr(obj, "agency_id", None)


def can(user: Any, action: str, obj: Any = None) -> bool:
    """Whether `user` may take `action` (on `obj`, for the actions that depend on its owner)."""
    role = role_of(user)
    if role is None or role not in ALLOWED.get(action, frozenset()):
        return False
    if role == R.AGENCY_MEMBER and action in OWN_AGENCY_ONLY:
        # Without the object there is nothing to check ownership against: refuse.
        return obj is not None and _owner_agency_id(obj) == agency_id_of(user)
    return True


def require(user: Any, action: str, obj: Any = None) -> None:
    """Raise PermissionDenied (a 403 in views) unless `can(user, action, obj)`."""
    if not can(user, action, obj):
        raise PermissionDenied(_("Your role does not allow this action."))
