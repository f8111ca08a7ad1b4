"""The read endpoints: a token sees its agency's objects and nothing of another's (a detail is
a 404, a list leaves them out), a token for all agencies sees both, a revoked token is refused;
and the filters, the pagination, the summary (the command's own JSON) and the error's language."""

from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.core.management import call_command
from django.utils import timezone

from sawt.accounts.tokens import token_revoke
from sawt.complaints.models import Complaint
from sawt.complaints.services import complaints_import
from sawt.gaps.models import RecommendationEvent
from sawt.testing import factories as f

pytestmark = pytest.mark.django_db
TZ = timezone.get_default_timezone()
PERIOD = "2022-06"


def _agency_world(n: int) -> SimpleNamespace:
    """One agency's journey with a measured survey, complaints, a gap and a recommendation."""
    agency = f.AgencyFactory(code=f"agency-{n}")
    journey = f.JourneyFactory(agency=agency, slug=f"journey-{n}")
    apply = f.StageFactory(journey=journey, code="apply", position=1)
    late = f.GapCategoryFactory(journey=journey, code="late")
    survey = f.SurveyFactory(journey=journey, period=PERIOD, code=f"survey-{n}", sample_size=50)
    overall = f.QuestionFactory(survey=survey, code="overall", kind="overall", position=0)
    q1 = f.QuestionFactory(survey=survey, code="q1", stage=apply, position=1)
    why = f.QuestionFactory(
        survey=survey, code="why", kind="text", scale_min=None, scale_max=None, position=2
    )
    for i in range(6):
        response = f.ResponseFactory(survey=survey, respondent_id=f"r{n}-{i}")
        f.AnswerFactory(response=response, question=overall, score=1 + i % 5)
        f.AnswerFactory(response=response, question=q1, score=5 - i % 3)
        if i < 2:
            f.AnswerFactory(
                response=response,
                question=why,
                score=None,
                text="تأخير",
                category=late,
                category_source="analyst",
            )
    complaints = [
        f.ComplaintFactory(
            journey=journey,
            complaint_id=f"C{n}-{i}",
            received_at=dt.datetime(2022, 6, 10 + i, 9, 0, tzinfo=TZ),
            category=late if i < 2 else None,
            category_source=("import" if i == 0 else "model") if i < 2 else "",
        )
        for i in range(3)
    ]
    f.ComplaintFactory(
        journey=journey,
        complaint_id=f"C{n}-july",
        received_at=dt.datetime(2022, 7, 2, 9, 0, tzinfo=TZ),
    )
    gap = f.GapFactory(journey=journey, period=PERIOD, stage=apply, category=late)
    recommendation = f.RecommendationFactory(gap=gap, status="approved", version=2)
    RecommendationEvent.objects.create(
        recommendation=recommendation,
        from_status="",
        to_status="proposed",
        at=dt.datetime(2022, 7, 1, 9, 0, tzinfo=TZ),
    )
    RecommendationEvent.objects.create(
        recommendation=recommendation,
        from_status="proposed",
        to_status="approved",
        at=dt.datetime(2022, 7, 5, 9, 0, tzinfo=TZ),
        actor=f.UserFactory(username=f"analyst-{n}"),
        note="موافقة اللجنة",
    )
    return SimpleNamespace(
        agency=agency,
        journey=journey,
        survey=survey,
        complaints=complaints,
        gap=gap,
        recommendation=recommendation,
    )


@pytest.fixture
def world() -> SimpleNamespace:
    return SimpleNamespace(a=_agency_world(1), b=_agency_world(2))


# (list URL, key of an item, the object's key in a world)
LISTS = [
    ("/api/v1/journeys/", "slug", lambda w: w.journey.slug),
    ("/api/v1/surveys/", "code", lambda w: w.survey.code),
    ("/api/v1/complaints/", "complaint_id", lambda w: w.complaints[0].complaint_id),
    ("/api/v1/gaps/", "id", lambda w: w.gap.pk),
    ("/api/v1/recommendations/", "id", lambda w: w.recommendation.pk),
]
DETAILS = [
    lambda w: f"/api/v1/journeys/{w.journey.slug}/",
    lambda w: f"/api/v1/surveys/{w.survey.code}/",
    lambda w: f"/api/v1/journeys/{w.journey.slug}/periods/{PERIOD}/summary/",
    lambda w: f"/api/v1/gaps/{w.gap.pk}/",
    lambda w: f"/api/v1/recommendations/{w.recommendation.pk}/",
]


def _keys(client, url: str, key: str) -> set:
    response = client.get(url)
    assert response.status_code == 200, response.content
    return {item[key] for item in response.json()["results"]}


@pytest.mark.parametrize(("url", "key", "of"), LISTS, ids=[u for u, _k, _o in LISTS])
def test_a_list_holds_only_the_tokens_agency(world, token, url, key, of):
    mine = token("read", agency=world.a.agency)
    assert _keys(mine, url, key) >= {of(world.a)}
    assert of(world.b) not in _keys(mine, url, key)
    assert _keys(token("read"), url, key) >= {of(world.a), of(world.b)}


@pytest.mark.parametrize("url_of", DETAILS, ids=["journey", "survey", "summary", "gap", "rec"])
def test_another_agencys_object_is_a_404(world, token, url_of):
    mine = token("read", agency=world.a.agency)
    assert mine.get(url_of(world.a)).status_code == 200
    refused = mine.get(url_of(world.b))
    assert refused.status_code == 404
    assert set(refused.json()) == {"message", "errors"}
    everyone = token("read")
    assert everyone.get(url_of(world.a)).status_code == 200
    assert everyone.get(url_of(world.b)).status_code == 200


@pytest.mark.parametrize(
    "url_of",
    [lambda w, u=u: u for u, _k, _o in LISTS] + DETAILS,
    ids=[u for u, _k, _o in LISTS] + ["journey", "survey", "summary", "gap", "rec"],
)
def test_a_revoked_token_is_401_on_every_read_endpoint(world, token, url_of):
    client = token("read", agency=world.a.agency)
    assert client.get(url_of(world.a)).status_code == 200
    token_revoke(name=client.token.name, actor=None)
    assert client.get(url_of(world.a)).status_code == 401


def test_an_agency_owning_a_decision_on_anothers_gap_sees_that_gap_and_decision(world, token):
    theirs = f.RecommendationFactory(gap=world.b.gap, owner=world.a.agency)
    mine = token("read", agency=world.a.agency)
    assert mine.get(f"/api/v1/gaps/{world.b.gap.pk}/").status_code == 200
    gap = mine.get(f"/api/v1/gaps/{world.b.gap.pk}/").json()
    # Only the decision it owns, not the other agency's on the same gap.
    assert [r["id"] for r in gap["recommendations"]] == [theirs.pk]
    assert mine.get(f"/api/v1/recommendations/{theirs.pk}/").status_code == 200
    assert mine.get(f"/api/v1/recommendations/{world.b.recommendation.pk}/").status_code == 404
    # Its complaints and survey stay hidden.
    assert world.b.survey.code not in _keys(mine, "/api/v1/surveys/", "code")


def test_survey_detail_has_questions_with_codes_scales_and_counts(world, token):
    body = token("read").get(f"/api/v1/surveys/{world.a.survey.code}/").json()
    assert body["journey"] == world.a.journey.slug and body["period"] == PERIOD
    assert body["sample_size"] == 50 and body["response_count"] == 6
    questions = {q["code"]: q for q in body["questions"]}
    assert list(questions) == ["overall", "q1", "why"]
    assert questions["q1"]["stage"] == "apply" and questions["q1"]["scale"] == {"min": 1, "max": 5}
    assert questions["why"]["scale"] is None and questions["overall"]["stage"] is None


def test_the_summary_is_exactly_the_commands_json(world, token):
    out = io.StringIO()
    call_command("summary", journey=world.a.journey.slug, period=PERIOD, format="json", stdout=out)
    url = f"/api/v1/journeys/{world.a.journey.slug}/periods/{PERIOD}/summary/"
    response = token("read", agency=world.a.agency).get(url)
    assert response.status_code == 200
    assert response.json() == json.loads(out.getvalue())
    assert response.json()["sample"]["responses"] == 6


def test_the_summary_refuses_a_bad_period_and_a_period_without_survey(world, token):
    client = token("read")
    bad = client.get(f"/api/v1/journeys/{world.a.journey.slug}/periods/2026-13/summary/")
    assert bad.status_code == 400
    assert [e["field"] for e in bad.json()["errors"]] == ["period"]
    missing = client.get(
        f"/api/v1/journeys/{world.a.journey.slug}/periods/2022-07/summary/",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert missing.status_code == 404
    assert "Periods with a survey: 2022-06" in missing.json()["message"]
    assert client.get(f"/api/v1/journeys/nope/periods/{PERIOD}/summary/").status_code == 404


def test_complaints_are_filtered_and_show_only_redacted_text(world, token, tmp_path: Path):
    client = token("read")
    path = tmp_path / "c.csv"
    path.write_text(
        "complaint_id,received_at,text\nP-1,2022-06-20 10:00,اتصلوا بي على 0551234567 بسرعة\n",
        encoding="utf-8",
    )
    complaints_import(journey_slug=world.a.journey.slug, path=path)
    stored = Complaint.objects.get(complaint_id="P-1")
    assert "0551234567" not in stored.text
    everything = client.get("/api/v1/complaints/?page_size=500").content.decode()
    assert "0551234567" not in everything
    slug = world.a.journey.slug
    june = _keys(client, f"/api/v1/complaints/?journey={slug}&period={PERIOD}", "complaint_id")
    assert june == {"C1-0", "C1-1", "C1-2", "P-1"}
    late = client.get(f"/api/v1/complaints/?journey={slug}&category=late").json()["results"]
    assert {c["complaint_id"] for c in late} == {"C1-0", "C1-1"}
    assert {c["category"] for c in late} == {"late"}
    by_model = _keys(client, f"/api/v1/complaints/?journey={slug}&source=model", "complaint_id")
    assert by_model == {"C1-1"}
    item = next(c for c in late if c["complaint_id"] == "C1-0")
    assert set(item) == {
        "complaint_id",
        "journey",
        "received_at",
        "channel",
        "text",
        "category",
        "category_source",
    }
    assert item["category_source"] == "import"


def test_gaps_and_recommendations_are_filtered(world, token):
    client = token("read")
    a, b = world.a, world.b
    assert _keys(client, f"/api/v1/gaps/?journey={a.journey.slug}", "id") == {a.gap.pk}
    assert _keys(client, f"/api/v1/gaps/?period={PERIOD}", "id") == {a.gap.pk, b.gap.pk}
    assert _keys(client, "/api/v1/gaps/?period=2022-07", "id") == set()
    assert _keys(client, "/api/v1/gaps/?status=approved", "id") == {a.gap.pk, b.gap.pk}
    assert _keys(client, "/api/v1/gaps/?status=verified", "id") == set()
    recs = "/api/v1/recommendations/"
    assert _keys(client, f"{recs}?agency={b.agency.code}", "id") == {b.recommendation.pk}
    assert _keys(client, f"{recs}?journey={a.journey.slug}", "id") == {a.recommendation.pk}
    assert _keys(client, f"{recs}?status=proposed", "id") == set()
    surveys = _keys(client, f"/api/v1/surveys/?journey={b.journey.slug}&period={PERIOD}", "code")
    assert surveys == {b.survey.code}


def test_a_recommendation_carries_its_history_status_and_version(world, token):
    client = token("write", agency=world.a.agency)
    body = client.get(f"/api/v1/recommendations/{world.a.recommendation.pk}/").json()
    assert (body["status"], body["version"]) == ("approved", 2)
    assert body["journey"] == world.a.journey.slug and body["owner"] == world.a.agency.code
    assert [(h["from_status"], h["to_status"]) for h in body["history"]] == [
        (None, "proposed"),
        ("proposed", "approved"),
    ]
    assert body["history"][1]["actor"] == "analyst-1"
    assert body["history"][1]["note"] == "موافقة اللجنة"
    assert body["history"][0]["actor"] is None
    # What the write token may do next depends on its role's moves (gaps/transitions.py).
    assert set(body["next_statuses"]) <= {"in_progress", "rejected", "proposed"}
    reader = token("read", agency=world.a.agency)
    read_body = reader.get(f"/api/v1/recommendations/{world.a.recommendation.pk}/").json()
    assert read_body["next_statuses"] == []


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("period=2026-13", "period"),
        ("period=June", "period"),
        ("journey=a%20b", "journey"),
        ("journey=%00", "journey"),
        ("status=done", "status"),
    ],
)
def test_a_bad_filter_is_a_400_naming_it(world, token, query, field):
    response = token("read").get(f"/api/v1/gaps/?{query}")
    assert response.status_code == 400
    assert field in [e["field"] for e in response.json()["errors"]]


def test_bad_filters_on_the_other_lists(world, token):
    client = token("read")
    assert client.get("/api/v1/complaints/?source=robot").json()["errors"][0]["field"] == "source"
    assert client.get("/api/v1/complaints/?category=%00").status_code == 400
    assert client.get("/api/v1/surveys/?period=2022-6").json()["errors"][0]["field"] == "period"
    rec = client.get("/api/v1/recommendations/?agency=x%20y")
    assert rec.json()["errors"][0]["field"] == "agency"
    # A NUL reached PostgreSQL (a 500) before the journeys' filter was checked.
    journeys = client.get("/api/v1/journeys/?agency=%00")
    assert journeys.status_code == 400 and journeys.json()["errors"][0]["field"] == "agency"
    agency = world.b.agency.code
    assert _keys(client, f"/api/v1/journeys/?agency={agency}", "slug") == {world.b.journey.slug}


def test_lists_are_paginated(world, token):
    client = token("read")
    first = client.get("/api/v1/complaints/?page_size=3").json()
    assert first["count"] == 8 and len(first["results"]) == 3
    assert first["previous"] is None and "page=2" in first["next"]
    rest = client.get("/api/v1/complaints/?page_size=3&page=3").json()
    assert len(rest["results"]) == 2 and rest["next"] is None
    assert client.get("/api/v1/complaints/?page=99").status_code == 404
    seen = {c["complaint_id"] for p in (1, 2, 3) for c in _page(client, p)}
    assert len(seen) == 8  # a stable order: every complaint once


def _page(client, number: int) -> list:
    return client.get(f"/api/v1/complaints/?page_size=3&page={number}").json()["results"]


def test_an_error_speaks_the_accept_language(world, token):
    client = token("read")
    english = client.get("/api/v1/gaps/?period=2026-13", HTTP_ACCEPT_LANGUAGE="en")
    arabic = client.get("/api/v1/gaps/?period=2026-13", HTTP_ACCEPT_LANGUAGE="ar")
    assert not any("\u0600" <= c <= "\u06ff" for c in english.json()["errors"][0]["message"])
    assert "YYYY-MM" in english.json()["errors"][0]["message"]
    assert any("\u0600" <= c <= "\u06ff" for c in arabic.json()["errors"][0]["message"])
    assert any("\u0600" <= c <= "\u06ff" for c in arabic.json()["message"])
    assert english["Content-Language"] == "en"


@pytest.mark.parametrize("url", [u for u, _k, _o in LISTS])
def test_a_list_reads_in_a_bounded_number_of_queries(
    world, token, url, django_assert_max_num_queries
):
    client = token("read")
    client.get(url)  # the token's first use is recorded once
    for n in range(3, 6):  # more objects, not more queries
        _agency_world(n)
    # Token lookup, rate count, count, page and its prefetches (4 to 6): one more object's
    # worth of queries per page row would show with the 3 journeys added.
    with django_assert_max_num_queries(7):
        assert client.get(url).status_code == 200
