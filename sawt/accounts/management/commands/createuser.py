"""`sawt createuser --username U --role ROLE [--agency CODE] [--email E] [--password-stdin]`."""

from __future__ import annotations

import getpass
import os
import sys
from typing import Any, NoReturn, TextIO

from django.core.management.base import CommandParser
from django.utils import translation
from django.utils.translation import gettext as _

from sawt.accounts.services import user_create, user_create_problems
from sawt.core.access import Role
from sawt.core.commands import DatabaseCommand
from sawt.core.exceptions import ApplicationError

# For scripts that cannot pipe; a password on the command line would sit in `ps` and in history.
PASSWORD_ENV = "SAWT_NEW_PASSWORD"


class Command(DatabaseCommand):
    help = "Create an account with a role (and, for an agency member, its agency)."
    # `stdin` lets tests hand the command a stream, as Django's createsuperuser does.
    stealth_options = ("stdin",)

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--username", required=True)
        parser.add_argument("--role", required=True, help="one of: " + ", ".join(Role.values))
        parser.add_argument("--agency", help="the agency's code (agency members only)")
        parser.add_argument("--email", default="")
        parser.add_argument(
            "--password-stdin",
            action="store_true",
            help=f"read the password from the first line of standard input (else ${PASSWORD_ENV}, "
            "else a prompt)",
        )
        parser.add_argument(
            "--lang", choices=["ar", "en"], help="language of the messages (default: Arabic)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        stdin: TextIO = options.get("stdin") or sys.stdin
        with translation.override(options["lang"] or translation.get_language()):
            details = {
                "username": options["username"],
                "role": options["role"],
                "agency_code": options["agency"] or None,
                "email": options["email"],
            }
            # Refuse a bad role or agency before asking for a password that would be wasted.
            if problems := user_create_problems(**details):
                self._refuse(_("The account was not created."), problems)
            password = self._password(options, stdin)
            try:
                user = user_create(**details, password=password, actor=None)
            except ApplicationError as exc:
                self._refuse(exc.message, exc.problems)
            self.stdout.write(
                _("Created the account “%(username)s” with the role “%(role)s”.")
                % {"username": user.username, "role": Role(options["role"]).label}
            )

    def _refuse(self, message: str, problems: list) -> NoReturn:
        for line in [message, *map(str, problems)]:
            self.stderr.write(line, style_func=lambda text: text)
        # SystemExit, not CommandError: Django would prefix "CommandError:" to the message.
        raise SystemExit(1)

    def _password(self, options: dict[str, Any], stdin: TextIO) -> str:
        if options["password_stdin"]:
            return stdin.readline().rstrip("\r\n")
        if PASSWORD_ENV in os.environ:
            return os.environ[PASSWORD_ENV]
        if not stdin.isatty():
            self._refuse(
                _("No password was given."),
                [_("Give it with --password-stdin, or in the SAWT_NEW_PASSWORD variable.")],
            )
        password = getpass.getpass(_("Password: "))
        if getpass.getpass(_("Password (again): ")) != password:
            self._refuse(_("The account was not created."), [_("The two passwords differ.")])
        return password
