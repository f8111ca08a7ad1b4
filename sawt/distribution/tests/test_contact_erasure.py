"""Contacts kept only while needed (PDPL): erased on schedule after a survey closes and its
retention period passes, or at once on a person's request; hashes, states and answers stay."""

import datetime as dt
import io
import zoneinfo

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone, translation

from sawt.core.models import AuditEvent
from sawt.distribution.choices import InvitationState
from sawt.distribution.contacts import contact_hash
from sawt.distribution.models import Invitation, InvitationSettings, Invitee
from sawt.distribution.services.contacts import (
    contacts_erase,
    contacts_erase_due,
    survey_closes_on,
)
from sawt.distribution.services.optouts import optout_record
from sawt.distribution.services.sample import sample_import
from sawt.surveys.models import Answer, Response
from sawt.testing import factories as f

pytestmark = pytest.mark.django_db
RIYADH = zoneinfo.ZoneInfo("Asia/Riyadh")
MOBILE, EMAIL = "+966501234567", "sara@example.com"


def at(day: dt.date, hour: int = 12) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, tzinfo=RIYADH)


def person(survey, mobile=MOBILE, email=EMAIL, state=InvitationState.COMPLETED, **fields):
    """An invitee with real keyed hashes, invited, and (completed) with an answer."""
    invitee = f.InviteeFactory(
        survey=survey,
        mobile=mobile,
        email=email,
        mobile_hash=contact_hash(mobile) if mobile else "",
        email_hash=contact_hash(email) if email else "",
        **fields,
    )
    response = None
    if state == InvitationState.COMPLETED:
        response = f.ResponseFactory(survey=survey, respondent_id=invitee.reference_id)
        f.AnswerFactory(response=response, question__survey=survey, score=2)
    f.InvitationFactory(
        invitee=invitee,
        state=state,
        completed_at=timezone.now() if response else None,
        response=response,
        next_reminder_at=None if response else timezone.now() + dt.timedelta(days=2),
    )
    return invitee


@pytest.fixture
def closed_survey():
    """A June survey that closed on 30 June."""
    survey = f.SurveyFactory(period="2022-06")
    InvitationSettings.objects.create(survey=survey, closes_on=dt.date(2022, 6, 30))
    return survey


def kept_everything_but_contacts(invitee, state, answers):
    invitee.refresh_from_db()
    assert (invitee.mobile, invitee.email) == ("", "")
    assert invitee.mobile_hash == contact_hash(MOBILE) and invitee.email_hash == contact_hash(EMAIL)
    assert invitee.contacts_erased_at is not None
    assert invitee.invitation.state == state
    assert Answer.objects.count() == answers and Response.objects.count() == answers


# --- On schedule ----------------------------------------------------------------------------


def test_contacts_go_the_day_after_closing_plus_retention(closed_survey):
    invitee = person(closed_survey)
    last_day = dt.date(2022, 6, 30) + dt.timedelta(days=90)  # 28 September
    assert contacts_erase_due(now=at(last_day, 23)) == 0
    invitee.refresh_from_db()
    assert invitee.mobile == MOBILE
    assert contacts_erase_due(now=at(last_day + dt.timedelta(days=1), 0)) == 1
    kept_everything_but_contacts(invitee, InvitationState.COMPLETED, answers=1)
    event = AuditEvent.objects.get(action="contacts.retention")
    assert event.object_id == str(closed_survey.pk) and event.actor is None
    assert event.data == {"erased": 1, "closed_on": "2022-06-30", "retention_days": 90}
    # A second run finds nothing left to erase, and says nothing more.
    assert contacts_erase_due(now=at(dt.date(2023, 1, 1))) == 0
    assert AuditEvent.objects.filter(action="contacts.retention").count() == 1


def test_open_surveys_keep_their_contacts(closed_survey):
    person(closed_survey)
    still_open = f.SurveyFactory(period="2022-09")
    other = person(still_open, mobile="+966551234567", email="")
    assert contacts_erase_due(now=at(dt.date(2022, 10, 15))) == 1
    other.refresh_from_db()
    assert other.mobile == "+966551234567" and other.contacts_erased_at is None


@override_settings(SAWT_CONTACT_RETENTION_DAYS=0)
def test_the_retention_period_is_a_setting(closed_survey):
    person(closed_survey)
    assert contacts_erase_due(now=at(dt.date(2022, 7, 1))) == 1


def test_without_a_closing_date_a_survey_closes_when_its_last_link_would_expire():
    survey = f.SurveyFactory(period="2022-06")
    # Nobody invited yet: the end of June plus the default 14 days a link stays valid.
    assert survey_closes_on(survey) == dt.date(2022, 7, 14)
    InvitationSettings.objects.create(survey=survey, valid_days=30)
    assert survey_closes_on(survey) == dt.date(2022, 7, 30)
    # A sample sent late: its last link expires after that.
    invitee = person(survey, state=InvitationState.SENT)
    Invitation.objects.filter(invitee=invitee).update(expires_at=at(dt.date(2022, 8, 20)))
    assert survey_closes_on(survey) == dt.date(2022, 8, 20)


def test_pending_reminders_are_cleared_with_the_contacts(closed_survey):
    invitee = person(closed_survey, state=InvitationState.SENT)
    contacts_erase_due(now=at(dt.date(2023, 1, 1)))
    kept_everything_but_contacts(invitee, InvitationState.SENT, answers=0)
    assert invitee.invitation.next_reminder_at is None


def test_erased_people_are_still_not_invited_twice_nor_after_opting_out(closed_survey, tmp_path):
    person(closed_survey, email="")
    contacts_erase_due(now=at(dt.date(2023, 1, 1)))
    path = tmp_path / "again.csv"
    path.write_text("reference_id,mobile\nNEW-1,0501234567\n", encoding="utf-8")
    with translation.override("en"):
        result = sample_import(survey_code=closed_survey.code, path=path, actor=None)
    assert result.invited == 0 and result.already_invited_rows == [2]
    pending = person(f.SurveyFactory(), state=InvitationState.SENT, email="")
    optout_record(contact=MOBILE, channel="sms", source="reply", actor=None)
    assert Invitation.objects.get(invitee=pending).state == InvitationState.OPTED_OUT


# --- On request -----------------------------------------------------------------------------


def test_a_person_s_contacts_are_erased_everywhere_on_request(closed_survey):
    first = person(closed_survey)
    second = person(f.SurveyFactory(), state=InvitationState.SENT)
    someone_else = person(f.SurveyFactory(), mobile="+966551234567", email="x@example.com")
    assert contacts_erase(mobile="٠٥٠ ١٢٣ ٤٥٦٧", actor=None) == 2
    kept_everything_but_contacts(first, InvitationState.COMPLETED, answers=2)
    kept_everything_but_contacts(second, InvitationState.SENT, answers=2)
    assert second.invitation.next_reminder_at is None
    someone_else.refresh_from_db()
    assert someone_else.mobile == "+966551234567" and someone_else.contacts_erased_at is None
    event = AuditEvent.objects.get(action="contacts.erase")
    assert event.data == {"by": "mobile", "invitees": 2}
    assert "+966" not in str(event.data) and "0501" not in str(event.data)


def test_by_email_however_it_is_written(closed_survey):
    invitee = person(closed_survey)
    assert contacts_erase(email="  SARA@Example.com ", actor=None) == 1
    kept_everything_but_contacts(invitee, InvitationState.COMPLETED, answers=1)


def test_only_administrators_erase_on_request(closed_survey):
    person(closed_survey)
    with pytest.raises(PermissionDenied):
        contacts_erase(mobile=MOBILE, actor=f.user_with_role("analyst"))
    assert Invitee.objects.get().mobile == MOBILE
    assert contacts_erase(mobile=MOBILE, actor=f.user_with_role("administrator")) == 1


def sawt(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("contacts", *args, stdout=out, stderr=err)
    except SystemExit as leaving:
        return int(leaving.code), out.getvalue(), err.getvalue()
    return 0, out.getvalue(), err.getvalue()


def test_the_command_says_what_it_erased_in_english_and_arabic(closed_survey):
    person(closed_survey)
    person(f.SurveyFactory())
    assert sawt("erase", "--mobile", "0501234567", "--lang", "en") == (
        0,
        "This person's contact details were erased from 2 surveys; their invitations and "
        "answers are kept.\n",
        "",
    )
    # Asked again: nothing of theirs is stored, which is not the person's error (exit 0).
    assert sawt("erase", "--email", EMAIL) == (
        0,
        "لا توجد بيانات تواصل محفوظة لهذا الشخص، فلم يُمحَ شيء.\n",
        "",
    )
    assert AuditEvent.objects.filter(action="contacts.erase").count() == 2


def test_the_command_refuses_a_number_that_is_not_a_mobile(closed_survey):
    person(closed_survey)
    status, out, err = sawt("erase", "--mobile", "0112345678", "--lang", "en")
    assert (status, out) == (1, "")
    assert err == "“0112345678” is a landline number; an invitation needs a mobile number (05…).\n"
    assert Invitee.objects.get().mobile == MOBILE and not AuditEvent.objects.exists()


def test_a_periodic_job_erases_what_is_due(closed_survey):
    from sawt.distribution.tasks import RETENTION_KIND
    from sawt.jobs.registry import kind_for
    from sawt.jobs.services import jobs_run_pending, jobs_schedule_periodic

    invitee = person(closed_survey)
    known = kind_for(RETENTION_KIND)
    assert known is not None and known.every == dt.timedelta(hours=6)
    assert RETENTION_KIND in {job.kind for job in jobs_schedule_periodic()}
    jobs_run_pending()
    kept_everything_but_contacts(invitee, InvitationState.COMPLETED, answers=1)
