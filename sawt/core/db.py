"""What a database error means for the person who met it."""

from __future__ import annotations

from django.db import OperationalError

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
