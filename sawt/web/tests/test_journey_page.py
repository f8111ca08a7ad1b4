"""The journey page on the demo data, its drill-down to the texts, and their scoping."""

from collections.abc import Iterator

import pytest
from django.core.management import call_command

from sawt.complaints.models import Complaint
from sawt.core.periods import period_bounds
from sawt.demo.loader import demo_load

pytestmark = pytest.mark.django_db

CC = "contractor-classification"
PAGE = f"/journeys/{CC}/2022-06/"
SEED_ITEMS = ("3.4", "3.4", "3.4", "3.7", "3.7", "3.8", "3.8", "3.3", "3.7", "4.1")


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker) -> Iterator[None]:
    with django_db_blocker.unblock():
        demo_load()
    yield
    with django_db_blocker.unblock():
        call_command("flush", interactive=False, verbosity=0)


def _login(client, username):
    from django.contrib.auth import get_user_model

    client.force_login(get_user_model().objects.get(username=username))
    return client


def test_the_journey_page_shows_the_seed_figures(demo, client):
    html = _login(client, "analyst").get(PAGE).content.decode()
    assert '<dd class="value">3.9</dd>' in html
    scores = [part.split("</span>")[0] for part in html.split('<span class="score">')[1:]]
    assert sorted(scores) == sorted(SEED_ITEMS)  # the map lays items out row by row
    assert f"/reports/{CC}/2022-06/" in html
    assert f"/journeys/{CC}/2022-06/categories/qawaem-statements/?source=complaints" in html
    assert f"/journeys/{CC}/2022-06/categories/credit-delay/?source=survey" in html
    assert "/gaps/" in html


def test_the_drill_down_lists_the_category_s_complaints(demo, client):
    start, end = period_bounds("2022-06")
    expected = Complaint.objects.filter(
        journey__slug=CC, category__code="qawaem-statements", received_at__range=(start, end)
    )
    url = f"{PAGE}categories/qawaem-statements/?source=complaints"
    response = _login(client, "analyst").get(url)
    assert response.status_code == 200
    page = response.context["page"]
    assert page.paginator.count == expected.count() > 50
    assert len(page.object_list) == 50
    assert expected.order_by("received_at", "id").first().text in response.content.decode()
    assert client.get(url + "&page=2").status_code == 200


def test_the_drill_down_lists_open_answers(demo, client):
    url = f"{PAGE}categories/credit-delay/?source=survey"
    response = _login(client, "analyst").get(url)
    assert response.status_code == 200 and response.context["page"].paginator.count == 21


def test_another_agency_gets_404(demo, client):
    _login(client, "other-agency")
    assert client.get(PAGE).status_code == 404
    assert client.get(f"{PAGE}categories/qawaem-statements/?source=complaints").status_code == 404
    assert client.get(f"{PAGE}categories/credit-delay/?source=survey").status_code == 404


def test_unknown_category_or_source_is_404(demo, client):
    _login(client, "analyst")
    assert client.get(f"{PAGE}categories/nope/?source=complaints").status_code == 404
    assert client.get(f"{PAGE}categories/credit-delay/?source=other").status_code == 404


def test_the_demo_portfolio_marks_one_change_only(demo, client):
    _login(client, "analyst").post("/i18n/setlang/", {"language": "en", "next": "/"})
    html = client.get("/periods/2022-06/").content.decode()
    assert "Every journey measured in June 2022" in html
    assert html.count("No significant change since March 2022") == 1
    assert "Up " in html


def test_the_demo_opens_on_its_latest_wave_after_the_fixes(demo, client):
    # December 2022: the seed journey rose after the June register's fixes, the other did not.
    _login(client, "analyst").post("/i18n/setlang/", {"language": "en", "next": "/"})
    html = client.get("/").content.decode()
    assert "Every journey measured in December 2022" in html
    assert html.count("No significant change since June 2022") == 1
    assert "Up " in html


def test_journey_page_query_budget(demo, client, django_assert_max_num_queries):
    _login(client, "analyst")
    # A fixed number whatever the number of respondents, complaints or periods: the director's
    # view, the trend (every period's counts in one query per kind), the key drivers (the
    # answers read once), the segment picker (one count per attribute) and "did it work?" (a
    # handful per journey) came on top of the 46 of the page before them.
    with django_assert_max_num_queries(100):
        assert client.get(PAGE).status_code == 200
    with django_assert_max_num_queries(12):
        assert (
            client.get(f"{PAGE}categories/qawaem-statements/?source=complaints").status_code == 200
        )


def test_the_agency_member_sees_its_journey(demo, client):
    assert _login(client, "agency").get(PAGE).status_code == 200


def test_an_analyst_can_start_a_gap_from_each_kind_of_evidence(demo, client):
    html = _login(client, "analyst").get(PAGE).content.decode()
    new = f"/gaps/new/?journey={CC}&amp;period=2022-06"
    assert f"{new}&amp;category=qawaem-statements" in html
    assert f"{new}&amp;item=follow_up_effort" in html  # 3.3, below the 4.0 target
    assert "&amp;item=inspectors" not in html  # 4.1 meets the target
    assert f"{new}&amp;note=" in html
    assert (
        client.get(f"/gaps/new/?journey={CC}&period=2022-06&category=qawaem-statements").status_code
        == 200
    )


def test_a_viewer_sees_no_gap_links(demo, client):
    html = _login(client, "viewer").get(PAGE).content.decode()
    assert "/gaps/new/" not in html
