"""Invitations: queue one per sampled person, deliver them in the background, remind those who
have not answered, and let unanswered links expire.

- `invitations_send` (the command `sawt send-invitations`, the survey page's button) creates one
  Invitation per sampled person not yet invited, skipping anyone whose contact (either of them)
  opted out, and queues their delivery as background jobs of BATCH invitations each.
  The channel: `channel` when given (people without that contact are left for another run);
  otherwise SMS for whoever has a mobile number, e-mail for the others.
- A delivery job (`invitations_deliver`) sends each message with a fresh link token, at the
  channel's shared pace; a refusal fails that invitation with a reason code, a temporary failure
  leaves it queued and the job is retried with back-off (only what is still undelivered goes
  again); once the job's tries are spent, what is still undelivered fails too.
- Periodic jobs (sawt/distribution/tasks.py): reminders, each a new message with a new token,
  to those who have not completed, opted out or expired, `reminder_after_days` after the last
  message, at most `max_reminders`; and expiry of invitations past `expires_at`.
Why batches: a job per invitation cost 1.6 s (SQLite) and 3.7 s (PostgreSQL) per 1,000
invitations to queue, inside the request that presses the button (a job, its task row and its
audit row each); batches of 50 cost 0.05-0.07 s, and a retry still resends only the undelivered.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Collection, Iterable
from typing import Any

from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from sawt.core.access import authorize
from sawt.core.audit import audit_record
from sawt.core.exceptions import ApplicationError
from sawt.distribution.channels import (
    Outgoing,
    SendRefused,
    SendTemporary,
    channel_backend,
    channel_turn,
)
from sawt.distribution.choices import Channel, InvitationState, MessageKind
from sawt.distribution.links import token_hash, token_new
from sawt.distribution.messages import (
    TEXT_FIELDS,
    is_optout_reply,
    optout_url,
    render,
    settings_problems,
)
from sawt.distribution.models import (
    Invitation,
    InvitationMessage,
    InvitationSettings,
    Invitee,
    OptOut,
)
from sawt.distribution.services.optouts import optout_record
from sawt.distribution.tasks import SEND_KIND
from sawt.jobs.errors import TransientError
from sawt.jobs.registry import Progress
from sawt.jobs.services import job_enqueue
from sawt.surveys.models import Survey

logger = logging.getLogger(__name__)

ACTION = "survey.invitations_send"
# Invitations per delivery job (see the module's docstring for the measurement).
BATCH = 50
# A batch stops after this many temporary failures in a row: the gateway or mail server is
# down, and the rest of the batch waits for the retry instead of each timing out in turn.
STOP_AFTER_TEMPORARY = 3
# States in which a person may still answer, and so be reminded, or see the link expire.
REMINDABLE = (InvitationState.SENT, InvitationState.OPENED, InvitationState.STARTED)
EXPIRABLE = (InvitationState.QUEUED, *REMINDABLE)


def _opted_out() -> Q:
    """Invitees either of whose contacts opted out (by keyed hash)."""
    mobile = OptOut.objects.filter(contact_hash=OuterRef("mobile_hash"))
    email = OptOut.objects.filter(contact_hash=OuterRef("email_hash"))
    return Q(Exists(mobile)) | Q(Exists(email))


def _expires_at(options: InvitationSettings, now: dt.datetime) -> dt.datetime:
    expires = now + dt.timedelta(days=options.valid_days)
    if options.closes_on is not None:
        # A link lives no longer than the survey: to the end of its closing day.
        closing = dt.datetime.combine(options.closes_on, dt.time.max)
        expires = min(expires, timezone.make_aware(closing))
    return expires


def invitations_send(
    *,
    survey: Survey,
    channel: str | None = None,
    limit: int | None = None,
    actor: Any,
    invitees: Collection[int] | None = None,
) -> int:
    """Queue one invitation per sampled person not yet invited (never twice, never anyone who
    opted out), delivered by background jobs; how many were queued. `invitees` (ids) keeps to
    those people: continuous sampling invites whom it drew, and not a sample an analyst has
    imported but not sent yet."""
    authorize(actor, ACTION, survey)
    if channel is not None and channel not in Channel.values:
        raise ApplicationError(
            _("Unknown channel “%(channel)s”: use email or sms.") % {"channel": channel}
        )
    if limit is not None and limit < 1:
        raise ApplicationError(_("The limit must be a whole number of at least 1."))
    now = timezone.now()
    with transaction.atomic():
        # One sender at a time per survey: two presses of the button invite each person once
        # (the one-invitation-per-person constraint would refuse the second anyway).
        locked = Survey.objects.select_for_update().get(pk=survey.pk)
        options, _created = InvitationSettings.objects.get_or_create(survey=locked)
        if options.closes_on is not None and options.closes_on < timezone.localdate(now):
            raise ApplicationError(
                _("The survey closed on %(date)s: no more invitations can be sent.")
                % {"date": options.closes_on.isoformat()}
            )
        people = (
            Invitee.objects.filter(survey=locked, invitation__isnull=True)
            .filter(contacts_erased_at__isnull=True)
            .exclude(_opted_out())
        )
        if invitees is not None:
            people = people.filter(pk__in=list(invitees))
        if channel == Channel.SMS:
            people = people.exclude(mobile="")
        elif channel == Channel.EMAIL:
            people = people.exclude(email="")
        else:
            people = people.exclude(mobile="", email="")
        chosen = list(people.order_by("id").values_list("id", "mobile")[:limit])
        expires_at = _expires_at(options, now)
        invitations = Invitation.objects.bulk_create(
            Invitation(
                invitee_id=invitee_id,
                channel=channel or (Channel.SMS if mobile else Channel.EMAIL),
                state=InvitationState.QUEUED,
                expires_at=expires_at,
            )
            for invitee_id, mobile in chosen
        )
        # PostgreSQL and SQLite (3.35+) give the new rows' keys back.
        ids = [invitation.pk for invitation in invitations]
        for batch in _batches(ids):
            job_enqueue(
                kind=SEND_KIND,
                payload={"kind": MessageKind.INVITATION.value, "invitations": batch},
                actor=actor,
            )
        audit_record(
            actor=actor,
            action=ACTION,
            obj=locked,
            data={"queued": len(ids), "channel": channel or "", "limit": limit},
        )
    return len(ids)


def _batches(items: list[Any], size: int = BATCH) -> Iterable[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


# --- Delivery (a background job) ------------------------------------------------------------


def invitations_deliver(
    *, kind: str, invitations: list[Any], progress: Progress | None = None
) -> dict[str, int]:
    """Send a batch's messages (`invitations`: ids, or [id, reminder number] for reminders);
    counts by outcome. Raises TransientError when some could not go yet (the job is retried,
    and what was delivered is not sent again)."""
    counts = {"sent": 0, "failed": 0, "skipped": 0, "later": 0}
    in_a_row = 0
    last_temporary = ""
    for done, item in enumerate(invitations):
        if in_a_row >= STOP_AFTER_TEMPORARY:
            counts["later"] += len(invitations) - done
            break
        pk, number = (item, 0) if kind == MessageKind.INVITATION else (item[0], item[1])
        outcome, note = _deliver_one(int(pk), kind, int(number))
        counts[outcome] += 1
        in_a_row = in_a_row + 1 if outcome == "later" else 0
        last_temporary = note or last_temporary
        if progress is not None:
            progress(done + 1, len(invitations), "messages")
    if counts["later"]:
        raise TransientError(
            ngettext(
                "%(count)d message could not be sent yet (%(reason)s).",
                "%(count)d messages could not be sent yet (%(reason)s).",
                counts["later"],
            )
            % {"count": counts["later"], "reason": last_temporary or "—"}
        )
    return counts


def _deliver_one(pk: int, kind: str, number: int) -> tuple[str, str]:
    """Deliver one invitation's message: ("sent" | "failed" | "skipped" | "later", note)."""
    invitation = Invitation.objects.select_related("invitee__survey__journey").filter(pk=pk).first()
    if invitation is None:
        return "skipped", ""
    invitee = invitation.invitee
    now = timezone.now()
    if kind == MessageKind.INVITATION and invitation.state != InvitationState.QUEUED:
        return "skipped", ""  # delivered by an earlier try, or opted out meanwhile
    if kind == MessageKind.REMINDER and (
        invitation.state not in REMINDABLE or invitation.reminders_sent != number - 1
    ):
        return "skipped", ""
    if invitation.expires_at <= now:
        _move(invitation, EXPIRABLE, state=InvitationState.EXPIRED, next_reminder_at=None)
        return "skipped", ""
    if _is_opted_out(invitee):
        _move(
            invitation,
            (*EXPIRABLE,),
            state=InvitationState.OPTED_OUT,
            opted_out_at=now,
            next_reminder_at=None,
        )
        return "skipped", ""
    sms = invitation.channel == Channel.SMS
    contact = invitee.mobile if sms else invitee.email
    if not contact:
        _refused(invitation, kind, "no_contact", _contact_gone_detail(invitee))
        return "failed", ""
    options = InvitationSettings.objects.filter(survey_id=invitee.survey_id).first()
    token = token_new()
    rendered = render(
        channel=invitation.channel,
        language=invitee.language,
        journey=invitee.survey.journey,
        settings=options,
        token=token,
        kind=kind,
    )
    channel_turn(invitation.channel)
    message = InvitationMessage.objects.create(
        invitation=invitation,
        kind=kind,
        channel=invitation.channel,
        token_hash=token_hash(token),
        attempts=1,
    )
    outgoing = Outgoing(
        channel=invitation.channel,
        to=contact,
        subject=rendered.subject,
        text=rendered.text,
        language=invitee.language,
        optout_url="" if sms else optout_url(token),
    )
    try:
        channel_backend(invitation.channel).send(outgoing)
    except SendRefused as refusal:
        _message_failed(message, f"{refusal.reason}: {refusal.detail}")
        _refused(invitation, kind, refusal.reason, refusal.detail)
        return "failed", ""
    except SendTemporary as temporary:
        # This message's link may have reached the person (a timeout after the gateway took
        # it): its token stays valid, and the next try writes a message of its own.
        _message_failed(message, f"{temporary.reason}: {temporary.detail}")
        return "later", temporary.reason
    _delivered(invitation, message, kind, options)
    return "sent", ""


def _contact_gone_detail(invitee: Invitee) -> str:
    return "contact erased" if invitee.contacts_erased_at else "no contact for this channel"


def _is_opted_out(invitee: Invitee) -> bool:
    hashes = [h for h in (invitee.mobile_hash, invitee.email_hash) if h]
    return bool(hashes) and OptOut.objects.filter(contact_hash__in=hashes).exists()


def _move(invitation: Invitation, states: Iterable[str], **fields: Any) -> bool:
    """Change the invitation only if it is still in one of `states` (the form, an opt-out, a
    second worker may have moved it meanwhile: theirs stands)."""
    return bool(
        Invitation.objects.filter(pk=invitation.pk, state__in=list(states)).update(
            **fields, updated_at=timezone.now()
        )
    )


def _message_failed(message: InvitationMessage, error: str) -> None:
    InvitationMessage.objects.filter(pk=message.pk).update(failed_at=timezone.now(), error=error)


def _refused(invitation: Invitation, kind: str, reason: str, detail: str) -> None:
    if kind == MessageKind.INVITATION:
        _move(
            invitation,
            (InvitationState.QUEUED,),
            state=InvitationState.FAILED,
            failed_at=timezone.now(),
            failure_reason=reason[:32],
            failure_detail=detail,
        )
    else:
        # A refused reminder leaves the invitation as it was, but no further reminder goes.
        _move(invitation, REMINDABLE, next_reminder_at=None)


def _next_reminder(
    options: InvitationSettings | None, sent_so_far: int, now: dt.datetime
) -> dt.datetime | None:
    if options is None:
        options = InvitationSettings()  # the defaults
    if options.reminder_after_days <= 0 or sent_so_far >= options.max_reminders:
        return None
    return now + dt.timedelta(days=options.reminder_after_days)


def _delivered(
    invitation: Invitation,
    message: InvitationMessage,
    kind: str,
    options: InvitationSettings | None,
) -> None:
    now = timezone.now()
    InvitationMessage.objects.filter(pk=message.pk).update(sent_at=now)
    if kind == MessageKind.INVITATION:
        _move(
            invitation,
            (InvitationState.QUEUED,),
            state=InvitationState.SENT,
            sent_at=now,
            next_reminder_at=_next_reminder(options, 0, now),
        )
        return
    Invitation.objects.filter(pk=invitation.pk).update(
        reminders_sent=F("reminders_sent") + 1, updated_at=now
    )
    _move(
        invitation,
        REMINDABLE,
        next_reminder_at=_next_reminder(options, invitation.reminders_sent + 1, now),
    )


def invitations_undelivered(payload: dict[str, Any]) -> int:
    """After a delivery job's last try: its invitations still queued fail, with the reason of
    their last temporary failure (e.g. gateway_error, timeout); how many."""
    if payload.get("kind") != MessageKind.INVITATION:
        return 0
    failed = 0
    still = Invitation.objects.filter(
        pk__in=payload.get("invitations", []), state=InvitationState.QUEUED
    )
    for invitation in still:
        last = invitation.messages.exclude(error="").order_by("-id").first()
        reason, _sep, detail = (last.error if last else "unreachable: no try ended").partition(": ")
        failed += _move(
            invitation,
            (InvitationState.QUEUED,),
            state=InvitationState.FAILED,
            failed_at=timezone.now(),
            failure_reason=reason[:32] or "unreachable",
            failure_detail=detail,
        )
    return failed


# --- Periodic work (registered in sawt/distribution/tasks.py) --------------------------------


def reminders_queue(*, now: dt.datetime | None = None) -> int:
    """Queue the reminders that are due (one job per BATCH); how many reminders."""
    now = now or timezone.now()
    due = (
        Invitation.objects.filter(next_reminder_at__lte=now, state__in=REMINDABLE)
        .filter(expires_at__gt=now)
        .exclude(Q(Exists(OptOut.objects.filter(contact_hash=OuterRef("invitee__mobile_hash")))))
        .exclude(Q(Exists(OptOut.objects.filter(contact_hash=OuterRef("invitee__email_hash")))))
        .order_by("next_reminder_at", "id")
        .values_list("id", "next_reminder_at", "reminders_sent", "invitee__survey_id")
    )
    limits = dict(InvitationSettings.objects.values_list("survey_id", "max_reminders"))
    pairs: list[list[int]] = []
    with transaction.atomic():
        for pk, when, sent, survey_id in due[:5000]:
            if sent >= limits.get(survey_id, InvitationSettings().max_reminders):
                Invitation.objects.filter(pk=pk).update(next_reminder_at=None)
                continue
            # Claimed by clearing its time: a second look at once (another worker) finds
            # nothing to claim, and the delivery sets the next time.
            if Invitation.objects.filter(pk=pk, next_reminder_at=when).update(
                next_reminder_at=None
            ):
                pairs.append([pk, sent + 1])
        for batch in _batches(pairs):
            job_enqueue(
                kind=SEND_KIND,
                payload={"kind": MessageKind.REMINDER.value, "invitations": batch},
            )
    return len(pairs)


def invitations_expire(*, now: dt.datetime | None = None) -> int:
    """Invitations past `expires_at` that were not completed (nor opted out, nor failed) become
    `expired`; how many."""
    now = now or timezone.now()
    return Invitation.objects.filter(expires_at__lte=now, state__in=EXPIRABLE).update(
        state=InvitationState.EXPIRED, next_reminder_at=None, updated_at=now
    )


# --- Replies ---------------------------------------------------------------------------------


def sms_reply_receive(*, mobile: str, text: str) -> bool:
    """A reply the SMS gateway passed on (the hook checked its token) from `mobile` (E.164):
    the opt-out word records an opt-out for that number, the system acting on the gateway's
    word; anything else is ignored and not kept. Whether it was an opt-out."""
    if not is_optout_reply(text):
        return False
    optout_record(contact=mobile, channel=Channel.SMS, source="reply", actor=None)
    return True


# --- Settings -------------------------------------------------------------------------------

SETTINGS_ACTION = "survey.invitation_settings_update"
# The numbers a person may set, and their bounds (inclusive).
SETTINGS_NUMBERS = {
    "valid_days": (1, 365),
    "reminder_after_days": (0, 365),
    "max_reminders": (0, 10),
}


def invitation_settings_update(
    *, survey: Survey, values: dict[str, Any], actor: Any
) -> InvitationSettings:
    """Change a survey's invitation numbers and texts (a key not given stays as it is),
    refusing texts that break the rules (placeholders, opt-out word, one SMS segment)."""
    authorize(actor, SETTINGS_ACTION, survey)
    text_fields = [field for field, *_rest in TEXT_FIELDS]
    unknown = sorted(set(values) - set(SETTINGS_NUMBERS) - set(text_fields))
    if unknown:
        raise ApplicationError(
            _("Unknown invitation settings: %(names)s.") % {"names": ", ".join(unknown)}
        )
    with transaction.atomic():
        options, _created = InvitationSettings.objects.select_for_update().get_or_create(
            survey=survey
        )
        problems: list[str] = []
        changes: dict[str, Any] = {}
        for name, (lowest, highest) in SETTINGS_NUMBERS.items():
            if name not in values:
                continue
            number = values[name]
            if isinstance(number, bool) or not isinstance(number, int):
                number = None
            if number is None or not lowest <= number <= highest:
                problems.append(
                    _("%(name)s must be a whole number from %(low)d to %(high)d.")
                    % {"name": name, "low": lowest, "high": highest}
                )
                continue
            changes[name] = number
        texts = {
            field: str(values.get(field, getattr(options, field)) or "").strip()
            for field in text_fields
        }
        journey = survey.journey
        for messages in settings_problems(texts, (journey.name_ar, journey.name_en)).values():
            problems.extend(messages)
        if problems:
            raise ApplicationError(_("The invitation settings were not saved."), problems=problems)
        changes.update({field: texts[field] for field in text_fields if field in values})
        changed = [name for name, value in changes.items() if getattr(options, name) != value]
        if changed:
            for name in changed:
                setattr(options, name, changes[name])
            options.save(update_fields=[*changed, "updated_at"])
            audit_record(actor=actor, action=SETTINGS_ACTION, obj=survey, data={"changed": changed})
    return options
