"""Contacts as personal data: how a written contact is normalised, the keyed hash that outlives
it, and how it is shown (masked to everyone but administrators).

The hash is an HMAC-SHA256 of the normalised contact (an E.164 mobile number, a lower-cased
e-mail address) under a key of its own, so that a leaked table of hashes cannot be reversed by
hashing every Saudi mobile number (there are only some hundred million). The key is
SAWT_CONTACT_HASH_KEY, or one derived from the secret key when it is not set; changing it makes
every stored hash unrecognisable (opt-outs included), so a deployment sets it once.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from functools import cache, lru_cache
from typing import Any

import phonenumbers
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator
from django.utils.translation import gettext as _
from phonenumbers import NumberParseException, PhoneNumberFormat, PhoneNumberType

from sawt.core.access import Role, role_of
from sawt.core.digits import western_digits
from sawt.imports.values import ValueProblem


@lru_cache(maxsize=4)
def _keyed(configured: str, secret: str) -> hmac.HMAC:
    # Keyed once, copied for each contact: an import hashes two contacts a row.
    if configured:
        key = configured.encode()
    else:
        # Derived, not the secret key itself: a hash must never help anyone guess the secret.
        key = hmac.new(secret.encode(), b"sawt.contact-hash", hashlib.sha256).digest()
    return hmac.new(key, digestmod=hashlib.sha256)


def contact_hash(normalised: str) -> str:
    """The keyed hash of a normalised contact (64 hexadecimal digits)."""
    keyed = _keyed(getattr(settings, "SAWT_CONTACT_HASH_KEY", ""), settings.SECRET_KEY).copy()
    keyed.update(normalised.encode())
    return keyed.hexdigest()


# --- Normalising what a file or a person wrote ------------------------------------------------

# What people put between digits: spaces of every kind, dashes, dots, slashes, brackets.
_SEPARATORS = re.compile(r"[\s\-‐‑‒–—.()/]+")
_MOBILE_SHAPE = re.compile(r"^\+?[0-9]{6,20}$", re.ASCII)
# Longer than any phone number written with separators: not a number, and not parsed.
_MOBILE_MAX_CHARS = 40
# Direction marks (Arabic Excel adds them around cells) and the BOM: never part of a contact.
_MARKS = {c: None for c in (0x200E, 0x200F, 0x061C, 0x202A, 0x202B, 0x202C, 0x202D, 0x202E)}
_MARKS[0xFEFF] = None
_MOBILE_TYPES = (PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE_OR_MOBILE)
EMAIL_MAX = 254  # RFC 5321's limit on a whole address, and the model's field
_EMAIL_CHECK = EmailValidator(allowlist=[])  # no bare "localhost": a real domain has a dot


def normalise_mobile(text: str) -> str:
    """A Saudi mobile number as E.164 (`+9665XXXXXXXX`), however it was written: 05…, 5…,
    +9665…, 009665…, 9665…, with spaces or dashes, in ASCII, Arabic-Indic or Persian digits.

    Raises ValueProblem with a message for the person who wrote it. Only Saudi mobiles are
    taken: invitations go by SMS through a Saudi gateway, and a foreign or landline number in a
    service's records is far more often a typing slip than a way to reach the person."""
    written = western_digits(str(text).translate(_MARKS)).strip()
    if len(written) > _MOBILE_MAX_CHARS:
        raise ValueProblem(_("This is far too long for a mobile number."))
    compact = _SEPARATORS.sub("", written)
    if compact.startswith("00"):
        compact = "+" + compact[2:]
    # Letters are refused here: phonenumbers would read "05O…" as a vanity number.
    if not _MOBILE_SHAPE.match(compact):
        raise _not_a_mobile(written)
    if fast := _saudi_mobile(compact):
        return fast
    try:
        number = phonenumbers.parse(compact, "SA")
    except NumberParseException:
        raise _not_a_mobile(written) from None
    if not phonenumbers.is_valid_number(number):
        raise _not_a_mobile(written)
    if phonenumbers.region_code_for_number(number) != "SA":
        raise ValueProblem(
            _(
                "“%(value)s” is not a Saudi number; invitations go only to Saudi mobile "
                "numbers (+9665…)."
            )
            % {"value": written}
        )
    if phonenumbers.number_type(number) not in _MOBILE_TYPES:
        raise ValueProblem(
            _("“%(value)s” is a landline number; an invitation needs a mobile number (05…).")
            % {"value": written}
        )
    return phonenumbers.format_number(number, PhoneNumberFormat.E164)


# The usual ways of writing a Saudi mobile, around its 9-digit national number 5XXXXXXXX.
_USUAL = re.compile(r"^(?:\+966|966|0)?(5[0-9]{8})$", re.ASCII)


@cache
def _saudi_mobile_pattern() -> re.Pattern[str]:
    # phonenumbers' own pattern of Saudi mobile numbers, so the fast path agrees with it.
    metadata = phonenumbers.PhoneMetadata.metadata_for_region("SA")
    if metadata is None or metadata.mobile is None or not metadata.mobile.national_number_pattern:
        return re.compile(r"(?!)")  # no metadata: everything takes the slow path
    return re.compile(f"(?:{metadata.mobile.national_number_pattern})", re.ASCII)


def _saudi_mobile(compact: str) -> str:
    """E.164 for a number written a usual way that is a valid Saudi mobile; '' otherwise (the
    full parse then decides, and explains). Parsing with phonenumbers costs some 100 µs a
    number, most of a sample import's time; this costs a regular expression."""
    usual = _USUAL.match(compact)
    if usual and _saudi_mobile_pattern().fullmatch(usual.group(1)):
        return "+966" + usual.group(1)
    return ""


def _not_a_mobile(written: str) -> ValueProblem:
    return ValueProblem(
        _("“%(value)s” is not a Saudi mobile number; write it like 0501234567 or +966501234567.")
        % {"value": written}
    )


def normalise_email(text: str) -> str:
    """An e-mail address trimmed and lower-cased, once its syntax is sane (a local part, one @,
    a domain with a dot); raises ValueProblem otherwise."""
    written = str(text).translate(_MARKS).strip()
    address = written.lower()
    if len(address) > EMAIL_MAX:
        raise ValueProblem(
            _("An e-mail address is at most %(limit)s characters.") % {"limit": EMAIL_MAX}
        )
    # Quoted local parts and spaces are legal in theory and a typing slip in practice.
    try:
        if '"' in address or any(c.isspace() for c in address):
            raise ValidationError("")
        _EMAIL_CHECK(address)
    except ValidationError:
        raise ValueProblem(
            _("“%(value)s” is not an e-mail address; write it like name@example.com.")
            % {"value": written}
        ) from None
    return address


# --- Showing contacts ----------------------------------------------------------------------

MASK = "•"


def mask_mobile(mobile: str) -> str:
    """`+966501234123` → `+9665•••••123`: the country and the network's first digit, the last
    three digits; '' for an erased contact."""
    if not mobile:
        return ""
    if len(mobile) < 9:
        return MASK * len(mobile)
    return mobile[:5] + MASK * (len(mobile) - 8) + mobile[-3:]


def mask_email(email: str) -> str:
    """`ahmed.ali@example.com` → `a•••@example.com`: the first letter and the domain, and never
    the local part's length; '' for an erased contact."""
    if not email:
        return ""
    local, at, domain = email.rpartition("@")
    if not at:
        return MASK * 3
    return f"{local[:1]}{MASK * 3}@{domain}"


def mobile_shown(mobile: str, user: Any) -> str:
    """The mobile number as `user` may see it: whole for administrators, masked otherwise."""
    return mobile if role_of(user) == Role.ADMINISTRATOR else mask_mobile(mobile)


def email_shown(email: str, user: Any) -> str:
    """The e-mail address as `user` may see it: whole for administrators, masked otherwise."""
    return email if role_of(user) == Role.ADMINISTRATOR else mask_email(email)
