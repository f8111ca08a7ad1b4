"""Numbers that never mislead: one rounding rule, low bases, clipped intervals, per-scale top
box, targets and NPS, like-for-like change tests, and Holm over the whole portfolio."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sawt.catalog.models import Journey
from sawt.catalog.selectors import journeys_for
from sawt.core.access import Role
from sawt.core.numbers import Numbers, fixed
from sawt.metrics import stats
from sawt.metrics.portfolio import portfolio_summary
from sawt.metrics.render import _Fmt
from sawt.metrics.selectors import journey_summary
from sawt.metrics.targets import target_for
from sawt.testing import factories as f

PDI = "\u2069"


def _plain(text: str) -> str:
    """A page figure without its direction isolates."""
    return text.strip("\u2066\u2067" + PDI)


def _decimal(value: float, places: int) -> str:
    """An independent half-up rounding of the decimal a person reads."""
    return str(Decimal(repr(value)).quantize(Decimal(10) ** -places, rounding=ROUND_HALF_UP))


@pytest.mark.parametrize(
    ("value", "places", "expected"),
    [
        (3.25, 1, "3.3"),
        (3.15, 1, "3.2"),
        (2.675, 2, "2.68"),
        (0.125, 2, "0.13"),
        (-0.05, 1, "-0.1"),
    ],
)
def test_halves_round_up_on_the_decimal(value, places, expected):
    assert fixed(value, places) == expected


def test_page_and_table_agree_on_the_classic_halves():
    page, table = Numbers("latin"), _Fmt("latin")
    assert page.score(3.25) == table.score(3.25) == "3.3"
    assert _plain(page.ci((2.675, 0.125))) == table.ci([2.675, 0.125])
    assert "2.68" in table.ci([2.675, 0.125]) and table.ci([2.675, 0.125]).endswith("0.13")
    assert _plain(page.pct(0.0725)) == table.pct(0.0725) == "7.3%"  # not 7.2 (0.0725·100)


@settings(max_examples=300, deadline=None)
@given(st.floats(min_value=-1000, max_value=1000, allow_nan=False, allow_infinity=False))
def test_page_table_and_decimal_rounding_agree(value):
    page, table = Numbers("latin"), _Fmt("latin")
    expected = _decimal(value, 1)
    assert page.score(value) == table.score(value) == expected
    assert _plain(page.margin(value)) == table.margin(value) == "±" + _decimal(value, 2)
    share = value / 1000
    in_percent = (Decimal(repr(share)) * 100).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    assert _plain(page.pct(share)) == table.pct(share) == f"{in_percent}%"


def test_a_mean_below_the_target_never_reads_as_the_target():
    n = Numbers("latin")
    assert n.score_against(3.96, 4.0) == "3.96"
    assert n.score_against(3.996, 4.0) == "3.996"
    assert n.score_against(4.04, 4.0) == "4.0"
    assert n.score_against(3.84, 4.0) == "3.8"


def test_a_low_base_has_no_interval_and_intervals_stay_on_the_scale():
    two = stats.item_stats({1: 1, 5: 1}, (1, 5), min_n=30)
    assert two.low_base and two.ci95 is None and two.mean == 3.0
    wide = stats.item_stats({1: 1, 5: 1}, (1, 5))  # n = 2 once printed −14.47–21.47
    assert wide.ci95 == (1, 5)


@settings(max_examples=80, deadline=None)
@given(st.dictionaries(st.integers(1, 5), st.integers(1, 40), min_size=1))
def test_intervals_never_leave_the_scale(counts):
    figures = stats.item_stats(counts, (1, 5))
    if figures.ci95:
        assert 1 <= figures.ci95[0] <= figures.mean <= figures.ci95[1] <= 5


def test_top_box_is_defined_per_scale():
    assert stats.top_box_points((1, 5)) == 2 and stats.top_box_points((1, 2)) == 1
    # On a yes/no item the top two points were every answer: 100 % whatever was said.
    assert stats.item_stats({1: 9, 2: 1}, (1, 2)).top2 == pytest.approx(0.1)
    assert stats.item_stats({4: 1, 5: 1, 3: 2}, (1, 5)).top2 == pytest.approx(0.5)


def test_targets_follow_the_scale(settings):
    assert target_for("satisfaction", (1, 5)) == 4.0
    assert target_for("effort", (1, 7)) == pytest.approx(5.5)
    assert target_for("satisfaction", (0, 10)) == pytest.approx(7.5)
    assert target_for("nps", (0, 10)) == 0.0
    settings.SAWT_TARGETS = {"1-5": 3.8, "effort:1-7": 5.0, "nps": 20}
    assert target_for("overall", (1, 5)) == 3.8
    assert target_for("effort", (1, 7)) == 5.0
    assert target_for("nps", (0, 10)) == 20


def _survey(journey, period, scores, *, scale=(1, 5), kind="overall", code=None):
    survey = f.SurveyFactory(journey=journey, period=period, sample_size=max(1, len(scores)))
    question = f.QuestionFactory(
        survey=survey, code=code or "overall", kind=kind, scale_min=scale[0], scale_max=scale[1]
    )
    for i, score in enumerate(scores):
        response = f.ResponseFactory(survey=survey, respondent_id=f"{period}-{i}")
        f.AnswerFactory(response=response, question=question, score=score)
    return survey, question


@pytest.mark.django_db
def test_an_nps_item_is_judged_on_its_net_score(settings):
    settings.SAWT_MIN_N = 5
    journey = f.JourneyFactory(slug="nps-j")
    stage = f.StageFactory(journey=journey, code="s")
    survey, _overall = _survey(journey, "2024-01", [4] * 16)
    question = f.QuestionFactory(
        survey=survey, code="recommend", kind="nps", scale_min=0, scale_max=10, stage=stage
    )
    for i, response in enumerate(survey.responses.all()):
        f.AnswerFactory(response=response, question=question, score=10 if i == 0 else 3)
    summary = journey_summary(journey_slug="nps-j", period="2024-01")
    item = summary["stages"][0]["items"][0]
    # 15 of 16 detractors: a mean of 3.4 out of 10 once "met" the 4.0 target.
    assert item["nps"]["score"] == pytest.approx((1 - 15) / 16 * 100)
    assert item["nps"]["promoters"] == pytest.approx(1 / 16)
    assert item["target"] == 0.0 and item["meets_target"] is False


@pytest.mark.django_db
def test_waves_on_different_scales_are_not_compared(settings):
    settings.SAWT_MIN_N = 5
    journey = f.JourneyFactory(slug="rescaled")
    _survey(journey, "2024-01", [9, 8, 10, 9, 7, 8], scale=(0, 10))
    _survey(journey, "2024-04", [4, 3, 4, 5, 4, 3])
    row = portfolio_summary(period="2024-04")["journeys"][0]
    assert row["change"] is None and row["change_note"] == "scales_differ"


@pytest.mark.django_db
def test_a_low_base_or_constant_waves_get_no_change_test(settings):
    settings.SAWT_MIN_N = 30
    small = f.JourneyFactory(slug="small")
    _survey(small, "2024-01", [1, 2, 3, 2, 1])
    _survey(small, "2024-04", [5, 4, 5, 4, 5])
    row = portfolio_summary(period="2024-04")["journeys"][0]
    assert row["change"] is None and row["change_note"] == "low_base"
    settings.SAWT_MIN_N = 2
    flat = f.JourneyFactory(slug="flat")
    _survey(flat, "2024-01", [3, 3])
    _survey(flat, "2024-04", [4, 4])
    rows = {r["journey"].slug: r for r in portfolio_summary(period="2024-04")["journeys"]}
    assert rows["flat"]["change"] is None and rows["flat"]["change_note"] == "not_testable"


@pytest.mark.django_db
def test_holm_runs_over_the_whole_portfolio_whoever_looks(settings, django_assert_max_num_queries):
    settings.SAWT_MIN_N = 5
    ours, theirs = f.AgencyFactory(code="ours"), f.AgencyFactory(code="theirs")
    mine = f.JourneyFactory(slug="mine", agency=ours)
    _survey(mine, "2024-01", [3, 4, 3, 4, 3, 4, 3, 2, 3, 4])
    _survey(mine, "2024-04", [4, 5, 4, 5, 4, 4, 5, 4, 3, 5])
    for k in range(3):
        other = f.JourneyFactory(slug=f"other-{k}", agency=theirs)
        _survey(other, "2024-01", [3, 4, 3, 4, 3, 4, 3, 4])
        _survey(other, "2024-04", [4, 3, 4, 3, 4, 3, 4, 3])
    member = f.user_with_role(Role.AGENCY_MEMBER, agency=ours)
    analyst = f.user_with_role(Role.ANALYST)
    seen_by_member = portfolio_summary(period="2024-04", journeys=journeys_for(member))
    with django_assert_max_num_queries(14):
        seen_by_analyst = portfolio_summary(period="2024-04", journeys=journeys_for(analyst))
    (row,) = seen_by_member["journeys"]
    (same,) = [r for r in seen_by_analyst["journeys"] if r["journey"].slug == "mine"]
    assert row["change"]["p_adjusted"] == same["change"]["p_adjusted"]
    assert row["change"]["significant"] == same["change"]["significant"]
    # Four journeys tested: the member's p is multiplied as the analyst's is.
    assert seen_by_member["tested"] == seen_by_analyst["tested"] == 4
    assert row["change"]["p_adjusted"] == pytest.approx(min(1.0, 4 * row["change"]["p"]))
    assert Journey.objects.count() == 4
