"""sawt contacts erase --mobile NUMBER | --email ADDRESS: a person's contact details erased
everywhere, on their request (Saudi PDPL), their answers and invitations kept."""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandParser
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from sawt.core.commands import DatabaseCommand
from sawt.core.exceptions import ApplicationError
from sawt.distribution.services.contacts import contacts_erase


class Command(DatabaseCommand):
    help = "Personal data of the people invited to surveys: erase a person's contact details."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        erase = sub.add_parser(
            "erase",
            help="erase one person's mobile number and e-mail address from every survey",
        )
        who = erase.add_mutually_exclusive_group(required=True)
        who.add_argument("--mobile", help="their mobile number, written any usual way")
        who.add_argument("--email", help="their e-mail address")
        erase.add_argument(
            "--lang", choices=["ar", "en"], help="language of the messages (default: Arabic)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        with translation.override(options.get("lang") or translation.get_language()):
            try:
                erased = contacts_erase(
                    mobile=options.get("mobile") or "",
                    email=options.get("email") or "",
                    actor=None,
                )
            except ApplicationError as error:
                self.stderr.write(error.message, style_func=lambda text: text)
                raise SystemExit(1) from None
            if not erased:
                # Not an error: the person asked for erasure and nothing of theirs is stored.
                self.stdout.write(
                    _("No contact details of this person are stored; nothing was erased.")
                )
                return
            self.stdout.write(
                ngettext(
                    "This person's contact details were erased from %(count)s survey; "
                    "their invitations and answers are kept.",
                    "This person's contact details were erased from %(count)s surveys; "
                    "their invitations and answers are kept.",
                    erased,
                )
                % {"count": erased}
            )
