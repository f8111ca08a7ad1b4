"""The webhooks pages: administrators only; the secret shown once, at registration; editing,
turning back on, deleting; the attempt log and why a hook was turned off."""

from __future__ import annotations

import pytest
from django.test import Client

from sawt.core.access import Role
from sawt.core.models import AuditEvent
from sawt.gaps.services import gap_create
from sawt.jobs.services import jobs_run_pending
from sawt.testing import factories as f
from sawt.webhooks.models import Webhook

pytestmark = pytest.mark.django_db
URL = "/webhooks/"


def signed_in(role: str, language: str = "en") -> Client:
    client = Client()
    agency = f.AgencyFactory() if role == Role.AGENCY_MEMBER else None
    client.force_login(f.user_with_role(role, agency))
    client.post("/i18n/setlang/", {"language": language, "next": "/"})
    return client


@pytest.fixture
def admin() -> Client:
    return signed_in(Role.ADMINISTRATOR)


def register(client: Client, url: str, *events: str, **more: str):
    return client.post(URL, {"url": url, "events": list(events or ["gap.created"]), **more})


def test_only_administrators_reach_the_pages(admin, receiver):
    hook = Webhook.objects.create(url=receiver.url, events=["gap.created"], secret="s")
    pages = [URL, f"{URL}{hook.pk}/"]
    for role in (Role.ANALYST, Role.VIEWER, Role.AGENCY_MEMBER):
        other = signed_in(role)
        for page in pages:
            assert other.get(page).status_code == 403, (role, page)
        assert register(other, receiver.url).status_code == 403
        assert other.post(f"{URL}{hook.pk}/delete/").status_code == 403
        assert 'href="/webhooks/"' not in other.get("/gaps/").content.decode()
    anonymous = Client()
    assert anonymous.get(URL).status_code == 302 and "/login" in anonymous.get(URL)["Location"]
    assert Webhook.objects.count() == 1
    assert 'href="/webhooks/"' in admin.get("/gaps/").content.decode()


def test_the_secret_is_shown_once(admin, receiver):
    response = register(admin, receiver.url, "gap.created", "import.finished")
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    hook = Webhook.objects.get()
    html = response.content.decode()
    assert hook.secret.startswith("whsec_") and hook.secret in html
    assert "shown only this once" in html
    assert hook.events == ["gap.created", "import.finished"] and hook.created_by is not None
    for page in (URL, f"{URL}{hook.pk}/"):
        assert hook.secret not in admin.get(page).content.decode()
    audit = AuditEvent.objects.get(action="webhook.create")
    assert hook.secret not in str(audit.data)


def test_a_refused_address_is_said_beside_the_field(admin, settings):
    settings.SAWT_WEBHOOK_ALLOW_HOSTS = []
    response = register(admin, "http://127.0.0.1:8000/in")
    assert response.status_code == 400
    assert "loopback, private or reserved address" in response.content.decode()
    settings.SAWT_PRODUCTION = True
    response = register(admin, "http://hooks.example.com/in")
    assert "Webhooks are sent over https only." in response.content.decode()
    response = register(admin, "https://hooks.example.com/in", "no.such.event")
    assert response.status_code == 400 and Webhook.objects.count() == 0


def test_a_registration_without_csrf_token_is_refused(receiver):
    client = Client(enforce_csrf_checks=True)
    client.force_login(f.user_with_role(Role.ADMINISTRATOR))
    assert register(client, receiver.url).status_code == 403
    assert Webhook.objects.count() == 0


def test_the_log_shows_attempts_and_why_a_hook_was_turned_off(admin, receiver, monkeypatch):
    from sawt.webhooks import deliveries

    monkeypatch.setattr(deliveries, "DISABLE_AFTER", 1)
    register(admin, receiver.url)
    hook = Webhook.objects.get()
    receiver.answers = [410]
    gap_create(journey=f.JourneyFactory(), period="2022-06", feedback_ar="تأخر", actor=None)
    jobs_run_pending()
    html = admin.get(f"{URL}{hook.pk}/").content.decode()
    assert 'data-status="failed"' in html and 'data-http="410"' in html
    assert 'data-state="off"' in html
    assert "Turned off after 1 failed delivery; the last: HTTP 410" in html
    listing = admin.get(URL).content.decode()
    assert 'data-state="off"' in listing


def test_editing_events_and_turning_a_hook_back_on(admin, receiver):
    register(admin, receiver.url)
    hook = Webhook.objects.get()
    Webhook.objects.filter(pk=hook.pk).update(
        active=False, consecutive_failures=10, disabled_reason="Turned off"
    )
    agency = f.AgencyFactory(code="balady")
    response = admin.post(
        f"{URL}{hook.pk}/",
        {"events": ["survey.completed"], "agency": "balady", "active": "on"},
    )
    assert response.status_code == 302
    hook.refresh_from_db()
    assert hook.events == ["survey.completed"] and hook.agency == agency and hook.active
    assert (hook.consecutive_failures, hook.disabled_reason, hook.disabled_at) == (0, "", None)
    response = admin.post(f"{URL}{hook.pk}/", {"events": []})
    assert response.status_code == 400 and "Choose at least one event." in response.content.decode()


def test_deleting_a_hook(admin, receiver):
    register(admin, receiver.url)
    hook = Webhook.objects.get()
    assert admin.get(f"{URL}{hook.pk}/delete/").status_code == 405
    assert admin.post(f"{URL}{hook.pk}/delete/").status_code == 302
    assert Webhook.objects.count() == 0
    assert admin.get(f"{URL}{hook.pk}/").status_code == 404


def test_the_pages_are_arabic_first(receiver):
    arabic = signed_in(Role.ADMINISTRATOR, "ar")
    html = arabic.get(URL).content.decode()
    assert 'dir="rtl"' in html and "Register a webhook" not in html
    register(arabic, receiver.url)
    hook = Webhook.objects.get()
    html = arabic.get(f"{URL}{hook.pk}/").content.decode()
    assert "Deliveries" not in html and 'dir="rtl"' in html
