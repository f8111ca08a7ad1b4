"""The demo's five accounts: one per role, all with the published password."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from sawt.catalog.selectors import journeys_for
from sawt.core.access import Role
from sawt.core.models import AuditEvent
from sawt.demo.loader import DEMO_PASSWORD, demo_accounts, demo_admin
from sawt.testing import factories as f

pytestmark = pytest.mark.django_db
User = get_user_model()


def _roles() -> dict[str, tuple[str, str | None]]:
    return {
        u.username: (u.membership.role, u.membership.agency.code if u.membership.agency else None)
        for u in User.objects.select_related("membership__agency")
    }


def test_the_demo_creates_one_account_per_role(ours, theirs):
    demo_accounts(actor=demo_admin())
    assert _roles() == {
        "admin": (Role.ADMINISTRATOR, None),
        "analyst": (Role.ANALYST, None),
        "agency": (Role.AGENCY_MEMBER, "city-operators"),
        "other-agency": (Role.AGENCY_MEMBER, "urban-planning"),
        "viewer": (Role.VIEWER, None),
    }
    assert all(u.check_password(DEMO_PASSWORD) for u in User.objects.all())
    assert list(User.objects.filter(is_superuser=True).values_list("username", flat=True)) == [
        "admin"
    ]
    agency = User.objects.get(username="agency")
    assert list(journeys_for(agency).values_list("slug", flat=True)) == [
        "contractor-classification"
    ]


def test_creating_them_twice_changes_nothing(ours, theirs):
    demo_accounts(actor=demo_admin())
    before = (User.objects.count(), AuditEvent.objects.count())
    demo_accounts(actor=demo_admin())
    assert (User.objects.count(), AuditEvent.objects.count()) == before


def test_an_admin_from_before_roles_gets_its_role(ours, theirs):
    User.objects.create_superuser("admin", password=DEMO_PASSWORD)
    demo_accounts(actor=None)
    assert _roles()["admin"] == (Role.ADMINISTRATOR, None)


def test_a_role_set_since_is_kept(ours, theirs):
    f.user_with_role(Role.VIEWER, username="analyst")
    demo_accounts(actor=None)
    assert _roles()["analyst"] == (Role.VIEWER, None)
