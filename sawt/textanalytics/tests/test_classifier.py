"""The reason classifier: right on texts it never saw, honest about how sure it is, and scored
the way the evaluate command reports it."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from sawt.textanalytics import classifier as ml
from sawt.textanalytics.dialect import msa_tokens

DATA = Path(__file__).resolve().parents[3] / "tests" / "data" / "arbanking77"

# Three reasons, written in MSA and in Saudi dialect, as complainants write them.
EXAMPLES = {
    "login": [
        "لا أستطيع تسجيل الدخول إلى المنصة",
        "ما أقدر أسجل دخول للبوابة من أمس",
        "تسجيل الدخول عبر النفاذ الوطني لا يعمل",
        "كل ما أدخل كلمة المرور يقول خطأ في الدخول",
        "الدخول للحساب متعطل",
        "النظام يرفض الدخول مع أن كلمة المرور صحيحة",
        "ليش ما يفتح معي حسابي في المنصة؟",
        "مشكلة في الدخول إلى حسابي بالمنصة",
    ],
    "delay": [
        "تأخر إصدار الشهادة أكثر من شهر",
        "طلبي متأخر وما فيه أي تحديث",
        "الشهادة للحين ما صدرت بعد أسابيع",
        "مدة معالجة الطلب طويلة جداً",
        "الطلب واقف من فترة طويلة بدون رد",
        "تأخير كبير في إنجاز المعاملة",
        "وش صار على طلبي؟ صار له شهر",
        "ننتظر إصدار الشهادة منذ مدة طويلة",
    ],
    "fees": [
        "تم خصم الرسوم مرتين من حسابي",
        "الرسوم انسحبت مرتين وأبي استرجاع المبلغ",
        "دفعت الرسوم ولم يتم تحديث حالة السداد",
        "المبلغ المخصوم أكبر من الرسوم المعلنة",
        "أبغى أسترجع الفلوس اللي انخصمت زود",
        "رسوم غير متوقعة ظهرت عند الدفع",
        "خصموا مني المبلغ ولم يصدر إيصال السداد",
        "السداد تم مرتين لنفس الفاتورة",
    ],
}


def _flat():
    texts, labels = [], []
    for label, items in EXAMPLES.items():
        texts += items
        labels += [label] * len(items)
    return texts, labels


@pytest.fixture(scope="module")
def trained() -> ml.TrainedModel:
    return ml.train(*_flat(), folds=4)


def test_predicts_the_reason_of_unseen_complaints(trained):
    result = trained.predict(
        [
            "ما قدرت أدخل على حسابي في المنصة",
            "الشهادة متأخرة ولا أحد يرد",
            "انخصمت الرسوم مني مرتين",
        ]
    )
    assert result.labels == ["login", "delay", "fees"]
    assert all(0 < c <= 1 for c in result.confidences)


def test_a_stored_model_predicts_the_same_after_loading(trained):
    texts = ["الدخول للمنصة لا يعمل", "تأخر الطلب"]
    again = ml.TrainedModel.loads(trained.dumps())
    assert again.predict(texts) == trained.predict(texts)
    assert again.labels == ["delay", "fees", "login"]
    assert again.training_size == 24


def test_training_report_holds_cross_validated_scores_and_a_threshold(trained):
    report = trained.report
    assert report["folds"] == 4
    assert set(report["per_class"]) == {"login", "delay", "fees"}
    assert report["confusion_matrix"]["labels"] == ["delay", "fees", "login"]
    assert sum(map(sum, report["confusion_matrix"]["matrix"])) == 24
    assert 0 <= trained.threshold <= 1
    assert report["macro_f1"] > 0.6


def test_one_label_cannot_train():
    with pytest.raises(ValueError, match="two different labels"):
        ml.train(["نص", "نص آخر"], ["a", "a"])


def test_the_threshold_is_the_lowest_confidence_that_keeps_the_target_precision():
    confidences = [0.99, 0.95, 0.9, 0.8, 0.7, 0.6]
    correct = [True, True, True, True, False, False]
    # Down to 0.8 every prediction was right; at 0.7 precision drops to 4/5 = 0.8 < 0.9.
    assert ml.choose_threshold(confidences, correct, target=0.9) == 0.8
    # Nothing reaches the target: every prediction goes to review.
    assert ml.choose_threshold([0.9, 0.8], [False, False]) == 1.0


def test_ties_are_accepted_or_reviewed_together():
    # Two predictions at 0.8, one wrong: cutting between them is impossible, so 0.8 is out.
    assert ml.choose_threshold([0.9, 0.8, 0.8], [True, True, False], target=0.9) == 0.9


def test_calibration_error_is_zero_when_confidence_matches_accuracy():
    assert ml.calibration_error([0.75] * 4, [True, True, True, False]) == 0.0
    assert ml.calibration_error([1.0, 1.0], [False, False]) == 1.0


def test_scores_match_a_hand_count():
    report = ml.scores(["a", "a", "b", "b"], ["a", "b", "b", "b"], ["a", "b"])
    assert report["accuracy"] == 0.75
    assert report["per_class"]["a"] == {"precision": 1.0, "recall": 0.5, "f1": 0.6667, "support": 2}
    assert report["per_class"]["b"]["precision"] == 0.6667
    assert report["confusion_matrix"]["matrix"] == [[1, 1], [0, 2]]
    assert report["macro_f1"] == round((2 / 3 + 0.8) / 2, 4)


def test_keyword_baseline_uses_each_labels_telling_words():
    baseline = ml.KeywordBaseline().fit(*_flat())
    # A text holding none of the keywords gets the most frequent label.
    assert baseline.predict(["الرسوم انخصمت مرتين", "سؤال عن موضوع آخر"]) == [
        "fees",
        baseline.fallback,
    ]


def test_dialect_words_bring_their_standard_equivalents():
    assert msa_tokens(["وش", "صار", "للحين"]) == [
        "وش",
        "ماذا",
        "صار",
        "حدث",
        "للحين",
        "حتي",
        "الان",
    ]
    assert msa_tokens(["الطلب"]) == ["الطلب"]


def _read(name: str) -> tuple[list[str], list[str]]:
    with (DATA / name).open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    return [r["text"] for r in rows], [r["label"] for r in rows]


@pytest.mark.skipif(not (DATA / "msa.csv").exists(), reason="ArBanking77 subset not shipped")
def test_trained_on_standard_arabic_it_beats_both_baselines_on_saudi_dialect():
    """The cross-dialect case sawt is judged on: formal training data, dialect complaints."""
    evaluation = ml.evaluate_split(*_read("msa.csv"), *_read("saudi.csv"))
    report = evaluation.report
    assert report["test_examples"] == len(_read("saudi.csv")[0])
    assert report["macro_f1"] > report["baselines"]["keyword"]["macro_f1"] + 0.1
    assert report["baselines"]["majority"]["macro_f1"] < 0.1
    assert report["macro_f1"] > 0.6


def test_the_stored_curve_finds_the_threshold_of_any_precision() -> None:
    # Ten predictions, most sure first; the 4th and the 8th are wrong.
    confidences = [0.99, 0.95, 0.9, 0.85, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3]
    correct = [True, True, True, False, True, True, True, False, True, True]
    report = {"threshold_curve": ml.precision_curve(confidences, correct)}
    assert report["threshold_curve"][0] == [0.99, 1.0, 0.1]
    # 0.9 precision: as `choose_threshold` finds it from the raw predictions.
    assert ml.threshold_for(report, 0.9) == ml.choose_threshold(confidences, correct, 0.9) == 0.9
    assert ml.threshold_for(report, 0.85) == 0.6  # 6 right of the first 7
    assert ml.threshold_for(report, 0.8) == 0.3  # 8 of all 10
    assert ml.threshold_for({"threshold_curve": []}, 0.9) == 1.0  # no curve: review everything
    assert ml.coverage_at(report, 0.9) == 0.3
    assert ml.coverage_at(report, 0.3) == 1.0


def test_the_curve_is_thinned_but_keeps_accepting_everything() -> None:
    confidences = [i / 1000 for i in range(1000)]
    curve = ml.precision_curve(confidences, [True] * 1000, points=50)
    assert len(curve) == 50
    assert curve[-1][2] == 1.0 and curve[0][0] == 0.999


@pytest.mark.parametrize(
    ("texts", "labels"),
    [
        (["تأخر الطلب", "الطلب متأخر جدا", "خصم الرسوم مرتين"], ["delay", "delay", "fees"]),
        (["تأخر الطلب", "خصم الرسوم مرتين"], ["delay", "fees"]),
    ],
)
def test_a_reason_with_one_example_still_trains(texts: list[str], labels: list[str]) -> None:
    # A journey's first labels: a fold whose training part holds one reason only cannot fit
    # an SVM; it must count as unsure, not stop the training.
    model = ml.train(texts, labels)
    assert model.labels == sorted(set(labels))
    assert model.predict(["خصم الرسوم"]).labels[0] in labels
    assert ml.cross_validate(texts, labels).report["examples"] == len(texts)
