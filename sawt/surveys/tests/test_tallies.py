"""The counts a survey keeps as its responses are written (surveys/services/tallies.py): the
responses with no answer but "not applicable", and the respondents by attribute value. They
must equal what counting the records again gives, after every kind of write."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from sawt.metrics.segments import attribute_counts
from sawt.metrics.selectors import journey_summary
from sawt.surveys.models import Survey
from sawt.surveys.services import response_submit, responses_import, survey_definition_import
from sawt.surveys.services.tallies import tallies_recount
from sawt.surveys.tests.test_not_applicable import CODE, _definition

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def _file(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "r.csv"
    path.write_text(text, encoding="utf-8")
    return path


def _tallies() -> tuple[int, dict]:
    survey = Survey.objects.get(code=CODE)
    return survey.empty_responses, survey.respondent_groups


def _recounted() -> tuple[int, dict]:
    tallies_recount(Survey.objects.get(code=CODE))
    return _tallies()


def test_the_tallies_follow_imports_reimports_and_the_form(tmp_path):
    survey_definition_import(path=_definition(tmp_path, "[0]"))
    # B left everything blank, C answered "not applicable" only: neither completed the survey.
    first = "respondent_id,overall,s1,region\nA,4,5,الرياض\nB,,,الرياض\nC,,0,جدة\nD,2,3,\n"
    responses_import(survey_code=CODE, path=_file(tmp_path, first))
    kept = _tallies()
    assert kept == (2, {"region": {"الرياض": 2, "جدة": 1}})
    assert kept == _recounted()
    summary = journey_summary(journey_slug="permits", period="2022-06")
    assert (summary["sample"]["responses"], summary["sample"]["completed"]) == (4, 2)

    # B comes back with answers and from another region; D gains a region.
    again = "respondent_id,overall,s1,region\nB,5,4,جدة\nD,2,3,مكة\n"
    responses_import(survey_code=CODE, path=_file(tmp_path, again))
    kept = _tallies()
    assert kept == (1, {"region": {"الرياض": 1, "جدة": 2, "مكة": 1}})
    assert kept == _recounted()

    response_submit(
        survey=Survey.objects.get(code=CODE),
        respondent_id="E",
        submitted_at=dt.datetime(2022, 6, 20, tzinfo=dt.UTC),
        answers={"overall": 4},
        attributes={"region": "جدة"},
        actor=None,
    )
    kept = _tallies()
    assert kept == (1, {"region": {"الرياض": 1, "جدة": 3, "مكة": 1}})
    assert kept == _recounted()
    assert attribute_counts(Survey.objects.get(code=CODE)) == kept[1]
