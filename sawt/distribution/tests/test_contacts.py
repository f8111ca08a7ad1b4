"""Contacts: every usual way of writing a Saudi mobile or an e-mail address, and their masks."""

import pytest
from django.utils import translation

from sawt.distribution.contacts import (
    email_shown,
    mask_email,
    mask_mobile,
    mobile_shown,
    normalise_email,
    normalise_mobile,
)
from sawt.imports.values import ValueProblem
from sawt.testing import factories as f

E164 = "+966501234567"


@pytest.mark.parametrize(
    "written",
    [
        "0501234567",
        "501234567",
        "+966501234567",
        "00966501234567",
        "966501234567",
        "+966 50 123 4567",
        "050-123-4567",
        "(050) 123.4567",
        "+9660501234567",  # the trunk 0 kept after the country code, as people write it
        "٠٥٠١٢٣٤٥٦٧",  # Arabic-Indic digits
        "+٩٦٦٥٠١٢٣٤٥٦٧",
        "۰۵۰ ۱۲۳ ۴۵۶۷",  # Persian digits
        "\u200f0501234567\u200f",  # direction marks that Arabic Excel adds
        " 0501234567\u00a0",
    ],
)
def test_a_saudi_mobile_written_any_usual_way_becomes_e164(written):
    assert normalise_mobile(written) == E164


@pytest.mark.parametrize(
    ("written", "says"),
    [
        ("0112345678", "landline"),  # a Riyadh landline
        ("+447911123456", "not a Saudi number"),
        ("0521234567", "not a Saudi mobile number"),  # no such network
        ("05012345678", "not a Saudi mobile number"),  # a digit too many
        ("05O1234567", "not a Saudi mobile number"),  # a letter O for a zero
        ("0501234567 ext 5", "not a Saudi mobile number"),
        ("abc", "not a Saudi mobile number"),
        ("+", "not a Saudi mobile number"),
        ("0" * 200, "far too long"),
    ],
)
def test_anything_else_is_refused_with_a_reason(written, says):
    with translation.override("en"), pytest.raises(ValueProblem) as refused:
        normalise_mobile(written)
    assert says in refused.value.message


def test_the_refusal_reads_in_arabic():
    with translation.override("ar"), pytest.raises(ValueProblem) as refused:
        normalise_mobile("0112345678")
    assert "ثابت" in refused.value.message and "0112345678" in refused.value.message


@pytest.mark.parametrize(
    ("written", "normalised"),
    [
        ("Ahmed.Ali@Example.COM", "ahmed.ali@example.com"),
        ("  user+tag@mail.gov.sa ", "user+tag@mail.gov.sa"),
        ("\u200fa@b.sa\u200f", "a@b.sa"),
    ],
)
def test_an_email_address_is_trimmed_and_lower_cased(written, normalised):
    assert normalise_email(written) == normalised


@pytest.mark.parametrize(
    "written",
    [
        "a@b",
        "a@localhost",
        "a@@b.com",
        "@b.com",
        "a b@c.com",
        '"a"@b.com',
        "a@b.com,c@d.com",
        "x" * 250 + "@b.com",
    ],
)
def test_a_malformed_email_address_is_refused(written):
    with pytest.raises(ValueProblem):
        normalise_email(written)


def test_masks_keep_only_what_tells_contacts_apart():
    assert mask_mobile("+966501234123") == "+9665•••••123"
    assert mask_email("ahmed.ali@example.com") == "a•••@example.com"
    # An erased contact shows nothing, and a mask never reveals the local part's length.
    assert mask_mobile("") == "" and mask_email("") == ""
    assert mask_email("a@example.com") == mask_email("abcdefgh@example.com")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "whole"),
    [("administrator", True), ("analyst", False), ("viewer", False), ("agency_member", False)],
)
def test_only_administrators_see_contacts_whole(role, whole):
    agency = f.AgencyFactory() if role == "agency_member" else None
    user = f.user_with_role(role, agency)
    mobile, email = mobile_shown(E164, user), email_shown("ahmed@example.com", user)
    if whole:
        assert (mobile, email) == (E164, "ahmed@example.com")
    else:
        assert (mobile, email) == ("+9665•••••567", "a•••@example.com")


def test_nobody_signed_in_sees_a_contact_whole():
    assert mobile_shown(E164, None) == "+9665•••••567"


def test_the_fast_path_agrees_with_phonenumbers():
    # Usual shapes skip the full parse; over every network prefix both must agree.
    import random

    import phonenumbers

    from sawt.distribution.contacts import _saudi_mobile

    rng = random.Random(7)
    for _ in range(3000):
        national = "5" + "".join(rng.choice("0123456789") for _ in range(8))
        parsed = phonenumbers.parse("+966" + national)
        valid = phonenumbers.is_valid_number(parsed) and phonenumbers.number_type(parsed) in (
            phonenumbers.PhoneNumberType.MOBILE,
            phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
        )
        for written in ("0" + national, national, "966" + national, "+966" + national):
            assert _saudi_mobile(written) == ("+966" + national if valid else ""), written
