"""`demo_load` end to end: counts, figures from the metrics engine, redaction, idempotence."""

from __future__ import annotations

import datetime as dt
import re
import time
from collections.abc import Iterator
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db.models import Count
from django.utils import translation

from sawt.catalog.choices import CategorySource
from sawt.catalog.models import Journey
from sawt.classification.selectors import theme_fingerprint, theme_set_for
from sawt.complaints.models import Complaint
from sawt.core.digits import western_digits
from sawt.core.models import AuditEvent
from sawt.demo.loader import demo_load
from sawt.gaps.choices import RecommendationStatus as S
from sawt.gaps.models import Gap, Recommendation, RecommendationEvent
from sawt.metrics.selectors import journey_summary
from sawt.surveys.models import Answer, Response
from sawt.workshops.models import Workshop, WorkshopNote

pytestmark = pytest.mark.django_db

CC = "contractor-classification"
RIYADH = ZoneInfo("Asia/Riyadh")
# The seed report's item scores, to one decimal.
SEED_ITEMS = {
    "reach_effort": 3.4,
    "navigate_effort": 3.4,
    "apply_effort": 3.4,
    "levels_clarity": 3.7,
    "credit_evaluation": 3.7,
    "customer_service": 3.8,
    "technical_evaluation": 3.8,
    "follow_up_effort": 3.3,
    "time_to_service": 3.7,
    "inspectors": 4.1,
}
PII = re.compile(r"(?<!\d)[12]\d{9}(?!\d)|(?<!\d)05\d(?:[ \-.]?\d){7}(?!\d)|\+9665|@\w")


@pytest.fixture(scope="module")
def load_seconds(django_db_setup, django_db_blocker) -> Iterator[float]:
    # Loaded once for the module (outside the per-test transactions), emptied afterwards.
    with django_db_blocker.unblock():
        started = time.monotonic()
        demo_load()
        seconds = time.monotonic() - started
    yield seconds
    with django_db_blocker.unblock():
        call_command("flush", interactive=False, verbosity=0)


@pytest.fixture
def summary(load_seconds) -> dict:
    return journey_summary(journey_slug=CC, period="2022-06")


def _counts() -> dict[str, int]:
    models = (Response, Answer, Complaint, Workshop, WorkshopNote, Gap, Recommendation)
    counts = {m.__name__: m.objects.count() for m in (*models, RecommendationEvent, AuditEvent)}
    counts["labelled answers"] = Answer.objects.filter(category__isnull=False).count()
    counts["users"] = get_user_model().objects.count()
    return counts


def test_the_contractor_journey_is_complete(load_seconds):
    journey = Journey.objects.get(slug=CC)
    june = (dt.datetime(2022, 6, 1, tzinfo=RIYADH), dt.datetime(2022, 7, 1, tzinfo=RIYADH))
    assert Response.objects.filter(survey__journey=journey, survey__period="2022-06").count() == 256
    assert journey.complaints.filter(received_at__range=june).count() == 569
    assert list(journey.stages.values_list("code", flat=True)) == [
        "discovery",
        "application",
        "follow-up",
        "receiving",
    ]
    gaps = Gap.objects.filter(journey=journey, period="2022-06")
    recs = Recommendation.objects.filter(gap__journey=journey)
    assert gaps.count() == 6 and recs.count() == 6
    assert set(recs.values_list("status", flat=True)) == {S.IMPLEMENTED}
    assert all(r.owner == journey.agency for r in recs)
    assert RecommendationEvent.objects.filter(recommendation__in=recs).count() == 6 * 4
    assert journey.workshops.get().notes.count() >= 6


def test_the_qawaem_category_has_the_most_complaints(load_seconds):
    rows = (
        Complaint.objects.filter(journey__slug=CC, category__isnull=False)
        .values("category__code")
        .annotate(n=Count("id"))
        .order_by("-n")
    )
    assert rows[0]["category__code"] == "qawaem-statements"
    assert rows[0]["n"] > rows[1]["n"]


def test_the_seed_figures_come_out_of_the_metrics_engine(summary):
    assert summary["sample"]["sent"] == 3800
    assert summary["sample"]["responses"] == 256
    assert summary["sample"]["complaints"] == 569
    overall = summary["overall"]
    assert (overall["n"], round(overall["mean"], 1)) == (256, 3.9)
    assert overall["ci95"] == pytest.approx([3.7492, 4.0321], abs=1e-4)
    items = {i["code"]: i for stage in summary["stages"] for i in stage["items"]}
    assert {code: round(items[code]["mean"], 1) for code in SEED_ITEMS} == SEED_ITEMS
    assert all(items[code]["n"] >= 30 for code in SEED_ITEMS)


def test_the_two_rankings_match_the_seed(summary):
    ranking = summary["gap_categories"]
    assert ranking["complaints"][0]["code"] == "qawaem-statements"
    assert ranking["survey"][0]["code"] == "credit-delay"
    assert ranking["survey"][0]["count"] > ranking["survey"][1]["count"]


def test_the_register_counts_in_the_summary(summary):
    gaps = summary["gaps"]
    assert (gaps["count"], gaps["recommendations"]) == (6, 6)
    assert gaps["by_status"][S.IMPLEMENTED] == 6


def test_open_texts_were_labelled_by_an_analyst(load_seconds):
    answers = Answer.objects.filter(
        question__survey__journey__slug=CC,
        question__survey__period="2022-06",
        question__kind="text",
    )
    by_analyst = answers.filter(category_source=CategorySource.ANALYST)
    assert 60 <= answers.count() <= 90
    assert by_analyst.count() > 0.9 * answers.count()
    # The few the analyst left were filed by the journey's model, if it was sure enough.
    sources = set(answers.exclude(category=None).values_list("category_source", flat=True))
    assert sources <= {CategorySource.ANALYST, CategorySource.MODEL}
    assert AuditEvent.objects.filter(action="category.assign").count() >= by_analyst.count()


def test_the_classifier_sorted_what_the_source_left_uncategorised(summary):
    june = Complaint.objects.filter(journey__slug=CC, complaint_id__startswith="CC-2206-")
    assert june.count() == 569
    unlabelled = june.exclude(category_source__in=["import", "analyst"])
    assert 40 <= unlabelled.count() <= 100  # the source recorded 87.5 % of the reasons
    # Every one has the model's guess; the sure ones are counted, the rest wait for review:
    # the demo's complaints that name two problems, or one the taxonomy lacks (certificates).
    assert not unlabelled.filter(prediction=None).exists()
    assert unlabelled.filter(category_source="model").count() > 0.6 * unlabelled.count()
    waiting = unlabelled.filter(category=None)
    assert 10 <= waiting.count() <= 30
    assert waiting.filter(text__contains="شهادة").count() >= 5
    top = summary["gap_categories"]["complaints"][0]
    assert top["code"] == "qawaem-statements"
    assert top["count"] > top["labelled"]  # the model's share is counted, but apart
    assert top["groups"] <= top["count"]


def test_no_personal_data_is_left_in_any_text(load_seconds):
    texts = [
        *Complaint.objects.values_list("text", flat=True),
        *Answer.objects.exclude(text="").values_list("text", flat=True),
        *WorkshopNote.objects.values_list("text", flat=True),
    ]
    assert len(texts) > 700
    leaks = [t for t in texts if PII.search(western_digits(t))]
    assert leaks == []
    assert Complaint.objects.filter(text__contains="[رقم_هوية]").exists()
    assert Complaint.objects.filter(text__contains="[جوال]").exists()


def test_the_candidate_themes_are_stored_and_current(load_seconds):
    # The themes page serves stored sets only: without them a newcomer's first visit would
    # say "being computed" until a worker got round to it.
    journey = Journey.objects.get(slug=CC)
    stored = theme_set_for(journey=journey, period="2022-06", source="complaints")
    assert stored is not None and stored.themes
    current = theme_fingerprint(journey=journey, period="2022-06", source="complaints")
    assert stored.fingerprint == current


def test_a_second_journey_belongs_to_another_agency(load_seconds):
    cc, bp = Journey.objects.get(slug=CC), Journey.objects.get(slug="building-permits")
    assert cc.agency != bp.agency
    statuses = Recommendation.objects.filter(gap__journey=bp).values_list("status", flat=True)
    assert sorted(statuses) == sorted([S.PROPOSED, S.APPROVED, S.IN_PROGRESS])
    june = {"survey__period": "2022-06"}
    assert Response.objects.filter(survey__journey=bp, **june).count() == 150
    assert bp.complaints.filter(complaint_id__startswith="BP-2206-").count() == 200


def test_the_demo_login_works(load_seconds):
    admin = get_user_model().objects.get(username="admin")
    assert admin.is_superuser and admin.check_password("sawt-demo")


def test_the_demo_has_one_account_per_role(load_seconds):
    users = get_user_model().objects.select_related("membership__agency")
    roles = {
        u.username: (u.membership.role, u.membership.agency and u.membership.agency.code)
        for u in users
    }
    assert roles == {
        "admin": ("administrator", None),
        "analyst": ("analyst", None),
        "agency": ("agency_member", "city-operators"),
        "other-agency": ("agency_member", "urban-planning"),
        "viewer": ("viewer", None),
    }
    assert all(u.check_password("sawt-demo") for u in users)


def test_loading_twice_changes_nothing(load_seconds):
    before = _counts()
    demo_load()
    assert _counts() == before


def test_an_earlier_wave_gives_the_portfolio_changes_to_test(load_seconds):
    from sawt.metrics.portfolio import portfolio_summary

    rows = {r["journey"].slug: r for r in portfolio_summary(period="2022-06")["journeys"]}
    cc, bp = rows[CC], rows["building-permits"]
    assert cc["previous_period"] == bp["previous_period"] == "2022-03"
    assert cc["change"]["significant"] and cc["change"]["direction"] == "up"
    assert not bp["change"]["significant"]
    # June's own figures are untouched by the earlier wave.
    assert (cc["responses"], cc["complaints"], round(cc["overall"]["mean"], 1)) == (256, 569, 3.9)


def test_the_load_is_fast(load_seconds):
    # Both journeys, through the real import services; a regression guard, not a benchmark.
    assert load_seconds < 60


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", ["with the password “sawt-demo”", "agency member · urban-planning"]),
        ("ar", ["بكلمة المرور «sawt-demo»", "محلل تجربة العميل"]),
    ],
    ids=["en", "ar"],
)
def test_the_command_prints_the_url_and_every_login(load_seconds, language, expected):
    out = StringIO()
    with translation.override(language):
        call_command("demo", "--load-only", "--port", "8123", stdout=out)
    printed = out.getvalue()
    assert "http://127.0.0.1:8123/" in printed
    assert all(text in printed for text in expected)
    usernames = {line.split()[0] for line in printed.splitlines() if line.startswith("  ")}
    assert usernames == {"admin", "analyst", "agency", "other-agency", "viewer"}


def test_the_december_wave_measures_the_june_fixes(load_seconds):
    # Planted in the December data: the fixes to finding the service, the tracks, following up
    # and the cost raised their items; the credit evaluation's did not move anything; the
    # levels' second fix went live on 8 December, after the wave began.
    from sawt.catalog.models import Journey
    from sawt.metrics.impact import journey_impact

    result = journey_impact(journey=Journey.objects.get(slug=CC))
    verdicts = {r["gap"]: r["verdict"] for r in result["recommendations"]}
    assert verdicts == {
        1: "improved",
        2: "improved",
        3: "no_change",
        4: "improved",
        5: "improved",
        6: "too_early",
    }
