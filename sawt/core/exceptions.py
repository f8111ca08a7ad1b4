"""Errors a person can act on, raised by services and shown by every interface."""

from __future__ import annotations


class ApplicationError(Exception):
    """A request that cannot be carried out, with a message meant for the person who made it."""

    def __init__(self, message: str, *, problems: list | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.problems = problems or []
