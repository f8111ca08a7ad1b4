"""The portfolio page and the portfolio PDF show the same figures for every journey: both render
one frozen dataset (sawt.reports.portfolio), and this renders both from one database."""

from __future__ import annotations

import re

import pytest
from django.utils import translation

from sawt.core.access import Role
from sawt.metrics import portfolio as batch
from sawt.reports.dataset import journey_report
from sawt.reports.html import report_html
from sawt.reports.portfolio import portfolio_report
from sawt.surveys.models import Answer, Response
from sawt.testing import factories as f

pytestmark = pytest.mark.django_db

PERIOD = "2022-06"
# Direction isolates and marks, and the word joiners around an interval's dash: the page and
# the PDF isolate figures differently (<bdi> against Unicode isolates), the figures are alike.
_INVISIBLE = re.compile("[\u2066-\u2069\u200e\u200f\u2060]")
_TAG = re.compile(r"<[^>]+>")
_CELL = re.compile(r'<td[^>]*data-label="([^"]+)"[^>]*>')


def _wave(journey, period, counts, *, sample_size=1000, population=None):
    """A survey of `journey` in `period` whose overall item has these {score: count}."""
    survey = f.SurveyFactory(
        journey=journey, period=period, sample_size=sample_size, population_size=population
    )
    overall = f.QuestionFactory(survey=survey, code="overall", kind="overall")
    responses = Response.objects.bulk_create(
        f.ResponseFactory.build(survey=survey, respondent_id=f"{journey.slug}-{period}-{i}")
        for i in range(sum(counts.values()))
    )
    scores = [s for s, c in counts.items() for _ in range(c)]
    Answer.objects.bulk_create(
        Answer(response=r, question=overall, score=s)
        for r, s in zip(responses, scores, strict=True)
    )


@pytest.fixture(autouse=True)
def _small_bases_get_intervals(settings):
    # The waves here have a handful of answers each: below the default minimum base they would
    # show no interval and no change test, and this test compares those between page and PDF.
    settings.SAWT_MIN_N = 2


@pytest.fixture
def portfolio_world():
    """Three journeys of two agencies in June: one that improved since March (with a known
    population, complaints inside and outside the month, gaps and decisions at several
    statuses), one surveyed for the first time on a low base, one with neither complaints nor
    gaps; and a journey surveyed only in May, which June does not list."""
    ours, theirs = f.AgencyFactory(code="a-agency"), f.AgencyFactory(code="b-agency")
    improved = f.JourneyFactory(slug="improved", name_en="Improved service", agency=ours)
    _wave(improved, "2022-03", {5: 20, 4: 30, 3: 50, 2: 60, 1: 40})
    _wave(improved, PERIOD, {5: 90, 4: 80, 3: 20, 2: 6, 1: 4}, sample_size=4321, population=900)
    f.ComplaintFactory.create_batch(3, journey=improved)
    f.ComplaintFactory(journey=improved, received_at="2022-05-31T23:00:00+03:00")
    gap = f.GapFactory(journey=improved, period=PERIOD)
    f.RecommendationFactory(gap=gap, status="approved")
    f.RecommendationFactory(gap=f.GapFactory(journey=improved, period=PERIOD), status="proposed")
    f.GapFactory(journey=improved, period="2022-03")
    first = f.JourneyFactory(slug="first", name_en="First survey", agency=ours)
    _wave(first, PERIOD, {5: 2, 4: 2, 2: 1}, sample_size=40)
    f.ComplaintFactory(journey=first)
    quiet = f.JourneyFactory(slug="quiet", name_en="Quiet service", agency=theirs)
    _wave(quiet, PERIOD, {4: 30, 3: 10})
    _wave(f.JourneyFactory(slug="may-only"), "2022-05", {5: 3, 4: 3})
    return ["first", "improved", "quiet"]  # by agency, then slug


def _text(html: str) -> str:
    # A table cell keeps its label, so "Number of gaps" finds its own cell in the register.
    html = _CELL.sub(lambda m: f" [{m.group(1)}] ", html)
    return " ".join(_INVISIBLE.sub("", _TAG.sub(" ", html)).split())


def _find(pattern: str, text: str) -> tuple[str, ...]:
    match = re.search(pattern, text)
    assert match, f"{pattern!r} not in {text[:2000]!r}"
    return match.groups()


def _page_figures(html: str, slugs: list[str]) -> dict[str, dict[str, str]]:
    cards = {}
    for card in html.split('<li class="jcard">')[1:]:
        slug = _find(rf"/journeys/([\w-]+)/{PERIOD}/", card)[0]
        text = _text(card)
        n, ci = _find(r"n = ([\d,]+), 95% CI (\S+)", text)
        responses, sent = _find(r"([\d,]+) of ([\d,]+) invited", text)
        gaps, recs = _find(r"([\d,]+) gaps, ([\d,]+) recommendations", text)
        cards[slug] = {
            "mean": _find(r"Overall satisfaction (\S+)", text)[0],
            "n": n,
            "ci": ci,
            "rate": _find(r"Response rate \(completed ÷ invited\) (\S+)", text)[0],
            "responses": responses,
            "sent": sent,
            "complaints": _find(r"Complaints ([\d,]+)", text)[0],
            "gaps": gaps,
            "recommendations": recs,
        }
    assert list(cards) == slugs
    return cards


def _pdf_figures(html: str, slugs: list[str]) -> dict[str, dict[str, str]]:
    sections = {}
    for section in html.split('<section class="journey sheet" id="journey-')[1:]:
        slug = section.split('"', 1)[0]
        text = _text(section)
        sections[slug] = {
            "mean": _find(r"Overall satisfaction (\S+)", text)[0],
            "n": _find(r"Overall satisfaction \S+ n = ([\d,]+)", text)[0],
            "ci": _find(r"95% CI (\S+)", text)[0],
            "rate": _find(r"response rate \(completed ÷ invited\) (\S+)", text)[0],
            "responses": _find(r"Responses ([\d,]+)", text)[0],
            "sent": _find(r"Survey sent to ([\d,]+)", text)[0],
            "complaints": _find(r"Complaints in the period ([\d,]+)", text)[0],
            "gaps": _find(r"\[Number of gaps\] ([\d,]+)", text)[0],
            "recommendations": _find(r"\[Number of recommendations\] ([\d,]+)", text)[0],
        }
    assert list(sections) == slugs
    return sections


def _render_both(client, slugs):
    client.force_login(f.user_with_role(Role.ANALYST))
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    page = client.get(f"/periods/{PERIOD}/").content.decode()
    with translation.override("en"):
        pdf = report_html(portfolio_report(period=PERIOD), lang="en", digits="latin", for_pdf=True)
    return _page_figures(page, slugs), _pdf_figures(pdf, slugs)


def test_the_page_and_the_pdf_show_the_same_figures(portfolio_world, client):
    on_page, in_pdf = _render_both(client, portfolio_world)
    assert on_page == in_pdf
    # And they are the figures of the data, not two equal mistakes.
    assert on_page["improved"] == {
        "mean": "4.2",
        "n": "200",
        "ci": on_page["improved"]["ci"],
        "rate": "4.6%",
        "responses": "200",
        "sent": "4,321",
        "complaints": "3",
        "gaps": "2",
        "recommendations": "2",
    }
    assert (on_page["first"]["n"], on_page["quiet"]["complaints"]) == ("5", "0")


def test_both_render_the_one_dataset(portfolio_world, client, monkeypatch):
    # Whatever the portfolio's figures are, the page and the PDF show them: a count changed
    # where the portfolio computes it shows in both. (The PDF used to count again, by itself.)
    register = batch._register

    def more_gaps(journey_ids: list[int], period: str):
        counts, statuses = register(journey_ids, period)
        return {j: counts.get(j, 0) + 10 for j in journey_ids}, statuses

    monkeypatch.setattr(batch, "_register", more_gaps)
    on_page, in_pdf = _render_both(client, portfolio_world)
    assert [on_page[s]["gaps"] for s in portfolio_world] == ["10", "12", "10"]
    assert [in_pdf[s]["gaps"] for s in portfolio_world] == ["10", "12", "10"]


def test_a_journey_reported_alone_leads_with_its_portfolio_line(portfolio_world):
    # The single report takes its line from the journey's own summary, the portfolio from the
    # batch over all journeys: the same definitions, so the same figures.
    portfolio = portfolio_report(period=PERIOD)
    for line, in_portfolio in zip(portfolio.lines, portfolio.journeys, strict=True):
        alone = journey_report(journey_slug=line.slug, period=PERIOD)
        assert alone == in_portfolio
        assert (alone.sample.sent, alone.overall, alone.by_status) == (
            line.sent,
            line.overall,
            line.by_status,
        )


def test_the_page_reads_the_portfolio_in_a_fixed_number_of_queries(
    portfolio_world, django_assert_max_num_queries
):
    # The page asks for the lines only: no journey report is built for it.
    # 10: one more for the completed responses (the response rate's numerator); 11: the
    # recommendations still open from earlier periods' gaps.
    with django_assert_max_num_queries(11):
        lines = portfolio_report(period=PERIOD, full=False)
    assert [line.slug for line in lines.lines] == portfolio_world and lines.journeys == ()


def test_the_opening_page_counts_what_is_still_open_from_earlier_periods():
    # March recorded the gap and its decision; June, with no gap of its own, still owes it.
    journey = f.JourneyFactory(slug="owed")
    _wave(journey, "2022-03", {5: 20, 4: 20, 3: 10})
    _wave(journey, PERIOD, {5: 25, 4: 20, 3: 5})
    march = f.GapFactory(journey=journey, period="2022-03")
    f.RecommendationFactory(gap=march, status="in_progress")
    f.RecommendationFactory(gap=march, status="implemented")
    f.RecommendationFactory(gap=f.GapFactory(journey=journey, period="2022-09"), status="proposed")
    (row,) = batch.portfolio_summary(period=PERIOD)["journeys"]
    assert row["recommendations"] == 0  # the period's own register is empty
    assert row["open_recommendations"] == 1  # March's decision in progress; not September's
