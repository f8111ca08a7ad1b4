"""The public form's services: an invitation's moves (opened → started → completed), the draft,
one completion per invitation (even two at once), the anonymous link's keys, and the themes
that follow a completion with open answers."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.conf import settings
from django.db import connection
from django.test import override_settings
from django.utils import timezone

from sawt.classification.models import ThemeSet
from sawt.core.exceptions import ApplicationError
from sawt.distribution.choices import InvitationState
from sawt.distribution.models import Invitation, InvitationSettings
from sawt.distribution.ratelimit import rate_hit, rate_key
from sawt.distribution.services.form import (
    LinkRefused,
    invitation_complete,
    invitation_draft_save,
    invitation_open,
    link_refusal,
    open_key_new,
    open_key_read,
    open_response_submit,
)
from sawt.jobs.models import Job
from sawt.surveys.models import Answer, Response
from sawt.testing import factories as f


@pytest.fixture
def survey(db):
    survey = f.SurveyFactory(code="permits-2022-06")
    f.QuestionFactory(survey=survey, code="overall", kind="overall")
    f.QuestionFactory(survey=survey, code="t1", kind="text", scale_min=None, scale_max=None)
    return survey


def _invitation(survey, **kwargs) -> Invitation:
    return f.InvitationFactory(
        invitee__survey=survey,
        invitee__reference_id="REQ-7",
        invitee__attributes={"region": "جدة", "grade": "1"},
        **kwargs,
    )


@pytest.mark.django_db
def test_the_moves_of_an_invitation(survey):
    invitation = _invitation(survey, state=InvitationState.SENT)
    invitation_open(invitation=invitation)
    assert Invitation.objects.get().state == InvitationState.OPENED
    saved = invitation_draft_save(invitation=invitation, values={})
    assert saved.state == InvitationState.OPENED  # nothing answered yet: not started
    saved = invitation_draft_save(invitation=invitation, values={"overall": "3"})
    assert saved.state == InvitationState.STARTED and saved.draft == {"overall": "3"}
    submission = invitation_complete(invitation=invitation, values={"overall": "4", "t1": "شكراً"})
    stored = Invitation.objects.get()
    assert stored.state == InvitationState.COMPLETED and stored.response == submission.response
    assert stored.opened_at <= stored.started_at <= stored.completed_at
    response = submission.response
    assert response.respondent_id == "REQ-7"
    assert response.attributes == {"region": "جدة", "grade": "1"}
    assert response.submitted_at == stored.completed_at


@pytest.mark.django_db
def test_a_completed_invitation_changes_nothing_more(survey):
    invitation = _invitation(survey)
    invitation_complete(invitation=invitation, values={"overall": "5"})
    completed = Invitation.objects.get()
    for call in (
        lambda: invitation_complete(invitation=invitation, values={"overall": "1"}),
        lambda: invitation_draft_save(invitation=invitation, values={"overall": "1"}),
    ):
        with pytest.raises(LinkRefused) as refused:
            call()
        assert refused.value.reason == "completed"
    assert Invitation.objects.get().completed_at == completed.completed_at
    assert list(Answer.objects.values_list("score", flat=True)) == [5]


@pytest.mark.django_db
def test_a_refused_completion_leaves_the_invitation_as_it_was(survey):
    invitation = _invitation(survey, state=InvitationState.OPENED)
    with pytest.raises(ApplicationError):
        invitation_complete(invitation=invitation, values={"overall": "7"})
    assert Invitation.objects.get().state == InvitationState.OPENED
    assert not Response.objects.exists()


@pytest.mark.django_db
def test_a_response_already_imported_for_the_person_is_not_doubled(survey):
    f.ResponseFactory(survey=survey, respondent_id="REQ-7")
    invitation = _invitation(survey)
    submission = invitation_complete(invitation=invitation, values={"overall": "2"})
    assert not submission.created and Response.objects.count() == 1
    assert Invitation.objects.get().state == InvitationState.COMPLETED


@pytest.mark.django_db
def test_why_a_link_is_refused(survey):
    now = timezone.now()
    assert link_refusal(_invitation(survey)) is None
    late = f.InvitationFactory(invitee__survey=survey, expires_at=now - dt.timedelta(seconds=1))
    assert link_refusal(late) == "expired"
    out = f.InvitationFactory(invitee__survey=survey, state=InvitationState.OPTED_OUT)
    assert link_refusal(out) == "opted_out"
    InvitationSettings.objects.create(survey=survey, closes_on=timezone.localdate(now))
    assert link_refusal(_invitation(f.SurveyFactory())) is None
    later = now + dt.timedelta(days=1)
    assert link_refusal(f.InvitationFactory(invitee__survey=survey), later) == "closed"


@pytest.mark.django_db
def test_the_draft_keeps_only_what_the_import_accepts_and_redacts_it(survey):
    invitation = _invitation(survey)
    saved = invitation_draft_save(
        invitation=invitation,
        values={
            "overall": "٩",
            "t1": "بريدي a.b@example.com",
            "overall__why": "اتصل على 0551234567",
        },
    )
    assert "overall" not in saved.draft  # 9 is outside 1–5
    assert "example.com" not in saved.draft["t1"]
    assert "0551234567" not in saved.draft["overall__why"]


@pytest.mark.django_db
def test_a_completion_with_open_answers_refreshes_the_stored_themes(
    survey, django_capture_on_commit_callbacks
):
    ThemeSet.objects.create(
        journey=survey.journey,
        period=survey.period,
        source="survey",
        fingerprint="before",
        computed_at=timezone.now(),
    )
    with django_capture_on_commit_callbacks(execute=True):
        invitation_complete(invitation=_invitation(survey), values={"overall": "4"})
    assert not Job.objects.filter(kind="classifier.themes_refresh").exists()
    other = f.InvitationFactory(invitee__survey=survey)
    with django_capture_on_commit_callbacks(execute=True):
        invitation_complete(invitation=other, values={"overall": "2", "t1": "الانتظار طويل"})
    job = Job.objects.get(kind="classifier.themes_refresh")
    assert job.payload == {"journey": survey.journey.slug}


@pytest.mark.django_db
def test_the_anonymous_link_keys(survey):
    InvitationSettings.objects.create(survey=survey, open_link=True)
    signed = open_key_new(survey)
    key = open_key_read(survey, signed)
    assert key and open_key_read(f.SurveyFactory(), signed) is None
    assert open_key_read(survey, "REQ-7") is None
    first = open_response_submit(survey=survey, key=key, values={"overall": "3"})
    again = open_response_submit(survey=survey, key=key, values={"overall": "1"})
    assert first.created and not again.created and Response.objects.count() == 1
    assert first.response.respondent_id == "open-" + key


@pytest.mark.django_db
def test_the_anonymous_link_refuses_when_off(survey):
    with pytest.raises(LinkRefused):
        open_response_submit(survey=survey, key="abc", values={"overall": "3"})
    assert not Response.objects.exists()


@pytest.mark.skipif(
    "postgresql" not in settings.DATABASES["default"]["ENGINE"],
    reason="row locks between threads: PostgreSQL (SQLite's write lock serialises the rest)",
)
@pytest.mark.django_db(transaction=True)
def test_two_completions_at_once_store_one_response(survey):
    invitation = _invitation(survey)
    outcomes: list[str] = []
    start = threading.Barrier(2)

    def complete(score: str) -> None:
        try:
            start.wait()
            invitation_complete(invitation=invitation, values={"overall": score})
            outcomes.append("stored")
        except LinkRefused as refused:
            outcomes.append(refused.reason)
        finally:
            connection.close()

    threads = [threading.Thread(target=complete, args=(s,)) for s in ("2", "5")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    # One stored the answers; the other found the invitation completed.
    assert sorted(outcomes) == ["completed", "stored"]
    assert Response.objects.count() == 1 and Answer.objects.count() == 1


def test_rate_keys():
    assert rate_key("203.0.113.9") == "203.0.113.9"
    assert (
        rate_key("2001:db8:1:2:3:4:5:6") == rate_key("2001:db8:1:2:ffff::1") == "2001:db8:1:2::/64"
    )
    assert rate_key("::ffff:203.0.113.9") == "203.0.113.9"
    assert rate_key(None) == rate_key("junk") == "unknown"


@pytest.mark.django_db
@override_settings(SAWT_FORM_RATE_LIMIT=(2, 60))
def test_the_count_is_per_window():
    assert [rate_hit("10.0.0.1", now=1000.0) for _ in range(3)] == [False, False, True]
    assert rate_hit("10.0.0.1", now=1065.0) is False  # the next window starts afresh
