"""sawt import-sample --survey CODE FILE [--sample N --seed S] [--strata COLUMN]."""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandParser
from django.utils.translation import gettext as _

from sawt.distribution.services.sample import sample_import
from sawt.imports.commands import ImportCommand


class Command(ImportCommand):
    help = (
        "Import the service users a survey may ask (CSV or XLSX, one row per person), all of "
        "them or a random sample; duplicates, opt-outs and people already invited are dropped "
        "and reported."
    )
    file_help = "the sample file (.csv or .xlsx): reference_id, mobile and/or email, …"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--survey", required=True, help="the survey code, as in its YAML")
        parser.add_argument(
            "--sample",
            type=int,
            metavar="N",
            help="invite a simple random sample of N of the people the file lists (default: all)",
        )
        parser.add_argument(
            "--seed",
            type=int,
            metavar="S",
            help="the random seed of the sample (default: one is drawn and printed)",
        )
        parser.add_argument(
            "--strata",
            default="",
            metavar="COLUMN",
            help="stratify by this attribute column (proportional allocation)",
        )
        super().add_arguments(parser)

    def run(self, options: dict[str, Any]) -> str:
        result = sample_import(
            survey_code=options["survey"],
            path=options["file"],
            sample=options["sample"],
            seed=options["seed"],
            strata=options["strata"],
            actor=None,
            progress=self.progress_wanted(options),
        )
        return _("Sample for survey “%(code)s”: %(summary)s") % {
            "code": options["survey"],
            "summary": result.summary(),
        }
