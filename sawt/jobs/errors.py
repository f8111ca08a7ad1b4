"""What a job handler may raise to say how its failure should be treated."""

from __future__ import annotations

import socket
from typing import Any

from django.db import InterfaceError, OperationalError

from sawt.core.exceptions import ApplicationError


class TransientError(Exception):
    """A failure that may well not happen again (a service briefly away): try the job later."""


class JobFailure(ApplicationError):
    """A refusal meant for the person who asked for the work, with details a page can show
    (e.g. an import's table of problems), stored as the job's result."""

    def __init__(self, message: str, *, details: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.details = details or {}


def _redis_errors() -> tuple[type[BaseException], ...]:
    try:
        from redis.exceptions import ConnectionError as RedisConnectionError
        from redis.exceptions import TimeoutError as RedisTimeoutError
    except ImportError:  # pragma: no cover - redis is a dependency
        return ()
    return (RedisConnectionError, RedisTimeoutError)


# Worth another try: the database went away or was busy (SQLite's "database is locked"), a
# connection dropped or timed out. A bug (KeyError…) or a refusal (ApplicationError) is not.
TRANSIENT: tuple[type[BaseException], ...] = (
    TransientError,
    OperationalError,
    InterfaceError,
    ConnectionError,
    TimeoutError,
    socket.timeout,
    *_redis_errors(),
)


def is_transient(exc: BaseException) -> bool:
    """Whether a job that raised `exc` should be tried again (if it has tries left)."""
    return isinstance(exc, TRANSIENT) and not isinstance(exc, ApplicationError)
