"""What an invitation says: sawt's texts and a survey's own in Arabic and English, the one-segment
rule for SMS (70 Arabic characters besides the link), the opt-out word, and where a survey's
texts are checked: the settings service and the journey definition's `invitations:` block."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied
from django.test import override_settings
from django.utils import translation

from sawt.core.exceptions import ApplicationError
from sawt.core.models import AuditEvent
from sawt.distribution.messages import (
    DEFAULT_SMS,
    DEFAULT_SMS_SHORT,
    is_optout_reply,
    render,
    sms_measure,
    text_problems,
)
from sawt.distribution.models import InvitationSettings
from sawt.distribution.services.invitations import invitation_settings_update
from sawt.imports.problems import ImportFailed
from sawt.surveys.services import survey_definition_import
from sawt.testing import factories as f

PUBLIC = "https://sawt.example.gov.sa"
TOKEN = "T" * 32
LINK = f"{PUBLIC}/s/{TOKEN}/"
JOURNEY = "تصنيف المقاولين"


@pytest.fixture(autouse=True)
def public_url():
    with override_settings(SAWT_PUBLIC_URL=PUBLIC), translation.override("en"):
        yield


def _sms(text, language="ar", journey=JOURNEY):
    return text_problems(text, channel="sms", language=language, journey=journey)


def _arabic_of(length: int) -> str:
    """An Arabic SMS text of exactly `length` characters besides {link}."""
    base = "قيّم الخدمة: {link} للإلغاء أرسل إيقاف"
    filler = length - len(base.replace("{link}", ""))
    return "ر" * filler + base


# --- The SMS rule --------------------------------------------------------------------------


def test_sawts_arabic_sms_fits_one_segment_besides_the_link():
    length, limit, with_link = sms_measure(DEFAULT_SMS["ar"], JOURNEY)
    assert (limit, with_link) == (70, False) and length <= 70
    assert _sms(DEFAULT_SMS["ar"]) == [] and _sms(DEFAULT_SMS_SHORT["ar"], journey="") == []


def test_seventy_arabic_characters_pass_and_seventy_one_are_refused():
    assert _sms(_arabic_of(70)) == []
    (problem,) = _sms(_arabic_of(71))
    assert problem == (
        "Arabic SMS text: it is 71 characters without the link (with the journey's name "
        "“تصنيف المقاولين”); one Arabic SMS segment holds 70. Shorten it by 1."
    )


def test_the_journeys_name_counts_in_the_length():
    text = "رأيك في {journey} يهمنا: {link} للإلغاء أرسل إيقاف"
    assert _sms(text, journey="خدمة") == []
    assert "Shorten it by" in _sms(text, journey="خدمة " * 12)[0]


def test_a_long_journey_name_gets_the_short_default_that_still_fits():
    long_name = "إصدار وتجديد رخص البناء والهدم والترميم للمنشآت التجارية"
    message = render(
        channel="sms",
        language="ar",
        journey=f.JourneyFactory.build(name_ar=long_name),
        settings=None,
        token=TOKEN,
    )
    assert long_name not in message.text
    assert len(message.text.replace(LINK, "")) <= 70


def test_an_english_sms_fits_160_characters_with_the_link():
    assert _sms(DEFAULT_SMS["en"], "en", "Contractor classification") == []
    text = "Tell us how it went: {link} Reply STOP to opt out. " + "x" * 80
    (problem,) = _sms(text, "en", "")
    assert problem.startswith("English SMS text: it is ") and "one SMS segment holds 160" in problem


def test_an_sms_must_carry_the_link_and_the_opt_out_word_and_no_other_placeholder():
    assert _sms("شاركنا رأيك {name}: {link}") == [
        "Arabic SMS text: it uses {name}; only {journey} and {link} can be filled in.",
        "Arabic SMS text: it must tell how to opt out, with the reply word “إيقاف”.",
    ]
    assert _sms("Rate us. Reply STOP to opt out", "en") == [
        "English SMS text: it must contain {link}, where the person's link goes."
    ]


def test_the_opt_out_reply_is_recognised_however_it_is_written():
    for reply in ("إيقاف", " ايقاف ", "إِيقاف.", "ايقـــاف", "\u200fإيقاف", "STOP", "stop!", "Stop"):
        assert is_optout_reply(reply), reply
    for reply in ("", "شكرا", "stop it", "لا تتوقف", "STOPPED"):
        assert not is_optout_reply(reply), reply


# --- Rendering in both languages -------------------------------------------------------------


def _journey():
    return f.JourneyFactory.build(name_ar=JOURNEY, name_en="Contractor classification")


def test_sawts_texts_in_arabic_and_english():
    sms_ar = render(channel="sms", language="ar", journey=_journey(), settings=None, token=TOKEN)
    sms_en = render(channel="sms", language="en", journey=_journey(), settings=None, token=TOKEN)
    assert sms_ar.text == f"شاركنا رأيك في خدمة {JOURNEY}: {LINK}\nللإلغاء أرسل إيقاف"
    assert sms_en.text == (
        f"How was your Contractor classification service? Tell us: {LINK} Reply STOP to opt out"
    )
    mail_ar = render(channel="email", language="ar", journey=_journey(), settings=None, token=TOKEN)
    mail_en = render(channel="email", language="en", journey=_journey(), settings=None, token=TOKEN)
    assert mail_ar.subject == f"رأيك في خدمة {JOURNEY}"
    assert LINK in mail_ar.text and f"أوقفها من هنا: {LINK}stop/" in mail_ar.text
    assert mail_en.subject == "Your view of the Contractor classification service"
    assert f"Stop our messages here: {LINK}stop/" in mail_en.text
    reminder = render(
        channel="email",
        language="en",
        journey=_journey(),
        settings=None,
        token=TOKEN,
        kind="reminder",
    )
    assert reminder.subject == "Reminder: Your view of the Contractor classification service"


def test_a_surveys_own_texts_replace_sawts_and_the_opt_out_line_stays():
    options = InvitationSettings(
        sms_text_ar="رأيك يهمنا في {journey}: {link} للإلغاء أرسل إيقاف",
        email_subject_en="{journey}: two minutes?",
        email_text_en="Dear customer, {link}",
    )
    sms = render(channel="sms", language="ar", journey=_journey(), settings=options, token=TOKEN)
    assert sms.text == f"رأيك يهمنا في {JOURNEY}: {LINK} للإلغاء أرسل إيقاف"
    mail = render(channel="email", language="en", journey=_journey(), settings=options, token=TOKEN)
    assert mail.subject == "Contractor classification: two minutes?"
    assert mail.text.startswith(f"Dear customer, {LINK}") and f"{LINK}stop/" in mail.text
    # No English SMS of its own: sawt's, in English.
    assert (
        "Reply STOP"
        in render(
            channel="sms", language="en", journey=_journey(), settings=options, token=TOKEN
        ).text
    )


def test_a_surveys_text_is_never_a_format_string():
    options = InvitationSettings(email_text_ar="{link} {0.__class__} {journey!r} %(x)s")
    mail = render(channel="email", language="ar", journey=_journey(), settings=options, token=TOKEN)
    assert mail.text.startswith(f"{LINK} {{0.__class__}} {{journey!r}} %(x)s")


# --- Where a survey's texts are checked -------------------------------------------------------


@pytest.mark.django_db
def test_the_settings_service_refuses_a_text_too_long_and_changes_nothing():
    survey = f.SurveyFactory(journey=f.JourneyFactory(name_ar=JOURNEY))
    analyst = f.user_with_role("analyst")
    with pytest.raises(ApplicationError) as refused:
        invitation_settings_update(
            survey=survey, values={"sms_text_ar": _arabic_of(75), "max_reminders": 1}, actor=analyst
        )
    assert refused.value.message == "The invitation settings were not saved."
    assert "Shorten it by 5" in refused.value.problems[0]
    assert not InvitationSettings.objects.filter(survey=survey, max_reminders=1).exists()

    invitation_settings_update(
        survey=survey, values={"sms_text_ar": _arabic_of(70), "max_reminders": 1}, actor=analyst
    )
    stored = InvitationSettings.objects.get(survey=survey)
    assert (stored.sms_text_ar, stored.max_reminders) == (_arabic_of(70), 1)
    event = AuditEvent.objects.get(action="survey.invitation_settings_update")
    assert sorted(event.data["changed"]) == ["max_reminders", "sms_text_ar"]
    with pytest.raises(PermissionDenied):
        invitation_settings_update(
            survey=survey, values={"max_reminders": 0}, actor=f.user_with_role("viewer")
        )
    with pytest.raises(ApplicationError) as refused:
        invitation_settings_update(survey=survey, values={"max_reminders": 11}, actor=analyst)
    assert refused.value.problems == ["max_reminders must be a whole number from 0 to 10."]


DEFINITION = """\
journey: contractors
journey_name: {{ar: {journey}, en: Contractor classification}}
agency:
  code: momrah
  name: {{ar: الوزارة}}
stages:
  - code: apply
    name: {{ar: التقديم}}
gap_categories: []
survey:
  code: contractors-2022-06
  period: 2022-06
{invitations}
questions:
  - code: overall
    kind: overall
    scale: [1, 5]
    text: {{ar: ما مدى رضاك عموماً؟}}
"""

INVITATIONS_OK = """\
  invitations:
    valid_days: 10
    reminder_after_days: 2
    max_reminders: 1
    sms_text:
      ar: "رأيك في {journey} يهمنا: {link} للإلغاء أرسل إيقاف"
    email_subject:
      en: "{journey}: your view"
"""


def _import(tmp_path: Path, invitations: str, journey: str = JOURNEY):
    path = tmp_path / "contractors.yaml"
    path.write_text(DEFINITION.format(journey=journey, invitations=invitations), encoding="utf-8")
    return survey_definition_import(path=path)


@pytest.mark.django_db
def test_a_definition_may_set_the_invitations(tmp_path):
    survey = _import(tmp_path, INVITATIONS_OK).survey
    stored = InvitationSettings.objects.get(survey=survey)
    assert (stored.valid_days, stored.reminder_after_days, stored.max_reminders) == (10, 2, 1)
    assert stored.sms_text_ar.startswith("رأيك في {journey}") and stored.sms_text_en == ""
    assert stored.email_subject_en == "{journey}: your view"
    # Again: nothing changes. Without the block: the settings stay as they are.
    assert not _import(tmp_path, INVITATIONS_OK).result.changed
    _import(tmp_path, "")
    assert InvitationSettings.objects.get(survey=survey).max_reminders == 1


@pytest.mark.django_db
def test_a_definition_whose_sms_is_too_long_is_refused_with_its_line(tmp_path):
    too_long = INVITATIONS_OK.replace("رأيك في", "رأيك الكريم والمهم جدا جدا لنا في")
    with pytest.raises(ImportFailed) as refused:
        _import(tmp_path, too_long)
    (problem,) = refused.value.problems
    assert problem.column == "survey.invitations.sms_text.ar"
    assert problem.row == 18  # the line of `ar:` under sms_text
    assert "Shorten it by" in problem.message and JOURNEY in problem.message
    assert not InvitationSettings.objects.exists()


@pytest.mark.django_db
def test_a_definition_with_bad_invitation_numbers_is_refused(tmp_path):
    bad = "  invitations:\n    max_reminders: -1\n    valid_days: 0\n    sender: x\n"
    with pytest.raises(ImportFailed) as refused:
        _import(tmp_path, bad)
    columns = sorted(p.column for p in refused.value.problems)
    assert columns == [
        "survey.invitations.max_reminders",
        "survey.invitations.sender",
        "survey.invitations.valid_days",
    ]
