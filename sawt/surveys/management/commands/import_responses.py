"""sawt import-responses --survey CODE FILE: one row per respondent, CSV or XLSX."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import CommandParser
from django.utils.translation import gettext as _

from sawt.imports.commands import ImportCommand
from sawt.imports.mapping import load_mapping
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
        parser.add_argument(
            "--mapping",
            type=Path,
            metavar="FILE",
            help=(
                "a mapping profile (YAML): the sheet, the header row, which column is which, "
                "the date format or calendar, value maps, columns to drop"
            ),
        )
        super().add_arguments(parser)

    def run(self, options: dict[str, Any]) -> str:
        result = responses_import(
            survey_code=options["survey"],
            path=options["file"],
            source=options["source"],
            progress=self.progress_wanted(options),
            mapping=load_mapping(options["mapping"]) if options["mapping"] else None,
        )
        return _("Responses for survey “%(code)s”: %(summary)s") % {
            "code": options["survey"],
            "summary": result.summary(),
        } + "".join(f"\n{line}" for line in result.lines()[1:])
