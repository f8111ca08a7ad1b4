"""Job handlers for the tests, registered on import (as an app registers its own in ready())."""

from __future__ import annotations

from typing import Any

from sawt.core.exceptions import ApplicationError
from sawt.jobs.registry import register

ECHO = "tests.echo"
BOOM = "tests.boom"
NOT_JSON = "tests.not_json"
REFUSED = "tests.refused"


@register(ECHO)
def echo(payload: dict[str, Any]) -> dict[str, Any]:
    return {"echoed": payload, "words": len(str(payload.get("text", "")).split())}


@register(BOOM)
def boom(payload: dict[str, Any]) -> dict[str, Any]:
    raise ValueError(f"cannot retrain on {payload.get('labels', 0)} labels")


@register(NOT_JSON)
def not_json(payload: dict[str, Any]) -> dict[str, Any]:
    return {"model": object()}


@register(REFUSED)
def refused(payload: dict[str, Any]) -> dict[str, Any]:
    raise ApplicationError("لا توجد تصنيفات كافية لإعادة التدريب.")
