"""user_create and membership_set: validated, audited, all or nothing."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction

from sawt.accounts.models import Membership
from sawt.accounts.services import membership_set, user_create
from sawt.core.access import Role
from sawt.core.exceptions import ApplicationError
from sawt.core.models import AuditEvent
from sawt.testing import factories as f

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]
User = get_user_model()
GOOD = "qawaem-stmt-2022"


def _create(**kwargs):
    fields = {"username": "mona", "password": GOOD, "role": Role.ANALYST, "actor": None}
    return user_create(**{**fields, **kwargs})


def test_an_analyst_is_created_with_membership_and_audit_row():
    user = _create(email="mona@example.org")
    assert user.check_password(GOOD) and user.is_active
    assert not user.is_staff and not user.is_superuser
    assert user.membership.role == Role.ANALYST and user.membership.agency is None
    event = AuditEvent.objects.get(action="user.create")
    assert event.object_id == str(user.pk) and event.actor_label == "system"
    assert event.data == {"username": "mona", "role": "analyst", "agency": None}
    assert "mona@example.org" not in str(event.data)


def test_an_administrator_gets_the_admin():
    user = _create(role=Role.ADMINISTRATOR)
    assert user.is_staff and user.is_superuser


def test_an_agency_member_belongs_to_its_agency():
    agency = f.AgencyFactory(code="city-operators")
    user = _create(role=Role.AGENCY_MEMBER, agency_code="city-operators")
    assert user.membership.agency == agency


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"role": "boss"}, "“boss” is not a role. Roles: administrator, analyst, agency_member"),
        ({"role": Role.AGENCY_MEMBER}, "An agency member needs an agency"),
        ({"agency_code": "city-operators"}, "the role “analyst” takes none"),
        (
            {"role": Role.AGENCY_MEMBER, "agency_code": "nope"},
            "No agency has the code “nope”. Agencies: city-operators.",
        ),
        ({"password": "1234"}, "This password is too short"),
        ({"password": "password123"}, "This password is too common"),
        ({"username": ""}, "A username is required."),
        ({"username": "mona lisa"}, "Enter a valid username"),
        ({"email": "not-an-address"}, "“not-an-address” is not an e-mail address."),
    ],
)
def test_a_refusal_says_why_and_creates_nothing(kwargs, message):
    f.AgencyFactory(code="city-operators")
    with pytest.raises(ApplicationError) as caught:
        _create(**kwargs)
    assert caught.value.message == "The account was not created."
    assert any(message in str(p) for p in caught.value.problems), caught.value.problems
    assert User.objects.count() == 0 and Membership.objects.count() == 0
    assert not AuditEvent.objects.exists()


def test_every_problem_is_listed_at_once():
    with pytest.raises(ApplicationError) as caught:
        _create(role="boss", password="1234", email="x")
    assert len(caught.value.problems) >= 3


def test_a_username_taken_in_another_case_is_refused():
    _create(username="Mona")
    with pytest.raises(ApplicationError) as caught:
        _create(username="mona")
    assert caught.value.problems == ["An account named “mona” already exists."]
    assert User.objects.count() == 1


def test_a_demotion_takes_the_admin_away_and_is_audited():
    user = _create(role=Role.ADMINISTRATOR)
    agency = f.AgencyFactory(code="urban-planning")
    actor = f.user_with_role(Role.ADMINISTRATOR, username="boss")
    membership_set(user=user, role=Role.AGENCY_MEMBER, agency_code="urban-planning", actor=actor)
    user.refresh_from_db()
    assert not user.is_staff and not user.is_superuser
    assert (user.membership.role, user.membership.agency) == (Role.AGENCY_MEMBER, agency)
    event = AuditEvent.objects.get(action="membership.set")
    assert event.actor == actor
    assert event.data == {
        "username": user.username,
        "from": "administrator",
        "role": "agency_member",
        "agency": "urban-planning",
    }


def test_a_refused_role_change_changes_nothing():
    user = _create()
    with pytest.raises(ApplicationError):
        membership_set(user=user, role=Role.AGENCY_MEMBER, actor=None)
    user.membership.refresh_from_db()
    assert user.membership.role == Role.ANALYST
    assert not AuditEvent.objects.filter(action="membership.set").exists()


@pytest.mark.parametrize(
    ("role", "with_agency"),
    [(Role.AGENCY_MEMBER, False), (Role.ANALYST, True), ("boss", False)],
)
def test_the_database_refuses_an_inconsistent_membership(role, with_agency):
    agency = f.AgencyFactory() if with_agency else None
    user = f.UserFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(user=user, role=role, agency=agency)
