"""Webhooks' background work. Imported at every start (AppConfig.ready): light on purpose."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sawt.jobs.registry import Progress, register

DELIVER_KIND = "webhooks.deliver"
SWEEP_KIND = "webhooks.sweep"


# One try per job: retries are the delivery's own (a day of back-off, deliveries.py), each a
# job queued for its time; the sweep picks up a delivery whose job died mid-way.
@register(DELIVER_KIND, max_attempts=1)
def deliver(payload: dict[str, Any], progress: Progress) -> dict[str, Any]:
    """One attempt of one delivery."""
    from sawt.webhooks.deliveries import delivery_attempt

    return {"outcome": delivery_attempt(int(payload["delivery"]))}


@register(SWEEP_KIND, every=dt.timedelta(minutes=5))
def sweep(payload: dict[str, Any], progress: Progress) -> dict[str, Any]:
    """Every five minutes: queue again deliveries whose attempt is overdue."""
    from sawt.webhooks.deliveries import deliveries_sweep

    return {"queued": deliveries_sweep()}
