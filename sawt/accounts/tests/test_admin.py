"""The user admin: the role inline saves through membership_set, so flags and audit follow."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from sawt.core.access import Role
from sawt.core.models import AuditEvent
from sawt.testing import factories as f

pytestmark = pytest.mark.django_db


def _change_form(user, role: str, agency) -> dict:
    membership = getattr(user, "membership", None)
    return {
        "username": user.username,
        "first_name": "",
        "last_name": "",
        "email": "",
        "is_active": "on",
        "last_login_0": "",
        "last_login_1": "",
        "date_joined_0": "2022-06-01",
        "date_joined_1": "10:00:00",
        "membership-TOTAL_FORMS": "1",
        "membership-INITIAL_FORMS": "1" if membership else "0",
        "membership-MIN_NUM_FORMS": "0",
        "membership-MAX_NUM_FORMS": "1",
        "membership-0-id": str(membership.pk) if membership else "",
        "membership-0-user": str(user.pk),
        "membership-0-role": role,
        "membership-0-agency": str(agency.pk) if agency else "",
    }


@pytest.fixture
def admin_client_in(client):
    client.force_login(f.user_with_role(Role.ADMINISTRATOR, username="boss"))
    return client


def test_the_user_list_shows_roles(admin_client_in):
    f.user_with_role(Role.VIEWER, username="omar")
    response = admin_client_in.get("/admin/auth/user/")
    assert response.status_code == 200 and "omar" in response.content.decode()


def test_changing_the_role_in_the_admin_goes_through_the_service(admin_client_in):
    agency = f.AgencyFactory(code="urban-planning")
    user = f.user_with_role(Role.ADMINISTRATOR, username="former-admin")
    url = f"/admin/auth/user/{user.pk}/change/"
    assert admin_client_in.get(url).status_code == 200
    response = admin_client_in.post(url, _change_form(user, Role.AGENCY_MEMBER, agency))
    assert response.status_code == 302, response.content.decode()[:2000]
    user = get_user_model().objects.get(pk=user.pk)
    assert (user.membership.role, user.membership.agency) == (Role.AGENCY_MEMBER, agency)
    assert not user.is_staff and not user.is_superuser
    assert AuditEvent.objects.get(action="membership.set").actor_label == "boss"


def test_an_agency_member_without_an_agency_is_refused_in_the_admin(admin_client_in):
    user = f.user_with_role(Role.VIEWER, username="omar")
    url = f"/admin/auth/user/{user.pk}/change/"
    response = admin_client_in.post(url, _change_form(user, Role.AGENCY_MEMBER, None))
    assert response.status_code == 200  # the form again, with the error
    user.membership.refresh_from_db()
    assert user.membership.role == Role.VIEWER


def test_a_user_without_a_role_gets_one_in_the_admin(admin_client_in):
    user = f.UserFactory(username="newcomer")
    url = f"/admin/auth/user/{user.pk}/change/"
    assert admin_client_in.post(url, _change_form(user, Role.ANALYST, None)).status_code == 302
    user = get_user_model().objects.get(pk=user.pk)
    assert user.membership.role == Role.ANALYST and not user.is_staff


def test_the_add_page_shows_the_role(admin_client_in):
    html = admin_client_in.get("/admin/auth/user/add/").content.decode()
    assert 'name="membership-0-role"' in html
