"""journey_trend from records: points against scipy on the raw answers, like scales only,
changes tested by Welch and Holm-corrected per period, a fixed number of queries."""

from __future__ import annotations

import json
import random
from dataclasses import dataclass

import numpy as np
import pytest
from django.core.management import call_command
from scipy import stats as sps

from sawt.metrics.trends import journey_trend, summary_trend
from sawt.surveys.models import Answer, Response
from sawt.testing import factories as f

pytestmark = pytest.mark.django_db


def _answer(survey, answers: dict, *, attributes: list[dict] | None = None) -> None:
    """Responses to `survey`: `answers` maps a question to its list of scores (one per
    respondent, None = skipped); bulk-created (the database keeps the counts itself)."""
    n = max(len(v) for v in answers.values())
    responses = Response.objects.bulk_create(
        Response(
            survey=survey,
            respondent_id=f"{survey.code}-{i}",
            attributes=attributes[i] if attributes else {},
        )
        for i in range(n)
    )
    Answer.objects.bulk_create(
        Answer(response=responses[i], question=q, score=score)
        for q, scores in answers.items()
        for i, score in enumerate(scores)
        if score is not None
    )


def _scores(rng: random.Random, n: int, low: int, high: int, shift: float = 0) -> list[int]:
    return [min(high, max(low, round(rng.gauss((low + high) / 2 + shift, 1.0)))) for _ in range(n)]


@dataclass
class Waves:
    journey: object
    raw: dict  # {(period, code): scores}


@pytest.fixture
def waves():
    """Three waves of one journey. `q1` is asked on 0–10 in 2022-03 (not like the others);
    the overall item improves clearly into 2022-06; `q2` has only 12 answers in 2022-03."""
    rng = random.Random(11)
    journey = f.JourneyFactory(slug="permits")
    apply = f.StageFactory(journey=journey, code="apply", position=1)
    raw: dict = {}
    shifts = {"2022-01": 0.0, "2022-03": 0.0, "2022-06": 0.8}
    for period, shift in shifts.items():
        survey = f.SurveyFactory(
            journey=journey, period=period, code=f"s-{period}", population_size=5000
        )
        overall = f.QuestionFactory(survey=survey, code="overall", kind="overall")
        wide = period == "2022-03"
        q1 = f.QuestionFactory(
            survey=survey,
            code="q1",
            stage=apply,
            scale_min=0 if wide else 1,
            scale_max=10 if wide else 5,
        )
        q2 = f.QuestionFactory(survey=survey, code="q2", stage=apply, kind="effort")
        answers = {
            overall: _scores(rng, 150, 1, 5, shift),
            q1: _scores(rng, 150, 0, 10) if wide else _scores(rng, 150, 1, 5),
            q2: _scores(rng, 12 if period == "2022-03" else 150, 1, 5),
        }
        _answer(survey, answers)
        for q, scores in answers.items():
            raw[(period, q.code)] = scores
    return Waves(journey, raw)


def test_points_are_the_summary_figures_oldest_first(waves):
    trend = journey_trend(journey=waves.journey, period="2022-06")
    assert trend["periods"] == ["2022-01", "2022-03", "2022-06"]
    points = trend["overall"]["points"]
    assert [p["period"] for p in points] == trend["periods"]
    for p in points:
        x = np.array(waves.raw[(p["period"], "overall")], dtype=float)
        fpc = np.sqrt((5000 - len(x)) / (5000 - 1))
        lo, hi = sps.t.interval(0.95, len(x) - 1, loc=x.mean(), scale=sps.sem(x) * fpc)
        assert p["n"] == len(x)
        assert p["mean"] == pytest.approx(x.mean())
        assert p["ci95"] == pytest.approx([lo, hi])


def test_later_periods_are_not_in_a_trend_up_to_an_earlier_one(waves):
    trend = journey_trend(journey=waves.journey, period="2022-03")
    assert trend["periods"] == ["2022-01", "2022-03"]
    assert [p["period"] for p in trend["overall"]["points"]] == ["2022-01", "2022-03"]


def test_a_point_on_another_scale_is_left_out_and_flagged(waves):
    trend = journey_trend(journey=waves.journey, period="2022-06")
    q1 = next(i for i in trend["items"] if i["code"] == "q1")
    assert q1["scale"] == [1, 5]
    assert [p["period"] for p in q1["points"]] == ["2022-01", "2022-06"]
    assert q1["excluded"] == [{"period": "2022-03", "scale": [0, 10]}]
    # The change is measured from the last like point, not from the 0–10 wave.
    assert q1["points"][1]["change"]["from"] == "2022-01"
    # Up to 2022-03 the series runs on 0–10 and the 1–5 wave is the one left out.
    earlier = journey_trend(journey=waves.journey, period="2022-03")
    q1 = next(i for i in earlier["items"] if i["code"] == "q1")
    assert q1["scale"] == [0, 10] and q1["excluded"] == [{"period": "2022-01", "scale": [1, 5]}]


def test_changes_are_welch_tests_holm_corrected_within_the_period(waves):
    trend = journey_trend(journey=waves.journey, period="2022-06")
    change = trend["overall"]["points"][2]["change"]
    before = np.array(waves.raw[("2022-03", "overall")], dtype=float)
    after = np.array(waves.raw[("2022-06", "overall")], dtype=float)
    golden = sps.ttest_ind(after, before, equal_var=False)
    assert change["tested"] and change["p"] == pytest.approx(golden.pvalue)
    assert change["difference"] == pytest.approx(after.mean() - before.mean())
    # Items: the family is the journey's item changes into 2022-06 (q1 only: q2's March wave
    # is a low base, and a stage score is not tested), so q1 is corrected alone.
    q1 = next(i for i in trend["items"] if i["code"] == "q1")["points"][-1]["change"]
    assert q1["tested"] and q1["p_adjusted"] == pytest.approx(q1["p"])
    # The overall score: the portfolio's family (here the one journey), as the portfolio marks it.
    assert change["p_adjusted"] == pytest.approx(change["p"])
    assert change["significant"] and change["direction"] == "up"


def test_low_base_has_no_interval_and_no_test(waves):
    trend = journey_trend(journey=waves.journey, period="2022-06")
    q2 = next(i for i in trend["items"] if i["code"] == "q2")
    march = q2["points"][1]
    assert march["n"] == 12 and march["low_base"] and march["ci95"] is None
    assert march["change"]["tested"] is False and march["change"]["reason"] == "low_base"
    assert march["change"]["significant"] is None and march["change"]["p"] is None
    assert q2["points"][2]["change"]["reason"] == "low_base"


def test_stage_points_use_items_on_one_scale_with_their_smallest_n(waves):
    trend = journey_trend(journey=waves.journey, period="2022-06")
    (stage,) = trend["stages"]
    assert stage["code"] == "apply" and stage["scale"] == [1, 5]
    # In March q1 was on 0–10 and q2 on 1–5: a tie, the first item's scale wins, so the
    # stage's March point is on 0–10 and left out of the 1–5 series.
    assert stage["excluded"] == [{"period": "2022-03", "scale": [0, 10]}]
    jan, jun = stage["points"]
    assert jan["mean"] == pytest.approx(
        (np.mean(waves.raw[("2022-01", "q1")]) + np.mean(waves.raw[("2022-01", "q2")])) / 2
    )
    assert jan["n"] == 150 and jan["ci95"] is None
    assert jun["change"]["tested"] is False and jun["change"]["reason"] == "stage"


def test_constant_waves_are_not_tested():
    journey = f.JourneyFactory()
    for period, score in (("2022-01", 4), ("2022-06", 5)):
        survey = f.SurveyFactory(journey=journey, period=period)
        q = f.QuestionFactory(survey=survey, code="overall", kind="overall")
        _answer(survey, {q: [score] * 40})
    change = journey_trend(journey=journey, period="2022-06")["overall"]["points"][1]["change"]
    assert change["difference"] == 1 and not change["tested"]
    assert change["reason"] == "no_spread" and change["significant"] is None


def test_a_fixed_number_of_queries_whatever_the_periods(django_assert_max_num_queries):
    journey = f.JourneyFactory()
    stage = f.StageFactory(journey=journey)
    for month in range(1, 13):
        survey = f.SurveyFactory(journey=journey, period=f"2021-{month:02d}")
        q = f.QuestionFactory(survey=survey, code="overall", kind="overall")
        q1 = f.QuestionFactory(survey=survey, code="q1", stage=stage)
        _answer(survey, {q: [3, 4, 5], q1: [2, 3, 4]})
    with django_assert_max_num_queries(5):
        trend = journey_trend(journey=journey, period="2021-12")
    assert len(trend["overall"]["points"]) == 12


def test_a_segment_counts_only_its_respondents():
    journey = f.JourneyFactory()
    survey = f.SurveyFactory(journey=journey, period="2022-06")
    q = f.QuestionFactory(survey=survey, code="overall", kind="overall")
    regions = [{"region": "Riyadh"}] * 12 + [{"region": "Jeddah"}] * 9
    _answer(survey, {q: [5, 5, 4] * 4 + [1, 2, 1] * 3}, attributes=regions)

    @dataclass
    class Segment:
        attribute: str
        value: str

    trend = journey_trend(journey=journey, period="2022-06", segment=Segment("region", "Riyadh"))
    (point,) = trend["overall"]["points"]
    assert point["n"] == 12 and point["mean"] == pytest.approx(14 / 3)
    assert trend["segment"] == {"attribute": "region", "value": "Riyadh"}
    # Nine respondents are fewer than the smallest segment shown (10): no point at all.
    small = journey_trend(journey=journey, period="2022-06", segment=Segment("region", "Jeddah"))
    assert small["overall"]["points"] == []


def test_summary_trend_holds_the_earlier_periods_only(waves):
    trend = summary_trend(journey_trend(journey=waves.journey, period="2022-06"))
    assert [p["period"] for p in trend["overall"]] == ["2022-01", "2022-03"]
    assert set(trend["overall"][0]) == {"period", "n", "mean", "ci95"}
    assert [p["period"] for p in trend["items"]["q1"]] == ["2022-01"]
    assert [p["period"] for p in trend["items"]["q2"]] == ["2022-01", "2022-03"]
    assert trend["items"]["q2"][1]["ci95"] is None  # a low base has no interval
    assert list(trend["stages"]) == ["apply"]
    first = summary_trend(journey_trend(journey=waves.journey, period="2022-01"))
    assert first["overall"] == [] and first["items"] == {"q1": [], "q2": []}


def test_summary_json_carries_the_trend(waves, capsys):
    call_command("summary", journey="permits", period="2022-06", format="json")
    trend = json.loads(capsys.readouterr().out)["trend"]
    assert [p["period"] for p in trend["overall"]] == ["2022-01", "2022-03"]
    assert trend["overall"][0]["mean"] == pytest.approx(np.mean(waves.raw[("2022-01", "overall")]))


def test_summary_table_shows_overall_satisfaction_by_period(waves, capsys):
    call_command("summary", journey="permits", period="2022-06", format="table", lang="en")
    out = capsys.readouterr().out
    block = out[out.index("Overall satisfaction by period") :].splitlines()[1:5]
    assert [line.split()[0] for line in block] == ["Period", "2022-01", "2022-03", "2022-06"]


def test_the_overall_change_is_marked_as_the_portfolio_marks_it(waves):
    from sawt.metrics.portfolio import portfolio_summary

    other = f.JourneyFactory(slug="other")
    rng = random.Random(5)
    for period, shift in (("2022-03", 0.0), ("2022-06", 0.3)):
        survey = f.SurveyFactory(journey=other, period=period, code=f"o-{period}")
        q = f.QuestionFactory(survey=survey, code="overall", kind="overall")
        _answer(survey, {q: _scores(rng, 80, 1, 5, shift)})
    change = journey_trend(journey=waves.journey, period="2022-06")["overall"]["points"][-1][
        "change"
    ]
    (row,) = [
        r for r in portfolio_summary(period="2022-06")["journeys"] if r["journey"].slug == "permits"
    ]
    assert change["p_adjusted"] == pytest.approx(row["change"]["p_adjusted"])
    assert change["p_adjusted"] > change["p"]  # two journeys in the family
    assert change["significant"] == row["change"]["significant"]


def test_without_tests_the_trend_reads_three_queries(waves, django_assert_max_num_queries):
    with django_assert_max_num_queries(3):
        trend = journey_trend(journey=waves.journey, period="2022-06", tested=False)
    assert all(p["change"] is None for p in trend["overall"]["points"])
