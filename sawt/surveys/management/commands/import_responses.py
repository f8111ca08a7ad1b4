"""sawt import-responses --survey CODE FILE: one row per respondent, CSV or XLSX."""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandParser
from django.utils.translation import gettext as _

from sawt.imports.commands import ImportCommand
from sawt.surveys.services import responses_import


class Command(ImportCommand):
    help = "Import survey responses (CSV or XLSX, one row per respondent) into a survey."
    file_help = "the responses file (.csv or .xlsx)"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--survey", required=True, help="the survey code, as in its YAML")
        parser.add_argument(
            "--from",
            dest="source",
            default="sawt",
            metavar="SOURCE",
            help=(
                "whose export the file is: sawt (the default), kobo, odk, qualtrics, "
                "limesurvey, forms or spss"
            ),
        )
        super().add_arguments(parser)

    def run(self, options: dict[str, Any]) -> str:
        result = responses_import(
            survey_code=options["survey"],
            path=options["file"],
            source=options["source"],
            progress=self.progress_wanted(options),
        )
        return _("Responses for survey “%(code)s”: %(summary)s") % {
            "code": options["survey"],
            "summary": result.summary(),
        }
