"""The plain pages: login required, Arabic RTL by default, figures from the metrics engine."""

import pytest

from sawt.core.access import Role
from sawt.testing import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def client_in(client):
    client.force_login(f.user_with_role(Role.ANALYST, username="analyst"))
    return client


@pytest.fixture
def journey():
    journey = f.JourneyFactory(slug="permits", name_ar="رحلة الرخص", name_en="Permits")
    stage = f.StageFactory(journey=journey, name_ar="التقديم")
    survey = f.SurveyFactory(journey=journey, period="2022-06", sample_size=10)
    overall = f.QuestionFactory(survey=survey, code="overall", kind="overall")
    item = f.QuestionFactory(survey=survey, stage=stage, text_ar="الرضا عن سرعة الإنجاز")
    for i, score in enumerate([5, 4, 4, 3]):
        response = f.ResponseFactory(survey=survey, respondent_id=f"r{i}")
        f.AnswerFactory(response=response, question=overall, score=score)
        f.AnswerFactory(response=response, question=item, score=score - 1)
    return journey


def test_pages_require_login(client, journey):
    response = client.get("/journeys/permits/2022-06/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_journey_page_is_arabic_rtl_with_computed_figures(client_in, journey):
    html = client_in.get("/journeys/permits/2022-06/").content.decode()
    assert 'dir="rtl"' in html and 'lang="ar"' in html
    assert "رحلة الرخص" in html and "الرضا عن سرعة الإنجاز" in html
    assert "4.0" in html  # overall mean of 5, 4, 4, 3
    assert "مراحل الرحلة الأساسية" in html and "نسبة الرضا العام" in html


def test_english_is_a_switch(client_in, journey):
    client_in.post("/i18n/setlang/", {"language": "en", "next": "/"})
    html = client_in.get("/journeys/permits/2022-06/").content.decode()
    assert 'dir="ltr"' in html and "Permits" in html and "Overall satisfaction" in html


def test_unknown_journey_or_period_is_404(client_in, journey):
    assert client_in.get("/journeys/nope/2022-06/").status_code == 404
    assert client_in.get("/journeys/permits/2023-01/").status_code == 404


def test_home_lists_journeys_with_their_periods(client_in, journey):
    html = client_in.get("/").content.decode()
    assert "/journeys/permits/2022-06/" in html


def test_arabic_even_when_the_browser_prefers_english(client_in, journey):
    html = client_in.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert 'lang="ar"' in html and 'dir="rtl"' in html


def test_journey_without_an_overall_item_still_renders(client_in):
    journey = f.JourneyFactory(slug="no-overall")
    survey = f.SurveyFactory(journey=journey, period="2022-06")
    f.QuestionFactory(survey=survey, stage=f.StageFactory(journey=journey))
    response = client_in.get("/journeys/no-overall/2022-06/")
    assert response.status_code == 200 and "—" in response.content.decode()
