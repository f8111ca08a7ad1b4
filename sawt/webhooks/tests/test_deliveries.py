"""Deliveries to a receiver on 127.0.0.1: signed, retried after a 503, given up on after a 4xx,
only for subscribed events, and a hook turned off after repeated failure."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from sawt.gaps.services import gap_create, recommendation_transition
from sawt.jobs.models import Job
from sawt.jobs.services import jobs_run_pending
from sawt.testing import factories as f
from sawt.webhooks import deliveries
from sawt.webhooks.models import Webhook, WebhookAttempt, WebhookDelivery
from sawt.webhooks.services import webhook_create

pytestmark = pytest.mark.django_db


def hook(url: str, *events: str, **kwargs) -> Webhook:
    return webhook_create(url=url, events=events or ["gap.created"], actor=None, **kwargs)


def new_gap(journey=None):
    return gap_create(
        journey=journey or f.JourneyFactory(), period="2022-06", feedback_ar="تأخر", actor=None
    )


def test_a_delivery_is_signed_and_retried_after_a_503(receiver, quick_retries):
    subscribed = hook(receiver.url)
    receiver.answers = [503]
    gap = new_gap()
    jobs_run_pending()
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts) == ("pending", 1)
    jobs_run_pending()
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("delivered", 2)
    assert [a.status_code for a in WebhookAttempt.objects.order_by("at", "id")] == [503, 200]
    assert len(receiver.got) == 2
    for sent in receiver.got:
        assert sent.signed_by(subscribed.secret)
        assert not sent.signed_by("whsec_another")
        assert sent.path == "/hook/"
        assert sent.headers["Content-Type"] == "application/json"
        assert sent.headers["X-Sawt-Event"] == "gap.created"
        body = sent.json
        assert body["event"] == "gap.created" and body["id"] == str(delivery.uuid)
        assert body["data"] == {
            "gap_id": gap.pk,
            "journey": gap.journey.slug,
            "agency": gap.journey.agency.code,
            "period": "2022-06",
            "number": 1,
            "stage": None,
            "category": None,
        }
    # Both attempts carry the same delivery id: a receiver can tell a retry from a new event.
    assert receiver.got[0].json == receiver.got[1].json


def test_a_tampered_body_does_not_verify(receiver):
    subscribed = hook(receiver.url)
    new_gap()
    jobs_run_pending()
    sent = receiver.got[0]
    sent.body = sent.body.replace(b'"number":1', b'"number":2')
    assert not sent.signed_by(subscribed.secret)


def test_nothing_is_sent_for_events_not_subscribed(receiver):
    hook(receiver.url, "survey.completed")
    gap = new_gap()
    rec = f.RecommendationFactory(gap=gap)
    recommendation_transition(
        recommendation=rec, to_status="approved", expected_status=rec.status, actor=None
    )
    jobs_run_pending()
    assert receiver.got == [] and WebhookDelivery.objects.count() == 0


def test_a_turned_off_hook_gets_nothing(receiver):
    Webhook.objects.filter(pk=hook(receiver.url).pk).update(active=False)
    new_gap()
    assert jobs_run_pending() == 0 and receiver.got == []


def test_a_status_change_is_delivered_with_both_statuses(receiver):
    hook(receiver.url, "recommendation.status_changed")
    rec = f.RecommendationFactory()
    before = rec.status
    moved = recommendation_transition(
        recommendation=rec, to_status="approved", expected_status=before, actor=None
    )
    jobs_run_pending()
    data = receiver.got[0].json["data"]
    assert data["recommendation_id"] == rec.pk and data["gap_id"] == rec.gap_id
    assert (data["from_status"], data["to_status"], data["version"]) == (
        before,
        "approved",
        moved.version,
    )
    assert data["owner"] == rec.owner.code and "text" not in str(data)


def test_a_4xx_fails_at_once_and_is_not_retried(receiver, quick_retries):
    hook(receiver.url)
    receiver.answers = [404]
    new_gap()
    jobs_run_pending()
    assert jobs_run_pending() == 0
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.hook.consecutive_failures) == (
        "failed",
        1,
        1,
    )
    assert len(receiver.got) == 1


@pytest.mark.parametrize("status", [408, 429, 500, 502])
def test_timeouts_limits_and_server_errors_are_retried(receiver, quick_retries, status):
    hook(receiver.url)
    receiver.answers = [status]
    new_gap()
    jobs_run_pending()
    jobs_run_pending()
    assert [a.status_code for a in WebhookAttempt.objects.order_by("id")] == [status, 200]


def test_a_redirect_is_not_followed(receiver):
    hook(receiver.url)
    receiver.answers = [302]
    new_gap()
    jobs_run_pending()
    assert len(receiver.got) == 1 and WebhookDelivery.objects.get().status == "failed"


def test_a_refused_connection_is_retried_until_a_day_has_passed(settings):
    settings.SAWT_WEBHOOK_ALLOW_HOSTS = ["127.0.0.1"]
    hook("http://127.0.0.1:9/nothing-listens/")  # the discard port: nobody answers
    new_gap()
    jobs_run_pending()
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == "pending" and delivery.attempt_log.get().error
    assert delivery.next_attempt_at > timezone.now() + dt.timedelta(seconds=50)
    assert Job.objects.filter(kind="webhooks.deliver", status="queued").count() == 1
    # The last try of the day: the next wait would end past the day, so it is given up.
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        created_at=timezone.now() - dt.timedelta(hours=23, minutes=59), next_attempt_at=None
    )
    WebhookDelivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now())
    assert deliveries.delivery_attempt(delivery.pk) == "failed"
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("failed", 2)


def test_the_back_off_doubles_from_a_minute_up_to_two_hours():
    waits = [deliveries.retry_delay(n) for n in range(1, 12)]
    assert waits[:3] == [dt.timedelta(minutes=m) for m in (1, 2, 4)]
    assert waits[-1] == dt.timedelta(hours=2) and waits == sorted(waits)
    # Tries within the day: the one at the event, then each wait until 24 h are used up.
    spent, tries = dt.timedelta(0), 1
    while spent + deliveries.retry_delay(tries) <= deliveries.RETRY_WINDOW:
        spent += deliveries.retry_delay(tries)
        tries += 1
    assert 15 <= tries <= 25


def test_a_hook_is_turned_off_after_repeated_failure(receiver, monkeypatch):
    monkeypatch.setattr(deliveries, "DISABLE_AFTER", 3)
    failing = hook(receiver.url)
    receiver.answers = [410, 410, 410]
    journey = f.JourneyFactory()
    for _ in range(3):
        new_gap(journey)
    jobs_run_pending()
    failing.refresh_from_db()
    assert not failing.active and failing.disabled_at is not None
    assert (failing.disabled_reason, failing.consecutive_failures) == ("HTTP 410", 3)
    new_gap(journey)
    assert jobs_run_pending() == 0 and len(receiver.got) == 3


def test_a_success_resets_the_count_of_failures(receiver):
    subscribed = hook(receiver.url)
    receiver.answers = [404]
    journey = f.JourneyFactory()
    new_gap(journey)
    jobs_run_pending()
    assert Webhook.objects.get().consecutive_failures == 1
    new_gap(journey)
    jobs_run_pending()
    subscribed.refresh_from_db()
    assert subscribed.consecutive_failures == 0 and subscribed.active


def test_a_hook_of_one_agency_hears_only_of_what_it_may_see(receiver):
    mine, other = f.AgencyFactory(), f.AgencyFactory()
    hook(receiver.url, agency=mine)
    new_gap(f.JourneyFactory(agency=other))
    assert WebhookDelivery.objects.count() == 0
    gap = new_gap(f.JourneyFactory(agency=mine))
    jobs_run_pending()
    assert [r.json["data"]["gap_id"] for r in receiver.got] == [gap.pk]


def test_a_rolled_back_change_delivers_nothing(receiver):
    from django.db import transaction

    hook(receiver.url)
    with pytest.raises(RuntimeError), transaction.atomic():
        new_gap()
        raise RuntimeError
    assert WebhookDelivery.objects.count() == 0 and jobs_run_pending() == 0


def test_the_sweep_queues_an_overdue_delivery_again(receiver):
    hook(receiver.url)
    new_gap()
    Job.objects.all().delete()  # as if its job had been lost
    delivery = WebhookDelivery.objects.get()
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        next_attempt_at=timezone.now() - dt.timedelta(minutes=10)
    )
    assert deliveries.deliveries_sweep() == 1
    jobs_run_pending()
    assert WebhookDelivery.objects.get().status == "delivered"


def test_a_deleted_hook_leaves_its_queued_job_nothing_to_do(receiver):
    subscribed = hook(receiver.url)
    new_gap()
    subscribed.delete()
    jobs_run_pending()
    assert receiver.got == []
    assert Job.objects.get(kind="webhooks.deliver").result == {"outcome": "skipped"}


def test_a_receiver_that_drips_its_answer_is_cut_off_at_the_deadline(monkeypatch):
    """Each byte within the read timeout, the whole answer never: the attempt ends at the
    deadline instead of holding a worker."""
    import socket
    import threading
    import time as clock

    from sawt.webhooks import sending
    from sawt.webhooks.targets import url_parse

    monkeypatch.setattr(sending, "DEADLINE", 1.5)
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    port = server.getsockname()[1]

    def drip() -> None:
        conn, _ = server.accept()
        conn.recv(65536)
        conn.sendall(b"HTTP/1.1 200 OK\r\n")
        try:
            for _ in range(50):
                conn.sendall(b"X-Slow: a\r\n")
                clock.sleep(0.2)
        except OSError:
            pass
        conn.close()

    threading.Thread(target=drip, daemon=True).start()
    started = clock.monotonic()
    answer = sending.post(
        target=url_parse(f"http://127.0.0.1:{port}/hook"),
        address="127.0.0.1",
        body=b"{}",
        headers={},
    )
    assert clock.monotonic() - started < 5
    assert answer.status is None and "1.5 s" in answer.error
    server.close()
