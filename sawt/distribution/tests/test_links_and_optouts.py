"""Links are unguessable and stored hashed; an opt-out stops what is pending, by hash only."""

import pytest
from django.test import override_settings
from django.utils import timezone

from sawt.distribution.choices import InvitationState
from sawt.distribution.contacts import contact_hash
from sawt.distribution.links import invitation_for_token, public_url, token_hash, token_new
from sawt.distribution.models import InvitationMessage, OptOut
from sawt.distribution.services.optouts import is_opted_out, optout_record
from sawt.testing import factories as f

pytestmark = pytest.mark.django_db


def test_a_token_carries_at_least_128_random_bits_and_only_its_hash_is_kept():
    tokens = {token_new() for _ in range(1000)}
    assert len(tokens) == 1000 and all(len(t) >= 22 for t in tokens)  # 22 base64 chars = 132 bits
    token = token_new()
    assert token_hash(token) != token and len(token_hash(token)) == 64


def test_a_token_leads_to_its_invitation_and_junk_to_nothing():
    invitation = f.InvitationFactory()
    token = token_new()
    InvitationMessage.objects.create(
        invitation=invitation, kind="invitation", channel="sms", token_hash=token_hash(token)
    )
    assert invitation_for_token(token) == invitation
    assert invitation_for_token(token_new()) is None
    assert invitation_for_token("x" * 500) is None and invitation_for_token("٣\x00") is None


@override_settings(SAWT_PUBLIC_URL="https://sawt.example.gov.sa/")
def test_the_public_address_is_the_configured_base():
    assert public_url("abc") == "https://sawt.example.gov.sa/s/abc/"


@override_settings(SAWT_CONTACT_HASH_KEY="one key")
def test_the_contact_hash_is_keyed():
    first = contact_hash("+966501234567")
    with override_settings(SAWT_CONTACT_HASH_KEY="another key"):
        assert contact_hash("+966501234567") != first


def test_an_opt_out_stops_pending_invitations_of_that_contact_only():
    hashed = contact_hash("+966501234567")
    pending = f.InvitationFactory(invitee__mobile_hash=hashed)
    done = f.InvitationFactory(
        invitee__mobile_hash=hashed, state=InvitationState.COMPLETED, completed_at=timezone.now()
    )
    other = f.InvitationFactory()
    optout_record(contact="+966501234567", channel="sms", source="reply", actor=None)
    optout_record(contact="+966501234567", channel="sms", source="reply", actor=None)
    for invitation in (pending, done, other):
        invitation.refresh_from_db()
    assert pending.state == InvitationState.OPTED_OUT and pending.opted_out_at is not None
    assert done.state == InvitationState.COMPLETED and other.state == InvitationState.QUEUED
    assert OptOut.objects.count() == 1 and is_opted_out(hashed)
    assert "+9665" not in str(OptOut.objects.values().get())
