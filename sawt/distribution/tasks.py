"""Distribution's background work. Imported at every start (AppConfig.ready): the services are
imported inside the handlers, so this module stays light."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sawt.jobs.registry import Progress, register

SEND_KIND = "distribution.send"
REMINDERS_KIND = "distribution.reminders"
EXPIRE_KIND = "distribution.expire"
RETENTION_KIND = "distribution.contacts_retention"


def _undelivered(payload: dict[str, Any]) -> None:
    from sawt.distribution.services.invitations import invitations_undelivered

    invitations_undelivered(payload)


# Five tries: with the back-off (10 s doubling, half of it random) a gateway may be away for
# some two minutes before the batch's undelivered invitations fail.
@register(SEND_KIND, max_attempts=5, on_end=_undelivered)
def send_messages(payload: dict[str, Any], progress: Progress) -> dict[str, Any]:
    """Deliver a batch of invitations or reminders (sawt/distribution/services/invitations.py)."""
    from sawt.distribution.services.invitations import invitations_deliver

    counts = invitations_deliver(
        kind=payload["kind"], invitations=payload["invitations"], progress=progress
    )
    return dict(counts)


@register(REMINDERS_KIND, every=dt.timedelta(hours=1))
def queue_reminders(payload: dict[str, Any], progress: Progress) -> dict[str, Any]:
    """Hourly: queue the reminders that are due."""
    from sawt.distribution.services.invitations import reminders_queue

    return {"reminders": reminders_queue()}


@register(EXPIRE_KIND, every=dt.timedelta(hours=1))
def expire_invitations(payload: dict[str, Any], progress: Progress) -> dict[str, Any]:
    """Hourly: unanswered invitations past their time become expired."""
    from sawt.distribution.services.invitations import invitations_expire

    return {"expired": invitations_expire()}


@register(RETENTION_KIND, every=dt.timedelta(hours=6))
def erase_expired_contacts(payload: dict[str, Any], progress: Progress) -> dict[str, Any]:
    """Every six hours: erase the contacts of surveys closed longer ago than
    SAWT_CONTACT_RETENTION_DAYS (PDPL); the hashes, states and answers stay."""
    from sawt.distribution.services.contacts import contacts_erase_due

    return {"erased": contacts_erase_due()}
