"""category_assign: labels on complaints and open-text answers, checked and audited."""

from __future__ import annotations

import pytest
from django.utils import translation

from sawt.catalog.choices import CategorySource
from sawt.classification.label_services import category_assign
from sawt.complaints.models import Complaint
from sawt.core.access import Role
from sawt.core.exceptions import ApplicationError
from sawt.core.models import AuditEvent
from sawt.surveys.models import Answer
from sawt.testing.factories import (
    AnswerFactory,
    ComplaintFactory,
    GapCategoryFactory,
    JourneyFactory,
    QuestionFactory,
    user_with_role,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def analyst():
    # Services check the actor's role themselves: the analyst needs one.
    return user_with_role(Role.ANALYST, username="analyst")


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def complaint() -> Complaint:
    return ComplaintFactory(text="القوائم المالية غير موجودة")


def _answer(journey, *, kind: str = "text") -> Answer:
    if kind == "text":
        question = QuestionFactory(
            survey__journey=journey, kind=kind, scale_min=None, scale_max=None
        )
        return AnswerFactory(
            question=question, response__survey=question.survey, score=None, text="تأخير كبير"
        )
    question = QuestionFactory(survey__journey=journey, kind=kind)
    return AnswerFactory(question=question, response__survey=question.survey, score=3)


def test_assign_on_a_complaint_sets_source_and_audits(analyst, complaint):
    category = GapCategoryFactory(journey=complaint.journey)
    category_assign(obj=complaint, category=category, source=CategorySource.ANALYST, actor=analyst)
    stored = Complaint.objects.get(pk=complaint.pk)
    assert (stored.category, stored.category_source) == (category, CategorySource.ANALYST)
    audit = AuditEvent.objects.get(action="category.assign")
    assert (audit.object_type, audit.data["to"], audit.actor) == (
        "complaints.complaint",
        category.code,
        analyst,
    )


def test_an_analyst_label_clears_a_model_confidence(analyst, complaint):
    category = GapCategoryFactory(journey=complaint.journey)
    category_assign(
        obj=complaint, category=category, source=CategorySource.MODEL, confidence=0.7, actor=None
    )
    assert Complaint.objects.get(pk=complaint.pk).category_confidence == 0.7
    category_assign(obj=complaint, category=category, source=CategorySource.ANALYST, actor=analyst)
    assert Complaint.objects.get(pk=complaint.pk).category_confidence is None


def test_assign_none_clears_the_category(analyst, complaint):
    category = GapCategoryFactory(journey=complaint.journey)
    category_assign(obj=complaint, category=category, source=CategorySource.ANALYST, actor=analyst)
    category_assign(obj=complaint, category=None, source=CategorySource.ANALYST, actor=analyst)
    stored = Complaint.objects.get(pk=complaint.pk)
    assert (stored.category, stored.category_source) == (None, "")


def test_assign_on_an_open_text_answer(analyst):
    journey = JourneyFactory()
    answer = _answer(journey)
    category = GapCategoryFactory(journey=journey)
    category_assign(obj=answer, category=category, source=CategorySource.ANALYST, actor=analyst)
    stored = Answer.objects.get(pk=answer.pk)
    assert (stored.category, stored.category_source) == (category, CategorySource.ANALYST)


def test_a_scored_answer_cannot_be_categorised(analyst):
    journey = JourneyFactory()
    answer = _answer(journey, kind="satisfaction")
    with pytest.raises(ApplicationError, match="Only open-text answers"):
        category_assign(
            obj=answer,
            category=GapCategoryFactory(journey=journey),
            source=CategorySource.ANALYST,
            actor=analyst,
        )
    assert Answer.objects.get(pk=answer.pk).category is None


def test_a_category_of_another_journey_is_refused(analyst, complaint):
    with pytest.raises(ApplicationError, match="belongs to another journey"):
        category_assign(
            obj=complaint,
            category=GapCategoryFactory(),
            source=CategorySource.ANALYST,
            actor=analyst,
        )
    assert Complaint.objects.get(pk=complaint.pk).category is None
    assert not AuditEvent.objects.exists()


@pytest.mark.parametrize(("source", "confidence"), [("guess", None), ("model", 1.5)])
def test_bad_source_or_confidence_is_refused(analyst, complaint, source, confidence):
    with pytest.raises(ApplicationError):
        category_assign(
            obj=complaint,
            category=GapCategoryFactory(journey=complaint.journey),
            source=source,
            confidence=confidence,
            actor=analyst,
        )
    assert Complaint.objects.get(pk=complaint.pk).category is None
