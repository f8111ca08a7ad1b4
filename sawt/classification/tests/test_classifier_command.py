"""`sawt classifier train|predict|evaluate` on labelled files, as an analyst runs them."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import openpyxl
import pytest
from django.core.management import call_command
from django.utils import translation

from sawt.classification.models import ClassifierModel
from sawt.textanalytics import classifier as ml

DATA = Path(__file__).resolve().parents[3] / "tests" / "data" / "arbanking77"
pytestmark = pytest.mark.django_db

ROWS = [
    ("تأخر إصدار الشهادة أكثر من شهر", "delay"),
    ("طلبي متأخر وما فيه أي تحديث", "delay"),
    ("الشهادة للحين ما صدرت بعد أسابيع", "delay"),
    ("مدة معالجة الطلب طويلة جداً", "delay"),
    ("الطلب واقف من فترة طويلة بدون رد", "delay"),
    ("تأخير كبير في إنجاز المعاملة", "delay"),
    ("تم خصم الرسوم مرتين من حسابي", "fees"),
    ("الرسوم انسحبت مرتين وأبي استرجاع المبلغ", "fees"),
    ("دفعت الرسوم ولم يتم تحديث حالة السداد", "fees"),
    ("المبلغ المخصوم أكبر من الرسوم المعلنة", "fees"),
    ("أبغى أسترجع الفلوس اللي انخصمت زود", "fees"),
    ("رسوم غير متوقعة ظهرت عند الدفع", "fees"),
]


def sawt(*args: str, lang: str = "en") -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    try:
        with translation.override(lang):
            call_command("classifier", *args, stdout=out, stderr=err)
    except SystemExit as leaving:
        return int(leaving.code), out.getvalue(), err.getvalue()
    return 0, out.getvalue(), err.getvalue()


@pytest.fixture
def labelled(tmp_path: Path) -> Path:
    path = tmp_path / "labelled.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["Complaint", "Reason"])
        writer.writerows(ROWS)
    return path


def _train(path: Path, name: str = "reasons") -> tuple[int, str, str]:
    return sawt(
        "train", "--name", name, str(path), "--text-column", "complaint", "--label-column", "reason"
    )


def test_train_prints_cross_validated_scores_and_stores_a_version(labelled):
    status, out, err = _train(labelled)
    assert (status, err) == (0, "")
    assert out.startswith("Trained reasons v1 (fast engine) on 12 texts")
    assert "Macro-F1" in out and "delay" in out and "fees" in out
    model = ClassifierModel.objects.get(name="reasons")
    assert (model.version, model.training_size, model.labels) == (1, 12, ["delay", "fees"])
    assert model.scores["folds"] == 5
    assert 0 <= model.threshold <= 1
    _train(labelled)
    assert list(ClassifierModel.objects.values_list("version", flat=True)) == [2, 1]


def test_personal_data_never_reaches_the_stored_model(tmp_path):
    path = tmp_path / "pii.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["text", "label"])
        for text, label in ROWS:
            writer.writerow([f"{text} جوالي 0551234567 وهويتي 1012345678", label])
    assert _train_plain(path)[0] == 0
    trained = ml.TrainedModel.loads(ClassifierModel.objects.get().artefact)
    vocabulary = trained.pipeline.named_steps["features"].transformer_list[1][1].vocabulary_
    assert not any("0551234567" in term or "1012345678" in term for term in vocabulary)


def _train_plain(path: Path) -> tuple[int, str, str]:
    return sawt(
        "train", "--name", "p", str(path), "--text-column", "text", "--label-column", "label"
    )


def test_predict_adds_two_columns_and_keeps_every_row_in_order(labelled, tmp_path):
    _train(labelled)
    source = tmp_path / "new.xlsx"
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["ID", "Complaint", "Channel"])
    sheet.append([7, "انخصمت الرسوم مني مرتين", "web"])
    sheet.append([8, "", "email"])  # no text: kept, with nothing predicted
    sheet.append([9, "الشهادة متأخرة ولا أحد يرد", "phone"])
    book.save(source)
    out = tmp_path / "out.csv"
    status, stdout, err = sawt(
        "predict", "--name", "reasons", str(source), "--text-column", "Complaint", "--out", str(out)
    )
    assert (status, err) == (0, "")
    assert "Wrote 3 rows" in stdout
    with out.open(encoding="utf-8-sig") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == ["ID", "Complaint", "Channel", "predicted", "confidence"]
    assert [r[0] for r in rows[1:]] == ["7", "8", "9"]
    assert [r[3] for r in rows[1:]] == ["fees", "", "delay"]
    assert rows[2][4] == "" and 0 < float(rows[1][4]) <= 1


def test_evaluate_json_has_the_scores_the_issue_names(labelled):
    status, out, err = sawt(
        "evaluate",
        str(labelled),
        "--text-column",
        "complaint",
        "--label-column",
        "reason",
        "--folds",
        "3",
        "--format",
        "json",
    )
    assert (status, err) == (0, "")
    report = json.loads(out)
    for key in (
        "macro_f1",
        "accuracy",
        "per_class",
        "confusion_matrix",
        "texts_per_second",
        "train_seconds",
        "baselines",
    ):
        assert key in report
    assert set(report["per_class"]["fees"]) == {"precision", "recall", "f1", "support"}
    assert report["folds"] == 3
    assert set(report["baselines"]) == {"majority", "keyword"}
    assert ClassifierModel.objects.count() == 0  # evaluating stores nothing


@pytest.mark.skipif(not (DATA / "msa.csv").exists(), reason="ArBanking77 subset not shipped")
def test_evaluate_trains_on_one_variety_and_tests_on_another():
    status, out, _err = sawt(
        "evaluate",
        str(DATA / "msa.csv"),
        "--test",
        str(DATA / "saudi.csv"),
        "--text-column",
        "text",
        "--label-column",
        "label",
        "--format",
        "json",
    )
    report = json.loads(out)
    assert status == 0
    assert report["test_examples"] == 976 and report["examples"] == 800
    assert report["macro_f1"] > report["baselines"]["keyword"]["macro_f1"]


def test_a_missing_column_is_named_with_the_columns_there_are(labelled):
    status, out, err = sawt(
        "train", "--name", "x", str(labelled), "--text-column", "body", "--label-column", "reason"
    )
    assert (status, out) == (1, "")
    assert "no column “body” (--text-column)" in err and "complaint, reason" in err
    assert ClassifierModel.objects.count() == 0


def test_one_label_is_refused_in_arabic_by_default(tmp_path):
    path = tmp_path / "one.csv"
    path.write_text("text,label\nنص أول,a\nنص ثان,a\n", encoding="utf-8")
    status, _out, err = sawt(
        "train",
        "--name",
        "x",
        str(path),
        "--text-column",
        "text",
        "--label-column",
        "label",
        lang="ar",
    )
    assert status == 1
    assert "مختلفين" in err or "تسميتين" in err
    assert ClassifierModel.objects.count() == 0


def test_unknown_model_and_missing_file_are_clear(labelled, tmp_path):
    status, _out, err = sawt(
        "predict",
        "--name",
        "nope",
        str(labelled),
        "--text-column",
        "complaint",
        "--out",
        str(tmp_path / "o.csv"),
    )
    assert status == 1 and "No classifier “nope”" in err
    assert not (tmp_path / "o.csv").exists()
    status, _out, err = _train(tmp_path / "absent.csv")
    assert status == 1 and "There is no file at" in err


def test_a_malformed_file_names_the_row(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("text,label\nنص,a,extra\nنص آخر,b\n", encoding="utf-8")
    status, _out, err = sawt(
        "evaluate", str(path), "--text-column", "text", "--label-column", "label"
    )
    assert status == 1
    assert "could not be read" in err and "row 2" in err
