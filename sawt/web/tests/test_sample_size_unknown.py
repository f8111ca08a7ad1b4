"""A survey whose sample size is not known yet (no number in its definition, nobody invited
through sawt): every place that shows the sample says "—" or null, and nothing breaks."""

import json
from io import StringIO

import openpyxl
import pytest
from django.core.management import call_command

from sawt.core.access import Role
from sawt.testing import factories as f

pytestmark = pytest.mark.django_db
PERIOD = "2022-06"


@pytest.fixture
def journey():
    journey = f.JourneyFactory(slug="permits", name_ar="رحلة الرخص", name_en="Permits")
    stage = f.StageFactory(journey=journey, name_ar="التقديم", name_en="Application")
    survey = f.SurveyFactory(
        journey=journey, period=PERIOD, sample_size=None, sample_size_by_hand=False
    )
    item = f.QuestionFactory(survey=survey, stage=stage, text_ar="الرضا عن سرعة الإنجاز")
    overall = f.QuestionFactory(survey=survey, kind="overall", stage=None)
    for score in (5, 4, 4, 3, 2):
        response = f.ResponseFactory(survey=survey)
        f.AnswerFactory(response=response, question=item, score=score)
        f.AnswerFactory(response=response, question=overall, score=score)
    return journey


def _command(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out, stderr=StringIO())
    return out.getvalue()


def test_the_summary_json_says_null(journey):
    summary = json.loads(_command("summary", "--journey", "permits", "--period", PERIOD,
                                  "--format", "json"))  # fmt: skip
    assert summary["sample"]["sent"] is None and summary["sample"]["response_rate"] is None
    assert summary["sample"]["responses"] == 5


def test_the_summary_table_shows_a_dash(journey):
    table = _command("summary", "--journey", "permits", "--period", PERIOD, "--lang", "en")
    assert "—" in table and "None" not in table


def test_the_journey_and_portfolio_pages_show_a_dash(journey, client):
    client.force_login(f.user_with_role(Role.ANALYST))
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    expected = {
        f"/journeys/permits/{PERIOD}/": [
            '<dt>Survey sent to</dt><dd class="value">—</dd>',
            '<dd class="note">response rate (completed ÷ invited) —</dd>',
        ],
        f"/periods/{PERIOD}/": ['<dd class="mid">—</dd>', '<dd class="note">5 of — invited</dd>'],
    }
    for url, fragments in expected.items():
        response = client.get(url)
        html = response.content.decode()
        assert response.status_code == 200, url
        assert "None" not in html and all(x in html for x in fragments), url


@pytest.mark.parametrize("suffix", ["html", "pdf"])
def test_the_reports_are_written(journey, tmp_path, suffix):
    for args in (["--journey", "permits", "--period", PERIOD], ["--period", PERIOD]):
        out = tmp_path / f"report-{len(args)}.{suffix}"
        _command("report", *args, "--out", str(out), "--lang", "en")
        assert out.stat().st_size > 0
        if suffix == "html":
            text = out.read_text(encoding="utf-8")
            assert "None" not in text
            assert '<dt>Survey sent to</dt><dd class="value">—</dd>' in text
            assert '<dd class="note">response rate (completed ÷ invited) —</dd>' in text


def test_the_workbook_leaves_the_cells_empty(journey, tmp_path):
    out = tmp_path / "permits.xlsx"
    _command(
        "export", "--journey", "permits", "--period", PERIOD, "--out", str(out), "--lang", "en"
    )
    rows = [[c.value for c in row] for sheet in openpyxl.load_workbook(out) for row in sheet]
    figures = {
        row[0]: row[1:]
        for row in rows
        if row and row[0] in ("Survey sent to", "Response rate (completed ÷ invited)")
    }
    assert len(figures) == 2 and all(
        v in (None, "—") for values in figures.values() for v in values[:1]
    )
    assert "None" not in [v for row in rows for v in row if isinstance(v, str)]
