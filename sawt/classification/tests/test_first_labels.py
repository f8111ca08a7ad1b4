"""Learning from the analysts' first labels, through the services: the review threshold each
journey sets, undoing a settle, "label 5 of each to start", the queue ordered by what a label
teaches, and the retraining that runs the fast model first and the deep one after it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone, translation

from sawt.catalog.choices import CategorySource
from sawt.classification import services
from sawt.classification.models import ClassifierModel, ReviewSettings, ReviewSettle
from sawt.classification.selectors import (
    START_LABELS,
    review_queue,
    review_threshold,
    start_counts,
    start_proposals,
)
from sawt.classification.tasks import CLASSIFY_JOB, DEEP_RETRAIN_JOB, RETRAIN_JOB
from sawt.classification.tests.test_services import TEXTS  # the same labelled examples
from sawt.complaints.models import Complaint
from sawt.core.access import Role
from sawt.core.exceptions import ApplicationError
from sawt.core.models import AuditEvent
from sawt.jobs.models import Job
from sawt.jobs.services import jobs_run_pending
from sawt.testing import factories as f
from sawt.textanalytics import engines

pytestmark = pytest.mark.django_db

JUNE = dt.datetime(2022, 6, 10, 9, 0, tzinfo=timezone.get_default_timezone())
UNLABELLED = [
    "الرسوم انخصمت مني مرتين",
    "ما قدرت أدخل حسابي",
    "الشهادة متأخرة كثير",
    "الطلب ما تحرك من شهر",
]


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def analyst():
    return f.user_with_role(Role.ANALYST, username="analyst")


@pytest.fixture
def journey():
    journey = f.JourneyFactory(slug="permits")
    f.SurveyFactory(journey=journey, period="2022-06")
    for position, code in enumerate(TEXTS):
        f.GapCategoryFactory(journey=journey, code=code, position=position)
    return journey


def _cats(journey):
    return {c.code: c for c in journey.gap_categories.all()}


def _labelled(journey, per_category: int = 6):
    cats = _cats(journey)
    for code, texts in TEXTS.items():
        for i, text in enumerate(texts[:per_category]):
            f.ComplaintFactory(
                journey=journey,
                text=text,
                received_at=JUNE + dt.timedelta(hours=i),
                category=cats[code],
                category_source=CategorySource.IMPORT,
            )


def _unlabelled(journey, text, **fields):
    fields.setdefault("received_at", JUNE)
    return f.ComplaintFactory(journey=journey, text=text, **fields)


def _waiting(journey, text, prediction, confidence, **fields):
    """A complaint the model was unsure of (set directly, so the test controls confidences)."""
    complaint = _unlabelled(journey, text, **fields)
    Complaint.objects.filter(pk=complaint.pk).update(
        prediction=prediction, prediction_confidence=confidence
    )
    complaint.refresh_from_db()
    return complaint


def _with_curve(model, curve):
    model.scores = {**model.scores, "threshold_curve": curve}
    model.save(update_fields=["scores"])
    return model


# ---- the review threshold per journey ----


def test_a_target_precision_changes_what_the_model_files_alone(journey, analyst):
    _labelled(journey)
    for text in UNLABELLED:
        _unlabelled(journey, text)
    services.journey_retrain(journey=journey, actor=analyst)
    model = ClassifierModel.objects.get(journey=journey)
    # Out of fold: precision 0.6 when everything is accepted, and no cut reaches 0.99.
    _with_curve(model, [[0.9, 0.95, 0.2], [0.5, 0.8, 0.6], [0.0, 0.6, 1.0]])

    services.review_threshold_set(journey=journey, target_precision=0.6, actor=analyst)
    assert review_threshold(journey=journey, model=model) == 0.0
    assert services.journey_classify(journey=journey, model=model)["accepted"] == 4

    services.review_threshold_set(journey=journey, target_precision=0.8, actor=analyst)
    assert review_threshold(journey=journey, model=model) == 0.5

    services.review_threshold_set(journey=journey, target_precision=0.99, actor=analyst)
    assert review_threshold(journey=journey, model=model) == 1.0
    counts = services.journey_classify(journey=journey, model=model)
    assert counts["accepted"] == 0 and counts["review"] == 4

    # Back to the default: the model's own threshold, chosen when it was trained.
    services.review_threshold_set(journey=journey, target_precision=None, actor=analyst)
    assert review_threshold(journey=journey, model=model) == model.threshold
    settings = ReviewSettings.objects.get(journey=journey)
    assert settings.target_precision is None and settings.updated_by == analyst
    audits = AuditEvent.objects.filter(action="review.threshold_set").order_by("id")
    assert [a.data["to"] for a in audits] == [0.6, 0.8, 0.99, None]
    # Each change files the journey's feedback again in the background (one queued job).
    assert Job.objects.filter(kind=CLASSIFY_JOB).count() == 1


def test_the_background_classification_after_a_change_uses_the_new_threshold(journey, analyst):
    _labelled(journey)
    for text in UNLABELLED:
        _unlabelled(journey, text)
    services.journey_retrain(journey=journey, actor=analyst)
    _with_curve(ClassifierModel.objects.get(journey=journey), [[0.0, 0.7, 1.0]])
    services.review_threshold_set(journey=journey, target_precision=0.7, actor=analyst)
    assert jobs_run_pending() >= 1
    model_filed = Complaint.objects.filter(journey=journey, category_source=CategorySource.MODEL)
    assert model_filed.count() == 4


@pytest.mark.parametrize("target", [0.3, 0.49, 0.995, 1.0, 1.5])
def test_a_target_out_of_range_is_refused(journey, analyst, target):
    with pytest.raises(ApplicationError, match="between 50% and 99%"):
        services.review_threshold_set(journey=journey, target_precision=target, actor=analyst)
    assert not ReviewSettings.objects.exists()


@pytest.mark.parametrize("role", [Role.VIEWER, Role.AGENCY_MEMBER])
def test_setting_the_threshold_needs_the_right_to_train(journey, role):
    agency = journey.agency if role == Role.AGENCY_MEMBER else None
    person = f.user_with_role(role, agency=agency, username="reader")
    with pytest.raises(PermissionDenied):
        services.review_threshold_set(journey=journey, target_precision=0.95, actor=person)
    assert not ReviewSettings.objects.exists()


# ---- undoing a settle ----


def _group(journey, model_filed_category):
    """Two near-duplicates: one the model filed (0.95 sure), one waiting."""
    first = _unlabelled(journey, "الرسوم انخصمت مني مرتين")
    second = _unlabelled(journey, "الرسوم انخصمت مني مرتين!")
    Complaint.objects.filter(pk=first.pk).update(
        duplicate_group=first.pk,
        category=model_filed_category,
        category_source=CategorySource.MODEL,
        category_confidence=0.95,
        prediction=model_filed_category,
        prediction_confidence=0.95,
    )
    Complaint.objects.filter(pk=second.pk).update(
        duplicate_group=first.pk, prediction=model_filed_category, prediction_confidence=0.4
    )
    return Complaint.objects.get(pk=first.pk), Complaint.objects.get(pk=second.pk)


def _state(complaint):
    complaint.refresh_from_db()
    return (complaint.category_id, complaint.category_source, complaint.category_confidence)


def test_undo_restores_exactly_what_each_complaint_carried(journey, analyst):
    cats = _cats(journey)
    first, second = _group(journey, cats["fees"])
    before = (_state(first), _state(second))
    settled = services.review_settle(complaint=second, category=cats["login"], actor=analyst)
    assert {c.pk for c in settled} == {first.pk, second.pk}
    assert _state(first) == _state(second) == (cats["login"].pk, CategorySource.ANALYST, None)

    settle = ReviewSettle.objects.get()
    restored = services.review_undo(settle=settle, actor=analyst)
    assert {c.pk for c in restored} == {first.pk, second.pk}
    assert (_state(first), _state(second)) == before
    assert before[0] == (cats["fees"].pk, CategorySource.MODEL, 0.95)
    assert before[1] == (None, "", None)
    audit = AuditEvent.objects.get(action="review.undo")
    assert set(audit.data["restored"]) == {first.pk, second.pk}
    settle.refresh_from_db()
    assert settle.undone_at is not None and settle.undone_by == analyst

    with pytest.raises(ApplicationError, match="already undone"):
        services.review_undo(settle=settle, actor=analyst)
    assert (_state(first), _state(second)) == before


def test_undo_leaves_a_later_label_alone(journey, analyst):
    cats = _cats(journey)
    first, second = _group(journey, cats["fees"])
    other = f.user_with_role(Role.ANALYST, username="colleague")
    services.review_settle(complaint=second, category=cats["login"], actor=analyst)
    earlier = ReviewSettle.objects.get()
    # A colleague then corrects the first complaint to "delay" ...
    services.review_settle(
        complaint=Complaint.objects.get(pk=first.pk), category=cats["delay"], actor=other
    )
    # ... and files the second again under the same reason the first settle gave.
    services.review_settle(
        complaint=Complaint.objects.get(pk=second.pk), category=cats["login"], actor=other
    )
    restored = services.review_undo(settle=earlier, actor=analyst)
    assert restored == []
    assert _state(first) == (cats["delay"].pk, CategorySource.ANALYST, None)
    assert _state(second) == (cats["login"].pk, CategorySource.ANALYST, None)


def test_undoing_a_later_settle_then_the_earlier_one_restores_in_order(journey, analyst):
    cats = _cats(journey)
    first, second = _group(journey, cats["fees"])
    services.review_settle(complaint=second, category=cats["login"], actor=analyst)
    services.review_settle(
        complaint=Complaint.objects.get(pk=second.pk), category=cats["delay"], actor=analyst
    )
    later, earlier = ReviewSettle.objects.order_by("-id")
    services.review_undo(settle=later, actor=analyst)
    assert _state(second) == (cats["login"].pk, CategorySource.ANALYST, None)
    services.review_undo(settle=earlier, actor=analyst)
    assert _state(first) == (cats["fees"].pk, CategorySource.MODEL, 0.95)
    assert _state(second) == (None, "", None)


def test_undo_needs_the_right_to_label(journey, analyst):
    cats = _cats(journey)
    _first, second = _group(journey, cats["fees"])
    services.review_settle(complaint=second, category=cats["login"], actor=analyst)
    viewer = f.user_with_role(Role.VIEWER, username="viewer")
    with pytest.raises(PermissionDenied):
        services.review_undo(settle=ReviewSettle.objects.get(), actor=viewer)
    assert _state(second)[0] == cats["login"].pk


# ---- label 5 of each to start ----


def test_the_start_stage_counts_labels_and_proposes_a_spread_before_any_model(journey, analyst):
    _labelled(journey, per_category=2)
    for i, text in enumerate(UNLABELLED):
        _unlabelled(journey, text, received_at=JUNE + dt.timedelta(days=i))
    counts = start_counts(journey=journey)
    assert [(c.category.code, c.labelled, c.short) for c in counts] == [
        ("login", 2, True),
        ("delay", 2, True),
        ("fees", 2, True),
    ]
    proposals = start_proposals(journey=journey, period="2022-06", counts=counts)
    # No model: complaints spread through the period, none suggested for a reason.
    assert len(proposals) == len(UNLABELLED)
    assert all(p.category is None for p in proposals)

    _labelled(journey, per_category=START_LABELS)  # three more of each: enough
    counts = start_counts(journey=journey)
    assert not any(c.short for c in counts)
    assert start_proposals(journey=journey, period="2022-06", counts=counts) == []


def test_with_a_model_the_start_stage_proposes_its_surest_guesses_per_short_reason(journey):
    _labelled(journey)  # six of each ...
    cats = _cats(journey)
    promoted = f.GapCategoryFactory(journey=journey, code="staff", position=9)  # ... but none
    sure = _waiting(journey, "الموظف ما رد علي", promoted, 0.6)
    unsure = _waiting(journey, "الموظف تأخر في الرد", promoted, 0.3)
    _waiting(journey, "الرسوم غالية", cats["fees"], 0.9)  # a reason already complete
    counts = start_counts(journey=journey)
    assert [c.category.code for c in counts if c.short] == ["staff"]
    proposals = start_proposals(journey=journey, period="2022-06", counts=counts)
    assert [(p.complaint.pk, p.category) for p in proposals[:2]] == [
        (sure.pk, promoted),
        (unsure.pk, promoted),
    ]


def test_labels_retrain_sooner_while_starting(journey, analyst):
    _labelled(journey, per_category=3)
    services.journey_retrain(journey=journey, actor=analyst)
    cats = _cats(journey)
    for text in UNLABELLED:
        complaint = _unlabelled(journey, text)
        services.review_settle(complaint=complaint, category=cats["fees"], actor=analyst)
    assert not Job.objects.filter(kind=RETRAIN_JOB).exists()  # four labels: not yet
    fifth = _unlabelled(journey, "خصموا الرسوم زيادة")
    services.review_settle(complaint=fifth, category=cats["fees"], actor=analyst)
    assert Job.objects.filter(kind=RETRAIN_JOB).count() == 1  # five, well before twenty


def test_without_a_model_five_labels_in_two_reasons_queue_the_first_training(journey, analyst):
    cats = _cats(journey)
    for text in UNLABELLED[:3]:
        complaint = _unlabelled(journey, text)
        services.review_settle(complaint=complaint, category=cats["fees"], actor=analyst)
    other = _unlabelled(journey, "ما قدرت أسجل دخول")
    services.review_settle(complaint=other, category=cats["login"], actor=analyst)
    assert not Job.objects.exists()  # one example of "login": nothing to learn it from yet
    again = _unlabelled(journey, "الدخول للمنصة لا يعمل")
    services.review_settle(complaint=again, category=cats["login"], actor=analyst)
    assert Job.objects.get().kind == RETRAIN_JOB
    assert jobs_run_pending() == 1
    job = Job.objects.get()
    assert job.status == "succeeded", job.error
    assert ClassifierModel.objects.get(journey=journey).training_size == 5


# ---- ordered by learning value ----


def test_a_big_uncertain_group_comes_before_a_lone_uncertain_complaint(journey, analyst):
    cats = _cats(journey)
    lone = _waiting(journey, "لم يصلني رمز التحقق على الجوال", cats["login"], 0.30)
    group = [
        _waiting(journey, f"الشهادة لم تصدر بعد شهرين من الطلب {'!' * i}", cats["delay"], 0.40)
        for i in range(4)
    ]
    Complaint.objects.filter(pk__in=[c.pk for c in group]).update(duplicate_group=group[0].pk)
    sure_alone = _waiting(journey, "المبلغ المخصوم أكبر من المعلن", cats["fees"], 0.80)
    # Before any priority is written, the least sure first (as the queue always was).
    items, _waiting_groups = review_queue(journey=journey, period="2022-06")
    assert items[0].complaint.pk == lone.pk

    assert services.review_priorities_update(journey=journey) == 6
    items, waiting = review_queue(journey=journey, period="2022-06")
    order = [i.complaint.pk for i in items]
    # (1 - 0.4) * log(1 + 4) = 0.97 > (1 - 0.3) * log(2) = 0.49 > (1 - 0.8) * log(2) = 0.14
    assert order[0] in {c.pk for c in group}
    assert order[1:] == [lone.pk, sure_alone.pk]
    assert waiting == 3
    lone.refresh_from_db()
    assert lone.review_priority == pytest.approx(0.7 * 0.6931, abs=1e-3)


def test_similar_waiting_texts_raise_a_complaints_priority(journey):
    cats = _cats(journey)
    base = "تأخر إصدار الشهادة أكثر من شهر ولم يردوا على اتصالاتي"
    similar = [
        _waiting(journey, base.replace("شهر", word), cats["delay"], 0.5)
        for word in ("شهرين", "أسبوعين", "ثلاثة أشهر")
    ]
    alone = _waiting(journey, "رسوم غير متوقعة عند الدفع الإلكتروني", cats["fees"], 0.5)
    services.review_priorities_update(journey=journey)
    for complaint in [*similar, alone]:
        complaint.refresh_from_db()
    assert all(c.review_priority > alone.review_priority for c in similar)


def test_retraining_writes_the_priorities(journey, analyst):
    _labelled(journey)
    for text in UNLABELLED:
        _unlabelled(journey, text)
    ClassifierModel.objects.all().delete()
    result = services.journey_retrain(journey=journey, actor=analyst)
    waiting = Complaint.objects.filter(
        journey=journey, category__isnull=True, prediction__isnull=False
    )
    assert result["prioritised"] == waiting.count()
    assert all(c.review_priority > 0 for c in waiting)


# ---- fast first, then deep ----


def test_the_retraining_job_trains_fast_and_queues_no_deep_job_where_deep_is_off(
    journey, analyst, settings
):
    settings.SAWT_CLASSIFIER_ENGINE = "fast"
    _labelled(journey)
    services.retrain_enqueue(journey=journey, actor=analyst)
    assert jobs_run_pending() == 1
    job = Job.objects.get(kind=RETRAIN_JOB)
    assert job.status == "succeeded", job.error
    assert job.result["deep_job"] is None
    assert not Job.objects.filter(kind=DEEP_RETRAIN_JOB).exists()
    model = ClassifierModel.objects.get(journey=journey)
    assert model.scores.get("engine", "fast") == "fast"


def test_where_deep_resolves_the_fast_model_comes_first_then_the_deep_one(
    journey, analyst, settings, monkeypatch
):
    settings.SAWT_CLASSIFIER_ENGINE = "auto"
    monkeypatch.setattr(engines, "deep_installed", lambda: True)
    calls = []
    real_train = engines.train

    def train(texts, labels, *, engine="auto", progress=None, folds=5):
        calls.append(engine)
        if engine == "deep":  # no transformer in tests: a fast model stands in for it
            progress(1, 2, "encoder")
            progress(2, 2, "encoder")
            return real_train(texts, labels, engine="fast", folds=folds)
        return real_train(texts, labels, engine=engine, progress=progress, folds=folds)

    monkeypatch.setattr(engines, "train", train)
    _labelled(journey)
    services.retrain_enqueue(journey=journey, actor=analyst)
    assert jobs_run_pending() == 1  # only the fast one in this round ...
    fast_job = Job.objects.get(kind=RETRAIN_JOB)
    assert fast_job.status == "succeeded", fast_job.error
    deep_job = Job.objects.get(kind=DEEP_RETRAIN_JOB)
    assert fast_job.result["deep_job"] == deep_job.pk and deep_job.status == "queued"
    assert calls == ["fast"]
    assert jobs_run_pending() == 1  # ... the deep one after it
    deep_job.refresh_from_db()
    assert deep_job.status == "succeeded", deep_job.error
    assert (deep_job.progress_done, deep_job.progress_total) == (2, 2)
    assert calls == ["fast", "deep"]
    assert list(
        ClassifierModel.objects.filter(journey=journey).values_list("version", flat=True)
    ) == [2, 1]
    assert deep_job.result["version"] == 2


def test_a_deep_job_left_in_the_queue_does_nothing_once_deep_is_off(journey, settings):
    settings.SAWT_CLASSIFIER_ENGINE = "fast"
    _labelled(journey)
    services._journey_job(DEEP_RETRAIN_JOB, journey, None)
    assert jobs_run_pending() == 1
    job = Job.objects.get(kind=DEEP_RETRAIN_JOB)
    assert job.status == "succeeded" and "skipped" in job.result
    assert not ClassifierModel.objects.exists()
