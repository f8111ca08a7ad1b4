"""The pages that exist today, through scoping: another agency's journey is a 404."""

from __future__ import annotations

import re

import pytest

from sawt.core.access import Role
from sawt.testing import factories as f

pytestmark = pytest.mark.django_db

OURS = "/journeys/contractor-classification/2022-06/"
THEIRS = "/journeys/building-permits/2022-06/"


def _login(client, role, agency=None):
    client.force_login(f.user_with_role(role, agency=agency))
    return client


def test_an_agency_member_gets_404_on_another_agencys_journey_page(client, ours, theirs):
    _login(client, Role.AGENCY_MEMBER, ours.agency)
    assert client.get(THEIRS).status_code == 404
    assert client.get(OURS).status_code == 200


def test_the_404_does_not_tell_a_hidden_journey_from_a_missing_one(client, ours, theirs):
    _login(client, Role.AGENCY_MEMBER, ours.agency)
    hidden, missing = client.get(THEIRS), client.get("/journeys/no-such-journey/2022-06/")
    assert hidden.status_code == missing.status_code == 404
    # Alike but for what differs on every page anyway: the CSRF token (masked anew on each
    # render) and the language switch's return address (the address the person typed).
    assert _page_body(hidden) == _page_body(missing)


def _page_body(response) -> str:
    html = response.content.decode()
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", html)
    return re.sub(r'name="next" value="[^"]*"', "", html)


def test_an_agency_member_sees_only_its_journeys_listed(client, ours, theirs):
    html = _login(client, Role.AGENCY_MEMBER, ours.agency).get("/").content.decode()
    assert OURS in html
    assert THEIRS not in html and theirs.journey.name_ar not in html


@pytest.mark.parametrize("role", [Role.ADMINISTRATOR, Role.ANALYST, Role.VIEWER])
def test_ministry_wide_roles_open_every_journey(client, ours, theirs, role):
    _login(client, role)
    html = client.get("/").content.decode()
    assert OURS in html and THEIRS in html
    assert client.get(THEIRS).status_code == 200


def test_an_account_without_a_role_sees_no_journey_and_is_told_why(client, ours):
    client.force_login(f.UserFactory())
    html = client.get("/").content.decode()
    assert OURS not in html and "لم يُعطَ حسابك دورًا بعد" in html
    assert client.get(OURS).status_code == 404
