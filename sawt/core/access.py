"""Who may see what and who may do what: the roles and the one access policy of sawt.

It sits in core, below every app, because every app's services and selectors ask it; it knows
no model of theirs. What it needs of a model is the model's own link to the agencies, a
classmethod `visible_to_agency(agency_id) -> Q` written beside the model in its app.

Seeing (`scoped`, and the `<thing>_for(user)` selectors each app builds on it):
- administrator, CX analyst, viewer: everything.
- agency member: what the model's link gives its agency — the journeys its agency owns, their
  surveys and complaints; the gaps of those journeys plus any gap carrying a recommendation its
  agency owns (a decision assigned to an agency, e.g. an external party, must be readable by it
  to be acted on); the recommendations of those journeys' gaps plus the ones its agency owns.
  Another journey's complaints and surveys stay hidden even then: they are customer data the
  agency does not need.
- an API token (sawt/accounts/tokens.py), which is not a person and holds no `Role`: what an
  agency member of its agency sees, or everything for a token made for all agencies. A read
  token may do nothing; a write token may push its journeys' data and move the recommendations
  an agency member of its agency could move (or any, for all agencies).
- no membership, inactive or anonymous: nothing. A superuser without a membership (made with
  Django's `createsuperuser`) counts as an administrator, as the admin shows them all anyway.

Doing (`ALLOWED`, `can`, `authorize`): every write service checks its caller itself, first
thing, with `authorize(actor, action, obj)` (and `recommendation_transition` also the role's
moves, gaps/transitions.py), so the web pages, the admin, the command line and any future API
cannot bypass it; a refusal is `PermissionDenied` (a 403 on the web). Interfaces ask `can` too,
only to decide what to show (a button, a menu) and to refuse early.

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
its scope first (another agency's object is a 404), and the services re-check the few actions
an agency member may take (its own recommendations, the gaps it can see).
"""

from __future__ import annotations

from typing import Any, Protocol, TypeVar, cast

from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

M = TypeVar("M", bound=models.Model)


class Role(models.TextChoices):
    """What a person may see and do; this module says exactly what."""

    ADMINISTRATOR = "administrator", gettext_lazy("administrator")
    ANALYST = "analyst", gettext_lazy("CX analyst")
    AGENCY_MEMBER = "agency_member", gettext_lazy("agency member")
    VIEWER = "viewer", gettext_lazy("viewer")


# Roles that read every journey of the ministry.
SEES_ALL: frozenset[str] = frozenset({Role.ADMINISTRATOR, Role.ANALYST, Role.VIEWER})

# Other systems calling the API with a token: kept out of `Role` (no person holds them, and a
# membership may not name them), but asked about through the same functions as a person.
API_READER = "api_reader"
API_WRITER = "api_writer"
CLIENTS: frozenset[str] = frozenset({API_READER, API_WRITER})


def role_of(user: Any) -> str | None:
    """The user's role, or None for anonymous, inactive and unassigned users."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    # The membership (accounts) is reached through the user, so core needs no import of it.
    membership = getattr(user, "membership", None)
    if membership is not None:
        return cast(str, membership.role)
    return Role.ADMINISTRATOR if user.is_superuser else None


def agency_id_of(user: Any) -> int | None:
    """The agency an agency member (or an API token made for one agency) belongs to; None for
    everyone else."""
    role = role_of(user)
    if role != Role.AGENCY_MEMBER and role not in CLIENTS:
        return None
    return cast(int | None, user.membership.agency_id)


def _sees_everything(user: Any) -> bool:
    role = role_of(user)
    if role in SEES_ALL:
        return True
    # A token for all agencies says so explicitly: a missing agency never widens a scope.
    return role in CLIENTS and getattr(user.membership, "all_agencies", False) is True


class AgencyScoped(Protocol):
    """A model whose rows belong to agencies: it says which rows an agency's members see."""

    @classmethod
    def visible_to_agency(cls, agency_id: int) -> Q: ...


def scoped(user: Any, queryset: QuerySet[M]) -> QuerySet[M]:
    """The rows of `queryset` that `user` may see: all of them for the roles that see the whole
    ministry, the ones the model links to its agency for an agency member, none for anyone
    else. The model says how its rows link to an agency (`visible_to_agency`)."""
    if _sees_everything(user):
        return queryset
    agency_id = agency_id_of(user)
    if agency_id is None:
        return queryset.none()
    model = cast(type[AgencyScoped], queryset.model)
    return queryset.filter(model.visible_to_agency(agency_id))


R = Role
ANALYSTS: frozenset[str] = frozenset({R.ADMINISTRATOR, R.ANALYST})

# The roles allowed each action, named as the audit names it.
ALLOWED: dict[str, frozenset[str]] = {
    "survey.definition_import": ANALYSTS,
    # Service systems push what they hold through the API with a write token (sawt/api).
    "survey.responses_import": ANALYSTS | {API_WRITER},
    "complaint.import": ANALYSTS | {API_WRITER},
    # A journey's saved column mapping for complaint files (the imports page's preview).
    "complaint.mapping_save": ANALYSTS,
    # ... and for survey responses in sawt's own table (any survey of the journey).
    "survey.mapping_save": ANALYSTS,
    # Completed service requests joining a journey's sampling pool (the API's transactions).
    "transaction.push": ANALYSTS | {API_WRITER},
    # Who a survey asks: the service users it invites (their contacts are personal data).
    "survey.sample_import": ANALYSTS,
    # Erasing a person's contacts on their request (PDPL): an administrator's act.
    "contacts.erase": frozenset({R.ADMINISTRATOR}),
    # Sending a survey's invitations, and the texts they carry.
    "survey.invitations_send": ANALYSTS,
    "survey.invitation_settings_update": ANALYSTS,
    "category.assign": ANALYSTS,
    "classifier.train": ANALYSTS,
    "theme.promote": ANALYSTS,
    "workshop.create": ANALYSTS,
    "workshop.note_add": ANALYSTS,
    "gap.create": ANALYSTS,
    "recommendation.create": ANALYSTS,
    "recommendation.update": ANALYSTS,
    # Those working a gap discuss it: analysts and the agencies that can see it (scoped).
    "gap.comment": ANALYSTS | {R.AGENCY_MEMBER},
    # The agency that owns a decision reports its progress; analysts may move any of them.
    "recommendation.transition": ANALYSTS | {R.AGENCY_MEMBER, API_WRITER},
    "report.download": frozenset(R.values),
    "user.create": frozenset({R.ADMINISTRATOR}),
    # Who lets other systems in (API tokens) and tells them of changes (webhooks).
    "token.create": frozenset({R.ADMINISTRATOR}),
    "token.revoke": frozenset({R.ADMINISTRATOR}),
    "webhook.manage": frozenset({R.ADMINISTRATOR}),
    "membership.set": frozenset({R.ADMINISTRATOR}),
}

# Actions an agency member may take only on an object its own agency owns.
OWN_AGENCY_ONLY: frozenset[str] = frozenset({"recommendation.transition"})
# Actions an agency member may take on any object it can see (`scoped`), no further.
WITHIN_SCOPE: frozenset[str] = frozenset({"gap.comment"})


def _owner_agency_id(obj: Any) -> int | None:
    """The agency answerable for an object: a recommendation's owner, else its journey's."""
    if hasattr(obj, "owner_id"):
        return cast(int | None, obj.owner_id)
    if hasattr(obj, "journey"):
        return cast(int | None, obj.journey.agency_id)
    return getattr(obj, "agency_id", None)


def _sees(user: Any, obj: models.Model) -> bool:
    """Whether `obj` is among the rows of its model that `user` may see."""
    return scoped(user, type(obj)._default_manager.all()).filter(pk=obj.pk).exists()


def can(user: Any, action: str, obj: Any = None) -> bool:
    """Whether `user` may take `action` (on `obj`, for the actions that depend on its owner)."""
    role = role_of(user)
    if role is None or role not in ALLOWED.get(action, frozenset()):
        return False
    if role == R.AGENCY_MEMBER and action in OWN_AGENCY_ONLY:
        # Without the object there is nothing to check ownership against: refuse.
        return obj is not None and _owner_agency_id(obj) == agency_id_of(user)
    if role == R.AGENCY_MEMBER and obj is not None and action in WITHIN_SCOPE:
        return _sees(user, obj)
    if role in CLIENTS and not _sees_everything(user):
        # A token of one agency acts only on something named, and only within its agency:
        # what that agency's members could see, or own where ownership is what counts.
        if obj is None:
            return False
        if action in OWN_AGENCY_ONLY:
            return _owner_agency_id(obj) == agency_id_of(user)
        return _sees(user, obj)
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
