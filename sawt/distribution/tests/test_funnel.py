"""The response funnel: every state counted at its stage and every earlier one, by channel and by
stratum, in a fixed number of queries; `sawt summary` shows it (JSON key `distribution`)."""

from __future__ import annotations

import datetime as dt
import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from sawt.distribution.models import SampleDraw
from sawt.distribution.selectors import distribution_funnel
from sawt.testing import factories as f

pytestmark = pytest.mark.django_db

# (channel, stratum, state, failure reason, the times recorded)
CASES = [
    ("sms", "riyadh", "queued", "", ()),
    ("sms", "riyadh", "sent", "", ("sent",)),
    ("sms", "riyadh", "failed", "rejected", ("failed",)),
    ("sms", "jeddah", "failed", "", ("failed",)),
    ("email", "riyadh", "opened", "", ("sent", "opened")),
    ("email", "jeddah", "started", "", ("sent", "opened", "started")),
    ("email", "jeddah", "completed", "", ("sent", "opened", "started", "completed")),
    # Only the completion's time was kept: the state says it was sent, opened and started too.
    ("sms", "jeddah", "completed", "", ("completed",)),
    # Expired after being opened: it counts as sent and opened.
    ("email", "riyadh", "expired", "", ("sent", "opened")),
    ("sms", "jeddah", "opted_out", "", ("sent", "opted_out")),
]


def _invite(survey, channel, stratum, state, reason, times):
    now = timezone.now() - dt.timedelta(days=1)
    invitee = f.InviteeFactory(survey=survey, stratum=stratum)
    return f.InvitationFactory(
        invitee=invitee,
        channel=channel,
        state=state,
        failure_reason=reason,
        **{f"{t}_at": now for t in times},
    )


@pytest.fixture
def survey():
    survey = f.SurveyFactory(code="permits-2022-06", sample_size=None, sample_size_by_hand=False)
    SampleDraw.objects.create(survey=survey, population=40, drawn=11, seed=7, strata="region")
    for case in CASES:
        _invite(survey, *case)
    # Sampled, not invited yet.
    f.InviteeFactory(survey=survey, stratum="riyadh")
    return survey


def _stages(counts):
    keys = ("invited", "sent", "opened", "started", "completed")
    return tuple(counts[k] for k in keys)


def _endings(counts):
    return tuple(counts[k] for k in ("queued", "failed", "expired", "opted_out"))


def test_each_stage_counts_everyone_who_reached_it_or_went_further(survey):
    funnel = distribution_funnel(survey)
    assert funnel["sampled"] == 11
    assert _stages(funnel) == (10, 7, 5, 3, 2)
    assert _endings(funnel) == (1, 2, 1, 1)
    assert funnel["failures"] == {"rejected": 1, "unspecified": 1}
    assert funnel["response_rate"] == pytest.approx(0.2)


def test_the_funnel_by_channel(survey):
    by_channel = distribution_funnel(survey)["by_channel"]
    assert list(by_channel) == ["email", "sms"]
    email, sms = by_channel["email"], by_channel["sms"]
    assert _stages(email) == (4, 4, 4, 2, 1) and _endings(email) == (0, 0, 1, 0)
    assert email["response_rate"] == pytest.approx(0.25) and email["failures"] == {}
    assert _stages(sms) == (6, 3, 1, 1, 1) and _endings(sms) == (1, 2, 0, 1)
    assert sms["response_rate"] == pytest.approx(1 / 6)
    assert sms["failures"] == {"rejected": 1, "unspecified": 1}


def test_the_funnel_by_stratum(survey):
    funnel = distribution_funnel(survey)
    assert funnel["stratified_by"] == "region"
    jeddah, riyadh = funnel["by_stratum"]
    assert (jeddah["stratum"], jeddah["sampled"]) == ("jeddah", 5)
    assert _stages(jeddah) == (5, 4, 3, 3, 2) and _endings(jeddah) == (0, 1, 0, 1)
    assert jeddah["failures"] == {"unspecified": 1}
    assert jeddah["response_rate"] == pytest.approx(0.4)
    assert (riyadh["stratum"], riyadh["sampled"]) == ("riyadh", 6)
    assert _stages(riyadh) == (5, 3, 2, 0, 0) and _endings(riyadh) == (1, 1, 1, 0)
    assert riyadh["failures"] == {"rejected": 1}


def test_an_imported_survey_has_no_funnel():
    survey = f.SurveyFactory()
    f.ResponseFactory(survey=survey)
    assert distribution_funnel(survey) is None


def test_a_sample_nobody_was_invited_from_yet_has_an_empty_funnel():
    survey = f.SurveyFactory(sample_size=None, sample_size_by_hand=False)
    f.InviteeFactory.create_batch(3, survey=survey)
    funnel = distribution_funnel(survey)
    assert funnel["sampled"] == 3 and _stages(funnel) == (0, 0, 0, 0, 0)
    assert funnel["response_rate"] is None
    assert funnel["by_stratum"] == [] and funnel["stratified_by"] is None


def test_another_surveys_invitations_are_not_counted(survey):
    _invite(f.SurveyFactory(), "sms", "riyadh", "completed", "", ("completed",))
    assert _stages(distribution_funnel(survey)) == (10, 7, 5, 3, 2)


def test_the_funnel_takes_a_few_queries_whatever_the_size(survey, django_assert_max_num_queries):
    with django_assert_max_num_queries(3):
        distribution_funnel(survey)
    for i in range(60):
        _invite(survey, ("sms", "email")[i % 2], f"s{i % 7}", "sent", "", ("sent",))
    with django_assert_max_num_queries(3):
        funnel = distribution_funnel(survey)
    assert funnel["invited"] == 70 and len(funnel["by_stratum"]) == 9


def _summary_json(journey, period="2022-06"):
    out = StringIO()
    call_command("summary", journey=journey, period=period, format="json", stdout=out)
    return json.loads(out.getvalue())


def test_the_summary_json_carries_the_funnel(survey):
    summary = _summary_json(survey.journey.slug)
    assert summary["distribution"] == json.loads(json.dumps(distribution_funnel(survey)))
    distribution = summary["distribution"]
    assert set(distribution) == {
        "sampled",
        "invited",
        "sent",
        "opened",
        "started",
        "completed",
        "response_rate",
        "queued",
        "failed",
        "expired",
        "opted_out",
        "failures",
        "by_channel",
        "stratified_by",
        "by_stratum",
    }
    assert set(distribution["by_channel"]["sms"]) == set(distribution) - {
        "sampled",
        "by_channel",
        "stratified_by",
        "by_stratum",
    }


def test_the_summary_json_of_an_imported_survey_says_null():
    survey = f.SurveyFactory()
    assert _summary_json(survey.journey.slug)["distribution"] is None


@pytest.mark.parametrize(
    ("lang", "words"),
    [
        ("en", ["Invitations", "response rate", "All", "SMS", "By region", "refused by the"]),
        ("ar", ["الدعوات", "نسبة الاستجابة", "الكل", "حسب region", "jeddah", "رفضتها بوابة"]),
    ],
)
def test_the_summary_table_shows_the_funnel(survey, lang, words):
    out = StringIO()
    call_command("summary", journey=survey.journey.slug, period="2022-06", lang=lang, stdout=out)
    text = out.getvalue()
    for word in words:
        assert word in text
    all_row = next(line for line in text.splitlines() if line.startswith(words[2]))
    assert all_row.split()[1:] == ["10", "7", "5", "3", "2", "20.0%"]


def test_the_summary_table_of_an_imported_survey_has_no_funnel():
    survey = f.SurveyFactory()
    out = StringIO()
    call_command("summary", journey=survey.journey.slug, period="2022-06", lang="en", stdout=out)
    assert "Invitations" not in out.getvalue()
