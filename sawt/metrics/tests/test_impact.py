"""Did it work? A generated journey (2024-01, 2024-04, 2024-07) with planted effects after
implemented recommendations; every figure checked against SciPy on the raw answers."""

from __future__ import annotations

import datetime as dt
import io
import json

import numpy as np
import pytest
from django.core.management import call_command
from django.utils import translation
from scipy import stats as sp

from sawt.core.access import Role
from sawt.gaps.choices import RecommendationStatus as S
from sawt.gaps.services import recommendation_transition
from sawt.metrics import impact_stats
from sawt.metrics.impact import journey_impact, recommendation_impact, verdict_counts
from sawt.metrics.tests.planted import (
    MEAN_3,
    MEAN_4,
    complaints,
    implemented_recommendation,
    journey_with_periods,
    transactions,
)
from sawt.surveys.models import Answer
from sawt.testing import factories as f

pytestmark = pytest.mark.django_db

FEB, MAY = dt.date(2024, 2, 15), dt.date(2024, 5, 10)


@pytest.fixture
def analyst():
    return f.user_with_role(Role.ANALYST, username="analyst")


@pytest.fixture
def planted(analyst):
    """q_wait improves 3.0 → 4.0 after February; q_fee stays; q_late has 10 answers in July."""
    journey, surveys = journey_with_periods(
        {
            "q_wait": {"2024-01": MEAN_3, "2024-04": MEAN_4, "2024-07": MEAN_4},
            "q_fee": {"2024-01": MEAN_3, "2024-04": MEAN_3, "2024-07": MEAN_3},
            "q_late": {"2024-01": MEAN_3, "2024-04": MEAN_3, "2024-07": {4: 10}},
        }
    )

    def rec(items: list[str], on: dt.date, **more: object):
        return implemented_recommendation(
            journey,
            period="2024-01",
            implemented_on=on,
            actor=analyst,
            targets={"items": items, **more},
        )

    return {"journey": journey, "surveys": surveys, "rec": rec}


def _scores(code: str, *periods: str) -> np.ndarray:
    rows = Answer.objects.filter(
        question__code=code, question__survey__period__in=periods
    ).values_list("score", flat=True)
    return np.array(list(rows), dtype=float)


def test_planted_improvement_is_improved_with_scipy_figures(planted):
    rec = planted["rec"](["q_wait"], FEB)
    result = recommendation_impact(rec)
    assert result["implemented_at"] == "2024-02-15" and result["status"] == S.IMPLEMENTED
    assert result["verdict"] == "improved"
    (measure,) = result["measures"]
    before, after = _scores("q_wait", "2024-01"), _scores("q_wait", "2024-04", "2024-07")
    golden = sp.ttest_ind(after, before, equal_var=False)
    assert measure["kind"] == "item" and measure["code"] == "q_wait"
    assert measure["before"] == {"periods": ["2024-01"], "n": 200, "value": pytest.approx(3.0)}
    # After: every period starting after the implementation, pooled by adding the counts.
    assert measure["after"] == {
        "periods": ["2024-04", "2024-07"],
        "n": 400,
        "value": pytest.approx(4.0),
    }
    assert measure["difference"] == pytest.approx(after.mean() - before.mean())
    assert measure["p_value"] == pytest.approx(golden.pvalue, rel=1e-9)
    assert measure["verdict"] == "improved"


def test_planted_non_change_is_no_change(planted):
    result = recommendation_impact(planted["rec"](["q_fee"], FEB))
    (measure,) = result["measures"]
    assert measure["difference"] == pytest.approx(0.0) and measure["p_value"] == pytest.approx(1)
    assert (measure["verdict"], result["verdict"]) == ("no_change", "no_change")


def test_after_period_below_the_minimum_n_is_too_early(planted, settings):
    settings.SAWT_MIN_N = 30
    result = recommendation_impact(planted["rec"](["q_late"], MAY))
    (measure,) = result["measures"]
    assert measure["before"]["periods"] == ["2024-04"]
    assert measure["after"] == {"periods": ["2024-07"], "n": 10, "value": pytest.approx(4.0)}
    assert measure["p_value"] is None
    assert (measure["verdict"], result["verdict"]) == ("too_early", "too_early")
    # The threshold is a setting: with a minimum of 10 the same data is tested.
    settings.SAWT_MIN_N = 10
    assert recommendation_impact(planted["rec"](["q_late"], MAY))["verdict"] != "too_early"


def test_no_period_after_the_implementation_is_too_early(planted):
    result = recommendation_impact(planted["rec"](["q_wait"], dt.date(2024, 7, 20)))
    (measure,) = result["measures"]
    assert measure["after"] == {"periods": [], "n": 0, "value": None}
    assert result["verdict"] == "too_early"


def test_the_period_of_the_implementation_is_neither_before_nor_after(planted):
    # Implemented mid-April: April is a mix, so before is January and after July only.
    result = recommendation_impact(planted["rec"](["q_wait"], dt.date(2024, 4, 15)))
    (measure,) = result["measures"]
    assert measure["before"]["periods"] == ["2024-01"]
    assert measure["after"]["periods"] == ["2024-07"]


def test_moved_back_to_in_progress_is_not_implemented(planted, analyst):
    rec = planted["rec"](["q_wait"], FEB)
    rec = recommendation_transition(
        recommendation=rec, to_status=S.IN_PROGRESS, expected_status=S.IMPLEMENTED, actor=analyst
    )
    result = recommendation_impact(rec)
    assert (result["implemented_at"], result["verdict"], result["measures"]) == (None, None, [])
    assert journey_impact(journey="planted")["recommendations"] == []


def test_a_later_implementation_date_is_the_latest_move(planted, analyst):
    rec = planted["rec"](["q_wait"], FEB)
    rec = recommendation_transition(
        recommendation=rec,
        to_status=S.IN_PROGRESS,
        expected_status=S.IMPLEMENTED,
        actor=analyst,
        at=dt.datetime(2024, 3, 1, 10, tzinfo=dt.UTC),
    )
    rec = recommendation_transition(
        recommendation=rec,
        to_status=S.IMPLEMENTED,
        expected_status=S.IN_PROGRESS,
        actor=analyst,
        at=dt.datetime(2024, 5, 2, 10, tzinfo=dt.UTC),
    )
    result = recommendation_impact(rec)
    assert result["implemented_at"] == "2024-05-02"
    assert result["measures"][0]["before"]["periods"] == ["2024-04"]


def test_unlike_scales_are_not_pooled(analyst):
    journey, _ = journey_with_periods(
        {"q": {"2024-01": MEAN_3, "2024-04": MEAN_4, "2024-07": {7: 200}}},
        scales={("q", "2024-07"): (0, 10)},
    )
    rec = implemented_recommendation(
        journey, period="2024-01", implemented_on=FEB, actor=analyst, targets={"items": ["q"]}
    )
    (measure,) = recommendation_impact(rec)["measures"]
    assert measure["after"]["periods"] == ["2024-04"]  # July's 0–10 item is left out
    assert measure["after"]["value"] == pytest.approx(4.0)


def test_stage_pools_its_items_with_the_largest_item_n(analyst):
    small_3, small_4 = {2: 25, 3: 50, 4: 25}, {3: 25, 4: 50, 5: 25}
    journey, _ = journey_with_periods(
        {
            "a": {"2024-01": MEAN_3, "2024-04": MEAN_4},
            "b": {"2024-01": small_3, "2024-04": {4: 40, 5: 60}},
            "c": {"2024-01": small_4},  # not asked after: its stage still measured on a, b
        },
        stages={"a": "wait", "b": "wait", "c": "wait"},
    )
    rec = implemented_recommendation(
        journey, period="2024-01", implemented_on=FEB, actor=analyst, targets={"stage": "wait"}
    )
    (measure,) = recommendation_impact(rec)["measures"]
    before = np.concatenate([_scores(c, "2024-01") for c in ("a", "b", "c")])
    after = np.concatenate([_scores(c, "2024-04") for c in ("a", "b")])
    assert measure["kind"] == "stage" and measure["code"] == "wait"
    # The value is the mean of every answer to the stage's items (not a mean of item means)…
    assert measure["before"]["value"] == pytest.approx(before.mean())
    assert measure["after"]["value"] == pytest.approx(after.mean())
    # …and n is the largest item n, about the number of people (200), not the 400 answers.
    assert (measure["before"]["n"], measure["after"]["n"]) == (200, 200)
    golden = sp.ttest_ind_from_stats(
        after.mean(), after.std(ddof=1), 200, before.mean(), before.std(ddof=1), 200, False
    )
    assert measure["p_value"] == pytest.approx(golden.pvalue, rel=1e-9)
    assert measure["verdict"] == "improved"


def _category_world(analyst, with_transactions: bool):
    journey, _ = journey_with_periods({"q": {"2024-01": MEAN_3, "2024-04": MEAN_3}})
    waiting = f.GapCategoryFactory(journey=journey, code="waiting")
    other = f.GapCategoryFactory(journey=journey, code="fees")
    complaints(journey, waiting, {"2024-01": 60, "2024-04": 10, "2024-07": 10})
    complaints(journey, other, {"2024-01": 40, "2024-04": 90, "2024-07": 90})
    complaints(journey, None, {"2024-04": 5})  # unclassified still counts in the total
    if with_transactions:
        transactions(journey, {"2024-01": 1000, "2024-04": 1000, "2024-07": 1000})
    rec = implemented_recommendation(
        journey,
        period="2024-01",
        implemented_on=FEB,
        actor=analyst,
        targets={"category": "waiting"},
    )
    (measure,) = recommendation_impact(rec)["measures"]
    return measure


def test_category_per_1000_transactions_uses_the_exact_poisson_test(analyst):
    measure = _category_world(analyst, with_transactions=True)
    assert measure["kind"] == "category" and measure["basis"] == "per_1000_transactions"
    assert measure["before"] == {"periods": ["2024-01"], "n": 1000, "value": pytest.approx(60)}
    assert measure["after"] == {
        "periods": ["2024-04", "2024-07"],
        "n": 2000,
        "value": pytest.approx(10),
    }
    golden = sp.binomtest(20, 80, 2000 / 3000).pvalue
    assert measure["p_value"] == pytest.approx(golden, rel=1e-9)
    assert measure["difference"] == pytest.approx(-50)
    assert measure["verdict"] == "improved"  # fewer complaints is better


def test_category_share_of_complaints_without_transactions(analyst):
    measure = _category_world(analyst, with_transactions=False)
    assert measure["basis"] == "share_of_complaints"
    assert measure["before"] == {"periods": ["2024-01"], "n": 100, "value": pytest.approx(0.6)}
    assert measure["after"]["n"] == 205 and measure["after"]["value"] == pytest.approx(20 / 205)
    # The pooled two-proportion z-test is the chi-squared test of the 2×2 table, uncorrected.
    table = np.array([[60, 40], [20, 185]])
    golden = sp.chi2_contingency(table, correction=False).pvalue
    assert measure["p_value"] == pytest.approx(golden, rel=1e-9)
    assert measure["verdict"] == "improved"


def test_transactions_missing_for_one_period_fall_back_to_shares(analyst):
    journey, _ = journey_with_periods({"q": {"2024-01": MEAN_3, "2024-04": MEAN_3}})
    waiting = f.GapCategoryFactory(journey=journey, code="waiting")
    complaints(journey, waiting, {"2024-01": 40, "2024-04": 40})
    transactions(journey, {"2024-01": 500})  # nothing pushed in April
    rec = implemented_recommendation(
        journey,
        period="2024-01",
        implemented_on=FEB,
        actor=analyst,
        targets={"category": "waiting"},
    )
    (measure,) = recommendation_impact(rec)["measures"]
    assert measure["basis"] == "share_of_complaints"


def test_holm_within_a_recommendation_and_the_verdict_rules(planted):
    result = recommendation_impact(planted["rec"](["q_wait", "q_fee"], FEB))
    fee, wait = result["measures"]  # items in code order
    raw_wait = sp.ttest_ind(
        _scores("q_wait", "2024-04", "2024-07"), _scores("q_wait", "2024-01"), equal_var=False
    ).pvalue
    assert wait["p_value"] == pytest.approx(min(1.0, 2 * raw_wait), rel=1e-9)
    assert (wait["verdict"], fee["verdict"], result["verdict"]) == (
        "improved",
        "no_change",
        "improved",
    )


@pytest.mark.parametrize(
    ("verdicts", "expected"),
    [
        (["improved", "no_change"], "improved"),
        (["improved", "worse"], "worse"),
        (["no_change", "too_early"], "no_change"),
        (["too_early"], "too_early"),
        ([], "too_early"),
    ],
)
def test_recommendation_verdict_rule(verdicts, expected):
    assert impact_stats.recommendation_verdict(verdicts) == expected


def test_worse_when_a_score_falls(analyst):
    journey, _ = journey_with_periods({"q": {"2024-01": MEAN_4, "2024-04": MEAN_3}})
    rec = implemented_recommendation(
        journey, period="2024-01", implemented_on=FEB, actor=analyst, targets={"items": ["q"]}
    )
    assert recommendation_impact(rec)["verdict"] == "worse"


def test_journey_impact_json_and_verdict_counts(planted):
    improved = planted["rec"](["q_wait"], FEB)
    planted["rec"](["q_fee"], FEB)
    result = journey_impact(journey="planted")
    assert result["journey"] == "planted"
    assert [r["verdict"] for r in result["recommendations"]] == ["improved", "no_change"]
    first = result["recommendations"][0]
    assert set(first) == {"id", "gap", "status", "implemented_at", "verdict", "measures"}
    assert first["id"] == improved.pk and first["gap"] == improved.gap.number
    assert set(first["measures"][0]) == {
        "kind",
        "code",
        "before",
        "after",
        "difference",
        "p_value",
        "verdict",
    }
    json.dumps(result)  # JSON as it is
    counts = verdict_counts(journeys=[planted["journey"].pk])
    assert counts[planted["journey"].pk] == {
        "improved": 1,
        "no_change": 1,
        "worse": 0,
        "too_early": 0,
    }
    # A report of April sees only the periods up to April.
    april = journey_impact(journey="planted", up_to="2024-04")["recommendations"][0]
    assert april["measures"][0]["after"]["periods"] == ["2024-04"]


def test_journey_impact_reads_in_a_fixed_number_of_queries(planted, django_assert_max_num_queries):
    for _ in range(3):
        planted["rec"](["q_wait", "q_fee"], FEB, stage=None)
    with django_assert_max_num_queries(9):
        journey_impact(journey=planted["journey"])


def test_pure_tests_against_scipy():
    assert impact_stats.poisson_rate_test(30, 1000, 12, 1500) == pytest.approx(
        sp.binomtest(12, 42, 1500 / 2500).pvalue
    )
    assert impact_stats.poisson_rate_test(0, 10, 0, 10) == 1.0
    table = np.array([[30, 70], [45, 55]])
    assert impact_stats.two_proportion_test(30, 100, 45, 100) == pytest.approx(
        sp.chi2_contingency(table, correction=False).pvalue
    )
    assert impact_stats.two_proportion_test(0, 50, 0, 60) == 1.0


def test_command_json_and_table(planted):
    planted["rec"](["q_wait"], FEB)
    out = io.StringIO()
    call_command("impact", journey="planted", format="json", stdout=out)
    assert json.loads(out.getvalue())["recommendations"][0]["verdict"] == "improved"
    out = io.StringIO()
    with translation.override("en"):
        call_command("impact", journey="planted", lang="en", stdout=out)
    assert "improved" in out.getvalue() and "q_wait" in out.getvalue()
    out = io.StringIO()
    call_command("impact", journey="planted", digits="arabic", stdout=out)
    assert "تحسّن" in out.getvalue() and "٢٠٢٤" in out.getvalue()


def test_command_unknown_journey_exits_1():
    err = io.StringIO()
    with pytest.raises(SystemExit) as caught:
        call_command("impact", journey="nope", lang="en", stderr=err)
    assert caught.value.code == 1 and "nope" in err.getvalue()


def test_journey_report_has_a_did_it_work_section(planted, settings):
    from sawt.reports.dataset import journey_report
    from sawt.reports.html import report_html

    planted["rec"](["q_wait"], FEB)
    planted["rec"](["q_late"], MAY)  # 10 answers in July: too early
    report = journey_report(journey_slug="planted", period="2024-07")
    assert [r["verdict"] for r in report.impact["recommendations"]] == ["improved", "too_early"]
    html = report_html(report, lang="en", digits="latin", for_pdf=False)
    section = html[html.index("Did it work?") :]
    assert "improved: 1 · too early to tell: 1" in section
    assert "2024-04, 2024-07 · n = 400 · 4.00" in section and "+1.00" in section
    assert "2024-07 · n = 10 · 4.00" in section  # low base: its n, no change, no verdict
    arabic = report_html(report, lang="ar", digits="arabic", for_pdf=False)
    assert "هل نجحت؟" in arabic and "تحسّن" in arabic and "٢٠٢٤" in arabic
    # A report of April sees only what was known then.
    april = journey_report(journey_slug="planted", period="2024-04")
    assert april.impact["recommendations"][0]["measures"][0]["after"]["periods"] == ["2024-04"]


def test_portfolio_shows_verdict_counts_per_journey(planted, analyst, client):
    from sawt.reports.dataset import journey_lines

    planted["rec"](["q_wait"], FEB)
    planted["rec"](["q_fee"], FEB)
    (line,) = journey_lines(period="2024-07")[1]
    assert line.impact == {"improved": 1, "no_change": 1, "worse": 0, "too_early": 0}
    client.force_login(analyst)
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    html = client.get("/periods/2024-07/").content.decode()
    assert 'data-verdict="improved">improved <b>1</b>' in html
    assert 'data-verdict="no_change">no change <b>1</b>' in html
    assert 'data-verdict="worse"' not in html
