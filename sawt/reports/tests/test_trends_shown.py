"""The director's view and the trends on the journey page and in the report, and the portfolio
PDF's opening ranking, from records."""

from __future__ import annotations

import random

import pytest
from django.urls import reverse

from sawt.core.access import Role
from sawt.reports.html import report_html
from sawt.reports.portfolio import portfolio_report
from sawt.surveys.models import Answer, Response
from sawt.testing import factories as f

pytestmark = pytest.mark.django_db


def _wave(journey, stage, period: str, shift: float, rng: random.Random) -> None:
    survey = f.SurveyFactory(journey=journey, period=period, code=f"{journey.slug}-{period}")
    overall = f.QuestionFactory(survey=survey, code="overall", kind="overall")
    q1 = f.QuestionFactory(survey=survey, code="q1", stage=stage)
    responses = Response.objects.bulk_create(
        Response(survey=survey, respondent_id=f"{survey.code}-{i}") for i in range(60)
    )
    Answer.objects.bulk_create(
        Answer(response=r, question=q, score=min(5, max(1, round(rng.gauss(3 + shift, 1)))))
        for r in responses
        for q in (overall, q1)
    )


@pytest.fixture
def journeys():
    rng = random.Random(3)
    made = []
    for slug, later in (("permits", 1.2), ("licences", 0.0)):
        journey = f.JourneyFactory(slug=slug, name_en=slug.title())
        stage = f.StageFactory(journey=journey, code="apply", name_en="Apply")
        _wave(journey, stage, "2022-03", 0.0, rng)
        _wave(journey, stage, "2022-06", later, rng)
        made.append(journey)
    return made


def test_the_journey_page_opens_with_the_view_and_shows_the_trends(client, journeys):
    client.force_login(f.user_with_role(Role.ANALYST))
    client.cookies["django_language"] = "en"
    page = client.get(reverse("web:journey", args=["permits", "2022-06"])).content.decode()
    glance, sample, stages, trends = (
        page.index(s)
        for s in ("The journey at a glance", 'id="sample-h"', 'id="map-h"', 'id="trend-h"')
    )
    assert glance < sample < stages < trends
    assert "significant rise" in page and "Change from the previous period" in page
    assert page.count('class="trend-svg') >= 3  # overall, the stage, the item (compact)


def test_the_report_shows_the_view_and_a_trend_page(journeys):
    (report,) = [j for j in portfolio_report(period="2022-06").journeys if j.slug == "permits"]
    html = report_html(report, lang="ar", digits="latin", for_pdf=True)
    assert "الرحلة في لمحة" in html and "الاتجاهات" in html
    assert "<text" not in html.split("الاتجاهات", 1)[1].split("</section>", 1)[0]


def test_the_portfolio_pdf_opens_with_the_journeys_ranked(journeys):
    html = report_html(portfolio_report(period="2022-06"), lang="en", digits="latin", for_pdf=True)
    overview = html[html.index("All journeys at a glance") : html.index("Contents")]
    assert overview.index("Permits") < overview.index("Licences")  # the higher score first
    assert "significant rise" in overview and "first period measured" not in overview
