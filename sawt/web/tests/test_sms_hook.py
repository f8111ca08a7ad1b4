"""`POST /hooks/sms/`: the SMS gateway's replies. The opt-out word, in Arabic or English however
written, records an opt-out and stops what is pending; anything else changes nothing; only the
gateway holding SAWT_SMS_TOKEN is heard, and bad bodies get a 4xx naming what is wrong."""

from __future__ import annotations

import json

import pytest
from django.test import Client, override_settings

from sawt.core.models import AuditEvent
from sawt.distribution.choices import InvitationState
from sawt.distribution.contacts import contact_hash
from sawt.distribution.models import OptOut
from sawt.testing import factories as f

pytestmark = pytest.mark.django_db
URL = "/hooks/sms/"
TOKEN = "gateway-secret-token"


@pytest.fixture(autouse=True)
def configured():
    with override_settings(SAWT_SMS_TOKEN=TOKEN):
        yield


@pytest.fixture
def gateway():
    # A browser's CSRF rules are enforced: the hook must not need them.
    return Client(enforce_csrf_checks=True)


def _post(client, body, token=TOKEN, raw=None):
    headers = {"Authorization": f"Bearer {token}"} if token is not None else {}
    data = raw if raw is not None else json.dumps(body, ensure_ascii=False)
    return client.post(URL, data=data, content_type="application/json", headers=headers)


def test_the_opt_out_word_stops_every_pending_invitation_of_that_number(gateway):
    invitation = f.InvitationFactory(invitee__mobile_hash=contact_hash("+966501234567"))
    answer = _post(gateway, {"from": "0501234567", "text": " إيقاف "})
    assert answer.status_code == 200 and answer.json() == {"opted_out": True}
    invitation.refresh_from_db()
    assert invitation.state == InvitationState.OPTED_OUT
    optout = OptOut.objects.get()
    assert (optout.contact_hash, optout.channel, optout.source) == (
        contact_hash("+966501234567"),
        "sms",
        "reply",
    )
    assert AuditEvent.objects.get(action="distribution.opt_out").actor_label == "system"
    # The same reply again, in English this time: still one opt-out.
    assert _post(gateway, {"from": "+966501234567", "text": "STOP"}).json() == {"opted_out": True}
    assert OptOut.objects.count() == 1


def test_any_other_reply_changes_nothing(gateway):
    invitation = f.InvitationFactory(invitee__mobile_hash=contact_hash("+966501234567"))
    answer = _post(gateway, {"from": "+966501234567", "text": "شكراً، الخدمة ممتازة"})
    assert answer.status_code == 200 and answer.json() == {"opted_out": False}
    invitation.refresh_from_db()
    assert invitation.state == InvitationState.QUEUED and not OptOut.objects.exists()


@pytest.mark.parametrize("token", [None, "wrong", ""])
def test_only_the_gateway_with_the_token_is_heard(gateway, token):
    answer = _post(gateway, {"from": "+966501234567", "text": "STOP"}, token=token)
    assert answer.status_code == 401
    # Messages are in the site's language, Arabic first.
    assert answer.json() == {"error": "رمز البوابة مفقود أو غير صحيح."}
    assert not OptOut.objects.exists()


def test_without_a_gateway_there_is_no_hook(gateway):
    with override_settings(SAWT_SMS_TOKEN=""):
        assert (
            _post(gateway, {"from": "+966501234567", "text": "STOP"}, token="").status_code == 404
        )
    assert not OptOut.objects.exists()


@pytest.mark.parametrize(
    ("raw", "field"),
    [
        ("not json", None),
        ("[1, 2]", None),
        (json.dumps({"text": "STOP"}), "from"),
        (json.dumps({"from": "+966501234567", "text": "x" * 2000}), "text"),
        (json.dumps({"from": "12345", "text": "STOP"}), "from"),
        (json.dumps({"from": "+96650\u0000", "text": "STOP"}), "from"),
    ],
)
def test_bad_bodies_are_refused_naming_the_field(gateway, raw, field):
    answer = _post(gateway, None, raw=raw)
    assert answer.status_code == 400
    assert answer.json().get("field") == field and answer.json()["error"]
    assert not OptOut.objects.exists()


def test_a_huge_body_is_refused_unread(gateway):
    answer = _post(gateway, None, raw=json.dumps({"from": "x", "text": "y" * 10_000}))
    assert answer.status_code == 413


def test_only_post(gateway):
    assert gateway.get(URL, headers={"Authorization": f"Bearer {TOKEN}"}).status_code == 405
