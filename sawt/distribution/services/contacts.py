"""Contacts kept only while needed (Saudi PDPL): erased on schedule once a survey has closed and
its retention period has passed, or everywhere at once when a person asks.

Erasure blanks the mobile number and the e-mail address and records when. It keeps the keyed
hashes (so the person is still never invited twice, and an opt-out still holds), every
invitation's state and times, and every answer: the funnel and the results are unchanged. The
audit trail records counts, never a contact.

When a survey closes: its `closes_on` (InvitationSettings) when set. Otherwise the later of
the end of its period plus the days a link stays valid (a sample imported during the month
has been asked by then), and the expiry of its last link (a sample sent after the month); so
no contact is erased while a link that may still need a reminder is alive. Contacts are
erased on the first run after that day plus SAWT_CONTACT_RETENTION_DAYS.

The sampling pool (ServiceTransaction, pushed through the API) holds contacts too: the first
run after a transaction's completion plus SAWT_CONTACT_RETENTION_DAYS erases them (whoever was
invited has a copy on their invitee, kept as above), and a person's request erases them too.
"""

from __future__ import annotations

import calendar
import datetime as dt
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from sawt.core.access import authorize
from sawt.core.audit import audit_record
from sawt.core.exceptions import ApplicationError
from sawt.distribution.contacts import contact_hash, normalise_email, normalise_mobile
from sawt.distribution.models import Invitation, InvitationSettings, Invitee, ServiceTransaction
from sawt.imports.values import ValueProblem
from sawt.surveys.models import Survey

ERASE_ACTION = "contacts.erase"
RETENTION_ACTION = "contacts.retention"
# Still holding a contact: what an erasure changes.
HOLDING = Q(contacts_erased_at__isnull=True) & ~Q(mobile="", email="")


def survey_closes_on(survey: Survey) -> dt.date:
    """The day a survey stops taking answers (see the module's docstring)."""
    options = InvitationSettings.objects.filter(survey=survey).first()
    if options is not None and options.closes_on is not None:
        return options.closes_on
    valid_days = options.valid_days if options is not None else InvitationSettings().valid_days
    year, month = (int(part) for part in survey.period.split("-"))
    month_end = dt.date(year, month, calendar.monthrange(year, month)[1])
    closes = month_end + dt.timedelta(days=valid_days)
    last_link = Invitation.objects.filter(invitee__survey=survey).aggregate(last=Max("expires_at"))
    if last_link["last"] is not None:
        closes = max(closes, timezone.localdate(last_link["last"]))
    return closes


def contacts_erase_due(*, now: dt.datetime | None = None, actor: Any = None) -> int:
    """Erase the contacts of every survey closed more than SAWT_CONTACT_RETENTION_DAYS ago;
    how many people's contacts were erased (one audit entry per survey, with its count)."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    retention = dt.timedelta(days=settings.SAWT_CONTACT_RETENTION_DAYS)
    holding = Invitee.objects.filter(HOLDING).values_list("survey_id", flat=True).distinct()
    erased = 0
    for survey in Survey.objects.filter(pk__in=holding).order_by("pk"):
        closes = survey_closes_on(survey)
        if today <= closes + retention:
            continue
        with transaction.atomic():
            count = _erase(Invitee.objects.filter(survey=survey), now)
            if count:
                audit_record(
                    actor=actor,
                    action=RETENTION_ACTION,
                    obj=survey,
                    data={
                        "erased": count,
                        "closed_on": closes.isoformat(),
                        "retention_days": retention.days,
                    },
                )
        erased += count
    erased += _erase_pool(now, retention, actor)
    return erased


def _erase_pool(now: dt.datetime, retention: dt.timedelta, actor: Any) -> int:
    """Erase the sampling pool's contacts of requests completed longer ago than retention."""
    with transaction.atomic():
        due = ServiceTransaction.objects.filter(HOLDING, completed_at__lt=now - retention)
        count = int(due.update(mobile="", email="", contacts_erased_at=now, updated_at=now))
        if count:
            audit_record(
                actor=actor,
                action=RETENTION_ACTION,
                data={"pool_erased": count, "retention_days": retention.days},
            )
    return count


def contacts_erase(*, mobile: str = "", email: str = "", actor: Any) -> int:
    """Erase one person's contact details everywhere, on their request: every invitee, in every
    survey, and every transaction of the sampling pool whose mobile number or e-mail address is
    the one given (compared by keyed hash, so however it is written); both contacts of each are
    erased. How many records: invitees (one per survey, as a contact is invited once per
    survey) and pooled transactions; 0, none stored, is not an error. Audited with the counts,
    never the contact; no opt-out is recorded."""
    authorize(actor, ERASE_ACTION)
    if bool(mobile.strip()) == bool(email.strip()):
        raise ApplicationError(_("Give either a mobile number or an e-mail address."))
    try:
        if mobile.strip():
            channel, hashed = "mobile", contact_hash(normalise_mobile(mobile))
            matches = Q(mobile_hash=hashed)
        else:
            channel, hashed = "email", contact_hash(normalise_email(email))
            matches = Q(email_hash=hashed)
    except ValueProblem as problem:
        raise ApplicationError(problem.message) from None
    now = timezone.now()
    with transaction.atomic():
        count = _erase(Invitee.objects.filter(matches), now)
        pooled = int(
            ServiceTransaction.objects.filter(matches)
            .filter(HOLDING)
            .update(mobile="", email="", contacts_erased_at=now, updated_at=now)
        )
        data = {"by": channel, "invitees": count}
        if pooled:
            data["transactions"] = pooled
        audit_record(actor=actor, action=ERASE_ACTION, data=data)
    return count + pooled


def _erase(invitees: Any, now: dt.datetime) -> int:
    """Blank the contacts of these invitees (those still holding one); keep their hashes."""
    holding = invitees.filter(HOLDING)
    # No reminder is due to someone who can no longer be reached: clear it before it is
    # queued (the invitation's state and times stay as they are).
    Invitation.objects.filter(invitee__in=holding.values("pk")).exclude(
        next_reminder_at=None
    ).update(next_reminder_at=None, updated_at=now)
    return int(holding.update(mobile="", email="", contacts_erased_at=now, updated_at=now))
