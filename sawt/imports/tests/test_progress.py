"""Imports say how far they have come (a background import's page shows it), and the command
line's calls without a callback work as before."""

from __future__ import annotations

from pathlib import Path

import pytest

from sawt.complaints.services import complaints_import
from sawt.surveys.services import responses_import, survey_definition_import

SAWT = Path(__file__).resolve().parents[2]
DEFINITION = SAWT / "surveys/tests/fixtures/definition/valid.yaml"
pytestmark = pytest.mark.django_db


def _complaints(path: Path, rows: int) -> Path:
    lines = ["complaint_id,received_at,text"]
    lines += [f"K-{n},2022-06-02 10:00,الطلب متأخر منذ أسبوعين رقم {n}" for n in range(rows)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_a_complaints_import_reports_rows_read_then_saved(tmp_path):
    survey_definition_import(path=DEFINITION)  # journey "permits"
    calls: list[tuple] = []
    path = _complaints(tmp_path / "c.csv", 2_500)

    complaints_import(journey_slug="permits", path=path, on_progress=lambda *a: calls.append(a))

    reading = [done for done, _total, stage in calls if stage == "reading"]
    saving = [(done, total) for done, total, stage in calls if stage == "saving"]
    assert reading == [999, 1999, 2500]  # every 1,000 rows (the header is row 1), then all
    assert saving == [(0, 2500), (2500, 2500)]
    assert calls.index((2500, None, "reading")) < calls.index((0, 2500, "saving"))


def test_a_responses_import_reports_its_rows_and_the_old_call_still_works(tmp_path):
    survey = survey_definition_import(path=DEFINITION).survey
    path = SAWT / "surveys/tests/fixtures/responses/valid.csv"
    calls: list[tuple] = []
    responses_import(survey_code=survey.code, path=path, on_progress=lambda *a: calls.append(a))
    assert calls[0] == (3, None, "reading") and calls[-1] == (3, 3, "saving")
    # The command line's call, positional-free and without a callback, as before.
    result = responses_import(survey_code=survey.code, path=path, actor=None, progress=False)
    assert result.unchanged == 3
