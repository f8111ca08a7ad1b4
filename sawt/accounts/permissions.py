"""Who may write what, as data: the roles allowed each action (named as the audit names it).

Reading is scoping.py's business. Writing is checked twice, for two purposes:

- Every write service checks its caller itself, first thing: `authorize(actor, action, obj)`
  (and `recommendation_transition` also the role's moves, transitions.py). The service is the
  authority, so the web pages, the admin, the command line and any future API cannot bypass
  it; a refusal is `PermissionDenied` (a 403 on the web).
- Interfaces ask `can` too, only to decide what to show (a button, a menu) and to refuse early.

`actor` is whoever acts, and it is never optional for a person:
- a user object (signed in or not: `request.user`, anonymous included) is a person, and is
  checked. An anonymous, inactive or role-less user may do nothing.
- `None` is the system itself: code that runs with the server's own access and was never asked
  by a person over the network — `sawt` commands run by the operator on the server (imports,
  `createuser`), the demo loader, and background jobs, which run after the request that queued
  them was checked. The audit trail records it as "system". Interfaces serving people (views,
  the admin, an API) always pass the person's user object, never None (a test reads them for
  `actor=None`).

An action is taken only on objects the person can see: an interface fetches the object through
scoping first (another agency's object is a 404), and the services re-check the few actions an
agency member may take (its own recommendations, the gaps it can see).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from sawt.accounts.choices import Role
from sawt.accounts.scoping import agency_id_of, gaps_for, role_of

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
# Actions an agency member may take on any object it can see (scoping.py), no further.
WITHIN_SCOPE: dict[str, Callable[[Any], QuerySet[Any]]] = {"gap.comment": gaps_for}


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
    if role == R.AGENCY_MEMBER and obj is not None and action in WITHIN_SCOPE:
        return WITHIN_SCOPE[action](user).filter(pk=obj.pk).exists()
    return True


def require(user: Any, action: str, obj: Any = None) -> None:
    """Raise PermissionDenied (a 403 in views) unless `can(user, action, obj)`."""
    if not can(user, action, obj):
        raise PermissionDenied(_("Your role does not allow this action."))


def authorize(actor: Any, action: str, obj: Any = None) -> None:
    """The check at the top of every write service: `None` is the system, anyone else must
    pass `require` (PermissionDenied otherwise)."""
    if actor is None:
        return
    require(actor, action, obj)
