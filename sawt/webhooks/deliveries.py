"""Deliveries: one per event and subscribed hook, sent by a background job, retried with
exponential back-off for a day, every attempt logged; a hook whose deliveries keep failing is
turned off, saying why.

Outcomes: 2xx delivered. 408, 429, 5xx, a timeout, a refused connection or a host that does
not resolve: tried again RETRY_FIRST later, doubling up to RETRY_MAX, until RETRY_WINDOW after
the event. Any other answer (other 4xx, 1xx/3xx: redirects are not followed) or an address the
rules refuse: failed at once. DISABLE_AFTER deliveries that failed in a row turn the hook off.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from typing import Any

from django.db import models, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from sawt.jobs.services import job_enqueue
from sawt.webhooks.choices import DeliveryStatus
from sawt.webhooks.models import Webhook, WebhookAttempt, WebhookDelivery
from sawt.webhooks.payloads import event_data
from sawt.webhooks.sending import Answer, body_of, post, signature_of
from sawt.webhooks.targets import AddressRefused, Unresolvable, addresses_check, url_parse
from sawt.webhooks.tasks import DELIVER_KIND

logger = logging.getLogger(__name__)
RETRY_FIRST = dt.timedelta(minutes=1)
RETRY_MAX = dt.timedelta(hours=2)
RETRY_WINDOW = dt.timedelta(hours=24)
DISABLE_AFTER = 10
# A claimed delivery is not claimed again for this long (a duplicate job, the sweep); far
# longer than one request can take (sending.TIMEOUT).
CLAIM_LEASE = dt.timedelta(minutes=2)
RETRIED_STATUSES = frozenset({408, 429})


def _visible(obj: models.Model, agency_id: int, cache: dict[int, bool]) -> bool:
    if agency_id not in cache:
        rule = getattr(type(obj), "visible_to_agency", None)
        cache[agency_id] = rule is not None and (
            type(obj)._default_manager.filter(rule(agency_id), pk=obj.pk).exists()
        )
    return cache[agency_id]


def deliveries_create(*, event: str, obj: models.Model, facts: dict[str, Any]) -> int:
    """One delivery (and its job) per active hook subscribed to `event` that may hear of `obj`;
    called inside the transaction of the change, so both commit or neither. How many."""
    hooks = [h for h in Webhook.objects.filter(active=True) if event in h.events]
    if not hooks:
        return 0
    built = event_data(event, obj, facts)
    if built is None:
        return 0
    data, scope = built
    seen: dict[int, bool] = {}
    now = timezone.now()
    made = 0
    for hook in hooks:
        if hook.agency_id is not None and (
            scope is None or not _visible(scope, hook.agency_id, seen)
        ):
            continue
        delivery = WebhookDelivery(hook=hook, event=event, next_attempt_at=now)
        delivery.payload = {
            "event": event,
            "id": str(delivery.uuid),
            "occurred_at": now.isoformat(),
            "data": data,
        }
        delivery.save()
        _queue(delivery)
        made += 1
    return made


def _queue(delivery: WebhookDelivery, delay: dt.timedelta | None = None) -> None:
    job_enqueue(
        kind=DELIVER_KIND,
        payload={"delivery": delivery.pk},
        dedupe_key=f"delivery:{delivery.pk}",
        delay=delay,
    )


def retry_delay(attempts: int) -> dt.timedelta:
    """The wait after the `attempts`-th failed try: RETRY_FIRST doubling, at most RETRY_MAX."""
    return min(RETRY_FIRST * (2 ** max(attempts - 1, 0)), RETRY_MAX)


def _claim(delivery_id: int) -> WebhookDelivery | None:
    now = timezone.now()
    claimed = WebhookDelivery.objects.filter(
        pk=delivery_id, status=DeliveryStatus.PENDING, next_attempt_at__lte=now
    ).update(next_attempt_at=now + CLAIM_LEASE)
    if not claimed:
        return None
    return WebhookDelivery.objects.select_related("hook").get(pk=delivery_id)


def _send(delivery: WebhookDelivery) -> tuple[Answer, bool]:
    """One request; (the answer, whether the failure, if any, is worth another try)."""
    hook = delivery.hook
    started = time.monotonic()
    try:
        target = url_parse(hook.url)
        address = addresses_check(target)[0]
    except Unresolvable as exc:
        return Answer(None, exc.message, int((time.monotonic() - started) * 1000)), True
    except AddressRefused as exc:
        return Answer(None, exc.message, int((time.monotonic() - started) * 1000)), False
    body = body_of(delivery.payload)
    timestamp = int(time.time())
    headers = {
        "X-Sawt-Event": delivery.event,
        "X-Sawt-Delivery": str(delivery.uuid),
        "X-Sawt-Timestamp": str(timestamp),
        "X-Sawt-Signature": signature_of(hook.secret, timestamp, body),
    }
    answer = post(target=target, address=address, body=body, headers=headers)
    if answer.status is None:
        return answer, True  # timeout, refused or reset connection, TLS trouble
    return answer, answer.status >= 500 or answer.status in RETRIED_STATUSES


def delivery_attempt(delivery_id: int) -> str:
    """Try a due delivery once and record the outcome: "delivered", "retry", "failed", or
    "skipped" when it is not due (already done, claimed by another job, or deleted)."""
    delivery = _claim(delivery_id)
    if delivery is None:
        return "skipped"
    now = timezone.now()
    if not delivery.hook.active:
        with transaction.atomic():
            _finish(delivery, DeliveryStatus.FAILED, now)
            WebhookAttempt.objects.create(
                delivery=delivery, at=now, error=_("Not sent: the webhook is turned off.")
            )
        return "failed"
    answer, retryable = _send(delivery)
    delivered = answer.status is not None and 200 <= answer.status < 300
    with transaction.atomic():
        WebhookAttempt.objects.create(
            delivery=delivery,
            at=now,
            status_code=answer.status,
            error=answer.error,
            duration_ms=answer.duration_ms,
        )
        delivery.attempts += 1
        if delivered:
            _finish(delivery, DeliveryStatus.DELIVERED, timezone.now())
            Webhook.objects.filter(pk=delivery.hook_id).update(consecutive_failures=0)
            return "delivered"
        wait = retry_delay(delivery.attempts)
        if retryable and timezone.now() + wait <= delivery.created_at + RETRY_WINDOW:
            delivery.next_attempt_at = timezone.now() + wait
            delivery.save(update_fields=["attempts", "next_attempt_at"])
            _queue(delivery, delay=wait)
            return "retry"
        _finish(delivery, DeliveryStatus.FAILED, timezone.now())
        _count_failure(delivery.hook, answer)
        return "failed"


def _finish(delivery: WebhookDelivery, status: str, at: dt.datetime) -> None:
    delivery.status, delivery.finished_at, delivery.next_attempt_at = status, at, None
    delivery.save(update_fields=["status", "finished_at", "next_attempt_at", "attempts"])


def _count_failure(hook: Webhook, answer: Answer) -> None:
    """One more delivery failed in a row; at DISABLE_AFTER the hook is turned off, saying why."""
    Webhook.objects.filter(pk=hook.pk).update(consecutive_failures=F("consecutive_failures") + 1)
    current = Webhook.objects.select_for_update().get(pk=hook.pk)
    if not current.active or current.consecutive_failures < DISABLE_AFTER:
        return
    # The last failure as it was (a status, or the error's own text); the page says the rest
    # in the reader's language, with the count of failures that turned it off.
    last = f"HTTP {answer.status}" if answer.status is not None else answer.error
    current.active, current.disabled_at, current.disabled_reason = False, timezone.now(), last
    current.save(update_fields=["active", "disabled_at", "disabled_reason", "updated_at"])
    logger.warning(
        "Webhook %s turned off after %s failed deliveries; the last: %s",
        current.pk,
        current.consecutive_failures,
        last,
    )


def deliveries_sweep(*, limit: int = 500) -> int:
    """Queue again pending deliveries whose attempt is overdue (a job that died between its
    claim and its outcome); one whose job is still queued keeps it. How many were looked at."""
    overdue = timezone.now() - CLAIM_LEASE
    due = WebhookDelivery.objects.filter(
        status=DeliveryStatus.PENDING, next_attempt_at__lte=overdue
    ).order_by("next_attempt_at")[:limit]
    count = 0
    for delivery in due:
        _queue(delivery)
        count += 1
    return count
