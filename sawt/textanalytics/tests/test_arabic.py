"""Pure tests of the Arabic helpers: normalisation, tokens and PII redaction (no database)."""

from __future__ import annotations

import pytest

from sawt.core.digits import arabic_digits, western_digits
from sawt.textanalytics.arabic import light_stem, normalize_arabic, redact_pii, tokenize


def test_digits_both_ways():
    assert western_digits("٠١٢٣٤٥٦٧٨٩ ۰۱۲۳۴۵۶۷۸۹ ١٢٫٥") == "0123456789 0123456789 12.5"
    assert arabic_digits("2022") == "٢٠٢٢"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("أحمد إبراهيم آمنة ٱلله", "احمد ابراهيم امنه الله"),
        ("مدرسة المستشفى", "مدرسه المستشفي"),
        ("مؤسسة شاطئ", "موسسه شاطي"),
        ("الخِدْمَةُ مُمْتَازَةٌ", "الخدمه ممتازه"),
        ("الخـــدمة", "الخدمه"),
        ("طويل جداااااا", "طويل جدا"),
        ("دفعت ١٥٠٠٠ ريال", "دفعت 15000 ريال"),  # digits are not squeezed
        ("رقم ۱۲۳", "رقم 123"),
        ("ﻻ ﻷ", "لا لا"),  # lam-alef presentation forms
        ("تطبيق Absher\u200f لا يعمل", "تطبيق absher لا يعمل"),
        ("  مسافات   كثيرة ", "مسافات كثيره"),
    ],
)
def test_normalize_arabic(text, expected):
    assert normalize_arabic(text) == expected


def test_tokenize_drops_punctuation_and_keeps_numbers_and_both_scripts():
    assert tokenize("هل تم الطلبREQ-2022؟ لا، المبلغ 1,250.50 ريال؛ covid19!") == [
        "هل",
        "تم",
        "الطلب",
        "req",
        "2022",
        "لا",
        "المبلغ",
        "1,250.50",
        "ريال",
        "covid",
        "19",
    ]
    assert tokenize("الخدمةُ ممتازةٌ جداااا") == ["الخدمه", "ممتازه", "جدا"]
    assert tokenize("") == []


TRUE_CASES = [
    # national ID / iqama, Luhn-valid or not, in any digits
    ("رقم هويتي 1012345678 من فضلكم", "رقم هويتي [رقم_هوية] من فضلكم"),
    ("إقامتي ٢٣٤٥٦٧٨٩٠١ منتهية", "إقامتي [رقم_هوية] منتهية"),
    ("الهوية:1000000008.", "الهوية:[رقم_هوية]."),
    # mobiles
    ("جوالي 0551234567", "جوالي [جوال]"),
    ("جوالي ٠٥٥١٢٣٤٥٦٧ شكرا", "جوالي [جوال] شكرا"),
    ("على الرقم +966551234567", "على الرقم [جوال]"),
    ("على الرقم +966 55 123 4567 مساءً", "على الرقم [جوال] مساءً"),
    ("على الرقم 00966-55-123-4567", "على الرقم [جوال]"),
    ("على الرقم 055-123-4567", "على الرقم [جوال]"),
    ("على الرقم 055 123 4567", "على الرقم [جوال]"),
    ("اتصلوا ٠٠٩٦٦٥٥١٢٣٤٥٦٧", "اتصلوا [جوال]"),
    ("رقم قديم 0521234567", "رقم قديم [جوال]"),  # unassigned prefix: still a number
    # landlines
    ("هاتف المنزل 0112345678", "هاتف المنزل [هاتف]"),
    ("هاتف المنزل 011 234 5678", "هاتف المنزل [هاتف]"),
    ("هاتف العمل +966 12 654 3210", "هاتف العمل [هاتف]"),
    # IBANs
    ("آيبان SA0380000000608010167519", "آيبان [آيبان]"),
    ("آيبان SA03 8000 0000 6080 1016 7519 لحسابي", "آيبان [آيبان] لحسابي"),
    ("آيبان sa03 8000 0000 6080 1016 7518", "آيبان [آيبان]"),  # bad checksum: a typo, still PII
    ("حساب في بريطانيا GB82WEST12345698765432", "حساب في بريطانيا [آيبان]"),
    # e-mail
    ("راسلوني على ali.ahmed+x@example.com.sa شكرا", "راسلوني على [بريد_إلكتروني] شكرا"),
    # cards
    ("بطاقتي 4111 1111 1111 1111", "بطاقتي [رقم_بطاقة]"),
    ("بطاقتي 4111-1111-1111-1111", "بطاقتي [رقم_بطاقة]"),
    ("بطاقتي ٤١١١١١١١١١١١١١١١ انسحبت", "بطاقتي [رقم_بطاقة] انسحبت"),
    ("أمريكان إكسبريس 3782 822463 10005", "أمريكان إكسبريس [رقم_بطاقة]"),
    ("بطاقة 5123 4567 8901 2345", "بطاقة [رقم_بطاقة]"),  # 16 digits, no Luhn: card-shaped
    # several at once, original digits kept around them
    (
        "هويتي ١٠١٢٣٤٥٦٧٨ وجوالي ٠٥٠٠٠٠٠٠٠٠ وطلبي ٤٥٠٠١٢٣",
        "هويتي [رقم_هوية] وجوالي [جوال] وطلبي ٤٥٠٠١٢٣",
    ),
]


@pytest.mark.parametrize(("text", "expected"), TRUE_CASES)
def test_redacts_personal_data(text, expected):
    assert redact_pii(text) == expected


NEAR_MISSES = [
    "راجعت الفرع بتاريخ ٢٠٢٢/٠٦/١٤ ولم يتم الرد",
    "راجعت الفرع بتاريخ 2022-06-14 ولم يتم الرد",
    "التاريخ 14/06/2022 الساعة 10:30",
    "دفعت 15000 ريال رسوم",
    "المبلغ 1,250.50 ريال",
    "المبلغ ١٬٢٥٠٫٥٠ ريال",
    "رقم الطلب 4500123 ما زال معلقاً",
    "رقم الطلب REQ-2022-0001234",
    "رقم المعاملة 312345678",  # 9 digits
    "رقم المعاملة 551234567",  # 9 digits, looks like a mobile without its 0
    "رقم المعاملة 12345678901",  # 11 digits
    "رقم الملف 12345678",  # 8 digits
    "منذ عام 1443 هـ و 2022 م",
    "رقم الطلب 3012345678",  # 10 digits, not starting 1 or 2
    "اتصلت على الرقم الموحد 920012345 ولا أحد يرد",  # service number, not personal
    "رقم مرجعي 1234567890123",  # 13 digits starting 1, not card-like
    "لا توجد أرقام هنا إطلاقاً",
    "",
]


@pytest.mark.parametrize("text", NEAR_MISSES)
def test_leaves_near_misses_alone(text):
    assert redact_pii(text) == text


def test_text_without_digits_or_at_is_returned_as_is():
    text = "الخدمة ممتازة"
    assert redact_pii(text) is text


def test_light_stem_brings_a_words_forms_together():
    stems = {light_stem(t) for w in ("الحسابات", "حسابي", "للحسابات") for t in tokenize(w)}
    assert stems == {"حساب"}
    assert light_stem(tokenize("الطلبات")[0]) == light_stem(tokenize("طلبي")[0])
