"""`sawt token create|list|revoke`: the API tokens other systems call sawt with (docs/api.md).

    sawt token create --name NAME (--agency CODE | --all) --scope read|write
    sawt token list
    sawt token revoke NAME

`create` prints the token, and only the token, on standard output so a script can capture it
(`TOKEN=$(sawt token create …)`); what it says to a person goes to standard error. The token is
shown this once: only its hash is stored. The command runs as the system (the operator on the
server), as `createuser` does; the rules are the services' (sawt/accounts/tokens.py).
"""

from __future__ import annotations

import datetime as dt
from typing import Any, NoReturn

from django.core.management.base import CommandParser
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from sawt.accounts.models import ApiToken, ApiTokenScope
from sawt.accounts.tokens import token_create, token_revoke, tokens_list
from sawt.core.commands import DatabaseCommand
from sawt.core.exceptions import ApplicationError


def _when(value: dt.datetime | None) -> str:
    # Minutes in the ministry's time zone, with the offset so nobody has to guess it.
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M %z") if value else "—"


class Command(DatabaseCommand):
    help = "API tokens for other systems: create one (shown once), list them, revoke one."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        create = sub.add_parser(
            "create", help="make a token and print it once (only the token, on standard output)"
        )
        create.add_argument("--name", required=True, help="a unique name, e.g. the system's")
        # --agency and --all are checked in handle, not by argparse: its refusal is in English.
        create.add_argument(
            "--agency", metavar="CODE", help="the code of the one agency the token may see"
        )
        create.add_argument("--all", action="store_true", dest="all_agencies", help="every agency")
        create.add_argument(
            "--scope",
            required=True,
            metavar="read|write",
            help="read, or write (push data and move recommendations)",
        )
        sub.add_parser("list", help="every token, revoked ones too (never the token itself)")
        revoke = sub.add_parser("revoke", help="refuse a token from its next request on")
        revoke.add_argument("name")
        for each in sub.choices.values():
            each.add_argument(
                "--lang", choices=["ar", "en"], help="language of the messages (default: Arabic)"
            )

    def handle(self, *args: Any, **options: Any) -> None:
        with translation.override(options.get("lang") or translation.get_language()):
            try:
                getattr(self, f"_{options['action']}")(options)
            except ApplicationError as exc:
                self._refuse(exc.message)

    def _refuse(self, message: str) -> NoReturn:
        self.stderr.write(message, style_func=lambda text: text)
        # SystemExit, not CommandError: Django would prefix "CommandError:" to the message.
        raise SystemExit(1)

    def _say(self, message: str) -> None:
        self.stderr.write(message, style_func=lambda text: text)

    # --- actions ------------------------------------------------------------------------------

    def _create(self, options: dict[str, Any]) -> None:
        agency = (options.get("agency") or "").strip() or None
        if bool(agency) == bool(options["all_agencies"]):
            self._refuse(_("Give either --agency CODE or --all, not both or neither."))
        token, raw = token_create(
            name=options["name"],
            scope=options["scope"].strip(),
            agency_code=agency,
            all_agencies=options["all_agencies"],
            actor=None,
        )
        self.stdout.write(raw)
        self._say(
            _(
                "Created the token “%(name)s” (%(scope)s, %(agency)s). It is shown this once "
                "and cannot be read back: store it now."
            )
            % {
                "name": token.name,
                "scope": ApiTokenScope(token.scope).label,
                "agency": token.agency.code if token.agency else _("all agencies"),
            }
        )

    def _list(self, options: dict[str, Any]) -> None:
        tokens = list(tokens_list())
        if not tokens:
            self._say(_("No API token was made yet."))
            return
        head = [
            _("Name"),
            _("Prefix"),
            _("Agency"),
            _("Scope"),
            _("Created"),
            _("Last used"),
            _("Last used from"),
            _("State"),
        ]
        rows = [head, *(self._row(token) for token in tokens)]
        widths = [max(len(row[i]) for row in rows) for i in range(len(head))]
        for row in rows:
            self.stdout.write(
                "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip()
            )

    @staticmethod
    def _row(token: ApiToken) -> list[str]:
        return [
            token.name,
            token.prefix + "…",
            token.agency.code if token.agency else _("all"),
            token.scope,
            _when(token.created_at),
            _when(token.last_used_at),
            token.last_used_from or "—",
            _("revoked %(at)s") % {"at": _when(token.revoked_at)}
            if token.revoked_at
            else _("active"),
        ]

    def _revoke(self, options: dict[str, Any]) -> None:
        name = options["name"].strip()
        was_revoked = tokens_list().filter(name=name, revoked_at__isnull=False).exists()
        token = token_revoke(name=name, actor=None)
        if was_revoked:
            self.stdout.write(
                _("The token “%(name)s” was already revoked; nothing changed.")
                % {"name": token.name}
            )
            return
        self.stdout.write(
            _("Revoked the token “%(name)s”: it is refused from its next request on.")
            % {"name": token.name}
        )
