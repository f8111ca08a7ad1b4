"""sawt import-survey FILE.yaml: create or update a journey definition.

With `--from xlsform|limesurvey` the file is a survey tool's (an XLSForm workbook, a LimeSurvey
`.lss` or `.lsa`) and `--journey`, `--period` and `--survey` say where it goes."""

from __future__ import annotations

from pathlib import Path
from typing import Any, NoReturn

from django.core.management.base import CommandParser
from django.utils.translation import gettext as _

from sawt.imports.commands import ImportCommand
from sawt.surveys.importers.definition_sources import DEFINITION_SOURCES
from sawt.surveys.importers.tools import DEFAULT_BEST, ToolTarget
from sawt.surveys.services import survey_definition_import

_TARGET = ("journey", "period", "survey")


class Command(ImportCommand):
    help = (
        "Import or update a journey definition (YAML): stages, gap categories, survey, "
        "questions; or, with --from xlsform|limesurvey, a survey made in another tool."
    )
    file_help = "the journey definition (YAML), or with --from the tool's survey file"
    progress_option = False

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument(
            "--from",
            dest="source",
            choices=DEFINITION_SOURCES,
            default="sawt",
            help="what the file is: sawt's YAML (default), an XLSForm, a LimeSurvey .lss/.lsa",
        )
        parser.add_argument("--journey", help="with --from: the journey's slug")
        parser.add_argument("--period", help="with --from: the survey's month, YYYY-MM")
        parser.add_argument("--survey", help="with --from: the survey's code")
        parser.add_argument(
            "--agency", help="with --from: the agency's code (needed for a new journey)"
        )
        parser.add_argument(
            "--best",
            choices=["first", "last"],
            default=None,
            help=f"with --from: which end of an ordered answer list is best "
            f"(default: {DEFAULT_BEST})",
        )
        parser.add_argument(
            "--overlay",
            type=Path,
            help="with --from: a YAML file setting question kinds and stages by code",
        )

    def run(self, options: dict[str, Any]) -> str:
        source = options["source"]
        target = None
        if source == "sawt":
            given = [
                f"--{name}"
                for name in (*_TARGET, "agency", "best", "overlay")
                if options.get(name) is not None
            ]
            if given:
                _refuse_options(given)
        else:
            missing = [f"--{name}" for name in _TARGET if not options.get(name)]
            if missing:
                _refuse_missing(missing, source)
            target = ToolTarget(
                journey=options["journey"].strip(),
                period=options["period"].strip(),
                survey=options["survey"].strip(),
                agency=options["agency"].strip() if options.get("agency") else None,
                best=options["best"] or DEFAULT_BEST,
                overlay=options["overlay"],
            )
        imported = survey_definition_import(path=options["file"], source=source, target=target)
        line = _("Survey “%(code)s” (%(period)s): %(summary)s") % {
            "code": imported.survey.code,
            "period": imported.survey.period,
            "summary": imported.result.summary("items"),
        }
        if skipped := imported.skipped:
            line += "\n" + _("Left out (sawt cannot score or read them): %(items)s") % {
                "items": "; ".join(skipped)
            }
        return line


def _refuse_options(given: list[str]) -> NoReturn:
    from sawt.imports.readers import refuse

    raise refuse(
        _(
            "%(options)s go with --from xlsform or --from limesurvey; a journey definition "
            "(YAML) names its journey, survey and month itself."
        )
        % {"options": ", ".join(given)},
        unit="line",
    )


def _refuse_missing(missing: list[str], source: str) -> NoReturn:
    from sawt.imports.readers import refuse

    raise refuse(
        _("--from %(source)s needs %(options)s: where the survey goes in sawt.")
        % {"source": source, "options": ", ".join(missing)}
    )
