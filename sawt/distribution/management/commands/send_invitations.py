"""sawt send-invitations --survey CODE [--channel email|sms] [--limit N]."""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import CommandParser
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from sawt.core.commands import DatabaseCommand
from sawt.core.exceptions import ApplicationError
from sawt.distribution.services.invitations import invitations_send
from sawt.imports.problems import application_error_lines
from sawt.surveys.models import Survey


class Command(DatabaseCommand):
    help = (
        "Queue one invitation for each person in a survey's sample not yet invited (never "
        "twice, never anyone who opted out); a worker sends them."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--survey", required=True, help="the survey code, as in its YAML")
        parser.add_argument(
            "--channel",
            choices=["email", "sms"],
            help="send through this channel only (default: SMS to whoever has a mobile number, "
            "e-mail to the others)",
        )
        parser.add_argument(
            "--limit", type=int, metavar="N", help="queue at most N invitations this time"
        )
        parser.add_argument(
            "--lang", choices=["ar", "en"], help="language of the messages (default: Arabic)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        with translation.override(options["lang"] or translation.get_language()):
            code = options["survey"]
            survey = Survey.objects.filter(code=code).first()
            if survey is None:
                self._refuse([_("No survey has the code “%(code)s”.") % {"code": code}])
            assert survey is not None
            try:
                # The operator on the server acts as the system (sawt.core.access).
                queued = invitations_send(
                    survey=survey,
                    channel=options["channel"],
                    limit=options["limit"],
                    actor=None,
                )
            except ApplicationError as error:
                self._refuse(application_error_lines(error))
            if queued == 0:
                self.stdout.write(
                    _(
                        "Nobody is left to invite for survey “%(code)s”: everyone in its sample "
                        "was invited already, opted out, or has no contact for this channel."
                    )
                    % {"code": code}
                )
                return
            self.stdout.write(
                ngettext(
                    "Queued %(count)d invitation for survey “%(code)s”; a worker sends it "
                    "(sawt worker).",
                    "Queued %(count)d invitations for survey “%(code)s”; a worker sends them "
                    "(sawt worker).",
                    queued,
                )
                % {"count": queued, "code": code}
            )

    def _refuse(self, lines: list[str]) -> None:
        for line in lines:
            self.stderr.write(line, style_func=lambda text: text)
        sys.exit(1)
