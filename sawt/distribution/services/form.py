"""The public form's writes: an invitation's moves as its person answers (opened → started →
completed), the answers saved as they go (`Invitation.draft`), the completion, the anonymous
link's submissions, and the opt-out from a link's own page.

Who acts: nobody signed in. A person holds a link, not an account, so these services take no
`actor` and check no role: the link's token is the credential (192 random bits, only its hash
stored; sawt/distribution/links.py), and what they check is the invitation's state — known,
not expired, not opted out, its survey not closed, not completed yet. The services they call
(`response_submit`, `optout_record`) are then called with `actor=None`, the system, which
records itself as such in the audit trail. The pages stay thin: they find the invitation by
its token, count what bots do (sawt/distribution/ratelimit.py) and show what these decide.

One completion per invitation: the completion locks the invitation's row (SQLite's write lock
does the same), and a second one finds it completed and changes nothing; the response itself
is keyed on the invitee's reference id, so even a response already imported for that person
is never doubled.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Mapping
from typing import Any

from django.core import signing
from django.db import transaction
from django.utils import timezone

from sawt.core.events import event_announce
from sawt.core.exceptions import ApplicationError
from sawt.distribution.choices import Channel, InvitationState
from sawt.distribution.models import Invitation, InvitationSettings
from sawt.distribution.services.optouts import PENDING, optout_record
from sawt.imports.values import cell_text
from sawt.surveys.choices import REASON_SUFFIX, QuestionKind
from sawt.surveys.importers.responses import answers_check
from sawt.surveys.models import Survey
from sawt.surveys.services import Submission, response_submit
from sawt.textanalytics.arabic import redact_pii

# The form field of a scored question's "what went wrong?" box: its code and this suffix.
# States before anyone opened the link; opening it moves them to `opened`.
NOT_OPENED = (InvitationState.QUEUED, InvitationState.SENT, InvitationState.FAILED)
# Respondent ids of the anonymous link: this prefix and a random key, unlike any reference id.
OPEN_PREFIX = "open-"
_OPEN_SALT = "sawt.distribution.open-link"


class LinkRefused(ApplicationError):
    """The link leads to a form that cannot be answered now; `reason` says why."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def survey_closed(survey: Survey, now: dt.datetime | None = None) -> bool:
    """Whether the survey stopped taking answers (its settings' closing day has passed)."""
    try:
        closes_on = survey.invitation_settings.closes_on
    except InvitationSettings.DoesNotExist:
        return False
    today = timezone.localdate(now or timezone.now())
    return closes_on is not None and today > closes_on


def link_refusal(invitation: Invitation, now: dt.datetime | None = None) -> str | None:
    """Why the invitation's form cannot be answered now: `completed`, `opted_out`, `closed` or
    `expired`; None when it can."""
    now = now or timezone.now()
    if invitation.state == InvitationState.COMPLETED:
        return "completed"
    if invitation.state == InvitationState.OPTED_OUT:
        return "opted_out"
    if survey_closed(invitation.invitee.survey, now):
        return "closed"
    if invitation.state == InvitationState.EXPIRED or invitation.expires_at <= now:
        return "expired"
    return None


def invitation_open(*, invitation: Invitation) -> Invitation:
    """The link was opened: `opened` with its time, the first time only."""
    if invitation.state not in NOT_OPENED:
        return invitation  # a look at a page already opened writes nothing
    now = timezone.now()
    moved = Invitation.objects.filter(pk=invitation.pk, state__in=NOT_OPENED).update(
        state=InvitationState.OPENED, opened_at=now, updated_at=now
    )
    if moved:
        invitation.state, invitation.opened_at = InvitationState.OPENED, now
    return invitation


def draft_values(survey: Survey, values: Mapping[str, Any]) -> dict[str, str]:
    """What of the posted values a draft keeps: the answers the import's checks accept, as
    text, open answers and reasons redacted; the rest is dropped."""
    questions = list(survey.questions.all())
    checked, _refused = answers_check(questions, values)
    draft = {code: str(value) for code, value in checked.items()}
    for question in questions:
        if question.kind == QuestionKind.TEXT:
            continue
        reason = cell_text(values.get(question.code + REASON_SUFFIX))
        if reason:
            draft[question.code + REASON_SUFFIX] = redact_pii(reason)
    return draft


@transaction.atomic
def invitation_draft_save(*, invitation: Invitation, values: Mapping[str, Any]) -> Invitation:
    """Save the answers so far without completing (the page's `partial=1`): the draft becomes
    what was posted; the first answer saved moves the invitation to `started`."""
    locked = _locked(invitation)
    draft = draft_values(locked.invitee.survey, values)
    fields = ["draft", "updated_at"]
    now = timezone.now()
    if draft and locked.started_at is None:
        locked.state, locked.started_at = InvitationState.STARTED, now
        locked.opened_at = locked.opened_at or now
        fields += ["state", "started_at", "opened_at"]
    locked.draft = draft
    locked.save(update_fields=fields)
    return locked


@transaction.atomic
def invitation_complete(*, invitation: Invitation, values: Mapping[str, Any]) -> Submission:
    """The person sends the form: their answers stored through `response_submit` (respondent
    id = the invitee's reference id, time = now, the sample's attributes), the invitation
    `completed`. Refused values raise ApplicationError and change nothing; a completed
    invitation raises LinkRefused("completed") and changes nothing."""
    locked = _locked(invitation)
    invitee = locked.invitee
    survey = invitee.survey
    now = timezone.now()
    submission = response_submit(
        survey=survey,
        respondent_id=invitee.reference_id,
        submitted_at=now,
        answers=values,
        reasons=_reasons(survey, values),
        attributes=invitee.attributes,
        # The system, on behalf of whoever holds the link (see the module's docstring).
        actor=None,
    )
    locked.state, locked.completed_at = InvitationState.COMPLETED, now
    locked.started_at = locked.started_at or now
    locked.opened_at = locked.opened_at or now
    locked.response, locked.draft, locked.next_reminder_at = submission.response, {}, None
    locked.save(
        update_fields=[
            "state",
            "completed_at",
            "started_at",
            "opened_at",
            "response",
            "draft",
            "next_reminder_at",
            "updated_at",
        ]
    )
    event_announce("survey.completed", submission.response, channel="invitation")
    return submission


@transaction.atomic
def invitation_opt_out(*, invitation: Invitation) -> int:
    """The person asks, from their link's page, never to be contacted again: each contact of
    theirs is recorded as opted out (`optout_record`, which stops what is pending for it);
    returns how many were. The link's own invitation stops too, even once its contacts were
    erased and only their hashes are left."""
    invitee = invitation.invitee
    contacts = [(invitee.mobile, Channel.SMS), (invitee.email, Channel.EMAIL)]
    recorded = 0
    for contact, channel in contacts:
        if contact:
            optout_record(contact=contact, channel=channel, source="link", actor=None)
            recorded += 1
    now = timezone.now()
    Invitation.objects.filter(pk=invitation.pk, state__in=PENDING).update(
        state=InvitationState.OPTED_OUT, opted_out_at=now, next_reminder_at=None, updated_at=now
    )
    return recorded


def open_link_enabled(survey: Survey) -> bool:
    """Whether the survey takes answers through its anonymous link (off unless set)."""
    try:
        return bool(survey.invitation_settings.open_link)
    except InvitationSettings.DoesNotExist:
        return False


def open_key_new(survey: Survey) -> str:
    """A signed key for one anonymous form: sending the same form twice stores it once, and
    nobody can choose a respondent id (such as someone's reference id) by forging one."""
    return signing.Signer(salt=f"{_OPEN_SALT}:{survey.pk}").sign(secrets.token_urlsafe(12))


def open_key_read(survey: Survey, signed: str) -> str | None:
    """The key a form carried, if it was made for this survey; None otherwise."""
    try:
        return signing.Signer(salt=f"{_OPEN_SALT}:{survey.pk}").unsign(signed)
    except signing.BadSignature:
        return None


def open_response_submit(*, survey: Survey, key: str, values: Mapping[str, Any]) -> Submission:
    """One submission through the survey's anonymous link: a new respondent per form (the
    key from `open_key_read`), no sample attributes."""
    if not open_link_enabled(survey) or survey_closed(survey):
        raise LinkRefused("closed")
    submission = response_submit(
        survey=survey,
        respondent_id=OPEN_PREFIX + key,
        submitted_at=timezone.now(),
        answers=values,
        reasons=_reasons(survey, values),
        # The system, on behalf of an anonymous visitor (see the module's docstring).
        actor=None,
    )
    if submission.created:  # the same form sent twice completes the survey once
        event_announce("survey.completed", submission.response, channel="open_link")
    return submission


def _locked(invitation: Invitation) -> Invitation:
    """The invitation's row, locked for this transaction, checked answerable."""
    locked = (
        Invitation.objects.select_for_update(of=("self",))
        .select_related("invitee__survey")
        .get(pk=invitation.pk)
    )
    refusal = link_refusal(locked)
    if refusal is not None:
        raise LinkRefused(refusal)
    return locked


def _reasons(survey: Survey, values: Mapping[str, Any]) -> dict[str, Any]:
    codes = survey.questions.exclude(kind=QuestionKind.TEXT).values_list("code", flat=True)
    return {code: values.get(code + REASON_SUFFIX) for code in codes}
