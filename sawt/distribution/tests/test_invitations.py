"""Invitations go out as people receive them: through a real SMTP server and an HTTP SMS gateway
on 127.0.0.1, by the real job engine on both task backends, retried after a temporary failure,
failed for good after a refusal; nobody twice, never anyone who opted out, reminders only to
those who have not answered, links that expire."""

from __future__ import annotations

import datetime as dt
import io
import re
import time
import uuid
from contextlib import contextmanager

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone, translation

from sawt.core.exceptions import ApplicationError
from sawt.core.models import AuditEvent
from sawt.distribution.choices import InvitationState
from sawt.distribution.contacts import contact_hash
from sawt.distribution.links import invitation_for_token
from sawt.distribution.models import Invitation, InvitationMessage, InvitationSettings, OptOut
from sawt.distribution.services.invitations import (
    invitations_expire,
    invitations_send,
    reminders_queue,
)
from sawt.distribution.services.optouts import optout_record
from sawt.distribution.tasks import EXPIRE_KIND, REMINDERS_KIND, SEND_KIND
from sawt.distribution.tests.servers import sms_gateway, smtp_server
from sawt.jobs import runner
from sawt.jobs.choices import JobStatus
from sawt.jobs.models import Job
from sawt.jobs.registry import periodic_kinds
from sawt.jobs.services import jobs_run_pending, jobs_schedule_periodic
from sawt.jobs.tests.redis import rq_settings
from sawt.testing import factories as f

pytestmark = pytest.mark.django_db

PUBLIC = "https://sawt.example.gov.sa"
LINK = re.compile(re.escape(PUBLIC) + r"/s/([A-Za-z0-9_-]+)/")
TOKEN = "gateway-secret-token"


@pytest.fixture(autouse=True)
def quick(monkeypatch):
    """Retries come due at once (the back-off is the job engine's, tested there); no pace
    (the throttle has its own test); links on a known address."""
    monkeypatch.setattr(runner, "retry_delay", lambda attempt: dt.timedelta(0))
    with override_settings(SAWT_PUBLIC_URL=PUBLIC, SAWT_SMS_PER_SECOND=0, SAWT_EMAIL_PER_SECOND=0):
        yield


@pytest.fixture(params=["database", "rq"])
def backend(request):
    if request.param == "rq":
        with rq_settings(f"sawt-test-{uuid.uuid4().hex[:8]}"):
            yield "rq"
    else:
        yield "database"


@contextmanager
def gateway(*statuses):
    with (
        sms_gateway(*statuses) as gw,
        override_settings(SAWT_SMS_URL=gw.url, SAWT_SMS_TOKEN=TOKEN, SAWT_SMS_SENDER="MOMRAH"),
    ):
        yield gw


@contextmanager
def mail(**script):
    with (
        smtp_server(**script) as box,
        override_settings(
            EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
            EMAIL_HOST="127.0.0.1",
            EMAIL_PORT=box.port,
            EMAIL_USE_TLS=False,
            EMAIL_HOST_USER="",
            EMAIL_HOST_PASSWORD="",
            DEFAULT_FROM_EMAIL="survey@sawt.example.gov.sa",
        ),
    ):
        yield box


def run_jobs() -> int:
    """Run the job engine until nothing is due (a retry is due at once here)."""
    total = 0
    for _ in range(30):
        ran = jobs_run_pending()
        if not ran:
            return total
        total += ran
    raise AssertionError("jobs kept coming")


def person(survey, *, mobile="", email="", language="ar", **extra):
    return f.InviteeFactory(
        survey=survey,
        mobile=mobile,
        email=email,
        mobile_hash=contact_hash(mobile) if mobile else "",
        email_hash=contact_hash(email) if email else "",
        language=language,
        **extra,
    )


@pytest.fixture
def survey():
    journey = f.JourneyFactory(name_ar="تصنيف المقاولين", name_en="Contractor classification")
    return f.SurveyFactory(journey=journey, code="contractors-2022-06")


def _state(invitee):
    return Invitation.objects.get(invitee=invitee)


def _token_of(text):
    match = LINK.search(text)
    assert match, text
    return match.group(1)


# --- SMS through the HTTP gateway -----------------------------------------------------------


def test_sms_reach_the_gateway_in_each_persons_language_and_a_5xx_is_retried(survey, backend):
    arabic = person(survey, mobile="+966501234567")
    english = person(survey, mobile="+966501234568", language="en")
    with gateway(503) as gw:
        assert invitations_send(survey=survey, actor=None) == 2
        run_jobs()

    # The first POST met a 503; the retry sent it again: three POSTs, two people, each once.
    assert len(gw.received) == 3
    assert all(r["authorization"] == f"Bearer {TOKEN}" for r in gw.received)
    assert all(r["content_type"].startswith("application/json") for r in gw.received)
    assert [r["json"]["to"] for r in gw.received] == [
        "+966501234567",
        "+966501234568",
        "+966501234567",
    ]
    assert {r["json"]["from"] for r in gw.received} == {"MOMRAH"}
    ar_text, en_text = gw.texts[2], gw.texts[1]
    assert "تصنيف المقاولين" in ar_text and "للإلغاء أرسل إيقاف" in ar_text
    assert "Contractor classification" in en_text and "Reply STOP" in en_text
    # Each link leads to its own person's invitation.
    assert invitation_for_token(_token_of(ar_text)).invitee == arabic
    assert invitation_for_token(_token_of(en_text)).invitee == english
    for invitee in (arabic, english):
        invitation = _state(invitee)
        assert invitation.state == InvitationState.SENT and invitation.sent_at is not None
        assert invitation.next_reminder_at is not None
    # The failed try is on record, its own message with its own (still valid) link.
    failed = InvitationMessage.objects.get(failed_at__isnull=False)
    assert failed.invitation.invitee == arabic and failed.error.startswith(
        "gateway_error: HTTP 503"
    )
    job = Job.objects.get(kind=SEND_KIND)
    assert (job.status, job.attempts) == (JobStatus.SUCCEEDED, 2)


def test_a_4xx_fails_the_invitation_for_good_with_its_reason(survey, backend):
    invitee = person(survey, mobile="+966501234567")
    with gateway(400) as gw:
        invitations_send(survey=survey, actor=None)
        run_jobs()
    assert len(gw.received) == 1  # never tried again
    invitation = _state(invitee)
    assert invitation.state == InvitationState.FAILED and invitation.failed_at is not None
    assert invitation.failure_reason == "rejected"
    assert invitation.failure_detail.startswith("HTTP 400")
    assert Job.objects.get(kind=SEND_KIND).attempts == 1


def test_a_gateway_that_stays_down_fails_the_invitation_once_the_tries_are_spent(survey):
    invitee = person(survey, mobile="+966501234567")
    with gateway(*[502] * 10) as gw:
        invitations_send(survey=survey, actor=None)
        run_jobs()
    assert len(gw.received) == 5  # the delivery job's five tries
    invitation = _state(invitee)
    assert (invitation.state, invitation.failure_reason) == (
        InvitationState.FAILED,
        "gateway_error",
    )
    assert Job.objects.get(kind=SEND_KIND).status == JobStatus.FAILED


def test_an_unreachable_gateway_is_a_temporary_failure(survey):
    invitee = person(survey, mobile="+966501234567")
    with gateway() as gw:
        dead = gw.url
    # The server is gone: the connection is refused, then it comes back.
    with override_settings(SAWT_SMS_URL=dead, SAWT_SMS_TOKEN=TOKEN):
        invitations_send(survey=survey, actor=None)
        jobs_run_pending()
    assert _state(invitee).state == InvitationState.QUEUED
    assert InvitationMessage.objects.get().error.startswith("unreachable:")
    with gateway() as gw, override_settings(SAWT_SMS_URL=gw.url):
        run_jobs()
    assert len(gw.received) == 1 and _state(invitee).state == InvitationState.SENT


# --- E-mail through SMTP --------------------------------------------------------------------


def test_emails_reach_the_smtp_server_with_the_link_and_the_opt_out(survey, backend):
    arabic = person(survey, email="salem@example.com")
    english = person(survey, email="sara@example.com", language="en")
    with mail(data_script=["451 4.3.0 Try again later"]) as box:
        assert invitations_send(survey=survey, actor=None) == 2
        run_jobs()

    assert box.data_tries == 3  # one 451, then both delivered (the retry sent the first)
    by_address = {m["To"]: m for m in box.messages}
    assert set(by_address) == {"salem@example.com", "sara@example.com"}
    ar, en = by_address["salem@example.com"], by_address["sara@example.com"]
    # (A folded, encoded header reads back with the fold's space.)
    assert ar["Subject"].strip() == "رأيك في خدمة تصنيف المقاولين"
    assert en["Subject"].strip() == "Your view of the Contractor classification service"
    assert ar["From"] == "survey@sawt.example.gov.sa" and ar["Content-Language"] == "ar"
    ar_body, en_body = ar.get_content(), en.get_content()
    token = _token_of(ar_body)
    assert invitation_for_token(token).invitee == arabic
    assert f"{PUBLIC}/s/{token}/stop/" in ar_body and "لا ترغب في تلقي رسائل أخرى" in ar_body
    assert ar["List-Unsubscribe"].strip() == f"<{PUBLIC}/s/{token}/stop/>"
    assert "Stop our messages here" in en_body
    assert invitation_for_token(_token_of(en_body)).invitee == english
    assert _state(arabic).state == _state(english).state == InvitationState.SENT


def test_an_address_the_server_refuses_fails_for_good(survey, backend):
    gone = person(survey, email="nobody@example.com")
    fine = person(survey, email="salem@example.com")
    with mail(unknown={"nobody@example.com"}) as box:
        invitations_send(survey=survey, actor=None)
        run_jobs()
    assert [m["To"] for m in box.messages] == ["salem@example.com"]
    invitation = _state(gone)
    assert (invitation.state, invitation.failure_reason) == (InvitationState.FAILED, "rejected")
    assert "550" in invitation.failure_detail
    assert _state(fine).state == InvitationState.SENT
    assert Job.objects.get(kind=SEND_KIND).attempts == 1


def test_messages_keep_the_channels_pace(survey):
    # N messages at R a second take at least (N - 1)/R seconds, whatever else is going on.
    for n in range(6):
        person(survey, mobile=f"+96650123456{n}")
    with gateway() as gw, override_settings(SAWT_SMS_PER_SECOND=10):
        invitations_send(survey=survey, actor=None)
        started = time.monotonic()
        run_jobs()
        elapsed = time.monotonic() - started
    times = [r["at"] for r in gw.received]
    assert len(times) == 6
    assert times[-1] - times[0] >= 5 / 10 - 0.02
    assert elapsed < 5 / 10 + 5.0  # no slower than the pace, by a generous margin


# --- Who is invited -------------------------------------------------------------------------


def test_nobody_is_invited_twice(survey):
    people = [person(survey, mobile=f"+96650123456{n}") for n in range(3)]
    with gateway() as gw:
        assert invitations_send(survey=survey, actor=None) == 3
        assert invitations_send(survey=survey, actor=None) == 0
        run_jobs()
        assert invitations_send(survey=survey, actor=None) == 0
        run_jobs()
    assert len(gw.received) == 3
    assert Invitation.objects.filter(invitee__in=people).count() == 3


def test_the_limit_queues_only_that_many_and_the_rest_later(survey):
    for n in range(5):
        person(survey, mobile=f"+96650123456{n}")
    assert invitations_send(survey=survey, limit=2, actor=None) == 2
    assert invitations_send(survey=survey, actor=None) == 3
    assert Invitation.objects.count() == 5


def test_whoever_opted_out_is_never_contacted(survey):
    before = person(survey, mobile="+966501234567")
    email_only = person(survey, mobile="+966501234569", email="salem@example.com")
    meanwhile = person(survey, mobile="+966501234568")
    optout_record(contact="+966501234567", channel="sms", source="reply", actor=None)
    # Opted out by e-mail: not written to by SMS either.
    optout_record(contact="salem@example.com", channel="email", source="link", actor=None)
    with gateway() as gw:
        assert invitations_send(survey=survey, actor=None) == 1
        # Opts out after the invitation was queued, before a worker sends it.
        optout_record(contact="+966501234568", channel="sms", source="reply", actor=None)
        run_jobs()
    assert gw.received == []
    assert not Invitation.objects.filter(invitee__in=[before, email_only]).exists()
    assert _state(meanwhile).state == InvitationState.OPTED_OUT


def test_the_channel_sms_first_or_as_asked(survey):
    both = person(survey, mobile="+966501234567", email="both@example.com")
    email_only = person(survey, email="mail@example.com")
    sms_only = person(survey, mobile="+966501234568")
    assert invitations_send(survey=survey, channel="email", actor=None) == 2
    assert _state(both).channel == "email" and _state(email_only).channel == "email"
    assert not Invitation.objects.filter(invitee=sms_only).exists()  # no address: left
    assert invitations_send(survey=survey, actor=None) == 1
    assert _state(sms_only).channel == "sms"


def test_links_expire_with_the_valid_days(survey):
    person(survey, mobile="+966501234567")
    InvitationSettings.objects.create(survey=survey, valid_days=3)
    invitations_send(survey=survey, actor=None)
    invitation = Invitation.objects.get()
    left = invitation.expires_at - timezone.now()
    assert dt.timedelta(days=3) - dt.timedelta(minutes=1) < left <= dt.timedelta(days=3)


def test_only_analysts_send_and_it_is_audited(survey):
    person(survey, mobile="+966501234567")
    with pytest.raises(PermissionDenied):
        invitations_send(survey=survey, actor=f.user_with_role("viewer"))
    assert not Invitation.objects.exists()
    analyst = f.user_with_role("analyst")
    assert invitations_send(survey=survey, channel="sms", actor=analyst) == 1
    event = AuditEvent.objects.get(action="survey.invitations_send")
    assert (event.actor, event.data["queued"], event.data["channel"]) == (analyst, 1, "sms")


def test_bad_requests_are_refused_and_change_nothing(survey):
    person(survey, mobile="+966501234567")
    with translation.override("en"), pytest.raises(ApplicationError, match="Unknown channel"):
        invitations_send(survey=survey, channel="fax", actor=None)
    with pytest.raises(ApplicationError):
        invitations_send(survey=survey, limit=0, actor=None)
    InvitationSettings.objects.create(survey=survey, closes_on=dt.date(2020, 1, 1))
    with translation.override("en"), pytest.raises(ApplicationError, match="closed on 2020"):
        invitations_send(survey=survey, actor=None)
    assert not Invitation.objects.exists() and not Job.objects.exists()


# --- Reminders and expiry -------------------------------------------------------------------


def _sent_to(survey, n, **options):
    InvitationSettings.objects.update_or_create(survey=survey, defaults=options)
    people = [person(survey, mobile=f"+96650123457{i}") for i in range(n)]
    with gateway():
        invitations_send(survey=survey, actor=None)
        run_jobs()
    return people


def _due_now():
    Invitation.objects.exclude(next_reminder_at=None).update(
        next_reminder_at=timezone.now() - dt.timedelta(minutes=1)
    )


def test_reminders_go_only_to_those_who_have_not_answered(survey, backend):
    waiting, opened, done, stopped = _sent_to(survey, 4, reminder_after_days=3, max_reminders=2)
    first = {i.invitee_id: i.sent_at for i in Invitation.objects.all()}
    reminder_at = _state(waiting).next_reminder_at
    assert dt.timedelta(days=3) - dt.timedelta(minutes=1) < reminder_at - first[waiting.pk]
    Invitation.objects.filter(invitee=opened).update(
        state=InvitationState.OPENED, opened_at=timezone.now()
    )
    Invitation.objects.filter(invitee=done).update(
        state=InvitationState.COMPLETED, completed_at=timezone.now()
    )
    optout_record(contact=stopped.mobile, channel="sms", source="reply", actor=None)
    _due_now()

    with gateway() as gw:
        assert reminders_queue() == 2
        run_jobs()
        assert sorted(r["json"]["to"] for r in gw.received) == sorted(
            [waiting.mobile, opened.mobile]
        )
        # Each reminder carries a new link of its own, which leads to the same invitation.
        for text in gw.texts:
            token = _token_of(text)
            invitation = invitation_for_token(token)
            assert invitation.invitee in (waiting, opened)
            assert invitation.messages.count() == 2
        assert _state(waiting).reminders_sent == 1 and _state(waiting).next_reminder_at

        _due_now()
        assert reminders_queue() == 2
        run_jobs()
        _due_now()
        assert reminders_queue() == 0  # two reminders at most
    assert len(gw.received) == 4
    assert _state(waiting).reminders_sent == 2 and _state(waiting).next_reminder_at is None
    assert _state(done).reminders_sent == 0 and _state(stopped).reminders_sent == 0


def test_reminders_and_expiry_run_as_periodic_work(survey):
    assert {REMINDERS_KIND, EXPIRE_KIND} <= {k.name for k in periodic_kinds()}
    (waiting,) = _sent_to(survey, 1, reminder_after_days=1, max_reminders=1)
    _due_now()
    with gateway() as gw:
        queued = {job.kind for job in jobs_schedule_periodic()}
        assert {REMINDERS_KIND, EXPIRE_KIND} <= queued
        run_jobs()
    assert len(gw.received) == 1 and _state(waiting).reminders_sent == 1


def test_no_reminders_when_the_survey_wants_none(survey):
    (waiting,) = _sent_to(survey, 1, max_reminders=0)
    assert _state(waiting).next_reminder_at is None


def test_invitations_past_their_time_expire_unless_completed(survey):
    waiting, started, done = _sent_to(survey, 3)
    Invitation.objects.filter(invitee=started).update(state=InvitationState.STARTED)
    Invitation.objects.filter(invitee=done).update(
        state=InvitationState.COMPLETED, completed_at=timezone.now()
    )
    assert invitations_expire(now=timezone.now() + dt.timedelta(days=15)) == 2
    assert _state(waiting).state == _state(started).state == InvitationState.EXPIRED
    assert _state(waiting).next_reminder_at is None
    assert _state(done).state == InvitationState.COMPLETED


def test_a_queued_invitation_past_its_time_is_not_sent(survey):
    invitee = person(survey, mobile="+966501234567")
    invitations_send(survey=survey, actor=None)
    Invitation.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    with gateway() as gw:
        run_jobs()
    assert gw.received == [] and _state(invitee).state == InvitationState.EXPIRED


# --- The command --------------------------------------------------------------------------------


def _command(*args, lang="en"):
    out, err = io.StringIO(), io.StringIO()
    code = 0
    try:
        call_command("send_invitations", *args, "--lang", lang, stdout=out, stderr=err)
    except SystemExit as exit_:
        code = int(exit_.code or 0)
    return code, out.getvalue().strip(), err.getvalue().strip()


def test_the_command_queues_and_says_how_many(survey):
    for n in range(2):
        person(survey, mobile=f"+96650123456{n}")
    assert _command("--survey", survey.code, "--limit", "1") == (
        0,
        f"Queued 1 invitation for survey “{survey.code}”; a worker sends it (sawt worker).",
        "",
    )
    code, out, _err = _command("--survey", survey.code, "--channel", "sms", lang="ar")
    assert (code, out) == (
        0,
        f"جُدولت دعوة واحدة للاستبيان «{survey.code}»، وسيرسلها منفّذ المهام (sawt worker).",
    )
    code, out, _err = _command("--survey", survey.code)
    assert code == 0 and out.startswith("Nobody is left to invite")
    assert Invitation.objects.count() == 2


def test_the_command_refuses_clearly(survey):
    assert _command("--survey", "no-such-survey") == (
        1,
        "",
        "No survey has the code “no-such-survey”.",
    )
    code, _out, err = _command("--survey", survey.code, "--limit", "0")
    assert code == 1 and "at least 1" in err
    assert not OptOut.objects.exists() and not Invitation.objects.exists()
