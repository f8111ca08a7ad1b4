"""The links people answer through: `SAWT_PUBLIC_URL/s/<token>/`, one token per message.

A token is 192 random bits (URL-safe base64, 32 characters); only its SHA-256 is stored, so a
copy of the database opens no survey. Every message (the invitation, each reminder) carries a
token of its own, and any of them leads to the same invitation until it expires or is completed.
"""

from __future__ import annotations

import hashlib
import secrets

from django.conf import settings
from django.db.models import QuerySet

from sawt.distribution.models import Invitation, InvitationMessage

TOKEN_BYTES = 24
# Longer than any token we make, shorter than anything worth hashing: junk is refused unread.
MAX_TOKEN_LENGTH = 64


def token_new() -> str:
    """A fresh unguessable token (192 bits)."""
    return secrets.token_urlsafe(TOKEN_BYTES)


def token_hash(token: str) -> str:
    """What is stored of a token: its SHA-256, as 64 hexadecimal digits."""
    return hashlib.sha256(token.encode()).hexdigest()


def public_url(token: str) -> str:
    """The address a person opens: SAWT_PUBLIC_URL followed by /s/<token>/."""
    return f"{settings.SAWT_PUBLIC_URL.rstrip('/')}/s/{token}/"


def invitation_for_token(token: str) -> Invitation | None:
    """The invitation a token belongs to, or None for an unknown (or malformed) token."""
    if not token or len(token) > MAX_TOKEN_LENGTH or not token.isascii():
        return None
    messages: QuerySet[InvitationMessage] = InvitationMessage.objects.select_related(
        "invitation__invitee__survey"
    )
    found = messages.filter(token_hash=token_hash(token)).first()
    return found.invitation if found is not None else None
