"""`sawt summary --journey SLUG --period YYYY-MM [--segment ATTR=VALUE] --format json|table`."""

from __future__ import annotations

import json
import sys
from typing import Any

from django.core.management.base import CommandParser
from django.utils import translation

from sawt.core.commands import DatabaseCommand
from sawt.core.exceptions import ApplicationError
from sawt.metrics.render import summary_table
from sawt.metrics.segments import parse_segment
from sawt.metrics.selectors import journey_summary


class Command(DatabaseCommand):
    help = (
        "Print the measurement of a journey for a period (JSON for machines, a table for people)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--journey", required=True, help="journey slug")
        parser.add_argument("--period", required=True, help="period as YYYY-MM")
        parser.add_argument("--format", choices=["json", "table"], default="table")
        parser.add_argument("--lang", choices=["ar", "en"], help="language of the table")
        parser.add_argument("--digits", choices=["latin", "arabic"], default="latin")
        parser.add_argument(
            "--segment",
            metavar="ATTR=VALUE",
            help="only the respondents with this attribute value, e.g. region=الرياض",
        )

    def handle(self, *args: Any, **opts: Any) -> None:
        with translation.override(opts["lang"] or translation.get_language()):
            try:
                segment = parse_segment(opts["segment"]) if opts["segment"] else None
                summary = journey_summary(
                    journey_slug=opts["journey"], period=opts["period"], segment=segment
                )
            except ApplicationError as exc:
                self.stderr.write(exc.message)
                sys.exit(1)
            if opts["format"] == "json":
                self.stdout.write(json.dumps(summary, ensure_ascii=False, indent=2))
            else:
                self.stdout.write(summary_table(summary, digits=opts["digits"]))
