"""403, 404 and 500 are the site's own pages: its header, the active language, a way home."""

import pytest
from django.test import Client

from sawt.core.access import Role
from sawt.testing import factories as f

HOME_LINK = 'class="button" href="/"'


def _english(client: Client) -> Client:
    client.cookies["django_language"] = "en"
    return client


@pytest.mark.django_db
def test_404_is_branded_in_arabic_with_header_and_way_home(client):
    client.force_login(f.user_with_role(Role.VIEWER))
    response = client.get("/no-such-page/")
    html = response.content.decode()
    assert response.status_code == 404
    assert 'lang="ar"' in html and 'dir="rtl"' in html
    assert 'class="top"' in html and "صوت — صوت العميل" in html  # the site's header
    assert "هذه الصفحة غير موجودة" in html
    assert HOME_LINK in html
    assert "Not Found" not in html  # not Django's bare page


@pytest.mark.django_db
def test_404_in_english_and_for_anonymous_people(client):
    response = _english(client).get("/no-such-page/")
    html = response.content.decode()
    assert response.status_code == 404
    assert 'lang="en"' in html and "This page does not exist" in html and HOME_LINK in html


@pytest.mark.django_db
def test_404_never_shows_the_exceptions_text(client):
    client.force_login(f.user_with_role(Role.ANALYST))
    html = client.get("/journeys/no-such-journey/2022-06/").content.decode()
    assert "no-such-journey" not in html.split("<main", 1)[1]


@pytest.mark.django_db
def test_403_is_branded_with_the_reason(client):
    client.force_login(f.user_with_role(Role.VIEWER))
    response = client.get("/imports/")
    html = response.content.decode()
    assert response.status_code == 403
    assert 'class="top"' in html and 'dir="rtl"' in html
    assert "لا يحق لك استخدام هذه الصفحة" in html
    assert HOME_LINK in html
    assert "403 Forbidden" not in html


@pytest.mark.django_db
def test_403_in_english(client):
    client.force_login(f.user_with_role(Role.VIEWER))
    response = _english(client).get("/imports/")
    html = response.content.decode()
    assert response.status_code == 403
    assert "You may not use this page" in html and "Your role does not allow" in html


@pytest.fixture
def failing_site(settings, client):
    settings.ROOT_URLCONF = "sawt.web.tests.urls_boom"
    client.raise_request_exception = False
    return client


# No django_db mark: any query while rendering the 500 page would fail this test.
@pytest.mark.parametrize("url", ["/boom/", "/database-down/"])
def test_500_is_branded_and_needs_no_database(failing_site, url):
    response = failing_site.get(url)
    html = response.content.decode()
    assert response.status_code == 500
    assert 'class="top"' in html and 'dir="rtl"' in html
    assert "حدث خطأ من جهتنا" in html and HOME_LINK in html
    assert 'name="language" value="en"' in html  # the switch, with its CSRF token
    assert "a bug" not in html and "locked" not in html


def test_500_in_english(failing_site):
    response = _english(failing_site).get("/boom/")
    html = response.content.decode()
    assert response.status_code == 500
    assert 'lang="en"' in html and "Something went wrong on our side" in html


def test_500_falls_back_to_plain_html_when_the_template_fails(monkeypatch, rf):
    from sawt.web.views import errors

    def broken(*args, **kwargs):
        raise RuntimeError("template broke")

    monkeypatch.setattr(errors, "render_to_string", broken)
    response = errors.server_error(rf.get("/"))
    assert response.status_code == 500
    assert "حدث خطأ من جهتنا" in response.content.decode()


@pytest.mark.django_db
def test_a_form_refused_for_its_csrf_token_says_what_to_do():
    client = Client(enforce_csrf_checks=True)
    response = _english(client).post("/accounts/login/", {"username": "x", "password": "y"})
    html = response.content.decode()
    assert response.status_code == 403
    assert "This form could not be sent" in html and "Allow cookies" in html
    assert 'class="top"' in html and HOME_LINK in html  # the site's own page
