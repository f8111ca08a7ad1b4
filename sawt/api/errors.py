"""Every API error is JSON of one shape, in the language of `Accept-Language` (Arabic by
default):

    {"message": "…", "errors": [{"field": "3.mobile", "message": "…"}, …]}

`field` is a dotted path into the request body (a list item by its index from 0, then the
key), or null when the problem is not one field's. The status says what kind of error it is:
400 bad input, 401 no valid token, 403 not allowed, 404 not found (or another agency's), 409 a
conflict (a stale version), 413 too large, 429 too many requests.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler

from sawt.core.db import is_busy
from sawt.core.exceptions import ApplicationError
from sawt.imports.problems import ImportFailed, RowProblem, format_problem


class PayloadTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "Request too large."
    default_code = "too_large"


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "Conflict."
    default_code = "conflict"


def error(field: str | None, message: str) -> dict[str, Any]:
    return {"field": field, "message": str(message)}


def flatten(detail: Any, path: str = "") -> list[dict[str, Any]]:
    """DRF's nested error detail as a flat list of (dotted path, message)."""
    if isinstance(detail, dict):
        out = []
        for key, value in detail.items():
            if key in ("non_field_errors", "detail"):
                out.extend(flatten(value, path))
            else:
                out.extend(flatten(value, f"{path}.{key}" if path else str(key)))
        return out
    if isinstance(detail, list):
        if all(not isinstance(item, dict | list) for item in detail):
            return [error(path or None, item) for item in detail]
        out = []
        for index, item in enumerate(detail):
            if item:  # DRF reports a valid list item as {}.
                out.extend(flatten(item, f"{path}.{index}" if path else str(index)))
        return out
    return [error(path or None, detail)]


def body(message: str, errors: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    return {"message": str(message), "errors": errors or [error(None, message)]}


def application_error(exc: ApplicationError, *, item_of_row: Any = None) -> Response:
    """An ApplicationError from a service as a response: 409 for a conflict, else 400. With
    `item_of_row` (a batch), an import's row problems are listed by the item they came from."""
    if "conflict" in exc.problems:
        return Response(body(exc.message), status=status.HTTP_409_CONFLICT)
    errors = []
    for problem in exc.problems:
        if isinstance(problem, RowProblem):
            if item_of_row is not None and problem.row is not None:
                where = item_of_row(problem.row)
                field = f"{where}.{problem.column}" if problem.column else str(where)
                errors.append(error(field, problem.message))
            else:
                errors.append(error(problem.column, format_problem(problem)))
        elif isinstance(problem, str) and problem:
            errors.append(error(None, problem))
    if isinstance(exc, ImportFailed) and exc.more:
        more = ngettext("… and %(count)s more problem.", "… and %(count)s more problems.", exc.more)
        errors.append(error(None, more % {"count": exc.more}))
    return Response(body(exc.message, errors), status=status.HTTP_400_BAD_REQUEST)


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, ApplicationError):
        return application_error(exc)
    if isinstance(exc, RequestDataTooBig):
        exc = PayloadTooLarge(_("The request body is larger than the server accepts."))
    elif is_busy(exc):
        busy = Response(
            body(_("The server is busy saving other data; send the request again shortly.")),
            status=status.HTTP_503_SERVICE_UNAVAILABLE,
        )
        busy["Retry-After"] = "5"
        return busy
    elif isinstance(exc, SuspiciousOperation):
        exc = exceptions.ParseError(_("The request is malformed."))
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound(_("Not found."))
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or _("Your role does not allow this action."))
    response = exception_handler(exc, context)
    if response is None:
        return None
    detail = response.data
    if isinstance(exc, exceptions.ValidationError):
        request = context.get("request")
        if request is not None and request.method in ("GET", "HEAD", "OPTIONS"):
            message = _("The request has problems.")  # a read saves nothing anyway
        else:
            message = _("The request has problems; nothing was saved.")
        response.data = body(message, flatten(detail))
    else:
        message = detail.get("detail", "") if isinstance(detail, dict) else str(detail)
        response.data = body(str(message))
    return response
