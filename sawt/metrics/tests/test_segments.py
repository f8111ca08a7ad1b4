"""Segments: parsing, suppression of small groups, the filtered summary and the comparison."""

from __future__ import annotations

import json
import random

import numpy as np
import pytest
from django.core.management import call_command
from django.utils import translation
from scipy import stats as sps

from sawt.core.exceptions import ApplicationError
from sawt.metrics import segments
from sawt.metrics.segments import Segment, parse_segment
from sawt.metrics.selectors import journey_summary
from sawt.surveys.services.tallies import tallies_recount
from sawt.testing import factories as f

pytestmark = pytest.mark.django_db
REGIONS = {"الرياض": 60, "مكة": 45, "جدة": 12, "تبوك": 4, "حائل": 3}


@pytest.fixture
def regional():
    """124 respondents in five regions (two of them under 10); Riyadh scores a point higher on
    `wait`; everyone answers the overall item, `wait` and an open question."""
    journey = f.JourneyFactory(slug="permits")
    stage = f.StageFactory(journey=journey)
    survey = f.SurveyFactory(journey=journey, period="2022-06", population_size=5000)
    overall = f.QuestionFactory(survey=survey, code="overall", kind="overall")
    wait = f.QuestionFactory(survey=survey, code="wait", stage=stage)
    why = f.QuestionFactory(survey=survey, code="why", kind="text", scale_min=None, scale_max=None)
    late = f.GapCategoryFactory(journey=journey, code="late")
    rng = random.Random(4)
    raw: dict[str, dict[str, list[int]]] = {r: {"overall": [], "wait": []} for r in REGIONS}
    i = 0
    for region, n in REGIONS.items():
        for _ in range(n):
            attributes = {"region": region, "channel": "web" if i % 2 else "sms"}
            response = f.ResponseFactory(
                survey=survey, respondent_id=f"r{i}", attributes=attributes
            )
            scores = {
                "overall": rng.randint(2, 5),
                "wait": min(5, rng.randint(1, 4) + (1 if region == "الرياض" else 0)),
            }
            for code, q in (("overall", overall), ("wait", wait)):
                f.AnswerFactory(response=response, question=q, score=scores[code])
                raw[region][code].append(scores[code])
            if region == "الرياض" and i % 5 == 0:
                f.AnswerFactory(
                    response=response,
                    question=why,
                    score=None,
                    text="تأخير",
                    category=late,
                    category_source="analyst",
                )
            i += 1
    # Rows written here rather than through an import: counted as the importers count them.
    tallies_recount(survey)
    survey.refresh_from_db()
    return survey, raw


def test_parse_segment():
    assert parse_segment("region=الرياض") == Segment("region", "الرياض")
    assert parse_segment(" company grade = 5=A ") == Segment("company grade", "5=A")
    for bad in ("region", "=x", "region=", "", "a'b=1", "a;drop=1", 'x"y=1'):
        with pytest.raises(ApplicationError):
            parse_segment(bad)


def test_the_picker_hides_small_groups_without_naming_them(regional):
    survey, _ = regional
    picker = {a["attribute"]: a for a in segments.segment_picker(survey)}
    assert picker["region"]["values"] == [("الرياض", 60), ("مكة", 45), ("جدة", 12)]
    assert picker["region"]["hidden"] == 2
    assert picker["channel"]["values"] == [("sms", 62), ("web", 62)]
    assert segments.segment_attributes(survey)["region"][0] == ("الرياض", 60)


@translation.override("en")
def test_a_small_or_unknown_segment_is_refused(regional, settings):
    survey, _ = regional
    for segment in (Segment("region", "تبوك"), Segment("region", "nowhere")):
        with pytest.raises(ApplicationError, match="fewer than 10"):
            segments.segment_check(survey, segment)
    with pytest.raises(ApplicationError, match="no attribute"):
        segments.segment_check(survey, Segment("grade", "5"))
    settings.SAWT_MIN_SEGMENT = 13
    with pytest.raises(ApplicationError):
        segments.segment_check(survey, Segment("region", "جدة"))
    assert segments.segment_check(survey, Segment("region", "مكة")) == 45


def test_the_summary_of_a_segment_is_computed_from_its_respondents_only(regional):
    _survey, raw = regional
    summary = journey_summary(
        journey_slug="permits", period="2022-06", segment=Segment("region", "الرياض")
    )
    assert summary["segment"] == {"attribute": "region", "value": "الرياض", "n": 60}
    assert summary["sample"]["responses"] == 60
    assert summary["sample"]["response_rate"] is None
    scores = raw["الرياض"]["wait"]
    item = summary["stages"][0]["items"][0]
    assert item["n"] == 60
    assert item["mean"] == pytest.approx(np.mean(scores))
    # No finite population correction: the segment's population is unknown.
    half = sps.t.ppf(0.975, 59) * np.std(scores, ddof=1) / np.sqrt(60)
    assert item["ci95"][1] - item["mean"] == pytest.approx(half, abs=1e-9)
    assert summary["overall"]["mean"] == pytest.approx(np.mean(raw["الرياض"]["overall"]))
    assert summary["gap_categories"]["survey"][0]["count"] == 12
    everyone = journey_summary(journey_slug="permits", period="2022-06")
    assert everyone["segment"] is None
    assert everyone["sample"]["responses"] == 124
    with pytest.raises(ApplicationError):
        journey_summary(journey_slug="permits", period="2022-06", segment=Segment("region", "حائل"))


def test_the_summary_command_takes_a_segment(regional, capsys):
    call_command(
        "summary", journey="permits", period="2022-06", format="json", segment="region=مكة"
    )
    data = json.loads(capsys.readouterr().out)
    assert data["segment"]["n"] == 45
    assert data["overall"]["n"] == 45
    assert "drivers" in data
    for bad in ("region", "region=تبوك", "grade=1"):
        with pytest.raises(SystemExit) as exit_:
            call_command("summary", journey="permits", period="2022-06", format="json", segment=bad)
        assert exit_.value.code == 1
        assert capsys.readouterr().err.strip()


def test_the_comparison_tests_each_region_against_the_rest(regional):
    survey, raw = regional
    table = segments.segment_comparison(survey, "region")
    assert table["hidden"] == 2
    assert [s["value"] for s in table["segments"]] == ["الرياض", "مكة", "جدة"]
    riyadh = table["segments"][0]
    wait = riyadh["items"][0]
    rest = [s for r, v in raw.items() if r != "الرياض" for s in v["wait"]]
    expected = sps.ttest_ind(raw["الرياض"]["wait"], rest, equal_var=False)
    assert wait["mean"] == pytest.approx(np.mean(raw["الرياض"]["wait"]))
    assert wait["rest_mean"] == pytest.approx(np.mean(rest))
    assert wait["p"] == pytest.approx(expected.pvalue, rel=1e-9)
    assert wait["significant"] and wait["direction"] == "higher"
    # Holm over every test of the table: (overall, wait) for Riyadh and Mecca; Jeddah (12) is
    # below SAWT_MIN_N, so it gets means but no test.
    tested = [c for s in table["segments"] for c in (s["overall"], *s["items"]) if c["p"]]
    assert len(tested) == 4
    jeddah = table["segments"][2]
    assert jeddah["overall"]["low_base"] and jeddah["overall"]["p"] is None
    assert jeddah["overall"]["mean"] is not None
    with pytest.raises(ApplicationError):
        segments.segment_comparison(survey, "grade")


def test_segment_counts_equal_a_count_of_the_segment_s_answers(regional):
    survey, raw = regional
    wait = survey.questions.get(code="wait")
    counts = segments.segment_score_counts([wait.id], survey, Segment("region", "مكة"))
    expected = {s: raw["مكة"]["wait"].count(s) for s in set(raw["مكة"]["wait"])}
    assert counts[wait.id] == expected
