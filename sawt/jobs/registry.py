"""Which function runs a job of each kind. Apps register their own handlers; this knows none.

A handler lives in its app's `tasks.py`, which the app's `AppConfig.ready()` imports. Django
imports that module at every start (a web request, `sawt summary --help`), so it must stay
light: heavy libraries (scikit-learn, SciPy) are imported inside the handler's body.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol


class Progress(Protocol):
    """How a handler says how far it has come; cheap to call often (it only records)."""

    def __call__(self, done: int, total: int | None = None, stage: str = "") -> None: ...


Handler = Callable[[dict[str, Any], Progress], dict[str, Any] | None]
# Called once a job of the kind has ended for good (succeeded, or failed after its last try),
# with the job's payload: e.g. delete the uploaded file an import read.
OnEnd = Callable[[dict[str, Any]], None]


@dataclass(frozen=True)
class JobKind:
    """A registered kind: its handler, how it is retried, and how often it runs by itself."""

    name: str
    handler: Handler
    # None: the deployment's SAWT_JOBS_MAX_ATTEMPTS.
    max_attempts: int | None = None
    on_end: OnEnd | None = None
    # Periodic work: workers queue a job of this kind (payload {}) when none is queued or
    # running and the last one started longer ago than this (`jobs_schedule_periodic`).
    every: dt.timedelta | None = None


_KINDS: dict[str, JobKind] = {}


def _name(func: Callable[..., Any]) -> str:
    return f"{func.__module__}.{func.__qualname__}"


def register(
    kind: str,
    *,
    max_attempts: int | None = None,
    on_end: OnEnd | None = None,
    every: dt.timedelta | None = None,
) -> Callable[[Handler], Handler]:
    """Decorator: `@register("classifier.retrain")` makes the function run jobs of `kind`.

    The handler takes the job's payload and a `progress` callable, and returns a JSON-able dict
    (stored as the result). A `TransientError` it raises (or a lost database or network
    connection) is retried with back-off, up to `max_attempts` tries in all.

    With `every`, the work is periodic: a worker's housekeeping queues a job of the kind with
    the payload {} whenever none is queued or running and the last one started more than
    `every` ago. Such a handler must tolerate running twice in a row (two workers may, rarely,
    both queue one): it works out what is due from the database, not from its payload.
    """
    if every is not None and every <= dt.timedelta(0):
        raise ValueError(f"Job kind {kind!r}: `every` must be a positive duration, not {every}.")

    def decorate(func: Handler) -> Handler:
        known = _KINDS.get(kind)
        # The same function may register again (a module imported twice, e.g. by the dev
        # server's reloader); two different functions for one kind is a programming error.
        if known is not None and _name(known.handler) != _name(func):
            raise ValueError(
                f"Job kind {kind!r} already has a handler ({_name(known.handler)}); "
                f"cannot also register {_name(func)}."
            )
        _KINDS[kind] = JobKind(kind, func, max_attempts, on_end, every)
        return func

    return decorate


def kind_for(kind: str) -> JobKind | None:
    """The registration of `kind`, or None."""
    return _KINDS.get(kind)


def handler_for(kind: str) -> Handler | None:
    """The function registered for `kind`, or None."""
    known = _KINDS.get(kind)
    return known.handler if known else None


def periodic_kinds() -> list[JobKind]:
    """The kinds registered with `every`, by name."""
    return [_KINDS[name] for name in sorted(_KINDS) if _KINDS[name].every is not None]


def registered_kinds() -> list[str]:
    """Every kind with a handler, sorted (for messages that say what exists)."""
    return sorted(_KINDS)
