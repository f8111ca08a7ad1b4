"""The sampling pool and continuous sampling: pushed transactions checked by the sample file's
rules, idempotent, opt-outs never kept; a survey sampling continuously invites a reproducible
share of them, at most its daily cap a day, nobody twice; their contacts erased on schedule or
on request; and the settings written in the journey definition."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import timezone

from sawt.core.models import AuditEvent
from sawt.distribution.choices import InvitationState
from sawt.distribution.contacts import contact_hash
from sawt.distribution.models import (
    Invitation,
    InvitationSettings,
    Invitee,
    OptOut,
    ServiceTransaction,
)
from sawt.distribution.services.contacts import contacts_erase, contacts_erase_due
from sawt.distribution.services.transactions import drawn, transactions_push
from sawt.imports.problems import ImportFailed
from sawt.surveys.services.definition import survey_definition_import
from sawt.testing import factories as f

pytestmark = pytest.mark.django_db
SEED = 20261205
WHEN = "2022-06-15T10:00:00+03:00"


def _item(n: int, **extra):
    item = {
        "reference_id": f"T{n:05d}",
        "completed_at": WHEN,
        "mobile": f"05{n:08d}"[:10],
        "language": "ar",
    }
    item.update(extra)
    return item


def _mobile(n: int) -> str:
    return f"0550{n:06d}"


def _push(journey, items, now=None):
    return transactions_push(batches={journey: list(enumerate(items))}, actor=None, now=now)


def _sampling(survey, rate, cap=None, seed=SEED):
    InvitationSettings.objects.update_or_create(
        survey=survey,
        defaults={
            "continuous_rate": Decimal(rate),
            "continuous_daily_cap": cap,
            "continuous_seed": seed,
        },
    )


@pytest.fixture
def journey():
    return f.JourneyFactory()


def test_transactions_join_the_pool_normalised_and_a_resend_changes_nothing(journey):
    items = [
        _item(1, mobile="٠٥٥ ٠٠٠ ٠٠٠١", attributes={"region": "الرياض"}),
        _item(2, mobile=None, email="  Sara@Example.COM "),
    ]
    first = _push(journey, items)
    assert (first.created, first.unchanged, first.invited) == (2, 0, 0)
    assert [o.decision for o in first.outcomes] == ["no_survey", "no_survey"]
    stored = {t.reference_id: t for t in ServiceTransaction.objects.all()}
    assert stored["T00001"].mobile == "+966550000001"
    assert stored["T00001"].mobile_hash == contact_hash("+966550000001")
    assert stored["T00001"].attributes == {"region": "الرياض"}
    assert stored["T00001"].completed_at == dt.datetime(2022, 6, 15, 7, tzinfo=dt.UTC)
    assert stored["T00002"].email == "sara@example.com"
    assert stored["T00002"].language == "ar"
    audits = AuditEvent.objects.filter(action="transaction.push").count()
    again = _push(journey, items)
    assert (again.created, again.unchanged) == (0, 2)
    assert [o.outcome for o in again.outcomes] == ["unchanged", "unchanged"]
    assert ServiceTransaction.objects.count() == 2
    assert AuditEvent.objects.filter(action="transaction.push").count() == audits


def test_a_batch_with_problems_saves_nothing_and_names_each_item_and_field(journey):
    items = [
        _item(1, mobile="0501234567"),
        _item(2, mobile="0112345678"),  # a landline
        {"reference_id": "T3", "completed_at": WHEN},  # no contact
        _item(4, completed_at="2022-06-15T10:00:00"),  # no offset
        _item(5, completed_at=None),
        _item(6, language="fr", attributes={"mobile": "x", "n": 3}),
        _item(1, mobile="0501234568"),  # the same reference again
        {},
    ]
    with pytest.raises(ImportFailed) as refused:
        _push(journey, items)
    where = {(p.row, p.column) for p in refused.value.problems}
    assert {
        (1, "mobile"),
        (2, None),
        (3, "completed_at"),
        (4, "completed_at"),
        (5, "language"),
        (5, "attributes.mobile"),
        (5, "attributes.n"),
        (6, "reference_id"),
        (7, None),
    } <= where, where
    assert (0, "mobile") not in where
    assert not ServiceTransaction.objects.exists()


def test_people_who_opted_out_are_not_kept(journey):
    OptOut.objects.create(contact_hash=contact_hash("+966550000002"), channel="sms", source="x")
    result = _push(journey, [_item(1, mobile=_mobile(1)), _item(2, mobile=_mobile(2))])
    assert [o.outcome for o in result.outcomes] == ["created", "opted_out"]
    assert result.opted_out == 1
    assert list(ServiceTransaction.objects.values_list("reference_id", flat=True)) == ["T00001"]


def test_continuous_sampling_invites_the_drawn_share_reproducibly(journey):
    survey = f.SurveyFactory(journey=journey, period="2022-06", sample_size=None)
    survey.sample_size_by_hand = False
    survey.save()
    _sampling(survey, "10")
    # A sample an analyst imported but has not sent: continuous sampling leaves it alone.
    waiting = f.InviteeFactory(survey=survey, reference_id="SAMPLE-1", mobile="+966559999999")
    items = [_item(n, mobile=_mobile(n)) for n in range(400)]
    result = _push(journey, items)
    expected = {i["reference_id"] for i in items if drawn(SEED, i["reference_id"], 10)}
    assert 20 <= len(expected) <= 60  # about 10 % of 400
    invited = {t.reference_id for t in ServiceTransaction.objects.filter(decision="invited")}
    assert invited == expected
    assert result.invited == len(expected)
    assert {o.decision for o in result.outcomes} == {"invited", "not_drawn"}
    assert (
        set(
            Invitation.objects.filter(state=InvitationState.QUEUED).values_list(
                "invitee__reference_id", flat=True
            )
        )
        == expected
    )
    assert not Invitation.objects.filter(invitee=waiting).exists()
    survey.refresh_from_db()
    assert survey.sample_size == len(expected) + 1  # the invitees, the waiting one too
    invitee = Invitee.objects.get(reference_id=sorted(expected)[0])
    assert invitee.service_transaction.survey == survey
    assert invitee.mobile.startswith("+9665")


def test_the_daily_cap_counts_per_survey_per_day(journey):
    survey = f.SurveyFactory(journey=journey, period="2022-06")
    _sampling(survey, "100", cap=3)
    day = dt.datetime(2022, 6, 15, 9, tzinfo=dt.UTC)
    first = _push(journey, [_item(n, mobile=_mobile(n)) for n in range(5)], now=day)
    assert [o.decision for o in first.outcomes] == ["invited"] * 3 + ["daily_cap"] * 2
    same_day = _push(journey, [_item(10, mobile=_mobile(10))], now=day + dt.timedelta(hours=5))
    assert same_day.outcomes[0].decision == "daily_cap"
    next_day = _push(journey, [_item(11, mobile=_mobile(11))], now=day + dt.timedelta(days=1))
    assert next_day.outcomes[0].decision == "invited"
    # Another survey's cap is its own.
    other = f.SurveyFactory(journey=journey, period="2022-07")
    _sampling(other, "100", cap=1)
    july = _push(journey, [_item(20, mobile=_mobile(20), completed_at="2022-07-02T08:00:00Z")])
    assert july.outcomes[0].decision == "invited"
    assert ServiceTransaction.objects.get(reference_id="T00020").survey == other


def test_nobody_is_invited_twice_and_closed_or_unsampled_surveys_invite_nobody(journey):
    survey = f.SurveyFactory(journey=journey, period="2022-06")
    _sampling(survey, "100")
    f.InviteeFactory(
        survey=survey,
        reference_id="OLD",
        mobile="+966550000001",
        mobile_hash=contact_hash("+966550000001"),
    )
    result = _push(
        journey,
        [
            _item(1, mobile=_mobile(1)),  # already invited by mobile
            _item(2, mobile=_mobile(2)),
            _item(3, mobile=_mobile(2)),  # the same person again in the batch
            _item(4, mobile=_mobile(4), completed_at="2022-05-31T23:00:00+03:00"),  # May
        ],
    )
    assert [o.decision for o in result.outcomes] == [
        "already_invited",
        "invited",
        "already_invited",
        "no_survey",
    ]
    InvitationSettings.objects.filter(survey=survey).update(closes_on=dt.date(2022, 7, 10))
    later = _push(journey, [_item(5, mobile=_mobile(5))])
    assert later.outcomes[0].decision == "no_survey"


def test_pool_contacts_are_erased_on_schedule_and_on_request(journey, settings):
    settings.SAWT_CONTACT_RETENTION_DAYS = 90
    _push(journey, [_item(1, mobile=_mobile(1)), _item(2, mobile=_mobile(2), email="a@b.sa")])
    assert contacts_erase(mobile=_mobile(2), actor=None) == 1
    erased = ServiceTransaction.objects.get(reference_id="T00002")
    assert (erased.mobile, erased.email) == ("", "")
    assert erased.mobile_hash and erased.contacts_erased_at
    assert "+966550000002" not in str(list(AuditEvent.objects.values("data")))
    june = dt.datetime(2022, 6, 20, tzinfo=dt.UTC)
    assert contacts_erase_due(now=june) == 0
    assert contacts_erase_due(now=june + dt.timedelta(days=90)) == 1
    kept = ServiceTransaction.objects.get(reference_id="T00001")
    assert kept.mobile == "" and kept.mobile_hash == contact_hash("+966550000001")


DEFINITION = """\
journey: pooled
journey_name: {{ar: رحلة, en: Journey}}
agency:
  code: momrah
  name: {{ar: الوزارة}}
stages:
  - code: apply
    name: {{ar: التقديم}}
gap_categories: []
survey:
  code: pooled-2022-06
  period: 2022-06
  invitations:
{block}
questions:
  - code: overall
    kind: overall
    scale: [1, 5]
    text: {{ar: ما مدى رضاك عموماً؟}}
"""


def _definition(tmp_path: Path, block: str):
    path = tmp_path / "journey.yaml"
    path.write_text(DEFINITION.format(block=block), encoding="utf-8")
    return survey_definition_import(path=path)


def test_the_definition_sets_continuous_sampling(tmp_path):
    _definition(tmp_path, "    continuous_sampling: {rate: 12.5, daily_cap: 40, seed: 7}")
    options = InvitationSettings.objects.get(survey__code="pooled-2022-06")
    assert options.continuous_rate == Decimal("12.5")
    assert (options.continuous_daily_cap, options.continuous_seed) == (40, 7)
    again = _definition(tmp_path, "    continuous_sampling: {rate: 12.5, daily_cap: 40, seed: 7}")
    assert again.result.updated == 0
    _definition(tmp_path, "    continuous_sampling: {rate: 5}")
    options.refresh_from_db()
    assert (options.continuous_rate, options.continuous_daily_cap) == (Decimal(5), None)
    assert options.continuous_seed is not None  # drawn once, and kept
    seed = options.continuous_seed
    _definition(tmp_path, "    continuous_sampling: {rate: 6}")
    options.refresh_from_db()
    assert options.continuous_seed == seed
    _definition(tmp_path, "    valid_days: 14")
    options.refresh_from_db()
    assert options.continuous_rate is None  # the block says it all: sampling is off


@pytest.mark.parametrize("rate", ["0", "101", "abc", "1.234", "-3"])
def test_a_bad_rate_is_refused_by_key_path(tmp_path, rate):
    with pytest.raises(ImportFailed) as refused:
        _definition(tmp_path, f"    continuous_sampling: {{rate: {rate}}}")
    assert [p.column for p in refused.value.problems] == [
        "survey.invitations.continuous_sampling.rate"
    ]
    assert timezone.now()
