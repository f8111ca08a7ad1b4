"""The report in the web app: login required, the same report HTML, and a PDF download."""

from __future__ import annotations

import pytest

from sawt.core.access import Role
from sawt.testing import factories as f

pytestmark = pytest.mark.django_db

URL = "/reports/permits/2022-06/"


@pytest.fixture
def client_in(client):
    client.force_login(f.user_with_role(Role.ANALYST, username="analyst"))
    return client


@pytest.fixture
def journey():
    journey = f.JourneyFactory(slug="permits", name_ar="رحلة الرخص", name_en="Permits")
    stage = f.StageFactory(journey=journey, name_ar="التقديم", name_en="Application")
    survey = f.SurveyFactory(journey=journey, period="2022-06", sample_size=10)
    overall = f.QuestionFactory(survey=survey, code="overall", kind="overall")
    item = f.QuestionFactory(survey=survey, stage=stage, text_ar="الرضا عن سرعة الإنجاز")
    for score in (5, 4, 4, 3):
        response = f.ResponseFactory(survey=survey)
        f.AnswerFactory(response=response, question=overall, score=score)
        f.AnswerFactory(response=response, question=item, score=score)
    return journey


@pytest.mark.parametrize("url", [URL, URL + "pdf/"])
def test_the_report_requires_login(client, journey, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_the_page_shows_the_report_in_arabic(client_in, journey):
    response = client_in.get(URL)
    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="ar" dir="rtl">' in html
    assert "رحلة الرخص" in html and "الرضا عن سرعة الإنجاز" in html
    assert "عينة القياس" in html and "مراحل الرحلة الأساسية" in html
    assert 'href="/reports/permits/2022-06/pdf/?lang=ar&amp;digits=latin"' in html
    assert "/static/reports/report.css" in html


def test_lang_en_shows_the_english_report(client_in, journey):
    html = client_in.get(URL + "?lang=en").content.decode()
    assert '<html lang="en" dir="ltr">' in html
    assert "Permits" in html and "The journey's stages" in html and "عينة القياس" not in html


def test_unknown_journey_or_period_is_404(client_in, journey):
    assert client_in.get("/reports/nope/2022-06/").status_code == 404
    assert client_in.get("/reports/permits/2023-01/").status_code == 404
    assert client_in.get("/reports/permits/2022-13/pdf/").status_code == 404


def test_the_pdf_is_an_attachment(client_in, journey):
    response = client_in.get(URL + "pdf/?lang=en")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="permits-2022-06-en.pdf"'
    assert response.content.startswith(b"%PDF")


def test_the_journey_page_links_to_the_report(client_in, journey):
    html = client_in.get("/journeys/permits/2022-06/").content.decode()
    assert 'href="/reports/permits/2022-06/"' in html


@pytest.mark.parametrize("url", [URL, URL + "pdf/"])
def test_another_agencys_journey_is_404(client, journey, url):
    other = f.AgencyFactory(code="other-agency")
    client.force_login(f.user_with_role(Role.AGENCY_MEMBER, agency=other, username="member"))
    assert client.get(url).status_code == 404


def test_the_agency_sees_its_own_report(client, journey):
    member = f.user_with_role(Role.AGENCY_MEMBER, agency=journey.agency, username="own")
    client.force_login(member)
    assert client.get(URL).status_code == 200
