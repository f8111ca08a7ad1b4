"""`sawt classifier train|predict|evaluate|list`: reason classification for any labelled file.

    sawt classifier train --name NAME FILE --text-column C --label-column L
    sawt classifier predict --name NAME FILE --text-column C --out OUT.csv
    sawt classifier evaluate FILE --text-column C --label-column L --folds 5 --format json

Texts are redacted (national IDs, phones, IBANs …) before any model sees them, so no personal
data ends up in a stored model's vocabulary. Files are CSV or XLSX, read as imports read them.
"""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import translation
from django.utils.translation import gettext as _

from sawt.classification.models import ClassifierModel
from sawt.classification.services import classifier_save
from sawt.core.exceptions import ApplicationError
from sawt.imports.problems import ImportFailed
from sawt.imports.readers import normalise_header, open_table
from sawt.reports.safe_cells import neutralise
from sawt.textanalytics import classifier as ml
from sawt.textanalytics.arabic import redact_pii


class _Refused(Exception):
    """A problem with the command's input, already worded for the person who ran it."""


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # labels such as 3 read from XLSX as 3.0
    return str(value).strip()


def _csv_cell(value: Any) -> str:
    """A cell of the predictions file: text neutralised as the XLSX export does (a spreadsheet
    would run `=…`, `+…`, `-…`, `@…` as a formula); numbers read from XLSX stay numbers."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return _cell(value)
    return neutralise(_cell(value))


def _column(header: list[str], name: str, path: Path, option: str) -> int:
    wanted = normalise_header(name)
    if wanted not in header:
        raise _Refused(
            _("%(file)s has no column “%(column)s” (%(option)s). Its columns are: %(columns)s.")
            % {
                "file": path,
                "column": name,
                "option": option,
                "columns": ", ".join(h for h in header if h) or "—",
            }
        )
    return header.index(wanted)


def _read(path: Path, text_column: str, label_column: str | None):
    """(raw header, rows as cell lists, text index, label index) of a CSV or XLSX file."""
    if not path.is_file():
        raise _Refused(_("There is no file at %(path)s.") % {"path": path})
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
            return table.raw_header, rows, text_at, label_at
    except ImportFailed as exc:
        raise _Refused(
            "\n".join([_("%(file)s could not be read:") % {"file": path}, *exc.lines()[1:]])
        ) from exc


def _labelled(path: Path, text_column: str, label_column: str) -> tuple[list[str], list[str], int]:
    """Redacted texts and their labels; rows missing either are left out and counted."""
    _header, rows, text_at, label_at = _read(path, text_column, label_column)
    texts, labels, skipped = [], [], 0
    for cells in rows:
        text, label = _cell(cells[text_at]), _cell(cells[label_at])
        if not text or not label:
            skipped += 1
            continue
        texts.append(redact_pii(text))
        labels.append(label)
    if len(set(labels)) < 2:
        raise _Refused(
            _(
                "%(file)s has %(count)d labelled row(s) with %(labels)d distinct label(s) in "
                "“%(column)s”; training needs at least two different labels."
            )
            % {
                "file": path,
                "count": len(labels),
                "labels": len(set(labels)),
                "column": label_column,
            }
        )
    return texts, labels, skipped


class Command(BaseCommand):
    help = "Train, apply and evaluate reason classifiers on labelled CSV or XLSX files."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.description = _(
            "Train, apply and evaluate reason classifiers on labelled CSV or XLSX files."
        )
        sub = parser.add_subparsers(dest="action", required=True, metavar="ACTION")

        train = sub.add_parser(
            "train", help=_("Train a named model; prints cross-validated scores.")
        )
        train.add_argument("--name", required=True, help=_("model name; each run adds a version"))
        train.add_argument("file", type=Path)
        train.add_argument("--text-column", required=True)
        train.add_argument("--label-column", required=True)
        train.add_argument("--folds", type=int, default=5)
        train.add_argument("--format", choices=["table", "json"], default="table")

        predict = sub.add_parser("predict", help=_("Add predicted and confidence columns."))
        predict.add_argument("--name", required=True)
        predict.add_argument("--version", type=int, help=_("a version other than the newest"))
        predict.add_argument("file", type=Path)
        predict.add_argument("--text-column", required=True)
        predict.add_argument("--out", required=True, type=Path)

        evaluate = sub.add_parser(
            "evaluate", help=_("Cross-validate (or train on FILE and test on --test).")
        )
        evaluate.add_argument("file", type=Path)
        evaluate.add_argument("--text-column", required=True)
        evaluate.add_argument("--label-column", required=True)
        evaluate.add_argument("--folds", type=int, default=5)
        evaluate.add_argument(
            "--test",
            type=Path,
            help=_("score on this file instead of folds (e.g. another variety of Arabic)"),
        )
        evaluate.add_argument("--format", choices=["table", "json"], default="table")

        listing = sub.add_parser("list", help=_("List stored models and their scores."))
        for each in (train, predict, evaluate, listing):
            each.add_argument("--lang", choices=["ar", "en"], help=_("language of the messages"))

    def handle(self, *args: Any, **opts: Any) -> None:
        with translation.override(opts.get("lang") or translation.get_language()):
            try:
                getattr(self, f"_{opts['action']}")(opts)
            except (_Refused, ApplicationError) as exc:
                self.stderr.write(str(getattr(exc, "message", exc)))
                sys.exit(1)

    # --- actions ------------------------------------------------------------------------------

    def _train(self, opts: dict[str, Any]) -> None:
        self._check_folds(opts["folds"])
        texts, labels, skipped = _labelled(opts["file"], opts["text_column"], opts["label_column"])
        trained = ml.train(texts, labels, folds=opts["folds"])
        model = classifier_save(name=opts["name"], trained=trained, source=opts["file"].name)
        if opts["format"] == "json":
            out = {"name": model.name, "version": model.version, "skipped_rows": skipped}
            self.stdout.write(json.dumps({**out, **trained.report}, ensure_ascii=False, indent=2))
            return
        self.stdout.write(
            _("Trained %(model)s on %(count)d texts in %(seconds).1f s.")
            % {"model": model, "count": model.training_size, "seconds": model.train_seconds}
        )
        if skipped:
            self.stdout.write(
                _("%(count)d row(s) without a text or a label were left out.") % {"count": skipped}
            )
        self._write_scores(trained.report)

    def _predict(self, opts: dict[str, Any]) -> None:
        model = self._model(opts["name"], opts.get("version"))
        trained = ml.TrainedModel.loads(model.artefact)
        header, rows, text_at, _label = _read(opts["file"], opts["text_column"], None)
        for name in ("predicted", "confidence"):
            if normalise_header(name) in [normalise_header(h) for h in header]:
                raise _Refused(
                    _("%(file)s already has a “%(column)s” column; rename it first.")
                    % {"file": opts["file"], "column": name}
                )
        texts = [_cell(cells[text_at]) for cells in rows]
        filled = [i for i, text in enumerate(texts) if text]
        result = trained.predict([redact_pii(texts[i]) for i in filled])
        predicted = dict(
            zip(filled, zip(result.labels, result.confidences, strict=True), strict=True)
        )
        # Written whole to a temporary file and renamed, so a failure never leaves half a file.
        out = opts["out"]
        partial = out.with_name(out.name + ".partial")
        # With a BOM: Excel, where analysts open these files, then reads the Arabic as UTF-8.
        with partial.open("w", encoding="utf-8-sig", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow([_csv_cell(h) for h in header] + ["predicted", "confidence"])
            for i, cells in enumerate(rows):
                label, conf = predicted.get(i, ("", None))
                writer.writerow(
                    [_csv_cell(c) for c in cells]
                    + [neutralise(label), "" if conf is None else f"{conf:.4f}"]
                )
        partial.replace(out)
        below = sum(1 for c in result.confidences if c < model.threshold)
        self.stdout.write(
            _(
                "Wrote %(rows)d rows to %(out)s with %(model)s; %(below)d prediction(s) are below "
                "its review threshold of %(threshold).2f."
            )
            % {
                "rows": len(rows),
                "out": out,
                "model": model,
                "below": below,
                "threshold": model.threshold,
            }
        )

    def _evaluate(self, opts: dict[str, Any]) -> None:
        self._check_folds(opts["folds"])
        texts, labels, skipped = _labelled(opts["file"], opts["text_column"], opts["label_column"])
        if opts.get("test"):
            test_texts, test_labels, test_skipped = _labelled(
                opts["test"], opts["text_column"], opts["label_column"]
            )
            report = ml.evaluate_split(texts, labels, test_texts, test_labels).report
            report["skipped_rows"] = skipped + test_skipped
        else:
            report = ml.cross_validate(texts, labels, folds=opts["folds"]).report
            report["skipped_rows"] = skipped
        if opts["format"] == "json":
            self.stdout.write(json.dumps(report, ensure_ascii=False, indent=2))
        else:
            self._write_scores(report)

    def _list(self, opts: dict[str, Any]) -> None:
        models = ClassifierModel.objects.defer("artefact").order_by("name", "-version")
        if not models:
            self.stdout.write(_("No classifier has been trained yet."))
        for model in models:
            self.stdout.write(
                f"{model.name:<30} v{model.version:<4} {model.training_size:>8}  "
                f"macro-F1 {model.macro_f1 if model.macro_f1 is not None else '—'}  "
                f"{model.created_at:%Y-%m-%d %H:%M}"
            )

    # --- helpers ------------------------------------------------------------------------------

    def _check_folds(self, folds: int) -> None:
        if folds < 2:
            raise _Refused(_("--folds must be 2 or more (got %(folds)d).") % {"folds": folds})

    def _model(self, name: str, version: int | None) -> ClassifierModel:
        models = ClassifierModel.objects.filter(name=name).order_by("-version")
        model = models.filter(version=version).first() if version else models.first()
        if model is None:
            known = sorted(set(ClassifierModel.objects.values_list("name", flat=True)))
            raise _Refused(
                _("No classifier “%(name)s”%(version)s. Trained models: %(known)s.")
                % {
                    "name": name,
                    "version": f" v{version}" if version else "",
                    "known": ", ".join(known) or "—",
                }
            )
        return model

    def _write_scores(self, report: dict[str, Any]) -> None:
        w = self.stdout.write
        figures = {"f1": report["macro_f1"], "acc": report["accuracy"]}
        if "test_examples" in report:
            w(
                _(
                    "Macro-F1 %(f1).3f · accuracy %(acc).3f · trained on %(examples)d texts, "
                    "tested on %(tested)d others"
                )
                % {**figures, "examples": report["examples"], "tested": report["test_examples"]}
            )
        else:
            w(
                _("Macro-F1 %(f1).3f · accuracy %(acc).3f · %(examples)d examples")
                % {**figures, "examples": report["examples"]}
            )
        names = {"majority": _("most frequent label"), "keyword": _("keyword lists")}
        for name, scores in report.get("baselines", {}).items():
            w(
                _("  baseline %(name)s: macro-F1 %(f1).3f · accuracy %(acc).3f")
                % {
                    "name": names.get(name, name),
                    "f1": scores["macro_f1"],
                    "acc": scores["accuracy"],
                }
            )
        threshold = report["threshold"]
        w(
            _(
                "Review threshold %(value).2f: the model settles %(coverage).0f%% of texts alone "
                "(right %(precision)s of the time); the rest go to the review queue."
            )
            % {
                "value": threshold["value"],
                "coverage": 100 * threshold["coverage"],
                "precision": "—"
                if threshold["precision"] is None
                else f"{100 * threshold['precision']:.0f}%",
            }
        )
        w(
            _("Training %(seconds).2f s; prediction %(rate)s texts/s.")
            % {"seconds": report["train_seconds"], "rate": report.get("texts_per_second") or "—"}
        )
        width = max((len(label) for label in report["per_class"]), default=5)
        w("")
        w(f"{_('label'):<{width}}  {'P':>6} {'R':>6} {'F1':>6} {'n':>6}")
        for label, s in report["per_class"].items():
            w(
                f"{label:<{width}}  {s['precision']:>6.3f} {s['recall']:>6.3f} "
                f"{s['f1']:>6.3f} {s['support']:>6}"
            )
        for warning in report.get("warnings", []):
            w(_("Note: %(warning)s") % {"warning": warning})
