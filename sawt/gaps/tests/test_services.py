"""Gap register services: numbering, evidence, the recommendation pipeline and its trail."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone, translation

from sawt.core.access import Role
from sawt.core.exceptions import ApplicationError
from sawt.core.models import AuditEvent
from sawt.gaps.choices import RecommendationStatus as S
from sawt.gaps.models import Gap, Recommendation, RecommendationEvent
from sawt.gaps.services import gap_create, recommendation_create, recommendation_transition
from sawt.testing.factories import (
    AgencyFactory,
    ComplaintFactory,
    GapCategoryFactory,
    GapFactory,
    JourneyFactory,
    RecommendationFactory,
    WorkshopNoteFactory,
    user_with_role,
)

pytestmark = pytest.mark.django_db

AT = dt.datetime(2022, 6, 10, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def analyst():
    # Services check the actor's role themselves: the analyst needs one.
    return user_with_role(Role.ANALYST, username="analyst")


@pytest.fixture(autouse=True)
def english():
    # Messages are asserted in English, whatever the project's default language is.
    with translation.override("en"):
        yield


def test_gap_create_numbers_gaps_per_journey(analyst):
    first, other = JourneyFactory(), JourneyFactory()
    numbers = [
        gap_create(journey=j, period="2022-06", feedback_ar="ملاحظة", actor=analyst).number
        for j in (first, first, other)
    ]
    assert numbers == [1, 2, 1]


def test_gap_create_links_evidence_and_writes_audit(analyst):
    journey = JourneyFactory()
    category = GapCategoryFactory(journey=journey)
    note = WorkshopNoteFactory(workshop__journey=journey)
    complaint = ComplaintFactory(journey=journey)
    gap = gap_create(
        journey=journey,
        period="2022-06",
        feedback_ar="القوائم المالية غير ظاهرة",
        feedback_en="Statements not found",
        category=category,
        complaints=[complaint],
        workshop_notes=[note],
        actor=analyst,
    )
    assert list(gap.complaints.all()) == [complaint]
    assert list(gap.workshop_notes.all()) == [note]
    audit = AuditEvent.objects.get(action="gap.create")
    assert (audit.object_id, audit.actor, audit.data["complaints"]) == (str(gap.pk), analyst, 1)


def test_gap_create_refuses_evidence_of_another_journey(analyst):
    journey, other = JourneyFactory(), JourneyFactory()
    with pytest.raises(ApplicationError, match="Some complaints belong to another journey"):
        gap_create(
            journey=journey,
            period="2022-06",
            feedback_ar="ملاحظة",
            complaints=[ComplaintFactory(journey=other)],
            actor=analyst,
        )
    assert Gap.objects.count() == 0
    assert not AuditEvent.objects.filter(action="gap.create").exists()


def test_gap_create_refuses_a_bad_period(analyst):
    with pytest.raises(ApplicationError, match="YYYY-MM"):
        gap_create(journey=JourneyFactory(), period="2022-13", feedback_ar="ملاحظة", actor=analyst)
    assert Gap.objects.count() == 0


@pytest.mark.parametrize("period", ["٢٠٢٢-06", "2022-0٦", "2022-6"])
def test_gap_create_refuses_a_period_the_database_would_refuse(analyst, period):
    # Arabic-Indic digits read as a number, but the table's check wants ASCII: a clear message,
    # not an IntegrityError.
    with pytest.raises(ApplicationError, match="YYYY-MM"):
        gap_create(journey=JourneyFactory(), period=period, feedback_ar="ملاحظة", actor=analyst)
    assert Gap.objects.count() == 0


def test_gap_create_stores_the_period_without_surrounding_space(analyst):
    gap = gap_create(
        journey=JourneyFactory(), period=" 2022-06\n", feedback_ar="ملاحظة", actor=analyst
    )
    assert gap.period == "2022-06"


def test_recommendation_create_starts_the_history(analyst):
    gap, owner = GapFactory(), AgencyFactory()
    rec = recommendation_create(
        gap=gap,
        text_ar="تحديث الدليل",
        owner=owner,
        due_date=dt.date(2022, 9, 1),
        actor=analyst,
        at=AT,
    )
    assert (rec.status, rec.version, rec.owner) == (S.PROPOSED, 1, owner)
    event = rec.events.get()
    assert (event.from_status, event.to_status, event.actor, event.at) == (
        "",
        S.PROPOSED,
        analyst,
        AT,
    )
    assert AuditEvent.objects.filter(action="recommendation.create", object_id=str(rec.pk)).exists()


def test_recommendation_create_needs_arabic_text(analyst):
    with pytest.raises(ApplicationError, match="decision in Arabic"):
        recommendation_create(gap=GapFactory(), text_ar="  ", owner=AgencyFactory(), actor=analyst)
    assert Recommendation.objects.count() == 0


def test_allowed_move_bumps_version_and_records_event_and_audit(analyst):
    rec = RecommendationFactory()
    moved = recommendation_transition(
        recommendation=rec, to_status=S.APPROVED, expected_status=S.PROPOSED, actor=analyst, at=AT
    )
    stored = Recommendation.objects.get(pk=rec.pk)
    assert (moved.status, stored.status, stored.version) == (S.APPROVED, S.APPROVED, 2)
    event = RecommendationEvent.objects.get(recommendation=rec)
    assert (event.from_status, event.to_status, event.actor, event.at) == (
        S.PROPOSED,
        S.APPROVED,
        analyst,
        AT,
    )
    audit = AuditEvent.objects.get(action="recommendation.transition")
    assert audit.data["from"] == S.PROPOSED and audit.data["to"] == S.APPROVED
    assert audit.object_id == str(rec.pk)


def test_the_whole_pipeline_to_implemented(analyst):
    rec = RecommendationFactory()
    for step, status in enumerate((S.APPROVED, S.IN_PROGRESS, S.IMPLEMENTED)):
        rec = recommendation_transition(
            recommendation=rec,
            to_status=status,
            expected_status=rec.status,
            actor=analyst,
            at=AT + dt.timedelta(days=step),
        )
    assert (rec.status, rec.version) == (S.IMPLEMENTED, 4)
    assert list(rec.events.values_list("to_status", flat=True)) == [
        S.APPROVED,
        S.IN_PROGRESS,
        S.IMPLEMENTED,
    ]


@pytest.mark.parametrize(
    ("start", "target"),
    [(S.PROPOSED, S.IMPLEMENTED), (S.VERIFIED, S.PROPOSED), (S.APPROVED, S.VERIFIED)],
)
def test_refused_move_changes_nothing(analyst, start, target):
    rec = RecommendationFactory(status=start)
    with pytest.raises(ApplicationError, match="cannot move from"):
        recommendation_transition(
            recommendation=rec, to_status=target, expected_status=start, actor=analyst
        )
    stored = Recommendation.objects.get(pk=rec.pk)
    assert (stored.status, stored.version) == (start, 1)
    assert not RecommendationEvent.objects.exists()
    assert not AuditEvent.objects.filter(action="recommendation.transition").exists()


def test_stale_expected_status_is_a_conflict(analyst):
    rec = RecommendationFactory()
    stale_copy = Recommendation.objects.get(pk=rec.pk)
    recommendation_transition(
        recommendation=rec, to_status=S.APPROVED, expected_status=S.PROPOSED, actor=analyst
    )
    # A colleague still looking at "proposed" tries to reject it.
    with pytest.raises(ApplicationError, match="someone else changed it"):
        recommendation_transition(
            recommendation=stale_copy,
            to_status=S.REJECTED,
            expected_status=stale_copy.status,
            actor=analyst,
        )
    stored = Recommendation.objects.get(pk=rec.pk)
    assert (stored.status, stored.version) == (S.APPROVED, 2)
    assert RecommendationEvent.objects.count() == 1


def test_unknown_status_is_refused(analyst):
    rec = RecommendationFactory()
    with pytest.raises(ApplicationError, match="not a recommendation status"):
        recommendation_transition(
            recommendation=rec, to_status="done", expected_status=S.PROPOSED, actor=analyst
        )


def test_a_change_cannot_be_dated_before_the_previous_one(analyst):
    rec = recommendation_create(
        gap=GapFactory(), text_ar="قرار", owner=AgencyFactory(), actor=analyst, at=AT
    )
    with pytest.raises(ApplicationError, match="before the previous one"):
        recommendation_transition(
            recommendation=rec,
            to_status=S.APPROVED,
            expected_status=S.PROPOSED,
            actor=analyst,
            at=AT - dt.timedelta(days=1),
        )
    assert Recommendation.objects.get(pk=rec.pk).status == S.PROPOSED


def test_a_change_cannot_be_dated_in_the_future(analyst):
    rec = RecommendationFactory()
    with pytest.raises(ApplicationError, match="in the future"):
        recommendation_transition(
            recommendation=rec,
            to_status=S.APPROVED,
            expected_status=S.PROPOSED,
            actor=analyst,
            at=timezone.now() + dt.timedelta(days=1),
        )


def test_the_system_may_act_without_a_user():
    rec = RecommendationFactory()
    recommendation_transition(
        recommendation=rec, to_status=S.REJECTED, expected_status=S.PROPOSED, actor=None
    )
    event = RecommendationEvent.objects.get()
    assert event.actor is None
    assert AuditEvent.objects.get(action="recommendation.transition").actor_label == "system"


def test_a_naive_time_is_read_in_the_default_time_zone(analyst):
    rec = RecommendationFactory()
    recommendation_transition(
        recommendation=rec,
        to_status=S.APPROVED,
        expected_status=S.PROPOSED,
        actor=analyst,
        at=dt.datetime(2022, 7, 1, 10, 0),
    )
    event = RecommendationEvent.objects.get()
    assert event.at == dt.datetime(2022, 7, 1, 10, 0, tzinfo=timezone.get_default_timezone())
