"""The webhooks app hears what the apps below it announce (sawt/core/events.py)."""

from __future__ import annotations

from typing import Any

from django.db import models


def on_announced(*, event: str, obj: models.Model, facts: dict[str, Any], **_: Any) -> None:
    """Store a delivery for every hook that subscribed (inside the change's transaction)."""
    from sawt.webhooks.deliveries import deliveries_create

    deliveries_create(event=event, obj=obj, facts=facts)
