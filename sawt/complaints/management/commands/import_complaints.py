"""sawt import-complaints --journey SLUG FILE: one row per complaint, CSV or XLSX."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import CommandParser
from django.utils.translation import gettext as _

from sawt.complaints.services import complaints_import
from sawt.imports.commands import ImportCommand
from sawt.imports.mapping import load_mapping


class Command(ImportCommand):
    help = "Import complaints (CSV or XLSX, one row per complaint) into a journey."
    file_help = "the complaints file (.csv or .xlsx)"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--journey", required=True, help="the journey slug, as in its YAML")
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
        result = complaints_import(
            journey_slug=options["journey"],
            path=options["file"],
            progress=self.progress_wanted(options),
            mapping=load_mapping(options["mapping"]) if options["mapping"] else None,
        )
        return _("Complaints for journey “%(slug)s”: %(summary)s") % {
            "slug": options["journey"],
            "summary": result.summary(),
        } + "".join(f"\n{line}" for line in result.lines()[1:])
