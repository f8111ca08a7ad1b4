"""Who may write what (sawt.core.access): an agency member moves only its own decisions."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from sawt.core.access import ALLOWED, Role, can, require
from sawt.testing import factories as f

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        (Role.ADMINISTRATOR, True),
        (Role.ANALYST, True),
        (Role.AGENCY_MEMBER, False),
        (Role.VIEWER, False),
    ],
)
def test_only_analysts_and_administrators_record_gaps(role, allowed, ours):
    user = f.user_with_role(role, agency=ours.agency if role == Role.AGENCY_MEMBER else None)
    assert can(user, "gap.create") is allowed
    assert can(user, "recommendation.create") is allowed


def test_a_viewer_may_write_nothing():
    viewer = f.user_with_role(Role.VIEWER)
    assert [a for a in ALLOWED if a != "report.download" and can(viewer, a)] == []


def test_an_agency_member_moves_only_recommendations_its_agency_owns(ours, theirs):
    member = f.user_with_role(Role.AGENCY_MEMBER, agency=ours.agency)
    assert can(member, "recommendation.transition", ours.recommendation)
    assert not can(member, "recommendation.transition", theirs.recommendation)
    # Without the object ownership cannot be checked: refused.
    assert not can(member, "recommendation.transition")


def test_an_analyst_moves_any_recommendation(theirs):
    assert can(f.user_with_role(Role.ANALYST), "recommendation.transition", theirs.recommendation)


def test_only_administrators_manage_accounts():
    assert can(f.user_with_role(Role.ADMINISTRATOR), "user.create")
    assert not can(f.user_with_role(Role.ANALYST), "user.create")


def test_unknown_actions_and_users_without_a_role_are_refused():
    assert not can(f.user_with_role(Role.ADMINISTRATOR), "gap.delete-everything")
    with pytest.raises(PermissionDenied):
        require(f.UserFactory(), "report.download")
