"""Arabic text helpers with no Django: normalisation for matching, tokens, PII redaction.
Digits are read with the one digits helper, sawt.core.digits (pure Python too).

Originals are kept for display; normalised text is only for matching, models and search.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import phonenumbers
import snowballstemmer
from phonenumbers import PhoneNumberType
from stdnum import iban as stdnum_iban
from stdnum import luhn

from sawt.core.digits import western_digits

_DIACRITICS = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed]")
_TATWEEL = "\u0640"
_LETTER_MAP = str.maketrans(
    {"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ة": "ه", "ى": "ي", "ؤ": "و", "ئ": "ي"}
)
# Only letters are squeezed: "جداااا" → "جدا", but 15000 keeps its zeros.
_REPEATS = re.compile(r"([^\W\d_])\1{2,}")
# Presentation forms (ﻻ ﻷ ﺍﻟ… from PDFs and old keyboards) are folded by NFKC; checked first so
# ordinary text does not pay for it.
_PRESENTATION = re.compile("[\ufb50-\ufdff\ufe70-\ufeff]")
# Zero-width and bidi controls that copy-pasted text carries between letters.
_INVISIBLE = re.compile("[\u200b-\u200f\u202a-\u202e\u2066-\u2069\u061c]")


def normalize_arabic(text: str) -> str:
    """Fold spelling variants for matching: hamza forms, taa marbuta, alef maqsura, diacritics,
    tatweel, digits, letters stretched for emphasis (e.g. جداااا → جدا), lam-alef and other
    presentation forms, invisible bidi marks, Latin case. Arabic and English words are kept
    side by side; punctuation is left for `tokenize`."""
    if _PRESENTATION.search(text):
        text = unicodedata.normalize("NFKC", text)
    text = _INVISIBLE.sub("", western_digits(text)).replace(_TATWEEL, "")
    text = _DIACRITICS.sub("", text).translate(_LETTER_MAP)
    text = _REPEATS.sub(r"\1", text)
    return " ".join(text.lower().split())


# A number (with its thousands and decimal separators), a run of Arabic letters, or a run of
# other letters (Latin …). Script changes split a token: "الطلبREQ" → "الطلب", "req".
_TOKEN = re.compile(
    r"\d+(?:[.,]\d+)*|[\u0621-\u064a\u066e-\u06d3\u06fa-\u06ff]+|[^\W\d_\u0600-\u06ff]+"
)


_STEMMER = snowballstemmer.stemmer("arabic")


def tokenize(text: str) -> list[str]:
    """Normalised tokens for models and search: Arabic and Latin words and numbers, no
    punctuation (Arabic ، ؛ ؟ included)."""
    return _TOKEN.findall(normalize_arabic(text))


@lru_cache(maxsize=100_000)
def light_stem(token: str) -> str:
    """The Snowball Arabic stem of a normalised token (بطاقاتكم → بطاق), for search and
    experiments. Not used by the classifier: its character n-grams already see inside words,
    and stems helped on one test variety and hurt on the others (docs/benchmarks.md)."""
    return _STEMMER.stemWord(token)


def tokenize_normalized(text: str) -> list[str]:
    """`tokenize` for text `normalize_arabic` already went through (models normalise once)."""
    return _TOKEN.findall(text)


# --- PII redaction -------------------------------------------------------------------------
# Everything is found on a copy whose digits were made ASCII (a 1:1 translation, so spans are
# the same in the original), so ٠٥٥١٢٣٤٥٦٧ is caught like 0551234567 and the rest of the text
# keeps the digits the writer used. Order matters: e-mails, IBANs and cards first, then IDs,
# then phones; a later kind never takes characters an earlier one took.
PLACEHOLDERS = {
    "email": "[بريد_إلكتروني]",
    "iban": "[آيبان]",
    "card": "[رقم_بطاقة]",
    "national_id": "[رقم_هوية]",
    "mobile": "[جوال]",
    "phone": "[هاتف]",
}
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.ASCII)
# Saudi IBANs: SA, 2 check digits, 22 characters, solid or in groups (exactly 24, so a word
# after the number is never swallowed). Other countries' IBANs are matched solid only.
_IBAN_SA = re.compile(r"(?<![A-Za-z0-9])SA\d{2}(?:[ \-]?[A-Za-z0-9]){20}(?![A-Za-z0-9])", re.I)
_IBAN_OTHER = re.compile(r"(?<![A-Za-z0-9])[A-Za-z]{2}\d{2}[A-Za-z0-9]{11,30}(?![A-Za-z0-9])")
# Card-like: 13–19 digits solid, in groups of four, or Amex's 4-6-5.
_CARD = re.compile(
    r"(?<![\d+])(?:\d{13,19}|\d{4}(?:[ \-]\d{4}){2,3}(?:[ \-]\d{1,4})?|\d{4}[ \-]\d{6}[ \-]\d{5})"
    r"(?![\d])"
)
# National ID (starts 1) and iqama (starts 2): every such 10-digit number, Luhn or not.
_NATIONAL_ID = re.compile(r"(?<!\d)[12]\d{9}(?!\d)")
# phonenumbers only looks at texts holding seven or more digits close together.
_PHONE_LIKE = re.compile(r"\d(?:[ \-.()/]{0,2}\d){6,}")
_SEP = r"[ \-.]?"
# Saudi shapes phonenumbers does not call valid (unassigned prefixes such as 052, typos), when
# written with a trunk 0 or the country code: still someone's number.
_MOBILE_SHAPE = re.compile(
    r"(?<![\d+])(?:(?:\+|00)966" + _SEP + r"?|0)5\d(?:" + _SEP + r"?\d){7}(?!\d)"
)
_PHONE_SHAPE = re.compile(
    r"(?<![\d+])(?:(?:\+|00)966" + _SEP + r"?|0)1[1-7](?:" + _SEP + r"?\d){7}(?!\d)"
)
# Organisations' service numbers (9200…, 800…) are not personal data and are kept.
_SERVICE_TYPES = {
    PhoneNumberType.TOLL_FREE,
    PhoneNumberType.SHARED_COST,
    PhoneNumberType.PREMIUM_RATE,
    PhoneNumberType.UAN,
}
_MAY_HOLD_PII = re.compile("[0-9@\u0660-\u0669\u06f0-\u06f9]")


def redact_pii(text: str) -> str:
    """Replace personal data with typed placeholders such as [رقم_هوية] and [جوال].

    Digits are matched in any script; text without personal data is returned unchanged.
    - national ID / iqama: every 10-digit number starting 1 or 2, Luhn-valid or not (company
      and other numbers look alike; a false positive costs little, a leak a lot);
    - phones: `phonenumbers` (region SA) finds mobiles → [جوال] and landlines, foreign numbers
      included → [هاتف]; 05…/01… shapes with a trunk 0 or +966/00966 it rejects are still
      redacted; service numbers (9200…, 800…) are kept;
    - IBAN: any SA + 22 characters, solid or grouped, even with a wrong checksum (a mistyped
      IBAN is still someone's account); other countries' IBANs written solid when
      `stdnum.iban` finds them valid;
    - cards: 13–19 digit runs (solid, groups of 4, or 4-6-5) starting 2–6 that pass Luhn, and
      any 16-digit such run even without Luhn (card-shaped: a mistyped card number);
    - e-mail addresses."""
    # Every kind of personal data sawt redacts holds a digit (in some script) or an "@": most
    # complaints hold neither and skip the patterns altogether.
    if not text or not _MAY_HOLD_PII.search(text):
        return text
    return _apply(text, _find_spans(western_digits(text)))


def _find_spans(text: str) -> list[tuple[int, int, str]]:
    spans: list[tuple[int, int, str]] = []
    taken = bytearray(len(text))

    def take(start: int, end: int, kind: str) -> None:
        if any(taken[start:end]):
            return
        taken[start:end] = b"\x01" * (end - start)
        spans.append((start, end, kind))

    if "@" in text:
        for m in _EMAIL.finditer(text):
            take(*m.span(), "email")
    for m in _IBAN_SA.finditer(text):
        take(*m.span(), "iban")  # checksum or not: a mistyped IBAN is still someone's account
    for m in _IBAN_OTHER.finditer(text):
        if stdnum_iban.is_valid(m.group()):
            take(*m.span(), "iban")
    for m in _CARD.finditer(text):
        digits = re.sub(r"[ \-]", "", m.group())
        if digits[0] in "23456" and (len(digits) == 16 or luhn.is_valid(digits)):
            take(*m.span(), "card")
    for m in _NATIONAL_ID.finditer(text):
        take(*m.span(), "national_id")
    if _PHONE_LIKE.search(text):
        for match in phonenumbers.PhoneNumberMatcher(text, "SA"):
            kind = phonenumbers.number_type(match.number)
            if kind in _SERVICE_TYPES:
                continue
            take(match.start, match.end, "mobile" if kind == PhoneNumberType.MOBILE else "phone")
        for m in _MOBILE_SHAPE.finditer(text):
            take(*m.span(), "mobile")
        for m in _PHONE_SHAPE.finditer(text):
            take(*m.span(), "phone")
    return sorted(spans)


def _apply(text: str, spans: list[tuple[int, int, str]]) -> str:
    if not spans:
        return text
    out, last = [], 0
    for start, end, kind in spans:
        out.append(text[last:start])
        out.append(PLACEHOLDERS[kind])
        last = end
    out.append(text[last:])
    return "".join(out)
