"""Where a webhook may send: https only in production; no loopback, private, link-local or
reserved address unless SAWT_WEBHOOK_ALLOW_HOSTS allows it, checked at registration and again
at every delivery (a name that later resolves inside gets nothing)."""

from __future__ import annotations

import socket

import pytest
from django.utils import translation

from sawt.jobs.services import jobs_run_pending
from sawt.testing import factories as f
from sawt.webhooks import targets
from sawt.webhooks.models import Webhook, WebhookDelivery
from sawt.webhooks.services import webhook_create
from sawt.webhooks.targets import AddressRefused, Unresolvable, url_check

PUBLIC = "93.184.216.34"


def resolving(monkeypatch, *addresses: str) -> None:
    def fake(host, port, *args, **kwargs):
        family = socket.AF_INET6 if ":" in addresses[0] else socket.AF_INET
        return [(family, socket.SOCK_STREAM, 6, "", (a, port)) for a in addresses]

    monkeypatch.setattr(targets.socket, "getaddrinfo", fake)


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def test_production_takes_https_only(settings, monkeypatch):
    resolving(monkeypatch, PUBLIC)
    settings.SAWT_PRODUCTION = True
    with pytest.raises(AddressRefused, match="over https only"):
        url_check("http://hooks.example.com/in")
    assert url_check("https://hooks.example.com/in?x=1").path == "/in?x=1"
    settings.SAWT_PRODUCTION = False
    assert url_check("http://hooks.example.com/in").port == 80


@pytest.mark.parametrize(
    "url", ["ftp://example.com/", "https:///nohost", "https://user:pw@example.com/", "not a url"]
)
def test_malformed_urls_are_refused(url, monkeypatch):
    resolving(monkeypatch, PUBLIC)
    with pytest.raises(AddressRefused):
        url_check(url)


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "10.1.2.3",
        "172.16.0.5",
        "192.168.1.1",
        "169.254.169.254",  # the cloud metadata service
        "100.64.0.1",  # carrier-grade NAT
        "0.0.0.0",
        "224.0.0.1",
        "::1",
        "fe80::1",
        "fd00::1",
        "::ffff:127.0.0.1",
    ],
)
def test_inside_addresses_are_refused(monkeypatch, address):
    resolving(monkeypatch, address)
    with pytest.raises(AddressRefused, match="SAWT_WEBHOOK_ALLOW_HOSTS"):
        url_check("https://hooks.example.com/")


def test_one_inside_address_among_public_ones_is_enough_to_refuse(monkeypatch):
    resolving(monkeypatch, PUBLIC, "10.0.0.7")
    with pytest.raises(AddressRefused, match=r"10\.0\.0\.7"):
        url_check("https://hooks.example.com/")


def test_the_setting_allows_named_hosts_addresses_and_networks(settings, monkeypatch):
    resolving(monkeypatch, "10.0.0.7")
    settings.SAWT_WEBHOOK_ALLOW_HOSTS = ["hooks.internal"]
    url_check("https://hooks.internal/")
    with pytest.raises(AddressRefused):
        url_check("https://other.internal/")
    settings.SAWT_WEBHOOK_ALLOW_HOSTS = ["10.0.0.0/8"]
    url_check("https://other.internal/")
    settings.SAWT_WEBHOOK_ALLOW_HOSTS = ["10.0.0.7"]
    url_check("https://other.internal/")


def test_loopback_is_refused_unless_allowed(settings):
    settings.SAWT_WEBHOOK_ALLOW_HOSTS = []
    with pytest.raises(AddressRefused):
        url_check("http://127.0.0.1:8000/")
    with pytest.raises(AddressRefused):
        url_check("http://localhost:8000/")
    settings.SAWT_WEBHOOK_ALLOW_HOSTS = ["127.0.0.1"]
    url_check("http://127.0.0.1:8000/")


def test_an_unknown_host_is_refused_at_registration(monkeypatch):
    def fail(*args, **kwargs):
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(targets.socket, "getaddrinfo", fail)
    with pytest.raises(Unresolvable, match="could not be resolved"):
        url_check("https://nowhere.example/")


@pytest.mark.django_db
def test_registration_refuses_with_a_clear_message(settings):
    settings.SAWT_WEBHOOK_ALLOW_HOSTS = []
    with pytest.raises(AddressRefused, match="loopback, private or reserved"):
        webhook_create(url="http://127.0.0.1:9/", events=["gap.created"], actor=None)
    assert Webhook.objects.count() == 0


@pytest.mark.django_db
def test_a_name_that_later_resolves_inside_gets_nothing(receiver, settings, monkeypatch):
    """DNS rebinding: public at registration, 127.0.0.1 when the delivery is sent."""
    settings.SAWT_WEBHOOK_ALLOW_HOSTS = []
    resolving(monkeypatch, PUBLIC)
    port = receiver.url.split(":")[2].split("/")[0]
    webhook_create(url=f"http://rebind.example:{port}/hook/", events=["gap.created"], actor=None)
    resolving(monkeypatch, "127.0.0.1")
    from sawt.gaps.services import gap_create

    gap_create(journey=f.JourneyFactory(), period="2022-06", feedback_ar="تأخر", actor=None)
    jobs_run_pending()
    delivery = WebhookDelivery.objects.get()
    assert receiver.got == [] and delivery.status == "failed"
    assert "127.0.0.1" in delivery.attempt_log.get().error


@pytest.mark.django_db
def test_the_request_goes_to_the_address_that_was_checked(receiver, monkeypatch):
    """The connection is made to the address just checked, not resolved again by the socket:
    the host's name is only the Host header."""
    resolving(monkeypatch, "127.0.0.1")
    port = receiver.url.split(":")[2].split("/")[0]
    receiver_settings = ["127.0.0.1"]
    from django.conf import settings

    assert settings.SAWT_WEBHOOK_ALLOW_HOSTS == receiver_settings
    webhook_create(url=f"http://name.invalid:{port}/hook/", events=["gap.created"], actor=None)
    from sawt.gaps.services import gap_create

    gap_create(journey=f.JourneyFactory(), period="2022-06", feedback_ar="تأخر", actor=None)
    jobs_run_pending()
    assert receiver.got[0].headers["Host"] == f"name.invalid:{port}"
    assert WebhookDelivery.objects.get().status == "delivered"


def test_https_connects_to_the_checked_address_and_checks_tls(receiver):
    """An https hook opens TLS to the address just checked; a server that speaks no TLS (the
    plain receiver) is an error worth another try, and nothing reaches it as a request."""
    from sawt.webhooks.sending import post
    from sawt.webhooks.targets import url_parse

    port = receiver.url.split(":")[2].split("/")[0]
    target = url_parse(f"https://name.invalid:{port}/hook/")
    answer = post(target=target, address="127.0.0.1", body=b"{}", headers={})
    assert answer.status is None and "SSL" in answer.error
    assert receiver.got == []
