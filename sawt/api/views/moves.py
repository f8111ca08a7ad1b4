"""Recommendation moves (write scope): the same service, rules and roles as the gap page's move.

The recommendation is fetched through the token's scope (another agency's is a 404); the
service then checks, on the locked row, that the token's agency owns it and that a token may
make this move (sawt/gaps/transitions.py: a token reports progress as the owning agency would),
and compares the expected status and version with the stored ones (a 409 when they differ).
"""

from __future__ import annotations

from typing import Any

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from sawt.api.errors import application_error, body, error
from sawt.api.permissions import WriteScope
from sawt.api.serializers.moves import MoveRequestSerializer, MoveResultSerializer
from sawt.core.exceptions import ApplicationError
from sawt.gaps.selectors import recommendations_for
from sawt.gaps.services import recommendation_transition


class RecommendationMoves(APIView):
    permission_classes = [WriteScope]

    @extend_schema(
        operation_id="recommendation_move",
        summary="Move a recommendation to another status",
        description=(
            "Applies one move of the recommendation pipeline, as the gap page does. 409 when "
            "the recommendation is no longer at `expected_status` and `expected_version`; 400 "
            "when the pipeline does not allow the move (the message lists the allowed ones); "
            "403 for a read token or a move a token may not make (a token reports progress: "
            "approved → in_progress → implemented, on recommendations its agency owns); 404 "
            "for a recommendation outside the token's agency."
        ),
        request=MoveRequestSerializer,
        responses={201: MoveResultSerializer},
        examples=[
            OpenApiExample(
                "Work started",
                value={
                    "to_status": "in_progress",
                    "expected_status": "approved",
                    "expected_version": 3,
                    "note": "Contract signed; work starts this week.",
                },
                request_only=True,
            )
        ],
    )
    def post(self, request: Request, pk: int) -> Response:
        recommendation = get_object_or_404(recommendations_for(request.user), pk=pk)
        given = MoveRequestSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        data: dict[str, Any] = dict(given.validated_data)
        try:
            moved = recommendation_transition(
                recommendation=recommendation,
                to_status=data["to_status"],
                expected_status=data["expected_status"],
                expected_version=data["expected_version"],
                note=data["note"],
                actor=request.user,
            )
        except ApplicationError as exc:
            if "conflict" in exc.problems:
                return application_error(exc)
            # Anything else the service refuses is the move itself: the target status.
            return Response(
                body(exc.message, [error("to_status", exc.message)]),
                status=status.HTTP_400_BAD_REQUEST,
            )
        event = moved.events.order_by("-id").first()
        assert event is not None  # the service writes the move's event with it
        result = {
            "id": moved.pk,
            "status": moved.status,
            "version": moved.version,
            "event": {
                "from_status": event.from_status,
                "to_status": event.to_status,
                "at": event.at,
                "note": event.note,
                "by": str(request.user),
            },
        }
        return Response(MoveResultSerializer(result).data, status=status.HTTP_201_CREATED)
