"""transactions_push: completed service requests a service system pushes through the API
(POST /api/v1/transactions/), the journeys' sampling pool, and continuous sampling.

Each item is checked by the sample file's rules (sawt.distribution.importers: the same parser,
so contacts are normalised and validated, and attributes redacted, exactly as `sawt
import-sample` does), plus what a push must say that a file may leave out: when the request was
completed, with its offset. All or nothing. Keyed on (journey, reference_id): a transaction is
the record of a request that happened, so a resend changes nothing and is reported unchanged.
Someone who opted out (either contact, by keyed hash) is not kept at all.

Continuous sampling (docs/formats.md): a new transaction is considered by its journey's survey
for the month it was completed in (local time), if that survey samples continuously and has not
closed. It is drawn when its permanent random number under the survey's seed falls below the
rate (sawt.distribution.sampling): each transaction is drawn with the rate's probability,
independently of the others and of the batch it came in, and the same seed always decides the
same. Drawn transactions become invitees, unless the person was already invited to the survey
or the survey's daily cap (invitations from continuous sampling on one local day) is reached;
their invitations are queued by `invitations_send`, like any sample's.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from sawt.catalog.models import Journey
from sawt.core.access import authorize
from sawt.core.audit import audit_record
from sawt.distribution.contacts import contact_hash
from sawt.distribution.importers import KNOWN, SampleRow, parse_sample, sample_layout
from sawt.distribution.models import (
    InvitationSettings,
    Invitee,
    OptOut,
    ServiceTransaction,
    TransactionDecision,
)
from sawt.distribution.sample_size import sample_size_recount
from sawt.distribution.sampling import new_seed, random_number
from sawt.distribution.services.invitations import invitations_send
from sawt.imports.db import import_lock, import_transaction, waits_its_turn
from sawt.imports.items import item_problems, items_table
from sawt.imports.problems import ImportFailed, ProblemCollector
from sawt.imports.readers import normalise_header
from sawt.surveys.models import Survey

ACTION = "transaction.push"
COMPLETED = "completed_at"
# An ISO 8601 date and time that says its offset from UTC (Z, +03:00, +0300, +03).
_OFFSET = re.compile(r"[T ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?\s?(?:Z|[+-]\d{2}(?::?\d{2})?)$")
_SCALE = 2**64  # permanent random numbers are 64-bit


@dataclass(frozen=True)
class TransactionOutcome:
    """One item's fate: created, unchanged (already received) or opted_out (not kept); and
    the sampling decision for a new one ('' when none was made)."""

    outcome: str
    decision: str = ""

    @property
    def invited(self) -> bool:
        return self.decision == TransactionDecision.INVITED


@dataclass(frozen=True)
class TransactionsPush:
    created: int
    unchanged: int
    opted_out: int
    invited: int
    outcomes: list[TransactionOutcome]


@waits_its_turn
def transactions_push(
    *,
    batches: Mapping[Journey, Sequence[tuple[int, Mapping[str, Any]]]],
    actor: Any,
    now: dt.datetime | None = None,
) -> TransactionsPush:
    """Add a batch of completed service requests (items as (index, object), grouped by their
    journey) to the journeys' sampling pools, and invite those that continuous sampling draws."""
    for journey in batches:
        authorize(actor, ACTION, journey)
    now = now or timezone.now()
    problems = ProblemCollector()
    journey_of: dict[int, Journey] = {}
    flat: list[tuple[int, dict[str, Any]]] = []
    paths: dict[str, str] = {}
    seen: dict[tuple[int, str], int] = {}
    for journey, items in batches.items():
        for index, item in items:
            journey_of[index] = journey
            flat.append((index, _flatten(index, item, paths, problems)))
            reference = str(item.get("reference_id") or "").strip()
            key = (journey.pk, reference)
            if reference and key in seen:
                problems.add(
                    index,
                    "reference_id",
                    _("The reference “%(id)s” of this journey is already item %(item)s.")
                    % {"id": reference, "item": seen[key]},
                )
            seen.setdefault(key, index)
    flat.sort(key=lambda pair: pair[0])
    table = items_table(flat, problems, columns=KNOWN)
    rows, _read = parse_sample(table, sample_layout(table.header), problems)
    if problems:
        ordered = sorted(problems.problems, key=lambda p: (p.row or 0, p.column or ""))
        raise item_problems(ImportFailed(ordered, more=problems.more), paths)
    outcomes: dict[int, TransactionOutcome] = {}
    with import_transaction():
        new: list[ServiceTransaction] = []
        index_of: dict[tuple[int, str], int] = {}
        for journey in sorted(batches, key=lambda j: j.slug):
            import_lock(f"journey:{journey.slug}")
        stored = _stored(journey_of, rows)
        opted = _opted_out(rows)
        for row in rows:
            journey = journey_of[row.number]
            mobile_hash = contact_hash(row.mobile) if row.mobile else ""
            email_hash = contact_hash(row.email) if row.email else ""
            if (journey.pk, row.reference_id) in stored:
                outcomes[row.number] = TransactionOutcome("unchanged")
            elif {mobile_hash, email_hash} & opted:
                outcomes[row.number] = TransactionOutcome("opted_out")
            else:
                new.append(_transaction(journey, row, mobile_hash, email_hash))
                index_of[(journey.pk, row.reference_id)] = row.number
        ServiceTransaction.objects.bulk_create(new)
        for transaction_, decision in _sample(new, now).items():
            outcomes[index_of[(transaction_.journey_id, transaction_.reference_id)]] = (
                TransactionOutcome("created", decision)
            )
        for journey in batches:
            created = [t for t in new if t.journey_id == journey.pk]
            if created:
                audit_record(
                    actor=actor,
                    action=ACTION,
                    obj=journey,
                    data={
                        "created": len(created),
                        "invited": sum(t.decision == TransactionDecision.INVITED for t in created),
                    },
                )
    ordered_outcomes = [outcomes[index] for index, _item in flat]
    return TransactionsPush(
        created=sum(o.outcome == "created" for o in ordered_outcomes),
        unchanged=sum(o.outcome == "unchanged" for o in ordered_outcomes),
        opted_out=sum(o.outcome == "opted_out" for o in ordered_outcomes),
        invited=sum(o.invited for o in ordered_outcomes),
        outcomes=ordered_outcomes,
    )


def _flatten(
    index: int, item: Mapping[str, Any], paths: dict[str, str], problems: ProblemCollector
) -> dict[str, Any]:
    """An item as a sample file's row: its own keys, then its attributes as further columns.
    What a push must say beyond a file is checked here: completed_at, with its offset."""
    row = {key: item[key] for key in KNOWN if key in item}
    completed = item.get(COMPLETED)
    if completed is None or (isinstance(completed, str) and not completed.strip()):
        problems.add(index, COMPLETED, _("The time the service was completed is required."))
    elif isinstance(completed, str) and not _OFFSET.search(completed.strip()):
        problems.add(
            index,
            COMPLETED,
            _(
                "“%(value)s” has no offset from UTC; write it like 2026-06-15T14:30:00+03:00 "
                "or 2026-06-15T11:30:00Z."
            )
            % {"value": completed},
        )
    attributes = item.get("attributes") or {}
    if not isinstance(attributes, Mapping):
        problems.add(index, "attributes", _("This must be an object of names and values."))
        attributes = {}
    for key, value in attributes.items():
        name = normalise_header(key)
        where = f"attributes.{key}"
        if not name or name in KNOWN or name == "journey":
            problems.add(
                index,
                where,
                _("“%(name)s” is a field of its own; choose another name.") % {"name": key},
            )
        elif not isinstance(value, str):
            problems.add(index, where, _("An attribute's value must be text."))
        else:
            paths.setdefault(name, f"attributes.{name}")
            row[name] = value
    unknown = sorted(set(item) - {*KNOWN, "journey", "attributes"})
    for key in unknown:
        problems.add(index, str(key), _("Unknown field: put extra values in attributes."))
    return row


def _stored(journey_of: dict[int, Journey], rows: list[SampleRow]) -> set[tuple[int, str]]:
    """The (journey, reference) pairs of this batch already in the pool."""
    wanted: dict[int, list[str]] = {}
    for row in rows:
        wanted.setdefault(journey_of[row.number].pk, []).append(row.reference_id)
    found: set[tuple[int, str]] = set()
    for journey_id, references in wanted.items():
        found.update(
            ServiceTransaction.objects.filter(
                journey_id=journey_id, reference_id__in=references
            ).values_list("journey_id", "reference_id")
        )
    return found


def _opted_out(rows: list[SampleRow]) -> set[str]:
    hashes = [contact_hash(c) for row in rows for c in (row.mobile, row.email) if c]
    return set(
        OptOut.objects.filter(contact_hash__in=hashes).values_list("contact_hash", flat=True)
    )


def _transaction(
    journey: Journey, row: SampleRow, mobile_hash: str, email_hash: str
) -> ServiceTransaction:
    return ServiceTransaction(
        journey=journey,
        reference_id=row.reference_id,
        # Required of every item (checked in _flatten, before anything is saved).
        completed_at=row.completed_at or timezone.now(),
        mobile=row.mobile,
        email=row.email,
        mobile_hash=mobile_hash,
        email_hash=email_hash,
        language=row.language,
        attributes=row.attributes,
    )


# --- Continuous sampling ---------------------------------------------------------------------


def survey_sampling(journey_id: int, completed_at: dt.datetime, today: dt.date) -> Survey | None:
    """The survey that considers a transaction: its journey's, for the local month it was
    completed in, sampling continuously and not closed; None when there is none."""
    period = timezone.localtime(completed_at).strftime("%Y-%m")
    return (
        Survey.objects.filter(
            journey_id=journey_id,
            period=period,
            invitation_settings__continuous_rate__isnull=False,
        )
        .filter(
            Q(invitation_settings__closes_on__isnull=True)
            | Q(invitation_settings__closes_on__gte=today)
        )
        .first()
    )


def drawn(seed: int, reference_id: str, rate: Any) -> bool:
    """Whether continuous sampling at `rate` percent draws this reference under this seed."""
    threshold = Fraction(str(rate)) / 100 * _SCALE
    return random_number(seed, reference_id) < threshold


def _sample(new: list[ServiceTransaction], now: dt.datetime) -> dict[ServiceTransaction, str]:
    """Decide each new transaction (in the order received) and invite those drawn."""
    today = timezone.localdate(now)
    decisions: dict[ServiceTransaction, str] = {}
    by_survey: dict[int, tuple[Survey, list[ServiceTransaction]]] = {}
    for transaction_ in new:
        survey = survey_sampling(transaction_.journey_id, transaction_.completed_at, today)
        if survey is None:
            decisions[transaction_] = TransactionDecision.NO_SURVEY
            continue
        by_survey.setdefault(survey.pk, (survey, []))[1].append(transaction_)
    for survey, transactions in by_survey.values():
        decisions.update(_sample_survey(survey, transactions, today))
    for transaction_, decision in decisions.items():
        transaction_.decision = decision
    ServiceTransaction.objects.bulk_update(
        list(decisions), ["decision", "survey", "invited_on", "invitee"]
    )
    return decisions


def _sample_survey(
    survey: Survey, transactions: list[ServiceTransaction], today: dt.date
) -> dict[ServiceTransaction, str]:
    # One decider at a time per survey: the daily cap counts what the other invited.
    locked = Survey.objects.select_for_update().get(pk=survey.pk)
    options = InvitationSettings.objects.get(survey=locked)
    if options.continuous_seed is None:
        options.continuous_seed = new_seed()
        options.save(update_fields=["continuous_seed", "updated_at"])
    seed, rate, cap = options.continuous_seed, options.continuous_rate, options.continuous_daily_cap
    invited_today = ServiceTransaction.objects.filter(
        survey=locked, invited_on=today, decision=TransactionDecision.INVITED
    ).count()
    references, contacts = _invited(locked)
    decisions: dict[ServiceTransaction, str] = {}
    invitees: list[Invitee] = []
    for transaction_ in transactions:
        transaction_.survey = locked
        hashes = {transaction_.mobile_hash, transaction_.email_hash} - {""}
        if not drawn(seed, transaction_.reference_id, rate):
            decisions[transaction_] = TransactionDecision.NOT_DRAWN
        elif transaction_.reference_id in references or hashes & contacts:
            decisions[transaction_] = TransactionDecision.ALREADY_INVITED
        elif cap is not None and invited_today >= cap:
            decisions[transaction_] = TransactionDecision.DAILY_CAP
        else:
            invited_today += 1
            references.add(transaction_.reference_id)
            contacts |= hashes
            transaction_.invited_on = today
            transaction_.invitee = Invitee(
                survey=locked,
                reference_id=transaction_.reference_id,
                mobile=transaction_.mobile,
                email=transaction_.email,
                mobile_hash=transaction_.mobile_hash,
                email_hash=transaction_.email_hash,
                language=transaction_.language,
                service_completed_at=transaction_.completed_at,
                attributes=transaction_.attributes,
            )
            invitees.append(transaction_.invitee)
            decisions[transaction_] = TransactionDecision.INVITED
    if invitees:
        Invitee.objects.bulk_create(invitees)
        for transaction_ in transactions:
            if transaction_.invitee is not None:
                transaction_.invitee_id = transaction_.invitee.pk
        # The system queues them, as a person pressing the survey's button would; only these.
        invitations_send(survey=locked, actor=None, invitees=[i.pk for i in invitees])
        sample_size_recount(locked)
    return decisions


def _invited(survey: Survey) -> tuple[set[str], set[str]]:
    """The references and contact hashes already invited to the survey (erased ones too)."""
    references: set[str] = set()
    contacts: set[str] = set()
    query = Invitee.objects.filter(survey=survey).values_list(
        "reference_id", "mobile_hash", "email_hash"
    )
    for reference, mobile_hash, email_hash in query.iterator(chunk_size=10_000):
        references.add(reference)
        contacts.update(h for h in (mobile_hash, email_hash) if h)
    return references, contacts
