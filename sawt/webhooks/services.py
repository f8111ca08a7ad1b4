"""Administrators' writes on webhooks: register, change, delete (each checks `webhook.manage`).

Deliveries (creating them as events happen, sending and retrying) are in `deliveries.py`.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from sawt.catalog.models import Agency
from sawt.core.access import authorize
from sawt.core.audit import actor_user, audit_record
from sawt.core.exceptions import ApplicationError
from sawt.webhooks.choices import WebhookEvent
from sawt.webhooks.models import Webhook
from sawt.webhooks.targets import url_check


def _events(events: Iterable[str]) -> list[str]:
    chosen = sorted({str(e) for e in events})
    unknown = [e for e in chosen if e not in WebhookEvent.values]
    if unknown:
        raise ApplicationError(_("Unknown events: %(events)s.") % {"events": ", ".join(unknown)})
    if not chosen:
        raise ApplicationError(_("Choose at least one event."))
    return chosen


def secret_new() -> str:
    """A signing secret: 256 random bits, in a form that survives copying into any config."""
    return "whsec_" + secrets.token_urlsafe(32)


@transaction.atomic
def webhook_create(
    *, url: str, events: Iterable[str], agency: Agency | None = None, actor: Any
) -> Webhook:
    """Register a hook; its secret is in the returned object, to be shown this once."""
    authorize(actor, "webhook.manage")
    url = url.strip()
    url_check(url)
    hook = Webhook.objects.create(
        url=url,
        events=_events(events),
        agency=agency,
        secret=secret_new(),
        created_by=actor_user(actor),
    )
    audit_record(
        actor=actor,
        action="webhook.create",
        obj=hook,
        data={"url": url, "events": hook.events, "agency": agency.code if agency else None},
    )
    return hook


@transaction.atomic
def webhook_update(
    *, hook: Webhook, events: Iterable[str], active: bool, agency: Agency | None, actor: Any
) -> Webhook:
    """Change what a hook hears of, for which agency, and whether it is on. Turning a
    disabled hook back on clears why it was disabled and its count of failures."""
    authorize(actor, "webhook.manage")
    current = Webhook.objects.select_for_update().get(pk=hook.pk)
    current.events, current.agency = _events(events), agency
    if active and not current.active:
        # The URL is checked again: the rules (or the host's addresses) may have changed.
        url_check(current.url)
        current.consecutive_failures, current.disabled_at, current.disabled_reason = 0, None, ""
    current.active = active
    current.save()
    audit_record(
        actor=actor,
        action="webhook.update",
        obj=current,
        data={
            "events": current.events,
            "active": active,
            "agency": agency.code if agency else None,
        },
    )
    return current


@transaction.atomic
def webhook_delete(*, hook: Webhook, actor: Any) -> None:
    """Delete a hook with its deliveries and their log; jobs still queued find nothing."""
    authorize(actor, "webhook.manage")
    audit_record(actor=actor, action="webhook.delete", obj=hook, data={"url": hook.url})
    hook.delete()
