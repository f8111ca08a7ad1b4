"""Contacts on pages: whole for administrators only, masked for everyone else, "—" once erased."""

import pytest
from django.template import Context, Template

from sawt.testing import factories as f

pytestmark = pytest.mark.django_db
PAGE = Template("{% load sawt_contacts %}{{ mobile|mobile_for:user }} {{ email|email_for:user }}")


def shown(user, mobile="+966501234123", email="ahmed.ali@example.com") -> str:
    return PAGE.render(Context({"user": user, "mobile": mobile, "email": email}))


def test_administrators_see_contacts_whole():
    assert shown(f.user_with_role("administrator")) == (
        '<bdi dir="ltr">+966501234123</bdi> <bdi dir="ltr">ahmed.ali@example.com</bdi>'
    )


@pytest.mark.parametrize("role", ["analyst", "viewer"])
def test_everyone_else_sees_them_masked(role):
    assert shown(f.user_with_role(role)) == (
        '<bdi dir="ltr">+9665•••••123</bdi> <bdi dir="ltr">a•••@example.com</bdi>'
    )


def test_an_erased_contact_shows_a_dash():
    assert shown(f.user_with_role("administrator"), mobile="", email=None) == "— —"


def test_a_contact_cannot_inject_markup():
    html = shown(f.user_with_role("administrator"), email="<b>x</b>@example.com")
    assert "<b>" not in html and "&lt;b&gt;" in html
