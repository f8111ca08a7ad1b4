"""Edits, comments, evidence-based creation, role moves and the register's selectors."""

import datetime as dt

import pytest
from django.http import Http404
from django.utils import translation

from sawt.core.access import Role
from sawt.core.exceptions import ApplicationError
from sawt.core.models import AuditEvent
from sawt.gaps.choices import RecommendationStatus as S
from sawt.gaps.evidence import gap_create_from_category, gap_create_from_item
from sawt.gaps.models import GapComment, Recommendation, RecommendationEdit
from sawt.gaps.selectors import gap_get, gap_history, gap_list, gap_source_get, next_statuses
from sawt.gaps.services import gap_comment_add, recommendation_transition, recommendation_update
from sawt.gaps.transitions import role_may_move
from sawt.testing import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def analyst():
    return f.user_with_role(Role.ANALYST, username="analyst")


def test_update_records_changes_and_bumps_version(analyst):
    rec = f.RecommendationFactory()
    other = f.AgencyFactory(code="other")
    updated = recommendation_update(
        recommendation=rec,
        expected_version=1,
        text_ar=rec.text_ar,
        owner=other,
        due_date=dt.date(2030, 1, 31),
        actor=analyst,
    )
    assert updated.version == 2 and updated.owner == other
    edit = RecommendationEdit.objects.get()
    assert edit.changes == {
        "owner": [rec.owner.code, "other"],
        "due_date": [None, "2030-01-31"],
    }
    assert AuditEvent.objects.filter(action="recommendation.update").count() == 1


def test_update_with_a_stale_version_changes_nothing(analyst):
    rec = f.RecommendationFactory(version=3)
    with pytest.raises(ApplicationError, match="Someone else changed") as caught:
        recommendation_update(
            recommendation=rec,
            expected_version=2,
            text_ar="نص",
            owner=rec.owner,
            due_date=None,
            actor=analyst,
        )
    assert "conflict" in caught.value.problems
    rec.refresh_from_db()
    assert (rec.text_ar, rec.version, RecommendationEdit.objects.count()) == (
        "تحديث دليل الخدمة وتوحيده",
        3,
        0,
    )


def test_transition_with_a_stale_version_is_a_conflict(analyst):
    rec = f.RecommendationFactory(version=3)
    with pytest.raises(ApplicationError, match="Someone else changed"):
        recommendation_transition(
            recommendation=rec,
            to_status=S.APPROVED,
            expected_status=S.PROPOSED,
            expected_version=1,
            actor=analyst,
        )
    rec.refresh_from_db()
    assert rec.status == S.PROPOSED


def test_comment_is_redacted_and_audited(analyst):
    gap = f.GapFactory()
    comment = gap_comment_add(gap=gap, text="  رقمي 0551234567 ", actor=analyst)
    assert "0551234567" not in comment.text and comment.author == analyst
    assert AuditEvent.objects.filter(action="gap.comment", object_id=str(comment.pk)).exists()
    with pytest.raises(ApplicationError):
        gap_comment_add(gap=gap, text="   ", actor=analyst)
    assert GapComment.objects.count() == 1


def test_from_category_links_only_that_periods_complaints(analyst):
    journey = f.JourneyFactory()
    category = f.GapCategoryFactory(journey=journey)
    inside = f.ComplaintFactory(journey=journey, category=category, category_source="import")
    f.ComplaintFactory(journey=journey)  # no category
    f.ComplaintFactory(
        journey=journey,
        category=category,
        category_source="import",
        received_at=dt.datetime(2022, 5, 31, 20, 0, tzinfo=dt.UTC),  # 23:00 in Riyadh: May
    )
    gap = gap_create_from_category(
        journey=journey, period="2022-06", category=category, feedback_ar="ملاحظة", actor=analyst
    )
    assert list(gap.complaints.all()) == [inside] and gap.category == category


def test_from_item_refuses_an_item_of_another_period(analyst):
    question = f.QuestionFactory(survey__period="2022-05")
    with pytest.raises(ApplicationError, match="was not asked in 2022-06"):
        gap_create_from_item(
            journey=question.survey.journey,
            period="2022-06",
            question=question,
            feedback_ar="ملاحظة",
            actor=analyst,
        )


def test_roles_and_moves():
    assert role_may_move(Role.ANALYST, S.IMPLEMENTED, S.VERIFIED)
    assert role_may_move(Role.AGENCY_MEMBER, S.IN_PROGRESS, S.IMPLEMENTED)
    assert not role_may_move(Role.AGENCY_MEMBER, S.IMPLEMENTED, S.VERIFIED)
    assert not role_may_move(Role.ANALYST, S.PROPOSED, S.VERIFIED)  # not in the pipeline
    assert not role_may_move(Role.VIEWER, S.PROPOSED, S.APPROVED)


def test_next_statuses_need_ownership_for_agency_members():
    ours = f.AgencyFactory()
    rec = f.RecommendationFactory(status=S.APPROVED, gap__journey__agency=ours)
    foreign = f.RecommendationFactory(status=S.APPROVED, gap=rec.gap, owner=f.AgencyFactory())
    member = f.user_with_role(Role.AGENCY_MEMBER, agency=ours)
    assert next_statuses(user=member, recommendation=rec) == [S.IN_PROGRESS]
    assert next_statuses(user=member, recommendation=foreign) == []


def test_scoped_reads_for_an_agency_that_owns_a_decision_only():
    ours, theirs = f.AgencyFactory(), f.AgencyFactory()
    gap = f.GapFactory(journey__agency=theirs)
    mine = f.RecommendationFactory(gap=gap, owner=ours)
    f.RecommendationFactory(gap=gap, owner=theirs)
    member = f.user_with_role(Role.AGENCY_MEMBER, agency=ours)
    assert [r.pk for r in gap_get(user=member, pk=gap.pk).recs] == [mine.pk]
    assert [g.pk for g in gap_list(user=member)] == [gap.pk]
    with pytest.raises(Http404):
        gap_get(user=member, pk=f.GapFactory(journey__agency=theirs).pk)


def test_source_outside_scope_is_404():
    member = f.user_with_role(Role.AGENCY_MEMBER, agency=f.AgencyFactory())
    journey = f.JourneyFactory()
    with pytest.raises(Http404):
        gap_source_get(user=member, journey=journey.slug, period="2022-06")
    with pytest.raises(Http404):
        gap_source_get(user=member, journey=journey.slug, period="june")


def test_history_is_in_time_order_newest_last(analyst):
    rec = f.RecommendationFactory()
    recommendation_transition(
        recommendation=rec, to_status=S.APPROVED, expected_status=S.PROPOSED, actor=analyst
    )
    gap_comment_add(gap=rec.gap, text="تمت الموافقة", actor=analyst)
    kinds = [e.kind for e in gap_history(gap=rec.gap, user=analyst)]
    assert kinds == ["status", "comment"]
    assert Recommendation.objects.get().status == S.APPROVED
