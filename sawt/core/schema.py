"""Whether the database is ready for this version of sawt, said in words a person can act on.

A command run before `sawt migrate` (a new SQLite file, an empty PostgreSQL database, or one an
upgrade has left behind) would otherwise stop on the first query with "no such table" and a
traceback. Commands that read or write the database ask here first (sawt.core.commands); the
web application asks when a page meets a database error (SchemaMiddleware).
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.signals import got_request_exception
from django.db import DEFAULT_DB_ALIAS, DatabaseError, OperationalError, connections
from django.db.backends.sqlite3.creation import DatabaseCreation as SQLiteCreation
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.recorder import MigrationRecorder
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)


def schema_problem(using: str = DEFAULT_DB_ALIAS, *, applied_all: bool = True) -> str | None:
    """What keeps the database from serving this version of sawt, or None when it is ready.

    With `applied_all=False` a database with tables will do, whatever migrations it has yet to
    apply (the background worker's check: see its command)."""
    connection = connections[using]
    name = str(connection.settings_dict["NAME"])
    # Connecting to a SQLite file that is not there creates it, empty: say so before that.
    in_memory = SQLiteCreation.is_in_memory_db(name)
    if connection.vendor == "sqlite" and not in_memory and not Path(name).exists():
        return _(
            "There is no database at %(path)s yet: run `sawt migrate` to create it (or "
            "`sawt demo` to load the demo into it)."
        ) % {"path": name}
    try:
        connection.ensure_connection()
    except OperationalError as exc:
        return _("The database %(name)s cannot be reached: %(reason)s") % {
            "name": name,
            "reason": " ".join(str(exc).split()),
        }
    if not MigrationRecorder(connection).has_table():
        return _("The database %(name)s has no tables yet: run `sawt migrate` first.") % {
            "name": name
        }
    if not applied_all:
        return None
    # About 30 ms (the migration files are imported): paid by commands that query anyway.
    executor = MigrationExecutor(connection)
    if executor.migration_plan(executor.loader.graph.leaf_nodes()):
        return _(
            "The database %(name)s is behind this version of sawt: run `sawt migrate` first."
        ) % {"name": name}
    return None


class SchemaMiddleware:
    """A page that fails because the database is not migrated is answered 503 with a page that
    says so, never a 500 with a traceback in the log only.

    Nothing is checked while pages work: only a database error leads to `schema_problem`
    (a few milliseconds, then the same answer until `sawt migrate` has run). Like
    DatabaseBusyMiddleware, it sees a view's error in `process_exception` and one raised
    outside the view (a session read or saved) through `got_request_exception`, so it comes
    before SessionMiddleware."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        got_request_exception.connect(_note_database_error, dispatch_uid="sawt.core.schema")

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.status_code == 500 and getattr(request, "_sawt_database_error", False):
            return _not_ready(request) or response
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        return _not_ready(request) if isinstance(exception, DatabaseError) else None


def _note_database_error(sender: Any, request: HttpRequest | None = None, **kwargs: Any) -> None:
    if request is not None and isinstance(sys.exc_info()[1], DatabaseError):
        request._sawt_database_error = True  # type: ignore[attr-defined]


def _not_ready(request: HttpRequest) -> HttpResponse | None:
    """503 if the database is not ready for this version of sawt; None for any other error."""
    try:
        problem = schema_problem()
    except DatabaseError:  # a connection left unusable by the error: the plain 500 then
        return None
    if problem is None:
        return None
    # The details (a file path, a database name) are for whoever runs the server: the log.
    logger.error("%s", problem)
    # In the person's language even when this runs after LanguageMiddleware has returned.
    with translation.override(getattr(request, "LANGUAGE_CODE", None) or settings.LANGUAGE_CODE):
        return _not_ready_page()


def _not_ready_page() -> HttpResponse:
    context = {
        "status": 503,
        "heading": _("sawt is not ready yet"),
        "explanation": _(
            "Its database has no tables yet, or is behind this version of sawt. Whoever runs "
            "this server runs “sawt migrate”; the pages work once it has."
        ),
        # Rendered without context processors: they would ask the same database.
        "LANGUAGE_CODE": translation.get_language(),
        "LANGUAGE_BIDI": translation.get_language_bidi(),
        "csrf_token": None,
    }
    return HttpResponse(render_to_string("web/error.html", context), status=503)
