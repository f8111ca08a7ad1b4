"""A person's label survives a classification that was running when it was given.

Classification reads the unlabelled ids, predicts (seconds, on a large journey), then writes.
The interleaving is made deterministic: the analyst settles inside `predict`, that is after the
read and before the write, exactly where a real settle would land during a long run.
"""

from __future__ import annotations

import pytest
from django.utils import translation

from sawt.catalog.choices import CategorySource
from sawt.classification import services
from sawt.classification.label_services import category_assign
from sawt.classification.models import ClassifierModel
from sawt.complaints.models import Complaint
from sawt.surveys.models import Answer
from sawt.testing import factories as f
from sawt.textanalytics import classifier as ml

pytestmark = pytest.mark.django_db

TEXTS = {
    "login": ["لا أستطيع تسجيل الدخول إلى المنصة", "الدخول للحساب متعطل", "تسجيل الدخول لا يعمل"],
    "fees": ["تم خصم الرسوم مرتين من حسابي", "الرسوم انسحبت مرتين", "رسوم غير متوقعة عند الدفع"],
}


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def analyst():
    return f.user_with_role("analyst", username="mona")


@pytest.fixture
def journey():
    journey = f.JourneyFactory()
    for position, code in enumerate(TEXTS):
        f.GapCategoryFactory(journey=journey, code=code, position=position)
    return journey


def _model(journey) -> ClassifierModel:
    texts = [t for texts in TEXTS.values() for t in texts]
    labels = [code for code, texts in TEXTS.items() for _ in texts]
    trained = ml.train(texts, labels, folds=3)
    # Threshold 0: the model files everything it sees, so it would file the settled text too.
    return ClassifierModel.objects.create(
        name=journey.slug,
        version=1,
        journey=journey,
        labels=trained.labels,
        training_size=len(texts),
        train_seconds=0,
        threshold=0.0,
        artefact=trained.dumps(),
    )


def _settle_during_prediction(monkeypatch, settle) -> None:
    """Run `settle` once, the first time the model predicts: between the read and the write."""
    real_predict = ml.TrainedModel.predict
    pending = [settle]

    def predict(self, texts):
        while pending:
            pending.pop()()
        return real_predict(self, texts)

    monkeypatch.setattr(ml.TrainedModel, "predict", predict)


def test_a_complaint_settled_while_the_model_runs_keeps_the_analysts_label(
    journey, analyst, monkeypatch
):
    model = _model(journey)
    complaint = f.ComplaintFactory(journey=journey, text="تم خصم الرسوم مرتين من حسابي البنكي")
    other = f.ComplaintFactory(journey=journey, text="الدخول للحساب متعطل من أمس")
    login = journey.gap_categories.get(code="login")

    def settle():
        services.review_settle(
            complaint=Complaint.objects.get(pk=complaint.pk), category=login, actor=analyst
        )

    _settle_during_prediction(monkeypatch, settle)
    services.journey_classify(journey=journey, model=model)
    complaint.refresh_from_db()
    other.refresh_from_db()
    # The words speak of fees, and the model files everything: only the re-check keeps "login".
    assert (complaint.category, complaint.category_source) == (login, CategorySource.ANALYST)
    assert complaint.category_confidence is None
    # The complaint no one touched is still filed by the model.
    assert (
        other.category_source == CategorySource.MODEL and other.classifier_version == model.version
    )


def test_an_open_answer_labelled_while_the_model_runs_keeps_the_label(
    journey, analyst, monkeypatch
):
    model = _model(journey)
    survey = f.SurveyFactory(journey=journey, period="2022-06")
    question = f.QuestionFactory(
        survey=survey, code="why", kind="text", scale_min=None, scale_max=None
    )
    answer = f.AnswerFactory(
        response=f.ResponseFactory(survey=survey),
        question=question,
        score=None,
        text="تم خصم الرسوم مرتين من حسابي البنكي",
    )
    login = journey.gap_categories.get(code="login")

    def settle():
        category_assign(
            obj=Answer.objects.select_related("question__survey__journey").get(pk=answer.pk),
            category=login,
            source=CategorySource.ANALYST,
            actor=analyst,
        )

    _settle_during_prediction(monkeypatch, settle)
    services.journey_classify(journey=journey, model=model)
    answer.refresh_from_db()
    assert (answer.category, answer.category_source) == (login, CategorySource.ANALYST)
