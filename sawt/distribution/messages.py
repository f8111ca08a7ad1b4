"""What an invitation says: the default texts in Arabic and English per channel, a survey's own
texts (InvitationSettings), the placeholders they may use, and the one-segment rule for SMS.

Placeholders: `{journey}` (the journey's name in the message's language) and `{link}` (the
person's link, SAWT_PUBLIC_URL/s/<token>/); a text must carry `{link}`, and nothing else in
braces. An SMS must say how to opt out (the reply word إيقاف or STOP: sawt/web's SMS hook
recognises either), and fit one segment:
- Arabic (and any text outside the GSM 7-bit alphabet) goes as UCS-2, 70 characters a segment:
  the text without the link, journey name filled in, is at most 70 characters. The link comes
  on top (the issue's rule: "70 characters plus the link"); on the wire such a message is then
  sent as a concatenated SMS, which phones show as one message.
- A GSM 7-bit text (plain English) fits 160 characters, the link included.
An e-mail always ends with an opt-out line and link written by sawt (a survey's text cannot
leave it out), and carries the List-Unsubscribe header.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.utils.translation import gettext as _

from sawt.distribution.choices import Channel, Language, MessageKind
from sawt.distribution.links import public_url

if TYPE_CHECKING:
    from sawt.catalog.models import Journey
    from sawt.distribution.models import InvitationSettings

# The words a person replies to stop every message (normalised as the SMS hook normalises).
OPTOUT_WORD = {Language.AR: "إيقاف", Language.EN: "STOP"}
UCS2_SEGMENT = 70
GSM7_SEGMENT = 160
PLACEHOLDERS = ("journey", "link")
_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")
# A token as links.token_new makes it (32 characters): what a link is measured with.
_SAMPLE_TOKEN = "x" * 32
# The GSM 03.38 basic alphabet (a character of its extension table counts twice).
_GSM7 = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
_GSM7_EXTENDED = set("^{}\\[~]|€")

# The texts sawt sends when a survey sets none. The SMS names the journey when the name fits
# the segment, and otherwise says "the service" (a long journey name must not break the rule).
DEFAULT_SMS = {
    Language.AR: "شاركنا رأيك في خدمة {journey}: {link}\nللإلغاء أرسل إيقاف",
    Language.EN: "How was your {journey} service? Tell us: {link} Reply STOP to opt out",
}
DEFAULT_SMS_SHORT = {
    Language.AR: "شاركنا رأيك في الخدمة التي تلقيتها: {link}\nللإلغاء أرسل إيقاف",
    Language.EN: "How was the service you received? Tell us: {link} Reply STOP to opt out",
}
DEFAULT_EMAIL_SUBJECT = {
    Language.AR: "رأيك في خدمة {journey}",
    Language.EN: "Your view of the {journey} service",
}
DEFAULT_EMAIL_TEXT = {
    Language.AR: (
        "السلام عليكم،\n\n"
        "شكرًا لاستخدامك خدمة {journey}. نودّ أن نعرف كيف كانت تجربتك، فرأيك يساعدنا على "
        "تحسين الخدمة، ولن يستغرق الاستبيان إلا دقائق قليلة:\n\n"
        "{link}\n\n"
        "هذا الرابط خاص بك، فلا تشاركه مع أحد."
    ),
    Language.EN: (
        "Hello,\n\n"
        "Thank you for using the {journey} service. We would like to know how it went for "
        "you: your view helps us improve the service, and the survey takes only a few "
        "minutes:\n\n"
        "{link}\n\n"
        "This link is yours alone; please do not share it."
    ),
}
# Written by sawt under every e-mail, whatever the survey's text says.
EMAIL_OPTOUT_LINE = {
    Language.AR: "لا ترغب في تلقي رسائل أخرى منا؟ أوقفها من هنا: {optout}",
    Language.EN: "Rather not hear from us again? Stop our messages here: {optout}",
}
REMINDER_SUBJECT = {Language.AR: "تذكير: {subject}", Language.EN: "Reminder: {subject}"}


def journey_name(journey: Journey, language: str) -> str:
    """The journey's name in `language` (its Arabic name when it has no English one)."""
    if language == Language.EN and journey.name_en:
        return journey.name_en
    return journey.name_ar


def _fill(text: str, values: dict[str, str]) -> str:
    # Only our own placeholders are replaced: a survey's text is never a format string.
    return _PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), text)


def is_gsm7(text: str) -> bool:
    """Whether `text` can go in the GSM 7-bit alphabet (160 characters a segment)."""
    return all(c in _GSM7 or c in _GSM7_EXTENDED for c in text)


def _gsm7_length(text: str) -> int:
    return sum(2 if c in _GSM7_EXTENDED else 1 for c in text)


def link_length() -> int:
    """How long a link is with this deployment's SAWT_PUBLIC_URL."""
    return len(public_url(_SAMPLE_TOKEN))


def sms_measure(text: str, journey: str) -> tuple[int, int, bool]:
    """(length, limit, with_link) of an SMS text with the journey's name filled in: as UCS-2,
    the characters besides the link against 70; as GSM 7-bit, the whole message against 160."""
    without_link = _fill(text, {"journey": journey, "link": ""})
    if is_gsm7(without_link):
        return _gsm7_length(without_link) + link_length(), GSM7_SEGMENT, True
    return len(without_link), UCS2_SEGMENT, False


def _what(channel: str, language: str, subject: bool) -> str:
    """The text's name as a person reads it (one whole phrase per text, for translators)."""
    names = {
        (Channel.SMS, Language.AR, False): _("Arabic SMS text"),
        (Channel.SMS, Language.EN, False): _("English SMS text"),
        (Channel.EMAIL, Language.AR, True): _("Arabic e-mail subject"),
        (Channel.EMAIL, Language.EN, True): _("English e-mail subject"),
        (Channel.EMAIL, Language.AR, False): _("Arabic e-mail text"),
        (Channel.EMAIL, Language.EN, False): _("English e-mail text"),
    }
    return names[(Channel(channel), Language(language), subject)]


def text_problems(
    text: str, *, channel: str, language: str, journey: str, subject: bool = False
) -> list[str]:
    """What is wrong with a survey's own text (empty: nothing), in the reader's language.

    `journey` is the journey's name in the text's language: an SMS is measured with it."""
    if not text.strip():
        return []
    what = _what(channel, language, subject)
    problems = []
    unknown = sorted({name for name in _PLACEHOLDER.findall(text) if name not in PLACEHOLDERS})
    if unknown:
        problems.append(
            _("%(what)s: it uses %(unknown)s; only {journey} and {link} can be filled in.")
            % {"what": what, "unknown": ", ".join("{" + name + "}" for name in unknown)}
        )
    if not subject and "{link}" not in text:
        problems.append(
            _("%(what)s: it must contain {link}, where the person's link goes.") % {"what": what}
        )
    if channel != Channel.SMS:
        return problems
    if not _mentions_optout(text, language):
        problems.append(
            _("%(what)s: it must tell how to opt out, with the reply word “%(word)s”.")
            % {"what": what, "word": OPTOUT_WORD[Language(language)]}
        )
    length, limit, with_link = sms_measure(text, journey)
    if length > limit:
        if with_link:
            message = _(
                "%(what)s: it is %(length)d characters with the link; one SMS segment holds "
                "%(limit)d. Shorten it by %(over)d."
            )
        else:
            message = _(
                "%(what)s: it is %(length)d characters without the link (with the journey's "
                "name “%(journey)s”); one Arabic SMS segment holds %(limit)d. Shorten it by "
                "%(over)d."
            )
        values = {"what": what, "length": length, "limit": limit, "over": length - limit}
        problems.append(message % {**values, "journey": journey})
    return problems


# Short vowels and other marks, the superscript alef, the tatweel: a reply may carry them or not.
_ARABIC_MARKS = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640]")
# Letters people write one for the other: hamza forms of alef, alef maqsura, taa marbuta.
_ARABIC_FOLD = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ى": "ي", "ة": "ه"})
_NOT_WORD = re.compile(r"[^\w\s]")
# Replies that stop every message, as people write them (normalised when compared).
OPTOUT_REPLIES = ("إيقاف", "ايقاف", "إلغاء", "الغاء", "وقف", "STOP", "UNSUBSCRIBE", "CANCEL")


def normalise_reply(text: str) -> str:
    """A reply as compared: compatibility forms folded (NFKC), Arabic marks dropped and letter
    variants folded, punctuation and direction marks removed, lower case, single spaces."""
    text = _ARABIC_MARKS.sub("", unicodedata.normalize("NFKC", text)).translate(_ARABIC_FOLD)
    return " ".join(_NOT_WORD.sub(" ", text).casefold().split())


_OPTOUT_NORMALISED = frozenset(normalise_reply(word) for word in OPTOUT_REPLIES)


def is_optout_reply(text: str) -> bool:
    """Whether a reply to an SMS is the opt-out word (Arabic or English), and nothing more."""
    return normalise_reply(text) in _OPTOUT_NORMALISED


def _mentions_optout(text: str, language: str) -> bool:
    words = set(normalise_reply(text).split())
    return normalise_reply(OPTOUT_WORD[Language(language)]) in words


# The InvitationSettings fields holding texts: (field, channel, language, is a subject).
TEXT_FIELDS: tuple[tuple[str, str, str, bool], ...] = (
    ("sms_text_ar", Channel.SMS, Language.AR, False),
    ("sms_text_en", Channel.SMS, Language.EN, False),
    ("email_subject_ar", Channel.EMAIL, Language.AR, True),
    ("email_subject_en", Channel.EMAIL, Language.EN, True),
    ("email_text_ar", Channel.EMAIL, Language.AR, False),
    ("email_text_en", Channel.EMAIL, Language.EN, False),
)


def settings_problems(texts: dict[str, str], names: tuple[str, str]) -> dict[str, list[str]]:
    """{field: problems} for a survey's texts by InvitationSettings field name, measured with
    the journey's names (Arabic, English: an empty English name falls back to the Arabic)."""
    found = {}
    for field, channel, language, subject in TEXT_FIELDS:
        name = names[1] if language == Language.EN and names[1] else names[0]
        problems = text_problems(
            texts.get(field, ""), channel=channel, language=language, journey=name, subject=subject
        )
        if problems:
            found[field] = problems
    return found


def default_sms(language: str, journey: str) -> str:
    """sawt's SMS text in `language`, naming the journey when its name fits the segment."""
    lang = Language(language)
    length, limit, _with_link = sms_measure(DEFAULT_SMS[lang], journey)
    return DEFAULT_SMS[lang] if length <= limit else DEFAULT_SMS_SHORT[lang]


@dataclass(frozen=True)
class Rendered:
    """A message ready to send: the subject (e-mail only) and the text."""

    subject: str
    text: str


def render(
    *,
    channel: str,
    language: str,
    journey: Journey,
    settings: InvitationSettings | None,
    token: str,
    kind: str = MessageKind.INVITATION,
) -> Rendered:
    """The message a person receives: the survey's text (or sawt's) in their language, with
    the journey's name and their link (and, by e-mail, the opt-out line)."""
    lang = Language(language if language in Language.values else Language.AR)
    name = journey_name(journey, lang)
    values = {"journey": name, "link": public_url(token)}
    if channel == Channel.SMS:
        text = _own(settings, "sms_text", lang) or default_sms(lang, name)
        return Rendered("", _fill(text, values))
    subject = _fill(_own(settings, "email_subject", lang) or DEFAULT_EMAIL_SUBJECT[lang], values)
    if kind == MessageKind.REMINDER:
        subject = REMINDER_SUBJECT[lang].format(subject=subject)
    body = _fill(_own(settings, "email_text", lang) or DEFAULT_EMAIL_TEXT[lang], values)
    footer = EMAIL_OPTOUT_LINE[lang].format(optout=optout_url(token))
    # A subject is one line, whatever the survey's text holds.
    return Rendered(" ".join(subject.split()), f"{body.rstrip()}\n\n—\n{footer}\n")


def _own(settings: InvitationSettings | None, field: str, language: str) -> str:
    """The survey's own text for `field` in `language`, or '' (sawt's default then)."""
    if settings is None:
        return ""
    return str(getattr(settings, f"{field}_{language}", "")).strip()


def optout_url(token: str) -> str:
    """The page that stops every message to this person (sawt/web's form: /s/<token>/stop/)."""
    return public_url(token) + "stop/"
