"""Classification in the database: the model fills in what no one labelled, never overrides a
label, counts only above its threshold, and analysts settle the rest a group at a time."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone, translation

from sawt.catalog.choices import CategorySource
from sawt.classification import services
from sawt.classification.models import ClassifierModel
from sawt.classification.selectors import review_queue
from sawt.complaints.models import Complaint
from sawt.core.exceptions import ApplicationError
from sawt.jobs.models import Job
from sawt.jobs.services import jobs_run_pending
from sawt.metrics.selectors import journey_summary
from sawt.testing.factories import (
    ComplaintFactory,
    GapCategoryFactory,
    JourneyFactory,
    MembershipFactory,
    SurveyFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


TEXTS = {
    "login": [
        "لا أستطيع تسجيل الدخول إلى المنصة",
        "ما أقدر أسجل دخول للبوابة من أمس",
        "تسجيل الدخول عبر النفاذ الوطني لا يعمل",
        "كل ما أدخل كلمة المرور يقول خطأ في الدخول",
        "الدخول للحساب متعطل",
        "النظام يرفض الدخول مع أن كلمة المرور صحيحة",
    ],
    "delay": [
        "تأخر إصدار الشهادة أكثر من شهر",
        "طلبي متأخر وما فيه أي تحديث",
        "الشهادة للحين ما صدرت بعد أسابيع",
        "مدة معالجة الطلب طويلة جداً",
        "الطلب واقف من فترة طويلة بدون رد",
        "تأخير كبير في إنجاز المعاملة",
    ],
    "fees": [
        "تم خصم الرسوم مرتين من حسابي",
        "الرسوم انسحبت مرتين وأبي استرجاع المبلغ",
        "دفعت الرسوم ولم يتم تحديث حالة السداد",
        "المبلغ المخصوم أكبر من الرسوم المعلنة",
        "أبغى أسترجع الفلوس اللي انخصمت زود",
        "رسوم غير متوقعة ظهرت عند الدفع",
    ],
}
JUNE = dt.datetime(2022, 6, 10, 9, 0, tzinfo=timezone.get_default_timezone())


@pytest.fixture
def analyst():
    return MembershipFactory().user


@pytest.fixture
def journey():
    journey = JourneyFactory()
    SurveyFactory(journey=journey, period="2022-06")
    for position, code in enumerate(TEXTS):
        GapCategoryFactory(journey=journey, code=code, position=position)
    return journey


def _labelled(journey, hours: int = 0):
    categories = {c.code: c for c in journey.gap_categories.all()}
    for code, texts in TEXTS.items():
        for i, text in enumerate(texts):
            ComplaintFactory(
                journey=journey,
                text=text,
                received_at=JUNE + dt.timedelta(hours=hours + i),
                category=categories[code],
                category_source=CategorySource.IMPORT,
            )


def _unlabelled(journey, text: str, **fields) -> Complaint:
    fields.setdefault("received_at", JUNE)
    return ComplaintFactory(journey=journey, text=text, **fields)


def _ranking(journey) -> dict[str, dict]:
    summary = journey_summary(journey_slug=journey.slug, period="2022-06")
    return {row["code"]: row for row in summary["gap_categories"]["complaints"]}


def test_retraining_classifies_what_no_one_labelled_and_counts_it_apart(journey, analyst):
    _labelled(journey)
    sure = _unlabelled(journey, "انخصمت الرسوم مني مرتين وأبي المبلغ")
    result = services.journey_retrain(journey=journey, actor=analyst)
    model = ClassifierModel.objects.get(journey=journey)
    assert (result["version"], model.name, model.training_size) == (1, journey.slug, 18)
    sure.refresh_from_db()
    assert sure.prediction.code == "fees" and sure.classifier_version == model.version
    assert 0 < sure.prediction_confidence <= 1
    ranking = _ranking(journey)
    if sure.prediction_confidence >= model.threshold:
        assert sure.category_source == CategorySource.MODEL
        assert (ranking["fees"]["count"], ranking["fees"]["labelled"]) == (7, 6)
    else:  # below the threshold: waits for a person, counted nowhere yet
        assert sure.category is None
        assert (ranking["fees"]["count"], ranking["fees"]["labelled"]) == (6, 6)


def test_below_the_threshold_a_complaint_waits_and_is_not_counted(journey, analyst):
    _labelled(journey)
    model = ClassifierModel.objects.create(
        name=journey.slug,
        version=1,
        journey=journey,
        labels=[],
        training_size=0,
        train_seconds=0,
        threshold=1.0,
        artefact=_trained_artefact(),
    )
    unsure = _unlabelled(journey, "عندي ملاحظة على الخدمة بشكل عام")
    services.journey_classify(journey=journey, model=model)
    unsure.refresh_from_db()
    assert unsure.category is None and unsure.category_source == ""
    assert unsure.prediction is not None
    assert sum(row["count"] for row in _ranking(journey).values()) == 18
    items, waiting = review_queue(journey=journey, period="2022-06")
    assert [item.complaint for item in items] == [unsure] and waiting == 1


def _trained_artefact() -> bytes:
    from sawt.textanalytics import classifier as ml

    texts = [t for texts in TEXTS.values() for t in texts]
    labels = [code for code, texts in TEXTS.items() for _ in texts]
    return ml.train(texts, labels, folds=3).dumps()


def test_the_model_never_overrides_a_label(journey, analyst):
    _labelled(journey)
    delay = journey.gap_categories.get(code="delay")
    # Labelled "delay" by an analyst although the words speak of fees: the label stands.
    odd = _unlabelled(
        journey, "الرسوم انخصمت مرتين", category=delay, category_source=CategorySource.ANALYST
    )
    services.journey_retrain(journey=journey, actor=analyst)
    odd.refresh_from_db()
    assert (odd.category, odd.category_source, odd.prediction) == (delay, "analyst", None)


def test_too_few_labels_is_refused_with_a_reason(journey, analyst):
    _unlabelled(journey, "نص بلا تصنيف")
    with pytest.raises(ApplicationError, match="at least two categories"):
        services.journey_retrain(journey=journey, actor=analyst)
    assert not ClassifierModel.objects.exists()


def test_near_duplicates_are_grouped_and_settled_together(journey, analyst):
    _labelled(journey)
    first = _unlabelled(journey, "سجلت في المنصة ولم يصلني رمز التحقق على الجوال [جوال]")
    again = _unlabelled(
        journey,
        "إلحاقاً لشكواي السابقة: سجلت في المنصة ولم يصلني رمز التحقق على الجوال",
        channel="email",
        received_at=JUNE + dt.timedelta(hours=5),
    )
    other = _unlabelled(journey, "الموظف لم يرد على اتصالاتي بخصوص الشهادة")
    services.journey_retrain(journey=journey, actor=analyst)
    first.refresh_from_db()
    again.refresh_from_db()
    other.refresh_from_db()
    assert first.duplicate_group == again.duplicate_group == first.pk
    assert other.duplicate_group is None  # alone: a group of its own
    login = journey.gap_categories.get(code="login")
    settled = services.review_settle(complaint=again, category=login, actor=analyst)
    assert {c.pk for c in settled} == {first.pk, again.pk}
    ranking = _ranking(journey)["login"]
    assert ranking["labelled"] == 8
    # Two complaints, one group behind them (the six imported ones are groups of their own).
    assert ranking["groups"] == ranking["count"] - 1


def test_enough_new_labels_queue_a_background_retraining(journey, analyst, monkeypatch):
    _labelled(journey)
    services.journey_retrain(journey=journey, actor=analyst)
    monkeypatch.setattr(services, "RETRAIN_AFTER_LABELS", 2)
    fees = journey.gap_categories.get(code="fees")
    a = _unlabelled(journey, "الرسوم مرتفعة جداً")
    services.review_settle(complaint=a, category=fees, actor=analyst)
    assert not Job.objects.exists()
    b = _unlabelled(journey, "لماذا الرسوم بهذا الارتفاع؟")
    services.review_settle(complaint=b, category=fees, actor=analyst)
    assert Job.objects.get().payload == {"journey": journey.slug}
    assert jobs_run_pending() == 1
    job = Job.objects.get()
    assert job.status == "succeeded", job.error
    assert job.result["version"] == 2
    assert ClassifierModel.objects.get(version=2).training_size == 20


def test_promoting_a_theme_creates_the_category_and_labels_its_members(journey, analyst):
    members = [
        _unlabelled(journey, "الموقع لا يدعم اللغة الإنجليزية للمستثمر الأجنبي"),
        _unlabelled(journey, "لا توجد نسخة إنجليزية من النماذج"),
    ]
    elsewhere = ComplaintFactory(text="لا توجد نسخة إنجليزية")  # another journey's
    category = services.theme_promote(
        journey=journey,
        name_ar="غياب النسخة الإنجليزية",
        name_en="No English version",
        complaint_ids=[m.pk for m in members] + [elsewhere.pk],
        actor=analyst,
    )
    assert (category.code, category.position) == ("no-english-version", 3)
    assert set(category.complaints.values_list("pk", flat=True)) == {m.pk for m in members}
    assert _ranking(journey)["no-english-version"]["labelled"] == 2
    elsewhere.refresh_from_db()
    assert elsewhere.category is None


def test_a_theme_needs_an_arabic_name_and_a_free_code(journey, analyst):
    with pytest.raises(ApplicationError, match="Arabic name"):
        services.theme_promote(journey=journey, name_ar=" ", name_en="x", actor=analyst)
    with pytest.raises(ApplicationError, match="already has a category"):
        services.theme_promote(journey=journey, name_ar="رسوم", code="fees", actor=analyst)
    assert journey.gap_categories.count() == 3


def test_an_import_has_its_new_complaints_classified_in_the_background(journey, analyst, tmp_path):
    from sawt.complaints.services import complaints_import

    _labelled(journey)
    services.journey_retrain(journey=journey, actor=analyst)
    path = tmp_path / "new.csv"
    path.write_text(
        "complaint_id,received_at,text\nN-1,2022-06-20 10:00,انخصمت الرسوم مرتين ولم يرجع المبلغ\n",
        encoding="utf-8",
    )
    complaints_import(journey_slug=journey.slug, path=path, actor=analyst)
    job = Job.objects.get()
    assert (job.kind, job.status) == ("classifier.classify", "queued")
    assert jobs_run_pending() == 1
    new = Complaint.objects.get(complaint_id="N-1")
    assert new.prediction.code == "fees" and new.classifier_version == 1


def test_an_import_before_any_model_queues_nothing(journey, analyst, tmp_path):
    from sawt.complaints.services import complaints_import

    path = tmp_path / "new.csv"
    path.write_text("complaint_id,received_at,text\nN-1,2022-06-20 10:00,نص\n", encoding="utf-8")
    complaints_import(journey_slug=journey.slug, path=path, actor=analyst)
    assert not Job.objects.exists()
