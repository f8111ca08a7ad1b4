"""What a delivery says about each event: ids, codes, statuses and counts, never personal data
(no contact, no respondent or reference id, no complaint or feedback text).

Each builder also names the object whose agency decides which agency's hooks hear of it (the
model's own `visible_to_agency`, as for an agency member's pages).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.db import models

from sawt.catalog.models import Journey
from sawt.gaps.models import Gap, Recommendation
from sawt.surveys.models import Response, Survey
from sawt.webhooks.choices import WebhookEvent

Built = tuple[dict[str, Any], models.Model | None]


def _code(obj: Any, field: str = "code") -> str | None:
    return getattr(obj, field) if obj is not None else None


def _gap_created(gap: Gap, facts: dict[str, Any]) -> Built:
    data = {
        "gap_id": gap.pk,
        "journey": gap.journey.slug,
        "agency": gap.journey.agency.code,
        "period": gap.period,
        "number": gap.number,
        "stage": _code(gap.stage),
        "category": _code(gap.category),
    }
    return data, gap


def _status_changed(rec: Recommendation, facts: dict[str, Any]) -> Built:
    at = facts.get("at")
    data = {
        "recommendation_id": rec.pk,
        "gap_id": rec.gap_id,
        "journey": rec.gap.journey.slug,
        "owner": rec.owner.code,
        "from_status": facts.get("from_status"),
        "to_status": rec.status,
        "version": rec.version,
        "at": at.isoformat() if isinstance(at, dt.datetime) else at,
    }
    return data, rec


def _survey_completed(response: Response, facts: dict[str, Any]) -> Built:
    survey = response.survey
    data = {
        "survey": survey.code,
        "journey": survey.journey.slug,
        "response_id": response.pk,
        "channel": facts.get("channel", ""),
    }
    return data, survey


def _import_finished(obj: models.Model, facts: dict[str, Any]) -> Built:
    counts = {k: facts[k] for k in ("rows", "created", "updated", "unchanged") if k in facts}
    # "file": an import of a file (command line, imports page); "api": a batch pushed.
    source = facts.get("source", "file")
    data: dict[str, Any] = {"action": facts.get("action", ""), "source": source, **counts}
    if isinstance(obj, Survey):
        data.update(survey=obj.code, journey=obj.journey.slug)
    elif isinstance(obj, Journey):
        data.update(journey=obj.slug)
    return data, obj if isinstance(obj, Survey | Journey) else None


BUILDERS: dict[str, Callable[[Any, dict[str, Any]], Built]] = {
    WebhookEvent.GAP_CREATED: _gap_created,
    WebhookEvent.RECOMMENDATION_STATUS_CHANGED: _status_changed,
    WebhookEvent.SURVEY_COMPLETED: _survey_completed,
    WebhookEvent.IMPORT_FINISHED: _import_finished,
}


def event_data(event: str, obj: models.Model, facts: dict[str, Any]) -> Built | None:
    """The `data` of the event's deliveries and the object that scopes it; None if the event
    is not one hooks may subscribe to."""
    builder = BUILDERS.get(event)
    return builder(obj, facts) if builder else None
