"""`sawt impact --journey SLUG [--format json|table]`: did the implemented recommendations
work? (docs/impact.md)"""

from __future__ import annotations

import json
import sys
from typing import Any

from django.core.management.base import CommandParser
from django.utils import translation

from sawt.core.commands import DatabaseCommand
from sawt.core.exceptions import ApplicationError
from sawt.metrics.impact import journey_impact
from sawt.metrics.impact_render import impact_table


class Command(DatabaseCommand):
    help = (
        "Compare a journey's periods before and after each implemented recommendation: "
        "a verdict per item, stage and complaint category it should move (JSON or a table)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--journey", required=True, help="journey slug")
        parser.add_argument("--format", choices=["json", "table"], default="table")
        parser.add_argument("--lang", choices=["ar", "en"], help="language of the table")
        parser.add_argument("--digits", choices=["latin", "arabic"], default="latin")

    def handle(self, *args: Any, **opts: Any) -> None:
        with translation.override(opts["lang"] or translation.get_language()):
            try:
                result = journey_impact(journey=opts["journey"])
            except ApplicationError as exc:
                self.stderr.write(exc.message)
                sys.exit(1)
            if opts["format"] == "json":
                self.stdout.write(json.dumps(result, ensure_ascii=False, indent=2))
            else:
                self.stdout.write(impact_table(result, digits=opts["digits"]))
