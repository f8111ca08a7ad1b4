"""Push endpoints (write scope): what service systems send sawt without anyone moving files.

Each takes a JSON array of up to MAX_ITEMS objects (or one object), all or nothing: every
problem is listed by the item's index and key (`3.mobile`; just `mobile` for a single object).
The journeys and surveys named are looked up within the token's scope (another agency's is a
404, as an unknown one), and the services check the token against each object themselves; the
items are checked by the file imports' own rules (sawt/imports/items.py)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from sawt.api.errors import PayloadTooLarge, application_error, body, error
from sawt.api.permissions import ReadScope, WriteScope
from sawt.api.serializers.push import (
    MAX_ITEMS,
    ComplaintItemSerializer,
    PushResultSerializer,
    ResponseItemSerializer,
    TransactionItemSerializer,
    TransactionsResultSerializer,
)
from sawt.api.views import read
from sawt.catalog.models import Journey
from sawt.catalog.selectors import journeys_for
from sawt.complaints.services import complaints_push
from sawt.core.exceptions import ApplicationError
from sawt.distribution.services.transactions import transactions_push
from sawt.surveys.selectors import surveys_for
from sawt.surveys.services.responses import responses_push

Items = list[tuple[int, Mapping[str, Any]]]
R = TypeVar("R")


class Refused(Exception):
    """The request cannot go to the service: the response to send instead."""

    def __init__(self, response: Response) -> None:
        self.response = response


def _items(request: Request) -> tuple[Items, bool]:
    """The body's items with their indexes, and whether it was a single object."""
    data = request.data
    single = isinstance(data, Mapping)
    items = [data] if single else data
    if not isinstance(items, list):
        message = _("The body must be a JSON object or an array of objects.")
        raise Refused(Response(body(message), status=status.HTTP_400_BAD_REQUEST))
    if not items:
        message = _("The batch is empty: send between 1 and %(max)s items.") % {"max": MAX_ITEMS}
        raise Refused(Response(body(message), status=status.HTTP_400_BAD_REQUEST))
    if len(items) > MAX_ITEMS:
        raise PayloadTooLarge(
            _("A batch holds at most %(max)s items; this one has %(count)s.")
            % {"max": MAX_ITEMS, "count": len(items)}
        )
    wrong = [
        error(_where(i, None, single), _("Each item must be a JSON object."))
        for i, item in enumerate(items)
        if not isinstance(item, Mapping)
    ]
    if wrong:
        raise Refused(_bad(wrong))
    return list(enumerate(items)), single


def _where(index: int, key: str | None, single: bool) -> str | None:
    if single:
        return key
    return f"{index}.{key}" if key else str(index)


def _bad(errors: list[dict[str, Any]]) -> Response:
    message = _("The request has problems; nothing was saved.")
    return Response(body(message, errors), status=status.HTTP_400_BAD_REQUEST)


def _by_journey(request: Request, items: Items, single: bool) -> dict[Journey, Items]:
    """The items grouped by the journey each names, looked up within the token's scope."""
    wrong, slugs = [], {}
    for index, item in items:
        slug = item.get("journey")
        if not isinstance(slug, str) or not slug.strip():
            wrong.append(
                error(_where(index, "journey", single), _("Name the journey by its slug."))
            )
        else:
            slugs[index] = slug.strip()
    if wrong:
        raise Refused(_bad(wrong))
    found = {j.slug: j for j in journeys_for(request.user).filter(slug__in=set(slugs.values()))}
    missing = [
        error(
            _where(index, "journey", single),
            _("No journey has the slug “%(slug)s”.") % {"slug": slug},
        )
        for index, slug in slugs.items()
        if slug not in found
    ]
    if missing:
        # Unknown, or another agency's: the same answer, so nothing is revealed.
        raise Refused(Response(body(_("Not found."), missing), status=status.HTTP_404_NOT_FOUND))
    groups: dict[Journey, Items] = {}
    for index, item in items:
        groups.setdefault(found[slugs[index]], []).append((index, item))
    return groups


def _refused(exc: ApplicationError, single: bool) -> Response:
    response = application_error(exc, item_of_row=lambda row: row)
    if single and isinstance(response.data, dict):
        for problem in response.data.get("errors", []):
            field = problem.get("field")
            if isinstance(field, str) and (field == "0" or field.startswith("0.")):
                problem["field"] = field[2:] or None
    return response


def _journeys_push(request: Request, push: Callable[..., R]) -> R | Response:
    """A batch whose items name their journeys, read, grouped within the token's scope and
    handed to `push` (a service taking `batches` and `actor`); or the answer refusing it."""
    try:
        items, single = _items(request)
        groups = _by_journey(request, items, single)
    except Refused as refused:
        return refused.response
    try:
        return push(batches=groups, actor=request.user)
    except ApplicationError as exc:
        return _refused(exc, single)


def _outcomes(outcomes: list[str]) -> list[dict[str, Any]]:
    return [{"index": i, "outcome": outcome} for i, outcome in enumerate(outcomes)]


def _many(item: type[serializers.Serializer]) -> serializers.ListSerializer:
    return serializers.ListSerializer(child=item(), min_length=1, max_length=MAX_ITEMS)


class TransactionPush(APIView):
    """Completed service requests join their journeys' sampling pools; a survey sampling
    continuously invites those it draws. Idempotent on (journey, reference_id)."""

    permission_classes = [WriteScope]

    @extend_schema(
        operation_id="transactions_push",
        request=_many(TransactionItemSerializer),
        responses={200: TransactionsResultSerializer},
    )
    def post(self, request: Request) -> Response:
        result = _journeys_push(request, transactions_push)
        if isinstance(result, Response):
            return result
        return Response(
            {
                "created": result.created,
                "unchanged": result.unchanged,
                "opted_out": result.opted_out,
                "invited": result.invited,
                "items": [
                    {"index": i, "outcome": o.outcome, "decision": str(o.decision)}
                    for i, o in enumerate(result.outcomes)
                ],
            }
        )


class ComplaintPush(APIView):
    """Complaints from a complaint system, by the file import's rules and redaction. Idempotent
    on (journey, complaint_id); items may name different journeys (one transaction for all)."""

    permission_classes = [WriteScope]

    @extend_schema(
        operation_id="complaints_push",
        request=_many(ComplaintItemSerializer),
        responses={200: PushResultSerializer},
    )
    def post(self, request: Request) -> Response:
        result = _journeys_push(request, complaints_push)
        if isinstance(result, Response):
            return result
        return Response(
            {
                "created": result.created,
                "updated": result.updated,
                "unchanged": result.unchanged,
                "items": _outcomes(result.outcomes),
            }
        )


class ComplaintCollection(read.ComplaintList, ComplaintPush):
    """/api/v1/complaints/: GET lists them (read scope), POST pushes them (write scope); one
    path, so one view answers both methods."""

    permission_classes = [ReadScope]

    def get_permissions(self) -> list[Any]:
        if self.request is not None and self.request.method == "POST":
            return [WriteScope()]
        return [ReadScope()]


class ResponsePush(APIView):
    """A survey's responses collected elsewhere, by the file import's rules. Idempotent on
    respondent_id; each item is a whole response."""

    permission_classes = [WriteScope]

    @extend_schema(
        operation_id="survey_responses_push",
        request=_many(ResponseItemSerializer),
        responses={200: PushResultSerializer},
    )
    def post(self, request: Request, code: str) -> Response:
        survey = surveys_for(request.user).filter(code=code).first()
        if survey is None:
            return Response(body(_("Not found.")), status=status.HTTP_404_NOT_FOUND)
        try:
            items, single = _items(request)
        except Refused as refused:
            return refused.response
        try:
            result = responses_push(
                survey=survey, items=[item for _i, item in items], actor=request.user
            )
        except ApplicationError as exc:
            return _refused(exc, single)
        return Response(
            {
                "created": result.created,
                "updated": result.updated,
                "unchanged": result.unchanged,
                "items": _outcomes(result.outcomes),
            }
        )
