"""audit_record(): the one way services write the audit trail, inside their own transaction."""

from __future__ import annotations

from typing import Any

from django.db import models

from sawt.core.models import AuditEvent


def actor_label(actor: Any) -> str:
    """A short name for whoever acted: a user's username, or the system process."""
    if actor is None:
        return "system"
    return getattr(actor, "get_username", lambda: str(actor))()


def actor_user(actor: Any) -> Any:
    """The user to store as whoever acted (an audit row, an event, a job): None for the system
    or for anything that is not a saved user (an anonymous user has no row to point at)."""
    return actor if getattr(actor, "pk", None) and hasattr(actor, "get_username") else None


def audit_record(
    *, actor: Any, action: str, obj: models.Model | None = None, data: dict | None = None
) -> AuditEvent:
    """Write one audit row; call it inside the service's transaction so both land or neither."""
    return AuditEvent.objects.create(
        actor=actor_user(actor),
        actor_label=actor_label(actor),
        action=action,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        data=data or {},
    )
