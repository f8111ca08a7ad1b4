"""Pages name a complaint's channel in the page's language, never by its raw code."""

import pytest

from sawt.core.access import Role
from sawt.testing import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def category_page(client):
    journey = f.JourneyFactory(slug="permits")
    category = f.GapCategoryFactory(journey=journey, code="delay")
    f.ComplaintFactory(
        journey=journey, category=category, category_source="analyst", channel="balady-portal"
    )
    f.ComplaintFactory(
        journey=journey, category=category, category_source="analyst", channel="fax-line"
    )
    client.force_login(f.user_with_role(Role.ANALYST))
    return client, "/journeys/permits/2022-06/categories/delay/?source=complaints"


def test_the_category_page_names_the_channel_in_arabic(category_page):
    client, url = category_page
    html = client.get(url).content.decode()
    assert "بوابة بلدي" in html
    assert "balady-portal" not in html


def test_the_category_page_names_the_channel_in_english(category_page):
    client, url = category_page
    client.cookies["django_language"] = "en"
    html = client.get(url).content.decode()
    assert "Balady portal" in html and "balady-portal" not in html


def test_an_unknown_channel_shows_its_code_isolated(category_page):
    client, url = category_page
    assert "<bdi>fax-line</bdi>" in client.get(url).content.decode()
