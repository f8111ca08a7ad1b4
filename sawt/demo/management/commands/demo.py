"""`sawt demo [--load-only] [--host H] [--port P]`: load the demo, say where to look, serve it."""

from __future__ import annotations

import os
import time
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import gettext as _

from sawt.core.access import Role
from sawt.demo.loader import DEMO_ACCOUNTS, DEMO_PASSWORD, demo_load


class Command(BaseCommand):
    help = "Load the demo (contractor classification, June 2022) and serve it."

    def add_arguments(self, parser: CommandParser) -> None:
        # argparse needs real strings, so the help is translated here, once a language is active.
        parser.description = _("Load the demo (contractor classification, June 2022) and serve it.")
        parser.add_argument(
            "--load-only", action="store_true", help=_("Load the demo without serving.")
        )
        parser.add_argument("--host", default=os.environ.get("SAWT_HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("SAWT_PORT", "8000")))

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.SAWT_PRODUCTION:
            # The demo's accounts share a password printed in the README, an administrator
            # among them: never on a server that holds real data or faces the public.
            self.stderr.write(
                _(
                    "sawt demo does not run under production settings: it creates an "
                    "administrator whose password is published. Import real data with the "
                    "import commands and create accounts with `sawt createuser`."
                ),
                style_func=lambda text: text,
            )
            raise SystemExit(1)
        # `sawt demo` is the first command a newcomer runs, often on an empty database.
        call_command("migrate", interactive=False, verbosity=0)
        started = time.monotonic()
        demo_load()
        seconds = time.monotonic() - started
        url = f"http://{options['host']}:{options['port']}/"
        self.stdout.write(_("Demo loaded in %(seconds).1f s.") % {"seconds": seconds})
        self.stdout.write(
            _("Open %(url)s and sign in with the password “%(password)s” as one of:")
            % {"url": url, "password": DEMO_PASSWORD}
        )
        for username, role, agency_code in DEMO_ACCOUNTS:
            agency = f" · {agency_code}" if agency_code else ""
            self.stdout.write(f"  {username:<14}{Role(role).label}{agency}")
        if not options["load_only"]:
            call_command("serve", host=options["host"], port=options["port"])
