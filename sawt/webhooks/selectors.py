"""Reads of webhooks for the administrators' pages (which check `webhook.manage` first)."""

from __future__ import annotations

from django.db.models import Count, Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404

from sawt.webhooks.choices import DeliveryStatus
from sawt.webhooks.models import Webhook, WebhookAttempt, WebhookDelivery


def webhook_list() -> QuerySet[Webhook]:
    """Every hook with its counts of pending and failed deliveries (no secret is shown)."""
    return Webhook.objects.select_related("agency").annotate(
        n_pending=Count("deliveries", filter=Q(deliveries__status=DeliveryStatus.PENDING)),
        n_failed=Count("deliveries", filter=Q(deliveries__status=DeliveryStatus.FAILED)),
    )


def webhook_get(pk: int) -> Webhook:
    """One hook, or 404."""
    return get_object_or_404(Webhook.objects.select_related("agency", "created_by"), pk=pk)


def delivery_log(hook: Webhook) -> QuerySet[WebhookDelivery]:
    """The hook's deliveries, newest first, each with its attempts in order."""
    return WebhookDelivery.objects.filter(hook=hook).prefetch_related(
        Prefetch("attempt_log", queryset=WebhookAttempt.objects.order_by("at", "id"))
    )
