"""The site menu shows a person only the links their role may use: none leads to a 403."""

import re

import pytest

from sawt.core.access import Role
from sawt.testing import factories as f

pytestmark = pytest.mark.django_db

NAV = re.compile(r'<nav class="site-nav".*?</nav>', re.S)
LINK = re.compile(r'href="([^"]+)"')
# Each role's menu, as the permissions allow (the administration link goes with the role).
EXPECTED = {
    Role.ADMINISTRATOR: {"/", "/gaps/", "/imports/", "/tokens/", "/webhooks/", "/admin/"},
    Role.ANALYST: {"/", "/gaps/", "/imports/"},
    Role.AGENCY_MEMBER: {"/", "/gaps/"},
    Role.VIEWER: {"/", "/gaps/"},
}


def _menu(html: str) -> set[str]:
    header = html.split("</header>", 1)[0]
    links = set(LINK.findall(NAV.search(header).group(0)))
    # The administration link sits beside the menu, with the account's buttons.
    return links | ({"/admin/"} if 'href="/admin/"' in header else set())


@pytest.mark.parametrize("role", list(EXPECTED))
def test_menu_shows_only_what_the_role_may_use(client, role):
    agency = f.AgencyFactory() if role == Role.AGENCY_MEMBER else None
    client.force_login(f.user_with_role(role, agency=agency))
    menu = _menu(client.get("/").content.decode())
    assert menu == EXPECTED[role]
    for url in menu:
        assert client.get(url).status_code == 200, url


def test_anonymous_people_see_no_menu(client):
    html = client.get("/accounts/login/").content.decode()
    assert not LINK.findall(NAV.search(html).group(0))
