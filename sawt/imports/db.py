"""The engine-specific fast path of imports, behind `bulk_insert` (tested on both engines), and
how imports take turns for the database (`waits_its_turn`, `import_lock`).

Django's bulk_create builds one INSERT per batch with every value as a parameter; at ten million
answers that dominates an import. PostgreSQL takes rows through COPY, SQLite through one
executemany over a generator. Both run inside the caller's transaction, and both fire the
database's triggers and constraints, so nothing the ORM would refuse gets in.
"""

from __future__ import annotations

import json
import logging
import zlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from functools import wraps
from typing import Any, ParamSpec, TypeVar

from django.conf import settings
from django.db import (
    DEFAULT_DB_ALIAS,
    OperationalError,
    connections,
    models,
    router,
    transaction,
)
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Aggregate, Value
from django.utils.translation import ngettext

from sawt.core.db import is_busy
from sawt.core.exceptions import ApplicationError

logger = logging.getLogger(__name__)
Adapter = Callable[[Any], Any] | None
# SQLite's per-connection page cache; index inserts of a large import stay in memory (KiB).
_SQLITE_CACHE_KIB = 256 * 1024
_BATCH = 5000


def _json(value: Any) -> str | None:
    return None if value is None else json.dumps(value, ensure_ascii=False, sort_keys=True)


def _adapter(field: models.Field, connection: BaseDatabaseWrapper) -> Adapter:
    """How a Python value becomes what the raw driver expects for this field (None: as is)."""
    if isinstance(field, models.JSONField):
        return _json
    if isinstance(field, models.DateTimeField) and connection.vendor == "sqlite":
        # Django stores SQLite datetimes as UTC text in its own layout; ranges compare as text.
        return connection.ops.adapt_datetimefield_value
    return None


def _remember_last(adapter: Callable[[Any], Any]) -> Callable[[Any], Any]:
    # Columns such as created_at carry one value on every row: adapt it once.
    last: list[Any] = [object(), None]

    def adapt(value: Any) -> Any:
        if value is not last[0]:
            last[0], last[1] = value, adapter(value)
        return last[1]

    return adapt


def _adapted(rows: Iterable[Sequence[Any]], adapters: list[Adapter]) -> Iterable[Sequence[Any]]:
    if not any(adapters):
        return rows
    pairs = [(i, _remember_last(a) if a else None) for i, a in enumerate(adapters)]

    def convert(row: Sequence[Any]) -> tuple[Any, ...]:
        return tuple(a(row[i]) if a else row[i] for i, a in pairs)

    return map(convert, rows)


def _fields(model: type[models.Model], names: Sequence[str]) -> list[models.Field]:
    """The fields named (by name or attname), each one a column of the model's own table."""
    fields: list[models.Field] = []
    for name in names:
        field = model._meta.get_field(name)
        # A reverse relation or a generic key has no column in this table: the caller's bug.
        if not isinstance(field, models.Field):
            raise TypeError(f"{model.__name__}.{name} is not a column of its table")
        fields.append(field)
    return fields


def bulk_insert(
    model: type[models.Model], columns: Sequence[str], rows: Iterable[Sequence[Any]]
) -> int:
    """Insert `rows` (tuples in `columns` order, field or attname) and return how many went in.

    Call it inside `transaction.atomic()`; it writes through the same connection."""
    connection = connections[router.db_for_write(model)]
    connection.ensure_connection()
    fields = _fields(model, columns)
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    values = _adapted(rows, [_adapter(f, connection) for f in fields])
    placeholders = ", ".join("?" * len(fields))
    # Driver errors become Django's (IntegrityError…), as they would through the ORM.
    with connection.wrap_database_errors:
        if connection.vendor == "postgresql":
            return _copy(connection, f"COPY {table} ({names}) FROM STDIN", values)
        return _executemany(
            connection, f"INSERT INTO {table} ({names}) VALUES ({placeholders})", values
        )


def _copy(connection: BaseDatabaseWrapper, sql: str, rows: Iterable[Sequence[Any]]) -> int:
    from psycopg.copy import QueuedLibpqWriter

    count = 0
    # The queued writer sends from a thread, so Python formats rows while the server works.
    with (
        connection.connection.cursor() as cursor,
        cursor.copy(sql, writer=QueuedLibpqWriter(cursor)) as copy,
    ):
        write = copy.write_row
        for row in rows:
            write(row)
            count += 1
    return count


def _executemany(connection: BaseDatabaseWrapper, sql: str, rows: Iterable[Sequence[Any]]) -> int:
    cursor = connection.connection.cursor()
    try:
        cursor.executemany(sql, rows)
        return max(cursor.rowcount, 0)
    finally:
        cursor.close()


@contextmanager
def import_transaction(using: str = DEFAULT_DB_ALIAS) -> Iterator[None]:
    """`transaction.atomic()` for the write phase of an import, with SQLite tuned for it.

    A table with triggers gives every INSERT a statement journal; SQLite keeps it in a temporary
    file unless told otherwise, which doubled the time of a million-answer import (measured).
    The setting only takes effect outside a transaction, hence before `atomic()`. On PostgreSQL
    the import waits up to SAWT_IMPORT_WAIT_SECONDS for the row locks of another import (its
    own `lock_timeout`, which ends with the transaction); SQLite's wait is `waits_its_turn`'s."""
    connection = connections[using]
    tuned = connection.vendor == "sqlite" and not connection.in_atomic_block
    restore: list[str] = []
    if tuned:
        with connection.cursor() as cursor:
            for pragma, value in (("temp_store", "2"), ("cache_size", f"-{_SQLITE_CACHE_KIB}")):
                cursor.execute(f"PRAGMA {pragma}")
                restore.append(f"PRAGMA {pragma} = {int(cursor.fetchone()[0])}")
                cursor.execute(f"PRAGMA {pragma} = {value}")
    try:
        with transaction.atomic(using=using):
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    milliseconds = int(settings.SAWT_IMPORT_WAIT_SECONDS * 1000)
                    cursor.execute(f"SET LOCAL lock_timeout = {milliseconds}")
            yield
        _written.set(True)
    finally:
        if restore and connection.connection is not None:
            with connection.cursor() as cursor:
                for statement in restore:
                    cursor.execute(statement)


# --- imports take turns ---------------------------------------------------------------------
#
# An import writes all of a file in one transaction. On SQLite that transaction holds the one
# write lock for its whole write phase (seconds for 100,000 rows, minutes for millions), so
# every other writer waits: a second import waits up to SAWT_IMPORT_WAIT_SECONDS, everything
# else (pages, background work) up to SAWT_SQLITE_WAIT_SECONDS (settings.py), after which a page
# answers "busy, send it again" with what was typed (sawt.core.middleware). On PostgreSQL only
# two imports into the same journey or survey meet, on an advisory lock named after it: no row
# is locked, so a page writing a gap of that journey (which locks the journey's row to number
# it) is not held up for the import's whole write phase.

P = ParamSpec("P")
R = TypeVar("R")
# Whether the current import's transaction has committed: a busy database after that (while
# queueing follow-up work) must not be reported as "nothing was saved".
_written: ContextVar[bool] = ContextVar("sawt_import_written", default=False)


class ImportBusy(ApplicationError):
    """Another import kept the database busy for longer than an import waits: nothing saved."""

    def __init__(self) -> None:
        minutes = max(round(settings.SAWT_IMPORT_WAIT_SECONDS / 60), 1)
        super().__init__(
            ngettext(
                "Another import is writing to the database and did not finish within "
                "%(minutes)s minute, so this file was not imported and nothing of it was "
                "saved. Try again once that import has finished.",
                "Another import is writing to the database and did not finish within "
                "%(minutes)s minutes, so this file was not imported and nothing of it was "
                "saved. Try again once that import has finished.",
                minutes,
            )
            % {"minutes": minutes}
        )


def waits_its_turn(service: Callable[P, R]) -> Callable[P, R]:
    """Let an import service wait its turn behind another import, and say so if it cannot.

    On SQLite the connection's busy timeout becomes SAWT_IMPORT_WAIT_SECONDS for the whole call,
    so the write transaction and what follows its commit (statistics, queued work) wait for
    another import's writes; a lock still held after that, on either database, is ImportBusy
    (a message and exit status 1 on the command line, a failed job in the background)."""

    @wraps(service)
    def call(*args: P.args, **kwargs: P.kwargs) -> R:
        written = _written.set(False)
        try:
            with _sqlite_busy_timeout(settings.SAWT_IMPORT_WAIT_SECONDS):
                return service(*args, **kwargs)
        except OperationalError as error:
            if is_busy(error) and not _written.get():
                raise ImportBusy() from error
            raise
        finally:
            _written.reset(written)

    return call


@contextmanager
def _sqlite_busy_timeout(seconds: float, using: str = DEFAULT_DB_ALIAS) -> Iterator[None]:
    connection = connections[using]
    if connection.vendor != "sqlite":
        yield
        return
    connection.ensure_connection()
    raw = connection.connection
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA busy_timeout")
        before = int(cursor.fetchone()[0])
        cursor.execute(f"PRAGMA busy_timeout = {int(seconds * 1000)}")
    try:
        yield
    finally:
        # Only on the connection it was set on: a connection opened since has its own.
        if connection.connection is raw and raw is not None:
            with connection.cursor() as cursor:
                cursor.execute(f"PRAGMA busy_timeout = {before}")


def import_lock(name: str, using: str = DEFAULT_DB_ALIAS) -> None:
    """Inside an import's transaction: wait for any other holder of lock `name`, such as
    "journey:<slug>" (PostgreSQL's transaction-level advisory lock, released at commit, waited
    for up to the import's lock_timeout; on SQLite the write lock already serialises imports).
    Names share 2**32 keys: a rare collision only makes two imports take turns."""
    connection = connections[using]
    if connection.vendor == "postgresql":
        key = zlib.crc32(f"sawt.import.{name}".encode())
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [key])


def bulk_update(
    model: type[models.Model], columns: Sequence[str], rows: Iterable[Sequence[Any]]
) -> int:
    """Update rows given as (pk, value per column); one prepared statement for them all."""
    connection = connections[router.db_for_write(model)]
    fields = _fields(model, columns)
    ops = connection.ops
    assignments = ", ".join(f"{ops.quote_name(f.column)} = %s" for f in fields)
    if model._meta.pk is None:  # every concrete model has one; abstract ones are not tables
        raise TypeError(f"{model.__name__} has no primary key")
    pk = ops.quote_name(model._meta.pk.column)
    sql = f"UPDATE {ops.quote_name(model._meta.db_table)} SET {assignments} WHERE {pk} = %s"

    def params(row: Sequence[Any]) -> list[Any]:
        values = [f.get_db_prep_save(v, connection) for f, v in zip(fields, row[1:], strict=True)]
        return [*values, row[0]]

    count = 0
    with connection.cursor() as cursor:
        batch: list[list[Any]] = []
        for row in rows:
            batch.append(params(row))
            if len(batch) >= _BATCH:
                cursor.executemany(sql, batch)
                count, batch = count + len(batch), []
        if batch:
            cursor.executemany(sql, batch)
            count += len(batch)
    return count


def delete_where_in(
    model: type[models.Model], column: str, keys: Sequence[Any], **also: Any
) -> int:
    """Delete the rows whose `column` is one of `keys` (and that match `also`), in batches."""
    deleted = 0
    for start in range(0, len(keys), _BATCH):
        batch = keys[start : start + _BATCH]
        query = model._default_manager.filter(**{f"{column}__in": batch}, **also)
        deleted += query.delete()[0]
    return deleted


class JoinedText(Aggregate):
    """A group's texts joined by `delimiter`, in no particular order (STRING_AGG/GROUP_CONCAT)."""

    function = "GROUP_CONCAT"
    output_field = models.TextField()

    def __init__(self, expression: Any, delimiter: str, **extra: Any) -> None:
        super().__init__(expression, Value(delimiter), **extra)

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return super().as_sql(compiler, connection, function="STRING_AGG", **extra)


# Below this many new or changed rows the planner's statistics stay good enough on their own.
_REFRESH_AFTER_ROWS = 10_000


def refresh_statistics(
    models_written: Sequence[type[models.Model]], rows: int, using: str = DEFAULT_DB_ALIAS
) -> None:
    """After a large import has committed, bring the planner's statistics up to date.

    On PostgreSQL, VACUUM also sets the visibility map, which lets the summary's GROUP BY read
    the (question, score) index alone: measured 1.21 s → 0.87 s at a million responses, for
    about 1 % of the import's time. Autovacuum would get there eventually, or never where it is
    off. VACUUM cannot run inside a transaction, so inside one (tests, callers' own atomic
    blocks) this does nothing."""
    connection = connections[using]
    if rows < _REFRESH_AFTER_ROWS or connection.in_atomic_block:
        return
    try:
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                tables = ", ".join(
                    connection.ops.quote_name(m._meta.db_table) for m in models_written
                )
                cursor.execute(f"VACUUM (ANALYZE) {tables}")
            elif connection.vendor == "sqlite":
                cursor.execute("PRAGMA optimize")
    except OperationalError as error:
        # The import has committed; fresher statistics can wait for the next one. (Before,
        # a second import's write lock made this a traceback after a successful import.)
        if not is_busy(error):
            raise
        logger.info("statistics not refreshed: the database is busy")
