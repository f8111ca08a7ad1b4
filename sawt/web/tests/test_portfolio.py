"""The portfolio page: scoped journeys, figures per journey, changes marked only when tested."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from sawt.core.access import Role
from sawt.metrics.portfolio import portfolio_summary
from sawt.surveys.models import Answer, Response
from sawt.testing import factories as f

pytestmark = pytest.mark.django_db


def _wave(journey, period, counts, *, respondents="r"):
    """A survey of `journey` in `period` whose overall item has these {score: count}."""
    survey = f.SurveyFactory(journey=journey, period=period, sample_size=1000)
    overall = f.QuestionFactory(survey=survey, code="overall", kind="overall")
    responses = [
        f.ResponseFactory.build(survey=survey, respondent_id=f"{respondents}{period}-{i}")
        for i in range(sum(counts.values()))
    ]
    Response.objects.bulk_create(responses)
    scores = [s for s, c in counts.items() for _ in range(c)]
    Answer.objects.bulk_create(
        Answer(response=r, question=overall, score=s)
        for r, s in zip(responses, scores, strict=True)
    )
    return survey


@pytest.fixture
def analyst_client(client):
    client.force_login(f.user_with_role(Role.ANALYST, username="analyst"))
    return client


def test_portfolio_lists_only_the_agency_s_journeys(client):
    mine, theirs = f.JourneyFactory(name_en="Mine"), f.JourneyFactory(name_en="Theirs")
    _wave(mine, "2022-06", {5: 3, 4: 2})
    _wave(theirs, "2022-06", {5: 1, 3: 2})
    client.force_login(f.user_with_role(Role.AGENCY_MEMBER, agency=mine.agency))
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    html = client.get("/").content.decode()
    assert "Mine" in html and "Theirs" not in html
    assert f"/journeys/{mine.slug}/2022-06/" in html
    assert client.get("/periods/2022-06/").status_code == 200


def test_a_big_difference_is_marked_and_a_tiny_one_is_not(analyst_client):
    big, tiny = f.JourneyFactory(name_en="Big"), f.JourneyFactory(name_en="Tiny")
    _wave(big, "2022-03", {5: 20, 4: 30, 3: 50, 2: 60, 1: 40})
    _wave(big, "2022-06", {5: 90, 4: 80, 3: 20, 2: 6, 1: 4})
    _wave(tiny, "2022-01", {5: 60, 4: 70, 3: 40, 2: 20, 1: 10})
    _wave(tiny, "2022-06", {5: 61, 4: 70, 3: 40, 2: 19, 1: 10})
    rows = {r["journey"].name_en: r for r in portfolio_summary(period="2022-06")["journeys"]}
    assert rows["Big"]["change"]["significant"] and rows["Big"]["change"]["direction"] == "up"
    assert rows["Tiny"]["previous_period"] == "2022-01"
    assert not rows["Tiny"]["change"]["significant"]
    analyst_client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    html = analyst_client.get("/periods/2022-06/").content.decode()
    assert html.count("No significant change since") == 1
    assert "Up " in html and "Welch" in html and "Holm" in html


def test_a_first_survey_has_nothing_to_compare(analyst_client):
    _wave(f.JourneyFactory(), "2022-06", {5: 2, 4: 2})
    analyst_client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert "No earlier survey" in analyst_client.get("/").content.decode()


def test_register_counts_and_complaints_per_journey(analyst_client):
    journey = f.JourneyFactory()
    _wave(journey, "2022-06", {5: 2, 4: 2})
    f.ComplaintFactory.create_batch(3, journey=journey)
    gap = f.GapFactory(journey=journey, period="2022-06")
    f.RecommendationFactory(gap=gap, status="approved")
    row = portfolio_summary(period="2022-06")["journeys"][0]
    assert (row["complaints"], row["gaps"], row["recommendations"]) == (3, 1, 1)
    assert row["by_status"]["approved"] == 1 and row["response_rate"] == 4 / 1000


def test_an_unknown_period_is_404(analyst_client):
    _wave(f.JourneyFactory(), "2022-06", {5: 2, 4: 2})
    assert analyst_client.get("/periods/2021-01/").status_code == 404
    assert analyst_client.get("/periods/nonsense/").status_code == 404


def test_portfolio_queries_do_not_grow_with_journeys(analyst_client):
    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert analyst_client.get("/").status_code == 200
        return len(ctx)

    for _ in range(2):
        journey = f.JourneyFactory()
        _wave(journey, "2022-03", {5: 2, 4: 2, 3: 1})
        _wave(journey, "2022-06", {5: 2, 4: 2})
    few = queries()
    for _ in range(5):
        journey = f.JourneyFactory()
        _wave(journey, "2022-03", {5: 2, 4: 2, 3: 1})
        _wave(journey, "2022-06", {5: 2, 4: 2})
    assert queries() == few


def test_portfolio_query_budget(analyst_client, django_assert_max_num_queries):
    for _ in range(3):
        _wave(f.JourneyFactory(), "2022-06", {5: 2, 4: 2})
    # 17 with the recommendations still open from earlier periods (the PDF's opening page):
    # one query for every journey, whatever their number.
    with django_assert_max_num_queries(17):
        analyst_client.get("/")
