"""Opt-outs: someone asked never to be contacted again (a reply word, the link's page, a request).

Only the keyed hash of the contact is kept, so the opt-out outlives the contact's erasure; every
invitation still pending for that contact becomes `opted_out`, and no message goes to it again.
"""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from sawt.core.audit import audit_record
from sawt.distribution.choices import InvitationState
from sawt.distribution.contacts import contact_hash
from sawt.distribution.models import Invitation, OptOut

# States an opt-out still changes: the person has not answered and may yet be contacted.
PENDING = (InvitationState.QUEUED, InvitationState.SENT, InvitationState.OPENED)


def is_opted_out(hashed: str) -> bool:
    """Whether the contact with this keyed hash asked not to be contacted."""
    return bool(hashed) and OptOut.objects.filter(contact_hash=hashed).exists()


@transaction.atomic
def optout_record(*, contact: str, channel: str, source: str, actor: Any) -> OptOut:
    """Record that the (normalised) contact opts out, and stop its pending invitations.

    Recording it twice is harmless: the first record stands."""
    hashed = contact_hash(contact)
    try:
        with transaction.atomic():
            optout = OptOut.objects.create(contact_hash=hashed, channel=channel, source=source)
    except IntegrityError:
        optout = OptOut.objects.get(contact_hash=hashed)
    stopped = Invitation.objects.filter(
        Q(invitee__mobile_hash=hashed) | Q(invitee__email_hash=hashed), state__in=PENDING
    ).update(
        state=InvitationState.OPTED_OUT,
        opted_out_at=timezone.now(),
        next_reminder_at=None,
        updated_at=timezone.now(),
    )
    # The audit row names no contact: the hash's first characters tell two records apart.
    audit_record(
        actor=actor,
        action="distribution.opt_out",
        obj=optout,
        data={"channel": channel, "source": source, "stopped": stopped},
    )
    return optout
