"""Who sees which journeys, surveys, complaints, gaps and recommendations (sawt.core.access)."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser

from sawt.catalog.selectors import journeys_for
from sawt.complaints.selectors import complaints_for
from sawt.core.access import Role, role_of
from sawt.gaps.selectors import gaps_for, recommendations_for
from sawt.surveys.selectors import surveys_for
from sawt.testing import factories as f

pytestmark = pytest.mark.django_db

SCOPES = (journeys_for, surveys_for, complaints_for, gaps_for, recommendations_for)


def _seen(user) -> dict[str, set[int]]:
    return {scope.__name__: set(scope(user).values_list("pk", flat=True)) for scope in SCOPES}


def _all(*worlds) -> dict[str, set[int]]:
    attrs = ("journey", "survey", "complaint", "gap", "recommendation")
    return {
        scope.__name__: {getattr(w, attr).pk for w in worlds}
        for scope, attr in zip(SCOPES, attrs, strict=True)
    }


@pytest.mark.parametrize("role", [Role.ADMINISTRATOR, Role.ANALYST, Role.VIEWER])
def test_ministry_wide_roles_see_every_agency(role, ours, theirs):
    assert _seen(f.user_with_role(role)) == _all(ours, theirs)


def test_an_agency_member_sees_only_its_agency(ours, theirs):
    member = f.user_with_role(Role.AGENCY_MEMBER, agency=ours.agency)
    assert _seen(member) == _all(ours)


def test_a_decision_owned_by_the_agency_shows_its_gap_but_not_the_journey(ours, theirs):
    # Their gap, decided on by us (an external party's action): we must read it to act on it.
    owned = f.RecommendationFactory(gap=theirs.gap, owner=ours.agency)
    member = f.user_with_role(Role.AGENCY_MEMBER, agency=ours.agency)
    seen = _seen(member)
    assert seen["gaps_for"] == {ours.gap.pk, theirs.gap.pk}
    assert seen["recommendations_for"] == {ours.recommendation.pk, owned.pk}
    assert theirs.journey.pk not in seen["journeys_for"]
    assert theirs.complaint.pk not in seen["complaints_for"]
    assert theirs.survey.pk not in seen["surveys_for"]


def test_gaps_with_several_owned_decisions_are_listed_once(ours, theirs):
    f.RecommendationFactory.create_batch(2, gap=theirs.gap, owner=ours.agency)
    member = f.user_with_role(Role.AGENCY_MEMBER, agency=ours.agency)
    assert gaps_for(member).count() == 2


def test_the_other_agency_member_sees_only_theirs(ours, theirs):
    member = f.user_with_role(Role.AGENCY_MEMBER, agency=theirs.agency)
    assert _seen(member) == _all(theirs)


def test_a_user_without_a_role_sees_nothing(ours):
    user = f.UserFactory()
    assert role_of(user) is None
    assert all(not ids for ids in _seen(user).values())


def test_anonymous_sees_nothing(ours):
    assert all(not ids for ids in _seen(AnonymousUser()).values())
    assert all(not scope(None).exists() for scope in SCOPES)


def test_an_inactive_user_sees_nothing(ours):
    user = f.user_with_role(Role.ANALYST, is_active=False)
    assert all(not ids for ids in _seen(user).values())


def test_a_superuser_without_membership_counts_as_administrator(ours, theirs):
    user = get_user_model().objects.create_superuser("root", password="x-secret-123")
    assert role_of(user) == Role.ADMINISTRATOR
    assert _seen(user) == _all(ours, theirs)
