"""The work behind `sawt classifier`, called as other code would call it (no command line)."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from django.utils import translation

from sawt.classification.files import (
    classifier_evaluate_file,
    classifier_train_from_file,
    folds_check,
    predictions_write,
)
from sawt.classification.models import ClassifierModel
from sawt.classification.selectors import classifier_get, classifier_list
from sawt.classification.tests.test_classifier_command import ROWS
from sawt.core.exceptions import ApplicationError

pytestmark = pytest.mark.django_db


def _csv(path: Path, header: list[str], rows: list[tuple[str, ...]] | list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


@pytest.fixture
def labelled(tmp_path: Path) -> Path:
    return _csv(tmp_path / "labelled.csv", ["text", "label"], ROWS)


def _train(path: Path, name: str = "reasons") -> ClassifierModel:
    return classifier_train_from_file(
        name=name, path=path, text_column="text", label_column="label", folds=3
    ).model


def test_training_from_a_file_stores_the_next_version_with_its_scores(labelled):
    done = classifier_train_from_file(
        name="reasons", path=labelled, text_column="TEXT", label_column="label", folds=3
    )
    assert (done.model.version, done.model.source, done.skipped) == (1, "labelled.csv", 0)
    assert done.report["folds"] == 3 and done.model.scores == done.report
    assert _train(labelled).version == 2
    assert [m.version for m in classifier_list()] == [2, 1]


def test_evaluating_stores_nothing_and_counts_rows_left_out(labelled, tmp_path):
    test = _csv(tmp_path / "test.csv", ["text", "label"], [*ROWS[:2], *ROWS[6:8], ("", "delay")])
    report = classifier_evaluate_file(
        path=labelled, text_column="text", label_column="label", folds=3, test=test
    )
    assert report["test_examples"] == 4 and report["skipped_rows"] == 1
    assert ClassifierModel.objects.count() == 0


def test_a_model_is_found_by_name_and_version_or_refused_naming_those_there_are(labelled):
    _train(labelled)
    _train(labelled)
    assert classifier_get(name="reasons").version == 2
    assert classifier_get(name="reasons", version=1).version == 1
    with translation.override("en"), pytest.raises(ApplicationError) as refused:
        classifier_get(name="reasons", version=7)
    assert refused.value.message == "No classifier “reasons” v7. Trained models: reasons."


def test_a_file_that_has_a_predicted_column_already_is_refused_and_nothing_is_written(
    labelled, tmp_path
):
    model = _train(labelled)
    source = _csv(tmp_path / "new.csv", ["text", "Predicted"], [["الطلب متأخر", "x"]])
    out = tmp_path / "out.csv"
    with translation.override("en"), pytest.raises(ApplicationError, match="“predicted” column"):
        predictions_write(model=model, path=source, text_column="text", out=out)
    assert not out.exists() and not (tmp_path / "out.csv.partial").exists()


def test_fewer_than_two_folds_are_refused():
    with translation.override("en"), pytest.raises(ApplicationError, match="--folds must be 2"):
        folds_check(1)
