"""Which function runs a job of each kind. Apps register their own handlers; this knows none."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Handler = Callable[[dict[str, Any]], dict[str, Any] | None]

_HANDLERS: dict[str, Handler] = {}


def _name(func: Handler) -> str:
    return f"{func.__module__}.{func.__qualname__}"


def register(kind: str) -> Callable[[Handler], Handler]:
    """Decorator: `@register("textanalytics.retrain")` makes the function run jobs of `kind`.

    The handler takes the job's payload and returns a JSON-able dict (stored as the result).
    """

    def decorate(func: Handler) -> Handler:
        known = _HANDLERS.get(kind)
        # The same function may register again (a module imported twice, e.g. by the dev
        # server's reloader); two different functions for one kind is a programming error.
        if known is not None and _name(known) != _name(func):
            raise ValueError(
                f"Job kind {kind!r} already has a handler ({_name(known)}); "
                f"cannot also register {_name(func)}."
            )
        _HANDLERS[kind] = func
        return func

    return decorate


def handler_for(kind: str) -> Handler | None:
    """The function registered for `kind`, or None."""
    return _HANDLERS.get(kind)


def registered_kinds() -> list[str]:
    """Every kind with a handler, sorted (for messages that say what exists)."""
    return sorted(_HANDLERS)
