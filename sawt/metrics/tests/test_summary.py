"""journey_summary from records: figures against scipy on the raw answers, counts by period."""

from __future__ import annotations

import datetime as dt
import json
import random

import numpy as np
import pytest
from django.core.management import call_command
from django.utils import timezone, translation
from scipy import stats as sps

from sawt.core.exceptions import ApplicationError
from sawt.metrics.selectors import journey_summary
from sawt.testing import factories as f

pytestmark = pytest.mark.django_db
TZ = timezone.get_default_timezone()


@pytest.fixture
def measured():
    """A journey with two stages, an overall item, three scored items and an open-text item."""
    journey = f.JourneyFactory(slug="permits", name_ar="رحلة الرخص", name_en="Permits")
    s1 = f.StageFactory(journey=journey, code="apply", position=1)
    s2 = f.StageFactory(journey=journey, code="receive", position=2)
    survey = f.SurveyFactory(
        journey=journey, period="2022-06", sample_size=400, population_size=900
    )
    overall = f.QuestionFactory(survey=survey, code="overall", kind="overall")
    q1 = f.QuestionFactory(survey=survey, code="q1", stage=s1)
    q2 = f.QuestionFactory(survey=survey, code="q2", stage=s1, kind="effort")
    q3 = f.QuestionFactory(survey=survey, code="q3", stage=s2)
    why = f.QuestionFactory(survey=survey, code="why", kind="text", scale_min=None, scale_max=None)
    late = f.GapCategoryFactory(journey=journey, code="late")
    guide = f.GapCategoryFactory(journey=journey, code="guide")
    rng = random.Random(7)
    raw: dict[str, list[int]] = {"overall": [], "q1": [], "q2": [], "q3": []}
    for i in range(120):
        response = f.ResponseFactory(survey=survey, respondent_id=f"r{i}")
        for question in (overall, q1, q2, q3):
            if question.code == "q3" and i % 3 == 0:
                continue  # skipped item: n differs per item
            score = rng.randint(1, 5)
            raw[question.code].append(score)
            f.AnswerFactory(response=response, question=question, score=score)
        if i < 10:
            f.AnswerFactory(
                response=response,
                question=why,
                score=None,
                text="تأخير",
                category=late if i < 7 else None,
                category_source="analyst" if i < 7 else "",
            )
    in_june = dt.datetime(2022, 6, 30, 23, 30, tzinfo=TZ)
    for i in range(9):
        f.ComplaintFactory(
            journey=journey,
            received_at=in_june,
            category=late if i < 5 else guide if i < 7 else None,
            category_source="import" if i < 4 else "model" if i < 7 else "",
        )
    f.ComplaintFactory(journey=journey, received_at=dt.datetime(2022, 7, 1, 0, 0, tzinfo=TZ))
    gap = f.GapFactory(journey=journey, period="2022-06")
    f.RecommendationFactory(gap=gap, status="implemented")
    f.RecommendationFactory(gap=gap, status="proposed")
    return raw


def test_item_figures_match_scipy_on_the_raw_answers(measured):
    summary = journey_summary(journey_slug="permits", period="2022-06")
    items = {i["code"]: i for s in summary["stages"] for i in s["items"]}
    items["overall"] = summary["overall"]
    for code, scores in measured.items():
        x = np.array(scores, dtype=float)
        n = len(x)
        fpc = np.sqrt((900 - n) / (900 - 1))
        lo, hi = sps.t.interval(0.95, n - 1, loc=x.mean(), scale=sps.sem(x) * fpc)
        assert items[code]["n"] == n
        assert items[code]["mean"] == pytest.approx(x.mean())
        assert items[code]["sd"] == pytest.approx(x.std(ddof=1))
        assert items[code]["ci95"] == pytest.approx([lo, hi])
        assert sum(items[code]["distribution"].values()) == n


def test_stage_score_is_the_mean_of_its_item_means(measured):
    summary = journey_summary(journey_slug="permits", period="2022-06")
    apply_stage = summary["stages"][0]
    assert apply_stage["code"] == "apply"
    assert [i["code"] for i in apply_stage["items"]] == ["q1", "q2"]
    assert apply_stage["mean"] == pytest.approx(
        (np.mean(measured["q1"]) + np.mean(measured["q2"])) / 2
    )


def test_sample_counts_only_complaints_received_in_the_period(measured):
    sample = journey_summary(journey_slug="permits", period="2022-06")["sample"]
    assert sample == {
        "sent": 400,
        "responses": 120,
        "completed": 120,
        "response_rate": 0.3,
        "complaints": 9,
    }


def test_gap_categories_count_all_and_labelled_separately(measured):
    ranking = journey_summary(journey_slug="permits", period="2022-06")["gap_categories"]
    late, guide = ranking["complaints"]
    assert (late["code"], late["count"], late["labelled"]) == ("late", 5, 4)
    assert late["share"] == pytest.approx(5 / 9)
    assert (guide["code"], guide["count"], guide["labelled"]) == ("guide", 2, 0)
    survey_top = ranking["survey"][0]
    assert (survey_top["code"], survey_top["count"], survey_top["share"]) == ("late", 7, 0.7)


def test_gaps_and_recommendations_by_status(measured):
    gaps = journey_summary(journey_slug="permits", period="2022-06")["gaps"]
    assert gaps["count"] == 1 and gaps["recommendations"] == 2
    assert gaps["by_status"]["implemented"] == 1 and gaps["by_status"]["proposed"] == 1
    assert gaps["by_status"]["verified"] == 0


def test_summary_reads_in_a_bounded_number_of_queries(measured, django_assert_max_num_queries):
    # 15: one more for the distribution funnel (an imported survey's: is anyone sampled?);
    # 17: the "not applicable" answers per item and the completed responses; 24: the key
    # drivers (the items' answers, read once) and the trend (the earlier surveys' counts), each
    # a fixed number of queries whatever the number of respondents or periods.
    with django_assert_max_num_queries(24):
        journey_summary(journey_slug="permits", period="2022-06")


def test_unknown_journey_and_missing_period_are_explained(measured):
    with translation.override("en"), pytest.raises(ApplicationError, match="No journey"):
        journey_summary(journey_slug="nope", period="2022-06")
    with (
        translation.override("en"),
        pytest.raises(ApplicationError, match="Periods with a survey: 2022-06"),
    ):
        journey_summary(journey_slug="permits", period="2022-07")
    with translation.override("en"), pytest.raises(ApplicationError, match="YYYY-MM"):
        journey_summary(journey_slug="permits", period="2022-13")


def test_cli_json_is_the_public_shape(measured, capsys):
    call_command("summary", journey="permits", period="2022-06", format="json")
    data = json.loads(capsys.readouterr().out)
    assert set(data) == {
        "journey",
        "period",
        "sample",
        "overall",
        "stages",
        "gap_categories",
        "gaps",
        "distribution",
        "drivers",
        "segment",
        "trend",
    }
    assert data["distribution"] is None  # an imported survey
    assert data["segment"] is None  # every respondent
    # One period measured: no earlier point in any series.
    assert set(data["trend"]) == {"overall", "items", "stages"}
    assert data["trend"]["overall"] == []
    assert all(points == [] for points in data["trend"]["items"].values())
    assert set(data["overall"]) == {
        "code",
        "n",
        "not_applicable",
        "mean",
        "sd",
        "ci95",
        "low_base",
        "top2",
        "top_box_points",
        "scale",
        "distribution",
        "target",
        "meets_target",
    }
    stage = data["stages"][0]
    assert {"n_min", "low_base", "scale", "excluded", "target"} <= set(stage)
    assert data["journey"]["name"] == {"ar": "رحلة الرخص", "en": "Permits"}


def test_cli_table_is_arabic_by_default_and_english_on_request(measured, capsys):
    call_command("summary", journey="permits", period="2022-06", format="table")
    out = capsys.readouterr().out
    assert "رحلة الرخص" in out and "الرضا العام" in out
    call_command("summary", journey="permits", period="2022-06", format="table", lang="en")
    out = capsys.readouterr().out
    assert "Permits" in out and "Overall satisfaction" in out


def test_cli_bad_period_exits_non_zero_with_a_message(measured, capsys):
    with pytest.raises(SystemExit) as exc:
        call_command("summary", journey="permits", period="June", format="json", lang="en")
    assert exc.value.code == 1
    assert "YYYY-MM" in capsys.readouterr().err
