"""The one place queries are scoped to what a person may see.

Every read of journeys, gaps, recommendations, complaints or surveys on behalf of a person
starts from one of these querysets, so another agency's object is a 404 by construction:
`get_object_or_404(gaps_for(request.user), pk=pk)`.

- administrator, CX analyst, viewer: everything.
- agency member: the journeys its agency owns, and their surveys and complaints; the gaps of
  those journeys plus any gap carrying a recommendation its agency owns (a decision assigned
  to an agency, e.g. an external party, must be readable by it to be acted on); the
  recommendations of those journeys' gaps plus the ones its agency owns. Another journey's
  complaints and surveys stay hidden even then: they are customer data the agency does not need.
- no membership, inactive or anonymous: nothing. A superuser without a membership (made with
  Django's `createsuperuser`) counts as an administrator, as the admin shows them all anyway.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from sawt.accounts.choices import Role
from sawt.catalog.models import Journey
from sawt.complaints.models import Complaint
from sawt.gaps.models import Gap, Recommendation
from sawt.surveys.models import Survey

# Roles that read every journey of the ministry.
SEES_ALL: frozenset[str] = frozenset({Role.ADMINISTRATOR, Role.ANALYST, Role.VIEWER})


def role_of(user: Any) -> str | None:
    """The user's role, or None for anonymous, inactive and unassigned users."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    membership = getattr(user, "membership", None)
    if membership is not None:
        return membership.role
    return Role.ADMINISTRATOR if user.is_superuser else None


def agency_id_of(user: Any) -> int | None:
    """The agency an agency member belongs to; None for every other user."""
    if role_of(user) != Role.AGENCY_MEMBER:
        return None
    return user.membership.agency_id


def _sees_all(user: Any) -> bool:
    return role_of(user) in SEES_ALL


def journeys_for(user: Any) -> QuerySet[Journey]:
    """The journeys this user may see."""
    if _sees_all(user):
        return Journey.objects.all()
    agency_id = agency_id_of(user)
    if agency_id is None:
        return Journey.objects.none()
    return Journey.objects.filter(agency_id=agency_id)


def surveys_for(user: Any) -> QuerySet[Survey]:
    """The surveys of the journeys this user may see."""
    if _sees_all(user):
        return Survey.objects.all()
    agency_id = agency_id_of(user)
    if agency_id is None:
        return Survey.objects.none()
    return Survey.objects.filter(journey__agency_id=agency_id)


def complaints_for(user: Any) -> QuerySet[Complaint]:
    """The complaints about the journeys this user may see."""
    if _sees_all(user):
        return Complaint.objects.all()
    agency_id = agency_id_of(user)
    if agency_id is None:
        return Complaint.objects.none()
    return Complaint.objects.filter(journey__agency_id=agency_id)


def gaps_for(user: Any) -> QuerySet[Gap]:
    """The gaps of the journeys this user may see, plus those its agency owns a decision on."""
    if _sees_all(user):
        return Gap.objects.all()
    agency_id = agency_id_of(user)
    if agency_id is None:
        return Gap.objects.none()
    # A subquery rather than a join on recommendations: no duplicate rows, no DISTINCT needed.
    owned = Recommendation.objects.filter(owner_id=agency_id).values("gap_id")
    return Gap.objects.filter(Q(journey__agency_id=agency_id) | Q(pk__in=owned))


def recommendations_for(user: Any) -> QuerySet[Recommendation]:
    """The recommendations on gaps of the journeys this user may see, plus those it owns."""
    if _sees_all(user):
        return Recommendation.objects.all()
    agency_id = agency_id_of(user)
    if agency_id is None:
        return Recommendation.objects.none()
    return Recommendation.objects.filter(
        Q(gap__journey__agency_id=agency_id) | Q(owner_id=agency_id)
    )
