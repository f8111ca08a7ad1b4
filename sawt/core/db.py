"""What a database error means for the person who met it."""

from __future__ import annotations

import time
from typing import Any

from django.db import OperationalError, connection, models

# SQLite's answer once its busy timeout has passed, and PostgreSQL's lock_not_available
# (lock_timeout) and deadlock_detected.
_SQLITE_BUSY = ("database is locked", "database table is locked")
_POSTGRES_BUSY = {"55P03", "40P01"}


def is_busy(error: BaseException) -> bool:
    """Whether `error` means "another writer held the lock too long", not a bug: the same
    request can succeed once that writer (an import) has finished."""
    if not isinstance(error, OperationalError):
        return False
    if any(text in str(error).lower() for text in _SQLITE_BUSY):
        return True
    return getattr(error.__cause__, "sqlstate", None) in _POSTGRES_BUSY


def window_hit(
    model: type[models.Model], key_field: str, key: Any, *, seconds: int, now: float | None = None
) -> int:
    """Count one hit of `key` in the current window of `seconds` (fixed, aligned on multiples
    of it) and return the window's hits so far: a rate limit's counter in the database.

    `model` has `key_field`, `window_start` (epoch seconds) and `hits`, unique on (key,
    window_start). One upsert (`INSERT … ON CONFLICT DO UPDATE … RETURNING`, the same
    statement on SQLite ≥ 3.35 and PostgreSQL) counts atomically across every process and
    machine, which Django's per-process cache would not. The first hit of a window sweeps the
    windows that have ended, so the table holds at most two windows' worth of keys."""
    window = int(time.time() if now is None else now) // seconds * seconds
    table = connection.ops.quote_name(model._meta.db_table)
    field = model._meta.get_field(key_field)
    assert isinstance(field, models.Field) and field.column, f"{key_field} is not a column"
    column = connection.ops.quote_name(field.column)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({column}, window_start, hits) VALUES (%s, %s, 1) "
            f"ON CONFLICT ({column}, window_start) DO UPDATE SET hits = {table}.hits + 1 "
            "RETURNING hits",
            [key, window],
        )
        hits = int(cursor.fetchone()[0])
        if hits == 1:
            cursor.execute(f"DELETE FROM {table} WHERE window_start < %s", [window - seconds])
    return hits
