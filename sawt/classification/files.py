"""Reason classification on labelled files (what `sawt classifier` runs): read a CSV or XLSX of
texts and labels, train a named model or evaluate one on it, write a file's predictions.

Files are read as imports read them (encodings, XLSX, Arabic-Indic digits); every problem with
one is an ApplicationError naming the file, the column or the row, raised before anything is
stored or written.
"""

from __future__ import annotations

import csv
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from sawt.classification.models import ClassifierModel
from sawt.classification.services import classifier_save
from sawt.core.exceptions import ApplicationError
from sawt.core.safe_cells import neutralise
from sawt.imports.problems import ImportFailed
from sawt.imports.readers import normalise_header, open_table
from sawt.textanalytics.labelled import (
    LabelledTexts,
    cell_text,
    labelled_texts,
    texts_to_predict,
)

# The model code (scikit-learn, ~0.5 s to load) is imported inside the functions that train,
# evaluate or predict, so `sawt classifier --help` and `list` start at once.

# The columns `predictions_write` adds; a file that has one already is refused.
PREDICTED_COLUMNS = ("predicted", "confidence")


@dataclass(frozen=True)
class TextTable:
    """A file of texts as read: its header as written, its rows, where the columns are."""

    header: list[str]
    rows: list[list[Any]]
    text_at: int
    label_at: int | None


@dataclass(frozen=True)
class FileTraining:
    """A model trained from a file: the stored version, its scores, rows left out."""

    model: ClassifierModel
    report: dict[str, Any]
    skipped: int


@dataclass(frozen=True)
class PredictionsWritten:
    """What `predictions_write` wrote: rows, and predictions below the model's threshold."""

    rows: int
    below_threshold: int


def _column(header: list[str], name: str, path: Path, option: str) -> int:
    wanted = normalise_header(name)
    if wanted not in header:
        raise ApplicationError(
            _("%(file)s has no column “%(column)s” (%(option)s). Its columns are: %(columns)s.")
            % {
                "file": path,
                "column": name,
                "option": option,
                "columns": ", ".join(h for h in header if h) or "—",
            }
        )
    return header.index(wanted)


def text_table_read(path: Path, *, text_column: str, label_column: str | None) -> TextTable:
    """Every row of a CSV or XLSX file, with the positions of its text and label columns."""
    if not path.is_file():
        raise ApplicationError(_("There is no file at %(path)s.") % {"path": path})
    try:
        with open_table(path) as table:
            text_at = _column(table.header, text_column, path, "--text-column")
            label_at = (
                _column(table.header, label_column, path, "--label-column")
                if label_column
                else None
            )
            rows = [list(cells) for _number, cells in table.rows()]
            table.problems.raise_if_any()
            return TextTable(table.raw_header, rows, text_at, label_at)
    except ImportFailed as exc:
        raise ApplicationError(
            "\n".join([_("%(file)s could not be read:") % {"file": path}, *exc.lines()[1:]])
        ) from exc


def labelled_texts_read(path: Path, *, text_column: str, label_column: str) -> LabelledTexts:
    """A file's redacted texts and their labels; refused with fewer than two distinct labels."""
    table = text_table_read(path, text_column=text_column, label_column=label_column)
    assert table.label_at is not None  # asked for above
    found = labelled_texts(table.rows, table.text_at, table.label_at)
    distinct = len(set(found.labels))
    if distinct < 2:
        raise ApplicationError(
            _(
                "%(file)s has %(count)d labelled row(s) with %(labels)d distinct label(s) in "
                "“%(column)s”; training needs at least two different labels."
            )
            % {
                "file": path,
                "count": len(found.labels),
                "labels": distinct,
                "column": label_column,
            }
        )
    return found


def folds_check(folds: int) -> None:
    """Cross-validation needs two folds at least."""
    if folds < 2:
        raise ApplicationError(_("--folds must be 2 or more (got %(folds)d).") % {"folds": folds})


def engine_check(engine: str | None) -> str:
    """The engine that will train: the one asked for, else the deployment's
    SAWT_CLASSIFIER_ENGINE (`auto`: deep when installed). Refused, saying how to install it,
    when the deep engine is asked for and absent."""
    from sawt.textanalytics import engines

    try:
        return engines.resolve(engine or settings.SAWT_CLASSIFIER_ENGINE)
    except engines.EngineUnavailable as exc:
        raise ApplicationError(
            _(
                "The deep engine is not installed here. Install it with "
                "“pip install 'sawt[deep]'”, or train with --engine fast."
            )
        ) from exc


def classifier_train_from_file(
    *,
    name: str,
    path: Path,
    text_column: str,
    label_column: str,
    folds: int,
    engine: str | None = None,
    progress: Any = None,
    actor: Any = None,
) -> FileTraining:
    """Train the next version of the model `name` on a labelled file and store it."""
    folds_check(folds)
    chosen = engine_check(engine)
    found = labelled_texts_read(path, text_column=text_column, label_column=label_column)
    from sawt.textanalytics import engines

    trained = engines.train(
        found.texts, found.labels, engine=chosen, folds=folds, progress=progress
    )
    model = classifier_save(name=name, trained=trained, source=path.name, actor=actor)
    return FileTraining(model, trained.report, found.skipped)


def classifier_evaluate_file(
    *, path: Path, text_column: str, label_column: str, folds: int, test: Path | None = None
) -> dict[str, Any]:
    """Scores of a model trained on a labelled file: cross-validated, or on `test`. Stores
    nothing."""
    folds_check(folds)
    found = labelled_texts_read(path, text_column=text_column, label_column=label_column)
    tested = (
        labelled_texts_read(test, text_column=text_column, label_column=label_column)
        if test is not None
        else None
    )
    from sawt.textanalytics import classifier as ml

    if tested is not None:
        report = ml.evaluate_split(found.texts, found.labels, tested.texts, tested.labels).report
        report["skipped_rows"] = found.skipped + tested.skipped
    else:
        report = ml.cross_validate(found.texts, found.labels, folds=folds).report
        report["skipped_rows"] = found.skipped
    return report


def learning_curve_file(
    *,
    path: Path,
    test: Path | None,
    text_column: str,
    label_column: str,
    ks: str,
    seeds: int,
) -> dict[str, Any]:
    """The learning curve of the fast model (see sawt.textanalytics.learning): trained on `path`
    plus k labelled examples per label of `test`, scored on the rest of `test`. Stores
    nothing."""
    from sawt.textanalytics.learning import learning_curve, parse_ks

    if test is None:
        raise ApplicationError(
            _(
                "--learning-curve draws the analysts' examples from a second file: give it with "
                "--test FILE2."
            )
        )
    try:
        counts = parse_ks(ks)
    except ValueError as exc:
        raise ApplicationError(
            _(
                "--learning-curve takes whole numbers of examples per label of at least 1, "
                "separated by commas (e.g. 1,2,5,10); “%(part)s” is not one."
            )
            % {"part": exc.args[0]}
        ) from exc
    if not 1 <= seeds <= 20:
        raise ApplicationError(
            _("--seeds must be between 1 and 20 (got %(seeds)d).") % {"seeds": seeds}
        )
    found = labelled_texts_read(path, text_column=text_column, label_column=label_column)
    tested = labelled_texts_read(test, text_column=text_column, label_column=label_column)
    points, facts = learning_curve(
        found.texts, found.labels, tested.texts, tested.labels, counts, seeds=seeds
    )
    return {
        **facts,
        "skipped_rows": found.skipped + tested.skipped,
        "learning_curve": [asdict(point) for point in points],
    }


def _csv_cell(value: Any) -> str:
    """A cell of the predictions file: text neutralised as the XLSX export does (a spreadsheet
    would run `=…`, `+…`, `-…`, `@…` as a formula); numbers read from XLSX stay numbers."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return cell_text(value)
    return neutralise(cell_text(value))


def predictions_write(
    *, model: ClassifierModel, path: Path, text_column: str, out: Path
) -> PredictionsWritten:
    """Write `out`: every row of `path`, in order, plus the model's label and confidence."""
    from sawt.textanalytics.classifier import TrainedModel

    trained = TrainedModel.loads(model.artefact)
    table = text_table_read(path, text_column=text_column, label_column=None)
    for name in PREDICTED_COLUMNS:
        if normalise_header(name) in [normalise_header(h) for h in table.header]:
            raise ApplicationError(
                _("%(file)s already has a “%(column)s” column; rename it first.")
                % {"file": path, "column": name}
            )
    filled, texts = texts_to_predict(table.rows, table.text_at)
    result = trained.predict(texts)
    predicted = dict(zip(filled, zip(result.labels, result.confidences, strict=True), strict=True))
    # Written whole to a temporary file and renamed, so a failure never leaves half a file.
    partial = out.with_name(out.name + ".partial")
    # With a BOM: Excel, where analysts open these files, then reads the Arabic as UTF-8.
    with partial.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow([_csv_cell(h) for h in table.header] + list(PREDICTED_COLUMNS))
        for i, cells in enumerate(table.rows):
            label, conf = predicted.get(i, ("", None))
            writer.writerow(
                [_csv_cell(c) for c in cells]
                + [neutralise(label), "" if conf is None else f"{conf:.4f}"]
            )
    partial.replace(out)
    below = sum(1 for c in result.confidences if c < model.threshold)
    return PredictionsWritten(len(table.rows), below)
